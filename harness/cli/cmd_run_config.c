/* pimattn run, the configuration step (cmd_run.h): the model, the HBM stacks, the batch and its context
 * lengths, the units and, in rtl mode, which banks are Verilated; every input file read and checked. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd_run.h"
#include "cosim.h"
#include "rng.h"
#include "run_args.h"

/* Model, group and HBM configuration into c; 0 or CLI_EXIT_BAD_INPUT. */
static int configure_model_hbm(run_opts *o, attn_cfg *c)
{
    char err[ERRN];
    if (o->model_file) {
        if (model_load(o->model_file, &c->m, err, sizeof err))
            return cli_bad("run", "--model-file: %s", err);
    } else if (model_preset(o->model_name ? o->model_name : "llama2-70b", &c->m)) {
        return cli_bad("run", "--model: unknown model '%s' (allowed: %s)", o->model_name, model_preset_names);
    }
    const uint32_t G = model_group(&c->m);
    if (!o->tree && !o->group_given) /* all of them, or the largest divisor a unit's 16 rows can hold */
        for (o->group = G < 16 ? G : 16; G % o->group; o->group--)
            ;
    if (!o->tree && G % o->group)
        return cli_bad("run", "--group: %" PRIu64 " does not divide the model's %u query heads per KV head (allowed: a divisor of %u)",
                   o->group, G, G);
    if (hbm_cfg_resolve(o->hbm_text, &c->hbm, err, sizeof err))
        return cli_bad("run", "--hbm: %s", err);
    c->hbm.stacks = (uint32_t)o->stacks;
    if (o->power >= 0)
        c->hbm.power_limit = o->power == 0; /* on, off */
    if (hbm_cfg_validate(&c->hbm, err, sizeof err))
        return cli_bad("run", "--hbm: %s", err);
    return 0;
}

/* The batch and each request's context length (*lens allocated); 0 or CLI_EXIT_BAD_INPUT. */
static int configure_ctx(run_opts *o, uint32_t **lens)
{
    char err[ERRN];
    uint32_t *ctx = NULL, nctx = 0;
    if (o->data && !o->ctx_file && !o->ctx_text) { /* the file's batch and lengths */
        if (kvdata_peek(o->data, &nctx, &ctx, err, sizeof err))
            return cli_bad("run", "--data: %s", err);
        if (o->batch && o->batch != nctx) {
            free(ctx);
            return cli_bad("run", "--data: the file has %u requests, --batch %" PRIu64 " (allowed: the file's batch, or no --batch)",
                       nctx, o->batch);
        }
        o->batch = nctx;
    }
    if (o->ctx_file && run_parse_ctx_file("run", "--ctx-file", o->ctx_file, &ctx, &nctx))
        return CLI_EXIT_BAD_INPUT;
    if (o->ctx_text && run_parse_ctx_list("run", "--ctx", o->ctx_text, &ctx, &nctx))
        return CLI_EXIT_BAD_INPUT;
    if (!o->batch)
        o->batch = o->ctx_file ? nctx : (ctx && nctx > 1 ? nctx : 4);
    if (ctx && nctx > 1 && nctx != o->batch) {
        free(ctx);
        return cli_bad("run", "%u context lengths given for --batch %" PRIu64 " (allowed: one length, or one per request)", nctx,
                   o->batch);
    }
    uint32_t *v = malloc(o->batch * sizeof *v);
    if (!v)
        return free(ctx), cli_bad("run", "out of memory");
    rng r;
    rng_seed(&r, o->seed ^ 0xC7Cu);
    for (uint64_t i = 0; i < o->batch; i++)
        v[i] = ctx ? ctx[nctx > 1 ? i : 0] : 1024 + (uint32_t)rng_below(&r, 1025);
    free(ctx);
    *lens = v;
    return 0;
}

/* The Verilated builds and units of --mode rtl (rbank, rchan allocated); 0 or CLI_EXIT_BAD_INPUT. */
/* The GEMV configuration whose Verilated build an rtl-mode run loads. */
static gemv_cfg rtl_gemv_cfg(const attn_cfg *c)
{
    return (gemv_cfg){(int)c->group, (int)(c->m.head_dim / (c->kv_fmt == GEMV_KV_INT8 ? 32 : 16)), 4, c->acc_fp32,
                      c->kv_fmt};
}

int run_check_wave_build(const run_opts *o, const attn_cfg *c)
{
    const gemv_cfg g = rtl_gemv_cfg(c);
    const char *gname, *sname;
    char lerr[1024];
    if (!o->wave || !c->rtl)
        return 0;
    if (backend_rtl_builds(&g, &c->smu, &gname, &sname, lerr, sizeof lerr) ||
        !vunit_load_traced(VU_GEMV, gname, lerr, sizeof lerr))
        return cli_bad("run", "--wave: %s", lerr);
    return 0;
}

static int configure_rtl(const run_opts *o, attn_cfg *c, uint8_t **rbank, uint8_t **rchan)
{
    const unsigned nch = c->hbm.stacks * c->hbm.channels, upc = hbm_cfg_banks_per_pc(&c->hbm) / (o->pingpong ? 2 : 1),
                   bch = upc * c->hbm.pcs; /* GEMV units per PC and per channel */
    *rbank = calloc((size_t)nch * bch, 1);
    *rchan = calloc(nch, 1);
    if (!*rbank || !*rchan)
        return cli_bad("run", "out of memory");
    if (run_parse_rtl_banks(o->rtl_spec ? o->rtl_spec : "pc", &c->hbm, upc, *rbank, *rchan))
        return CLI_EXIT_BAD_INPUT;
    /* the backend chooses the builds; asking it now turns a missing build into bad input before any work */
    const gemv_cfg g = rtl_gemv_cfg(c);
    const char *gname, *sname;
    char lerr[1024];
    if (backend_rtl_builds(&g, &c->smu, &gname, &sname, lerr, sizeof lerr))
        return cli_bad("run", "--mode rtl: %s", lerr);
    if (!gemv_build_load(gname, lerr, sizeof lerr) || !sm_build_load(sname, lerr, sizeof lerr))
        return cli_bad("run", "--mode rtl: %s", lerr);
    c->rtl = 1;
    c->rtl_bank = *rbank;
    c->rtl_channel = *rchan;
    if (!o->wave)
        return 0;
    long u = -1;
    if (o->wave_bank) {
        if (run_parse_wave_bank(o->wave_bank, &c->hbm, bch, &u))
            return CLI_EXIT_BAD_INPUT;
        if (!(*rbank)[u])
            return cli_bad("run", "--wave-bank: %s is not one of the --rtl-banks", o->wave_bank);
    }
    for (size_t b = 0; b < (size_t)nch * bch && u < 0; b++)
        if ((*rbank)[b])
            u = (long)b;
    c->wave_unit = u;
    c->wave_from = o->wave_from;
    c->wave_cycles = o->wave_cycles;
    return 0;
}

int run_configure(run_opts *o, attn_cfg *c, run_alloc *a)
{
    memset(c, 0, sizeof *c);
    int status;
    if ((status = configure_model_hbm(o, c)) || (status = configure_ctx(o, &a->lens)))
        return status;
    uint64_t layers = c->m.layers;
    if (strcmp(o->layers_text, "all") && (cli_parse_u64(o->layers_text, 0, &layers) || layers < 1 || layers > c->m.layers))
        return cli_bad("run", "--layers: '%s' (allowed: all, or 1..%u: the model's layers)", o->layers_text, c->m.layers);
    c->batch = (uint32_t)o->batch;
    c->ctx = a->lens;
    c->systolic = !o->tree;
    c->pingpong = o->pingpong;
    c->group = o->tree ? 1 : (uint32_t)o->group;
    c->acc_fp32 = !o->acc16;
    c->kv_fmt = o->kvfmt == 2 ? GEMV_KV_INT8 : o->kvfmt == 1 ? KVF_BF16 : KVF_FP16;
    c->kv_block = (uint32_t)o->kv_block;
    c->splitk = o->splitk;
    c->smu = (smu_cfg){(int)o->lanes, 16, o->acc16, (int)c->m.head_dim};
    c->seed = o->seed;
    c->logit_scale = o->logit;
    c->data_path = o->data;
    c->numerics = (uint32_t)o->numerics;
    c->numerics_later = o->numerics_given ? 0 : RUN_NUMERICS_LATER;
    c->max_rel_l2 = o->max_rel;
    c->threads = (unsigned)o->threads;
    c->split = o->split;
    c->host_tier = o->host;
    c->host_gbs = o->host_gbs;
    c->host_latency_us = o->host_us;
    c->layers = (uint32_t)layers;
    const char *why = smu_cfg_check(&c->smu);
    if (why)
        return cli_bad("run", "softmax unit for head_dim %u with %" PRIu64 " lanes: %s", c->m.head_dim, o->lanes, why);
    return o->rtl ? configure_rtl(o, c, &a->rbank, &a->rchan) : 0;
}

void run_config_free(run_alloc *a)
{
    free(a->rbank);
    free(a->rchan);
    free(a->lens);
}
