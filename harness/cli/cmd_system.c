/* pimattn system: one generation of a model on a serving system — GPUs with tensor parallelism, with or
 * without a PIM device per GPU — with its attention simulated on the devices (system.h). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "outfile.h"
#include "progress.h"
#include "run_args.h"
#include "system.h"

static const char *system_help =
    "usage: pimattn system [options]\n"
    "One generation of a model on a serving system: the prompt (prefill) on the GPUs, then lout - 1 decode\n"
    "steps whose attention runs on one PIM device per GPU, simulated command by command (pimattn run's\n"
    "scheduler and timing model), and the FC layers, all-reduces and transfers as GPU rooflines. The same\n"
    "system without PIM runs beside it. Reports latency, tokens/s, energy per token, memory, refresh.\n"
    "  --system S        a preset (a100-hbm3, h100, dgx-a100-hbm3, dgx-h100, each also with +pim) or a YAML\n"
    "                    file (configs/systems/) [dgx-a100-hbm3+pim]\n"
    "  --set KEY=VALUE   override one field of the system, e.g. pim.gemv=tree, gpu.tflops=989.4, tp=4\n"
    "                    (repeatable; the keys are the YAML file's: docs/system.md)\n"
    "  --model NAME      a preset (as pimattn run) [llama2-70b]; --model-file F a YAML file\n"
    "  --batch N|max     requests per model replica [1]; max: each system at the largest batch that fits\n"
    "  --lin N[,N...]    prompt tokens, one for all or one per request [2048]; --lin-file F one per line\n"
    "  --lout N          tokens generated per request, the first by the prefill [128]\n"
    "  --step-stride N   simulate every N-th decode step, interpolate the others (the first and last are\n"
    "                    always simulated) [1]\n"
    "  --overlap M       none, transfer (q and output transfers overlap the attention), subbatch (two\n"
    "                    halves of the batch: one's attention beside the other's FC layers), all [none];\n"
    "                    the report shows the per-token latency without and with each\n"
    "  --slo-ms T        also find, for each system, the largest batch whose mean per-token latency is\n"
    "                    at most T ms (each point a whole generation)\n"
    "  --host-tier       KV cache too large for a device: its overflow on the host (as pimattn run);\n"
    "                    --host-bw GB/s [64], --host-latency us [10]\n"
    "  --flash-tile T    prefill attention tile, tokens [128]\n"
    "  --numerics N|all  work items per simulated layer checked against FP64 [1]\n"
    "  --seed S          [1]; --threads N|auto (fast-mode numerics)\n"
    "  --json FILE, --csv FILE   the report as JSON; one row per system and step (step 0: the prefill)\n"
    "  --help            this text\n"
    "Exit status: 0 done, 1 a check failed or an output could not be written, 2 bad input (including a\n"
    "system that cannot hold the model: the message gives the bytes).\n";

typedef struct sys_opts {
    const char *system, *model_name, *model_file, *lin_text, *lin_file, *json, *csv;
    cli_list set;
    uint64_t batch, lout, stride, tile, numerics, seed, threads;
    int overlap, host, host_opt, batch_given;
    double slo_ms, host_gbs, host_us;
} sys_opts;

static const char *const max_words[] = {"max", NULL}, *const all_words[] = {"all", NULL},
                         *const auto_words[] = {"auto", NULL},
                         *const overlap_words[] = {"none", "transfer", "subbatch", "all", NULL};

/* The option table of pimattn system, pointing into o, into t (CMD_MAX_OPTS entries); the number of options. */
static int system_table(sys_opts *o, cli_opt *t)
{
    const cli_opt opts[] = {
        CLI_OPT_STR("system", &o->system),
        CLI_OPT_LIST("set", &o->set),
        CLI_OPT_STR("model", &o->model_name),
        CLI_OPT_STR("model-file", &o->model_file),
        {.name = "batch", .kind = CLI_U64, .dst = &o->batch, .lo = 1, .hi = RUN_MAX_BATCH, .words = max_words,
         .given = &o->batch_given},
        CLI_OPT_STR("lin", &o->lin_text),
        CLI_OPT_STR("lin-file", &o->lin_file),
        CLI_OPT_U64("lout", &o->lout, 1, 1000000),
        CLI_OPT_U64("step-stride", &o->stride, 1, 1000000),
        CLI_OPT_CHOICE("overlap", &o->overlap, overlap_words),
        CLI_OPT_DOUBLE("slo-ms", &o->slo_ms, 0.001, 1e6),
        CLI_OPT_FLAG("host-tier", &o->host),
        {.name = "host-bw", .kind = CLI_DOUBLE, .dst = &o->host_gbs, .dlo = 0.001, .dhi = 1e6, .given = &o->host_opt},
        {.name = "host-latency", .kind = CLI_DOUBLE, .dst = &o->host_us, .dlo = 0, .dhi = 1e6, .given = &o->host_opt},
        CLI_OPT_U64("flash-tile", &o->tile, 16, 4096),
        {.name = "numerics", .kind = CLI_U64, .dst = &o->numerics, .lo = 1, .hi = UINT32_MAX, .words = all_words},
        CLI_OPT_U64("seed", &o->seed, 0, UINT64_MAX),
        {.name = "threads", .kind = CLI_U64, .dst = &o->threads, .lo = 1, .hi = 64, .words = auto_words},
        CLI_OPT_STR("json", &o->json),
        CLI_OPT_STR("csv", &o->csv),
    };
    _Static_assert(CLI_NOPTS(opts) <= CMD_MAX_OPTS, "system: too many options");
    memcpy(t, opts, sizeof opts);
    return CLI_NOPTS(opts);
}

int cmd_system_options(cli_opt *out, int max)
{
    sys_opts scratch;
    cli_opt t[CMD_MAX_OPTS];
    return cli_opts_export(t, system_table(&scratch, t), out, max);
}

static int parse_opts(int argc, char **argv, sys_opts *o)
{
    *o = (sys_opts){.system = "dgx-a100-hbm3+pim", .batch = 1, .lout = 128, .stride = 1, .tile = 128, .numerics = 1,
                    .seed = 1, .host_gbs = 64, .host_us = 10};
    cli_opt opts[CMD_MAX_OPTS];
    int nopts = system_table(o, opts);
    int st = cli_options("system", system_help, opts, nopts, argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    if (o->model_name && o->model_file)
        return cli_bad("system", "--model and --model-file are mutually exclusive");
    if (o->lin_text && o->lin_file)
        return cli_bad("system", "--lin and --lin-file are mutually exclusive");
    if (o->host_opt && !o->host)
        return cli_bad("system", "--host-bw and --host-latency need --host-tier");
    return CLI_GO;
}

/* The system with its --set overrides, validated. */
static int configure_system(const sys_opts *o, sys_cfg *y)
{
    char err[1024];
    if (sys_cfg_resolve(o->system, y, err, sizeof err))
        return cli_bad("system", "--system: %s", err);
    for (int i = 0; i < o->set.n; i++) {
        const char *eq = strchr(o->set.v[i], '=');
        char key[128];
        if (!eq || eq == o->set.v[i] || (size_t)(eq - o->set.v[i]) >= sizeof key)
            return cli_bad("system", "--set: '%s' (allowed: KEY=VALUE, e.g. pim.gemv=tree)", o->set.v[i]);
        snprintf(key, sizeof key, "%.*s", (int)(eq - o->set.v[i]), o->set.v[i]);
        if (sys_cfg_set(y, key, eq + 1, err, sizeof err))
            return cli_bad("system", "--set: %s", err);
    }
    if (sys_cfg_validate(y, err, sizeof err))
        return cli_bad("system", "--system%s: %s", o->set.n ? " with --set" : "", err);
    if (y->pim && y->pim_splitk == 0 && o->host)
        return cli_bad("system", "--host-tier needs pim.softmax=splitk (the buffer flow's one softmax row per head is on the buffer "
                   "die, the host's tokens are not)");
    if (o->host && !y->pim)
        return cli_bad("system", "--host-tier needs a system with PIM devices (the host tier extends a device's KV cache)");
    return 0;
}

/* The prompt lengths: a list, a file, or 2048 for every request (*nlin of them, allocated). */
static int configure_lin(sys_opts *o, uint32_t **lin, uint32_t *nlin)
{
    if (o->lin_file ? run_parse_ctx_file("system", "--lin-file", o->lin_file, lin, nlin)
                    : run_parse_ctx_list("system", "--lin", o->lin_text ? o->lin_text : "2048", lin, nlin))
        return CLI_EXIT_BAD_INPUT;
    if (*nlin > 1 && o->batch_given && o->batch && o->batch != *nlin)
        return cli_bad("system", "%s gives %u lengths for --batch %" PRIu64 " (allowed: one length, or one per request)",
                   o->lin_file ? "--lin-file" : "--lin", *nlin, o->batch);
    if (*nlin > 1 && !o->batch_given)
        o->batch = *nlin;
    return 0;
}

static void on_progress(void *ctx, double done) { progress_update(ctx, done, 0); }

/* One system: its configuration for `batch` requests (0: its largest), run; res NULL with why if it does
 * not fit. Returns 0, or an exit status after the message. */
typedef struct sys_eval {
    sys_gen_cfg cfg;
    sys_gen_res res;
    int ran;
    uint32_t *lin;
    char why[1024];
    sys_slo slo;
    sys_point pt;
} sys_eval;

static int evaluate(sys_eval *e, const sys_gen_cfg *base, const uint32_t *lin, uint32_t nlin, uint64_t batch,
                    double slo_ms, int must_fit)
{
    e->cfg = *base;
    if (!batch && !(batch = sys_max_batch(base, lin, nlin)))
        batch = 1; /* not even one fits: run it for the message */
    if (!(e->lin = malloc(batch * sizeof *e->lin)))
        return cli_bad("system", "out of memory");
    for (uint64_t b = 0; b < batch; b++)
        e->lin[b] = lin[b % nlin];
    e->cfg.batch = (uint32_t)batch;
    e->cfg.lin = e->lin;
    progress pg;
    progress_init(&pg, "pimattn system");
    e->cfg.progress = on_progress;
    e->cfg.progress_ctx = &pg;
    int rc = sys_gen(&e->cfg, &e->res, e->why, sizeof e->why);
    progress_done(&pg);
    e->cfg.progress = NULL;
    e->pt = (sys_point){.cfg = &e->cfg, .res = rc == 0 ? &e->res : NULL, .why = e->why};
    e->ran = rc == 0;
    if (rc == 2 && !must_fit)
        rc = 0;
    if (rc) {
        fprintf(stderr, "pimattn system: %s: %s\n", base->sys.name, e->why);
        return rc == 2 ? CLI_EXIT_BAD_INPUT : 1;
    }
    if (slo_ms > 0) {
        char err[1024];
        if ((rc = sys_slo_search(base, lin, nlin, slo_ms * 1e-3, &e->slo, err, sizeof err)))
            return fprintf(stderr, "pimattn system: --slo-ms: %s: %s\n", base->sys.name, err), rc == 2 ? 2 : 1;
        e->pt.slo = &e->slo;
    }
    return 0;
}

static int write_outputs(out_file *json, out_file *csv, const sys_point *pim, const sys_point *gpu)
{
    char err[1024];
    FILE *f;
    if (json && (!(f = out_open(json, err, sizeof err)) || sys_report_json(f, pim, gpu) ||
                 out_commit(json, err, sizeof err)))
        return fprintf(stderr, "pimattn system: %s\n", err), 1;
    if (csv && (!(f = out_open(csv, err, sizeof err)) || sys_report_csv(f, pim, gpu) || out_commit(csv, err, sizeof err)))
        return fprintf(stderr, "pimattn system: %s\n", err), 1;
    return 0;
}

int cmd_system(int argc, char **argv)
{
    sys_opts o;
    int st = parse_opts(argc, argv, &o);
    if (st != CLI_GO)
        return st;
    sys_gen_cfg base = {.step_stride = (uint32_t)o.stride, .lout = (uint32_t)o.lout, .flash_tile = (uint32_t)o.tile,
                        .seed = o.seed, .numerics = (uint32_t)o.numerics, .threads = (unsigned)o.threads,
                        .host_tier = o.host, .host_gbs = o.host_gbs, .host_latency_us = o.host_us};
    char err[1024];
    if ((st = configure_system(&o, &base.sys)))
        return st;
    if (o.model_file ? model_load(o.model_file, &base.m, err, sizeof err)
                     : model_preset(o.model_name ? o.model_name : "llama2-70b", &base.m))
        return o.model_file ? cli_bad("system", "--model-file: %s", err)
                            : cli_bad("system", "--model: unknown model '%s' (allowed: %s)", o.model_name, model_preset_names);
    base.overlap = o.overlap;
    if (o.overlap && !base.sys.pim)
        return cli_bad("system", "--overlap %s needs a system with PIM devices (the overlaps are between GPU and device work)",
                   o.overlap == 1 ? "transfer" : o.overlap == 2 ? "subbatch" : "all");
    uint32_t *lin = NULL, nlin = 0;
    if ((st = configure_lin(&o, &lin, &nlin)))
        return free(lin), st;
    out_set *outs = out_set_new();
    out_file *json = outs ? out_add(outs, "--json", o.json) : NULL, *csv = outs ? out_add(outs, "--csv", o.csv) : NULL;
    if (outs) {
        out_add_input(outs, "--system", o.system);
        out_add_input(outs, "--model-file", o.model_file);
        out_add_input(outs, "--lin-file", o.lin_file);
    }
    if (!outs || out_check(outs, err, sizeof err)) {
        st = outs ? cli_bad("system", "%s", err) : cli_bad("system", "out of memory");
        goto done;
    }
    sys_eval pim = {0}, gpu = {0};
    sys_gen_cfg twin = base;
    twin.sys.pim = 0;
    twin.overlap = 0;
    const char *plus = strstr(base.sys.name, "+pim");
    if (plus && !plus[4])
        snprintf(twin.sys.name, sizeof twin.sys.name, "%.*s", (int)(plus - base.sys.name), base.sys.name);
    else if (base.sys.pim)
        snprintf(twin.sys.name, sizeof twin.sys.name, "%.50s w/o PIM", base.sys.name);
    uint64_t batch = o.batch; /* 0: max */
    if (base.sys.pim && (st = evaluate(&pim, &base, lin, nlin, batch, o.slo_ms, 1)) == 0)
        st = evaluate(&gpu, &twin, lin, nlin, batch, o.slo_ms, 0);
    else if (!base.sys.pim)
        st = evaluate(&gpu, &twin, lin, nlin, batch, o.slo_ms, 1);
    if (st == 0) {
        sys_report_text(stdout, base.sys.pim ? &pim.pt : NULL, &gpu.pt);
        st = write_outputs(json, csv, base.sys.pim ? &pim.pt : NULL, &gpu.pt);
    }
    sys_gen_res_free(&pim.res);
    sys_gen_res_free(&gpu.res);
    free(pim.lin);
    free(gpu.lin);
done:
    out_set_free(outs);
    free(lin);
    return st;
}
