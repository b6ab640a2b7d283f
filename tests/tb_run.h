/* tb_run.h — shared by the scheduler suites (test_run.c, test_split.c): a small run's setup on one stack,
 * running it (with every checked output collected and the lower bound checked), RTL units on one
 * pseudo-channel, and a run's command log checked by the independent protocol checker (and its data-path
 * cycles recounted from the log). g_seed is the suite's seed (SEED=n replays). Functions are static
 * inline: a suite that does not use one gets no warning. */
#ifndef PIMATTN_TB_RUN_H
#define PIMATTN_TB_RUN_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "run.h"
#include "cosim.h"
#include "hazard.h"
#include "hbm_check.h"
#include "rng.h"
#include "tb_util.h"

static uint64_t g_seed;

#define MAXOUT 4096
typedef struct outs {
    size_t n;
    uint32_t key[MAXOUT]; /* req << 16 | head */
    fp32_t o[MAXOUT][128];
} outs;

static inline void sink(void *ctx, const func_output *fo)
{
    outs *s = ctx;
    assert_true(s->n < MAXOUT && fo->d <= 128);
    s->key[s->n] = fo->req << 16 | fo->head;
    memcpy(s->o[s->n], fo->o, fo->d * sizeof *fo->o);
    s->n++;
}

static inline const fp32_t *find(const outs *s, uint32_t key)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->key[i] == key)
            return s->o[i];
    fail_msg("no output for request %u head %u", key >> 16, key & 0xFFFF);
    return NULL;
}

/* A small run: `model`, `batch` requests of random lengths in [lo, hi], `channels` channels, 1 stack. */
typedef struct setup {
    attn_cfg c;
    uint32_t ctx[64];
    uint8_t bank[64 * 64], chan[64];
} setup;

static inline void make(setup *s, const char *model, const char *hbm, unsigned channels, uint32_t batch, uint32_t lo,
                 uint32_t hi, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    attn_cfg *c = &s->c;
    assert_int_equal(model_preset(model, &c->m), 0);
    assert_int_equal(hbm_cfg_preset(hbm, &c->hbm), 0);
    c->hbm.channels = channels;
    rng r;
    rng_seed(&r, seed);
    for (uint32_t i = 0; i < batch; i++)
        s->ctx[i] = lo + (uint32_t)rng_below(&r, hi - lo + 1);
    c->batch = batch;
    c->ctx = s->ctx;
    c->systolic = 1;
    c->group = model_group(&c->m);
    c->acc_fp32 = 1;
    c->smu = (smu_cfg){16, 16, 0, (int)c->m.head_dim};
    c->layers = 1;
    c->seed = seed;
    c->logit_scale = 1.0;
}

static inline void run_ok(setup *s, attn_res *r, outs *o)
{
    char err[1024];
    s->c.on_output = o ? sink : NULL;
    s->c.out_ctx = o;
    if (o)
        o->n = 0;
    int rc = attn_run(&s->c, r, err, sizeof err);
    if (rc)
        fail_msg(TB_REPLAY "attn_run: %d: %s", g_seed, g_seed, rc, err);
    report_fig f;
    report_derive(&s->c, r, &f);
    if (f.layer_cycles < (double)f.lower_bound)
        fail_msg("%.0f cycles is below the lower bound %" PRIu64, f.layer_cycles, f.lower_bound);
}

static inline void use_rtl(setup *s, const char *gemv_build, const char *sm_build)
{
    s->c.rtl = 1;
    s->c.rtl_gemv_build = gemv_build;
    s->c.rtl_smu_build = sm_build;
    assert_non_null(gemv_build_find(gemv_build)); /* built */
    assert_non_null(sm_build_find(sm_build));
    memset(s->bank, 0, sizeof s->bank);
    memset(s->chan, 0, sizeof s->chan);
    for (unsigned b = 0; b < 32; b++) /* stack 0, channel 0, pseudo-channel 0 */
        s->bank[b] = 1;
    s->chan[0] = 1;
    s->c.rtl_bank = s->bank;
    s->c.rtl_channel = s->chan;
}

/* An rtl-mode run (rr, outputs rtl) against the same run in fast mode (rf, fast): RTL units were used, the same
 * cycles and commands, `heads` outputs of d values each, equal bit for bit. */
static inline void assert_rtl_is_fast(const char *what, const attn_res *rf, const attn_res *rr, const outs *fast,
                                      const outs *rtl, size_t heads, unsigned d)
{
    assert_true(rr->be.rtl_units >= 33 && rr->be.rtl_gemv_cmds > 1000 && rr->be.rtl_smu_beats > 100);
    assert_int_equal(rf->layer[0].cycles, rr->layer[0].cycles);
    assert_memory_equal(rf->layer[0].hbm.cmds, rr->layer[0].hbm.cmds, sizeof rf->layer[0].hbm.cmds);
    assert_int_equal(fast->n, rtl->n);
    assert_int_equal(fast->n, heads);
    for (size_t i = 0; i < fast->n; i++)
        assert_memory_equal(fast->o[i], find(rtl, fast->key[i]), d * sizeof(fp32_t));
    print_message("%s: %" PRIu64 " cycles, %zu outputs, %" PRIu64 " RTL GEMV commands (%s)\n", what, rr->layer[0].cycles,
                  fast->n, rr->be.rtl_gemv_cmds, rr->be.rtl_gemv_build);
}

/* The busiest PC's data-path cycles of WRGB, MVSB and MVGB in layer 0, summed from a command log
 * (independently of the scheduler's own count): n x nBL per command, pc=* counting in every PC. */
static inline uint64_t log_datapath(FILE *f, const hbm_cfg *hc, uint64_t layer_end)
{
    static uint64_t busy[64][16][4];
    memset(busy, 0, sizeof busy);
    char line[256], op[16], pc[8];
    uint64_t cyc, max = 0;
    unsigned st, ch, n;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%" SCNu64 " %15s st=%u ch=%u pc=%7s", &cyc, op, &st, &ch, pc) != 5)
            continue;
        if (cyc >= layer_end || (strcmp(op, "WRGB") && strcmp(op, "MVSB") && strcmp(op, "MVGB")))
            continue;
        const char *np = strstr(line, " n=");
        n = np ? (unsigned)atoi(np + 3) : 1;
        assert_true(st < 64 && ch < 16);
        for (unsigned p = 0; p < hc->pcs; p++)
            if (pc[0] == '*' || (unsigned)atoi(pc) == p) {
                busy[st][ch][p] += (uint64_t)n * hc->nBL;
                max = busy[st][ch][p] > max ? busy[st][ch][p] : max;
            }
    }
    rewind(f);
    return max;
}

/* Runs with a command log and checks it with the independent checker (with the run's configuration). */
static inline void check_log(setup *s, const char *what, uint64_t *refreshes)
{
    FILE *f = tmpfile(), *pf = tmpfile();
    assert_true(f && pf);
    s->c.log = f, s->c.place = pf;
    attn_res r;
    run_ok(s, &r, NULL);
    s->c.log = NULL, s->c.place = NULL;
    fflush(f);
    rewind(f);
    hbm_cfg hc = s->c.hbm;
    uint64_t dp = log_datapath(f, &hc, r.layers > 1 ? r.layer[1].start : UINT64_MAX);
    if (dp != r.layer[0].datapath || dp == 0 || dp > r.layer[0].cycles)
        fail_msg(TB_REPLAY "%s: data path %llu CK in the log, %llu reported, layer %llu CK", g_seed, g_seed, what,
                 (unsigned long long)dp, (unsigned long long)r.layer[0].datapath, (unsigned long long)r.layer[0].cycles);
    char err[512];
    uint64_t n = 0;
    int rc = hbm_check_stream(&hc, f, what, err, sizeof err, &n, NULL, NULL);
    if (rc)
        fail_msg(TB_REPLAY "%s: checker: %s", g_seed, g_seed, what, err);
    rewind(f), rewind(pf); /* and the data-hazard checker (docs/hazards.md) */
    if ((rc = hz_check_stream(&hc, pf, "placement", f, what, err, sizeof err, NULL)))
        fail_msg(TB_REPLAY "%s: hazard checker: %s", g_seed, g_seed, what, err);
    fclose(f), fclose(pf);
    assert_true(n > 1000);
    if (refreshes) {
        uint64_t during = 0, longest = 0;
        for (uint32_t l = 0; l < r.layers; l++)
            during += r.layer[l].refreshes, longest = r.layer[l].cycles > longest ? r.layer[l].cycles : longest;
        *refreshes = r.hbm.cmds[HBM_REFAB];
        print_message("%s: %u layers of up to %" PRIu64 " CK, %" PRIu64 " REFAB (%" PRIu64 " during attention), "
                      "%" PRIu64 " commands checked\n", what, r.layers, longest, *refreshes, during, n);
    }
    attn_res_free(&r);
}

#endif
