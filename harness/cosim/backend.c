/* backend.c — golden and Verilated compute units behind the scheduler (backend.h).
 *
 * The golden model answers every call synchronously; that answer is what the scheduler uses. In rtl mode
 * a Verilated unit shadows each selected golden unit: a command is presented until the RTL takes it
 * (its ready, as in hardware), the golden result beats are queued with the DRAM cycle of their command,
 * and the RTL's result beats are compared with the queue as they appear, in order, one per clock with
 * the result stream always ready. The error flags are compared every clock. backend_finish() drains every
 * queue, so no beat goes unchecked. */
#include "backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosim_util.h"
#include "cosim.h"

typedef struct want {
    uint64_t cycle; /* DRAM cycle of the command that produced the beat */
    union {
        gemv_beat g;
        smu_beat s;
    } b;
} want;

/* A Verilated unit shadowing a golden one: the expected beats, and the input it is being given. */
typedef struct shadow {
    void *sim; /* vgemv or vsm; NULL until created */
    fifo *q;
    int is_smu;
    vgemv_in gin;
    vsm_in sin;
} shadow;

/* Golden-unit counts per channel, a cache line each: a channel's units are driven by one thread at a time
 * (funcpool.h), different channels by different threads. */
typedef struct chan_count {
    uint64_t gemv_cmds, gemv_beats, smu_in, smu_out;
    uint64_t pad[4];
} chan_count;

struct backend {
    backend_cfg cfg;
    const vgemv_ops *gops; /* rtl mode: the Verilated builds */
    const vgemv_ops *wops; /* with a waveform: the GEMV build's traced twin, for the wave unit only */
    const vsm_ops *sops;
    size_t nbanks;
    gemv **g;
    smu **s;
    shadow *rg; /* per bank unit, sim NULL unless selected and created */
    shadow *rs; /* per channel */
    chan_count *cc;
    backend_stats st;
};

static shadow *shadow_of(backend *b, unsigned unit, int is_smu, char *err, size_t n);

#define RTL_DRAIN_LIMIT 4096 /* clocks a unit may take to produce a beat already computed by the golden model */

int backend_rtl_builds(const gemv_cfg *g, const smu_cfg *s, const char **gemv_build, const char **smu_build, char *err,
                       size_t n)
{
    size_t ng, ns;
    const vu_spec *gb = vunit_specs(VU_GEMV, &ng), *sb = vunit_specs(VU_SM, &ns);
    *gemv_build = *smu_build = NULL;
    for (size_t i = 0; i < ng && !*gemv_build; i++) /* systolic G = 1 is gemv_tree bit for bit: any top */
        if (gb[i].p[0] == g->rows && gb[i].p[1] == g->depth && gb[i].p[3] == g->acc_fp32 && gb[i].p[4] == g->kv_fmt &&
            gb[i].p[2] >= 2)
            *gemv_build = gb[i].name;
    for (size_t i = 0; i < ns && !*smu_build; i++)
        if (sb[i].p[0] == s->lanes && sb[i].p[1] == s->exp_pieces && sb[i].p[2] == s->in_fp16 && sb[i].p[3] == s->merge_d)
            *smu_build = sb[i].name;
    if (*gemv_build && *smu_build)
        return 0;
    size_t k = (size_t)snprintf(err, n, "no Verilated %s build for %d rows, depth %d, %s K/V, %s accumulation (GEMV builds:",
                                !*gemv_build ? "GEMV" : "softmax", g->rows, g->depth, g->kv_fmt == KVF_BF16 ? "BF16" : g->kv_fmt == GEMV_KV_INT8 ? "INT8" : "FP16",
                                g->acc_fp32 ? "FP32" : "FP16");
    for (size_t i = 0; i < ng && k < n; i++)
        k += (size_t)snprintf(err + k, n - k, " %s", gb[i].name);
    if (k < n)
        k += (size_t)snprintf(err + k, n - k, "; softmax builds (lanes, pieces, FP16 in, merge length):");
    for (size_t i = 0; i < ns && k < n; i++)
        k += (size_t)snprintf(err + k, n - k, " %s (%d, %d, %d, %d)", sb[i].name, sb[i].p[0], sb[i].p[1], sb[i].p[2],
                              sb[i].p[3]);
    if (k < n)
        snprintf(err + k, n - k, "; this run needs softmax (%d, %d, %d, %d))", s->lanes, s->exp_pieces, s->in_fp16,
                 s->merge_d);
    return -1;
}

/* rtl mode: the builds (forced, or the registry's for the configuration), loaded; the golden units take the
 * chosen GEMV build's configuration (its accumulator slots). 0, or -1 with err. */
static int load_rtl(backend *b, char *err, size_t n)
{
    const char *gname = b->cfg.rtl_gemv_build, *sname = b->cfg.rtl_smu_build, *g2, *s2;
    if ((!gname || !sname) && backend_rtl_builds(&b->cfg.gemv, &b->cfg.smu, &g2, &s2, err, n))
        return -1;
    gname = gname ? gname : g2, sname = sname ? sname : s2;
    if (!(b->gops = gemv_build_load(gname, err, n)) || !(b->sops = sm_build_load(sname, err, n)))
        return -1;
    if (b->cfg.wave_path && !(b->wops = vunit_load_traced(VU_GEMV, gname, err, n)))
        return -1;
    if (!b->cfg.rtl_gemv_build) /* a forced build is taken as it is: its differences are the test */
        b->cfg.gemv = b->gops->cfg;
    snprintf(b->st.rtl_gemv_build, sizeof b->st.rtl_gemv_build, "%s", gname);
    snprintf(b->st.rtl_smu_build, sizeof b->st.rtl_smu_build, "%s", sname);
    return 0;
}

backend *backend_new(const backend_cfg *cfg, char *err, size_t n)
{
    const char *why = gemv_cfg_check(&cfg->gemv);
    if (!why)
        why = smu_cfg_check(&cfg->smu);
    if (why)
        return snprintf(err, n, "unit configuration: %s", why), NULL;
    backend *b = calloc(1, sizeof *b);
    if (!b)
        return snprintf(err, n, "out of memory"), NULL;
    b->cfg = *cfg;
    if (cfg->rtl && load_rtl(b, err, n)) {
        free(b);
        return NULL;
    }
    b->nbanks = (size_t)cfg->banks_per_channel * cfg->channels;
    b->g = calloc(b->nbanks, sizeof *b->g);
    b->s = calloc(cfg->channels, sizeof *b->s);
    if ((b->cc = aligned_alloc(64, cfg->channels * sizeof *b->cc)))
        memset(b->cc, 0, cfg->channels * sizeof *b->cc);
    if (cfg->rtl) {
        b->rg = calloc(b->nbanks, sizeof *b->rg);
        b->rs = calloc(cfg->channels, sizeof *b->rs);
    }
    if (!b->g || !b->s || !b->cc || (cfg->rtl && (!b->rg || !b->rs))) {
        backend_free(b);
        return snprintf(err, n, "out of memory"), NULL;
    }
    if (cfg->wave_path && cfg->rtl && !shadow_of(b, (unsigned)cfg->wave_unit, 0, err, n)) {
        backend_free(b); /* the traced unit exists from cycle 0, whether or not it gets work */
        return NULL;
    }
    return b;
}

/* ---- RTL shadows ---------------------------------------------------------------------------------- */

/* The GEMV build bank unit `unit` runs on: the traced one for the wave unit. */
static const vgemv_ops *gops_of(const backend *b, unsigned unit)
{
    return b->cfg.wave_path && (long)unit == b->cfg.wave_unit ? b->wops : b->gops;
}

/* The shadow of unit `unit` (a bank unit, or with is_smu a channel's softmax unit), created and reset on
 * first use; NULL if that unit is not selected for RTL, or (err filled) if it cannot be created. */
static shadow *shadow_of(backend *b, unsigned unit, int is_smu, char *err, size_t n)
{
    shadow *u = is_smu ? (b->rs && b->cfg.rtl_channel[unit] ? &b->rs[unit] : NULL)
                       : (b->rg && b->cfg.rtl_bank[unit] ? &b->rg[unit] : NULL);
    if (!u || u->sim)
        return u;
    char seed[64];
    snprintf(seed, sizeof seed, "+verilator+seed+%u",
             (unsigned)((b->cfg.seed + unit + (is_smu ? 7777u : 0u)) % 1000000007u) + 1u);
    const char *argv[] = {"pimattn", "+verilator+rand+reset+2", seed};
    const char *build = is_smu ? b->sops->build : b->gops->build;
    u->is_smu = is_smu;
    u->q = fifo_new(sizeof(want));
    u->sim = !u->q ? NULL : is_smu ? (void *)b->sops->create(3, argv) : (void *)gops_of(b, unit)->create(3, argv);
    if (!u->sim)
        return snprintf(err, n, "%s unit %u: cannot create the Verilated model %s", is_smu ? "softmax" : "bank", unit,
                        build),
               NULL;
    if (is_smu)
        b->sops->reset(u->sim, 2);
    else
        gops_of(b, unit)->reset(u->sim, 2);
    b->st.rtl_units++;
    if (!is_smu && b->cfg.wave_path && (long)unit == b->cfg.wave_unit &&
        b->wops->trace_window(u->sim, b->cfg.wave_path, b->cfg.wave_from, b->cfg.wave_cycles))
        return snprintf(err, n, "bank unit %u: cannot write the waveform '%s'", unit, b->cfg.wave_path), NULL;
    return u;
}

/* One clock of a shadow with its current input: compares the error flag and an output beat with the
 * golden model's; returns 1 if the presented input (when valid) was taken, 0 if not, -1 on a mismatch. */
static int shadow_clock(backend *b, unsigned unit, shadow *u, char *err, size_t n)
{
    const char *kind = u->is_smu ? "softmax" : "bank", *build;
    int fired, out_valid, rtl_err, gold_err;
    vgemv_out go;
    vsm_out so;
    if (u->is_smu) {
        const vsm_ops *ops = b->sops;
        ops->set(u->sim, &u->sin);
        ops->get(u->sim, &so);
        build = ops->build, fired = u->sin.in_valid && so.in_ready, out_valid = so.out_valid;
        rtl_err = so.err, gold_err = smu_error(b->s[unit]);
    } else {
        const vgemv_ops *ops = gops_of(b, unit);
        ops->set(u->sim, &u->gin);
        ops->get(u->sim, &go);
        build = ops->build, fired = u->gin.cmd_valid && go.cmd_ready, out_valid = go.res_valid;
        rtl_err = go.err, gold_err = gemv_error(b->g[unit]);
    }
    if (rtl_err != gold_err)
        return snprintf(err, n, "%s unit %u (%s): err_o %d, golden error flag %d", kind, unit, build, rtl_err, gold_err),
               -1;
    if (out_valid) {
        const want *w = fifo_front(u->q);
        char why[256];
        if (!w)
            return snprintf(err, n, "%s unit %u (%s): an output beat the golden model did not produce", kind, unit, build),
                   -1;
        if (u->is_smu ? smu_beat_diff(&b->sops->cfg, &so, &w->b.s, why, sizeof why)
                      : gemv_beat_diff(&b->gops->cfg, &go, &w->b.g, why, sizeof why))
            return snprintf(err, n, "%s unit %u (%s), command of DRAM cycle %llu: %s", kind, unit, build,
                            (unsigned long long)w->cycle, why),
                   -1;
        fifo_pop(u->q);
    }
    if (u->is_smu)
        b->sops->tick(u->sim);
    else
        gops_of(b, unit)->tick(u->sim);
    b->st.rtl_cycles++;
    return fired;
}

/* Presents the shadow's current input until the RTL takes it (its ready), then queues the golden beats
 * it must produce; the wave unit first idles up to the command's DRAM cycle. */
static int shadow_present(backend *b, unsigned unit, shadow *u, uint64_t cycle, const void *beats, int nb, char *err,
                          size_t n)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = 0;
    if (!u->is_smu && b->cfg.wave_path && (long)unit == b->cfg.wave_unit) { /* in step with the DRAM clock */
        vgemv_in keep = u->gin;
        u->gin = (vgemv_in){.res_ready = 1};
        while (rc == 0 && b->wops->cycle(u->sim) < cycle)
            rc = shadow_clock(b, unit, u, err, n) < 0 ? -1 : 0;
        u->gin = keep;
    }
    for (int k = 0; rc == 0; k++) {
        int r = shadow_clock(b, unit, u, err, n);
        if (r < 0)
            rc = -1;
        else if (r)
            break;
        else if (k > RTL_DRAIN_LIMIT)
            rc = -1, snprintf(err, n, "unit %u: the RTL did not take the input of DRAM cycle %llu", unit,
                              (unsigned long long)cycle);
    }
    for (int i = 0; rc == 0 && i < nb; i++) {
        want w = {.cycle = cycle};
        if (u->is_smu)
            w.b.s = ((const smu_beat *)beats)[i];
        else
            w.b.g = ((const gemv_beat *)beats)[i];
        if (fifo_push(u->q, &w))
            rc = -1, snprintf(err, n, "out of memory");
    }
    u->gin.cmd_valid = u->gin.data_valid = 0; /* idle until the next command */
    u->sin.in_valid = 0;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    b->st.rtl_seconds += (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}

/* Clocks an idle shadow until every queued beat has come out and matched. */
static int shadow_drain(backend *b, unsigned unit, shadow *u, char *err, size_t n)
{
    for (int k = 0; fifo_len(u->q) > 0; k++) {
        if (k > RTL_DRAIN_LIMIT)
            return snprintf(err, n, "unit %u: %zu output beats never came out of the RTL", unit, fifo_len(u->q)), -1;
        if (shadow_clock(b, unit, u, err, n) < 0)
            return -1;
    }
    return 0;
}

/* ---- the interface ---------------------------------------------------------------------------------- */

int backend_gemv(backend *b, unsigned unit, uint32_t cmd, const uint16_t data[16], uint64_t cycle, gemv_beat *out,
                 char *err, size_t n)
{
    if (!b->g[unit] && !(b->g[unit] = gemv_new(&b->cfg.gemv)))
        return snprintf(err, n, "out of memory"), -1;
    const char *why;
    int nb = gemv_exec_checked(b->g[unit], cmd, data, out, &why);
    if (nb < 0)
        return snprintf(err, n, "bank unit %u, DRAM cycle %llu: command %08x refused: %s", unit,
                        (unsigned long long)cycle, cmd, why),
               -1;
    chan_count *cc = &b->cc[unit / b->cfg.banks_per_channel];
    cc->gemv_cmds++;
    cc->gemv_beats += (uint64_t)nb;
    err[0] = '\0';
    shadow *u = shadow_of(b, unit, 0, err, n);
    if (!u)
        return err[0] ? -1 : nb;
    u->gin = (vgemv_in){.cmd_valid = 1, .cmd = cmd, .data_valid = 1, .res_ready = 1};
    memcpy(u->gin.data, data, sizeof u->gin.data);
    b->st.rtl_gemv_cmds++;
    return shadow_present(b, unit, u, cycle, out, nb, err, n) ? -1 : nb;
}

int backend_smu(backend *b, unsigned unit, const uint32_t w[3], const uint32_t *data, uint64_t cycle, smu_beat *out,
                char *err, size_t n)
{
    if (!b->s[unit] && !(b->s[unit] = smu_new(&b->cfg.smu)))
        return snprintf(err, n, "out of memory"), -1;
    const char *why = smu_check(b->s[unit], w, data);
    if (why)
        return snprintf(err, n, "softmax unit %u, DRAM cycle %llu: beat %08x refused: %s", unit,
                        (unsigned long long)cycle, w[0], why),
               -1;
    int nb = smu_exec(b->s[unit], w, data, out);
    b->cc[unit].smu_in++;
    b->cc[unit].smu_out += (uint64_t)nb;
    err[0] = '\0';
    shadow *u = shadow_of(b, unit, 1, err, n);
    if (!u)
        return err[0] ? -1 : nb;
    u->sin = (vsm_in){.in_valid = 1, .out_ready = 1};
    memcpy(u->sin.cmd, w, sizeof u->sin.cmd);
    memcpy(u->sin.data, data, (size_t)b->cfg.smu.lanes * sizeof *data);
    b->st.rtl_smu_beats++;
    return shadow_present(b, unit, u, cycle, out, nb, err, n) ? -1 : nb;
}

int backend_finish(backend *b, char *err, size_t n)
{
    for (size_t i = 0; b->rg && i < b->nbanks; i++)
        if (b->rg[i].sim && shadow_drain(b, (unsigned)i, &b->rg[i], err, n))
            return -1;
    for (unsigned c = 0; b->rs && c < b->cfg.channels; c++)
        if (b->rs[c].sim && shadow_drain(b, c, &b->rs[c], err, n))
            return -1;
    if (b->cfg.wave_path && b->rg && b->rg[b->cfg.wave_unit].sim)
        b->st.wave_failed = b->wops->trace_close(b->rg[b->cfg.wave_unit].sim) != 0;
    return 0;
}

const backend_stats *backend_get_stats(backend *b)
{
    b->st.gemv_cmds = b->st.gemv_beats = b->st.smu_beats_in = b->st.smu_beats_out = 0;
    for (unsigned c = 0; c < b->cfg.channels; c++) {
        b->st.gemv_cmds += b->cc[c].gemv_cmds;
        b->st.gemv_beats += b->cc[c].gemv_beats;
        b->st.smu_beats_in += b->cc[c].smu_in;
        b->st.smu_beats_out += b->cc[c].smu_out;
    }
    return &b->st;
}

void backend_free(backend *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nbanks; i++) {
        if (b->g)
            gemv_free(b->g[i]);
        if (b->rg && b->rg[i].sim)
            gops_of(b, (unsigned)i)->destroy(b->rg[i].sim);
        if (b->rg)
            fifo_free(b->rg[i].q);
    }
    for (unsigned c = 0; c < b->cfg.channels; c++) {
        if (b->s)
            smu_free(b->s[c]);
        if (b->rs && b->rs[c].sim)
            b->sops->destroy(b->rs[c].sim);
        if (b->rs)
            fifo_free(b->rs[c].q);
    }
    free(b->g);
    free(b->s);
    free(b->cc);
    free(b->rg);
    free(b->rs);
    free(b);
}
