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
#include "gemv_sim.h"
#include "sm_sim.h"

typedef struct want {
    uint64_t cycle; /* DRAM cycle of the command that produced the beat */
    union {
        gemv_beat g;
        smu_beat s;
    } b;
} want;

typedef struct rtl_gemv_unit {
    vgemv *sim;
    fifo *q;
} rtl_gemv_unit;

typedef struct rtl_smu_unit {
    vsm *sim;
    fifo *q;
} rtl_smu_unit;

struct backend {
    backend_cfg cfg;
    size_t nbanks;
    gemv **g;
    smu **s;
    rtl_gemv_unit *rg; /* per bank, sim NULL unless selected and created */
    rtl_smu_unit *rs;  /* per channel */
    backend_stats st;
};

#define RTL_DRAIN_LIMIT 4096 /* clocks a unit may take to produce a beat already computed by the golden model */

static void tick_time(backend *b, struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    b->st.rtl_seconds += (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
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
    b->nbanks = (size_t)cfg->banks_per_channel * cfg->channels;
    b->g = calloc(b->nbanks, sizeof *b->g);
    b->s = calloc(cfg->channels, sizeof *b->s);
    if (cfg->rtl_gemv)
        b->rg = calloc(b->nbanks, sizeof *b->rg);
    if (cfg->rtl_smu)
        b->rs = calloc(cfg->channels, sizeof *b->rs);
    if (!b->g || !b->s || (cfg->rtl_gemv && !b->rg) || (cfg->rtl_smu && !b->rs)) {
        backend_free(b);
        return snprintf(err, n, "out of memory"), NULL;
    }
    return b;
}

/* ---- RTL shadows ---------------------------------------------------------------------------------- */

static const char *rtl_argv(const backend *b, unsigned unit, char *seedarg, size_t n)
{
    snprintf(seedarg, n, "+verilator+seed+%u", (unsigned)((b->cfg.seed + unit) % 1000000007u) + 1u);
    return seedarg;
}

static rtl_gemv_unit *rtl_gemv(backend *b, unsigned unit, char *err, size_t n)
{
    if (!b->rg || !b->cfg.rtl_bank[unit])
        return NULL;
    rtl_gemv_unit *u = &b->rg[unit];
    if (!u->sim) {
        char seed[64];
        const char *argv[] = {"pimattn", "+verilator+rand+reset+2", rtl_argv(b, unit, seed, sizeof seed)};
        u->q = fifo_new(sizeof(want));
        u->sim = u->q ? b->cfg.rtl_gemv->create(3, argv) : NULL;
        if (!u->sim) {
            snprintf(err, n, "bank unit %u: cannot create the Verilated model %s", unit, b->cfg.rtl_gemv->build);
            return NULL;
        }
        b->cfg.rtl_gemv->reset(u->sim, 2);
        b->st.rtl_units++;
        if (b->cfg.wave_path && (long)unit == b->cfg.wave_unit &&
            b->cfg.rtl_gemv->trace_window(u->sim, b->cfg.wave_path, b->cfg.wave_from, b->cfg.wave_cycles)) {
            snprintf(err, n, "bank unit %u: cannot write the waveform '%s'", unit, b->cfg.wave_path);
            return NULL;
        }
    }
    return u;
}

/* One clock of a GEMV shadow with inputs `in`: compares err and a result beat; returns 1 if the command
 * (when valid) fired, 0 if not, -1 on a mismatch. */
static int gemv_clock(backend *b, unsigned unit, rtl_gemv_unit *u, const vgemv_in *in, char *err, size_t n)
{
    const vgemv_ops *ops = b->cfg.rtl_gemv;
    vgemv_out o;
    ops->set(u->sim, in);
    ops->get(u->sim, &o);
    int fired = in->cmd_valid && o.cmd_ready;
    if (o.err != gemv_error(b->g[unit]))
        return snprintf(err, n, "bank unit %u (%s): err_o %d, golden error flag %d", unit, ops->build, o.err,
                        gemv_error(b->g[unit])),
               -1;
    if (o.res_valid) {
        const want *w = fifo_front(u->q);
        char why[256];
        if (!w)
            return snprintf(err, n, "bank unit %u (%s): a result beat the golden model did not produce", unit, ops->build),
                   -1;
        if (gemv_beat_diff(&ops->cfg, &o, &w->b.g, why, sizeof why))
            return snprintf(err, n, "bank unit %u (%s), command at DRAM cycle %llu: %s", unit, ops->build,
                            (unsigned long long)w->cycle, why),
                   -1;
        fifo_pop(u->q);
    }
    ops->tick(u->sim);
    b->st.rtl_cycles++;
    return fired;
}

static int gemv_shadow(backend *b, unsigned unit, rtl_gemv_unit *u, uint32_t cmd, const uint16_t data[16],
                       uint64_t cycle, const gemv_beat *beats, int nb, char *err, size_t n)
{
    vgemv_in in = {.cmd_valid = 1, .cmd = cmd, .data_valid = 1, .res_ready = 1}, idle = {.res_ready = 1};
    memcpy(in.data, data, sizeof in.data);
    if (b->cfg.wave_path && (long)unit == b->cfg.wave_unit) /* in step with the DRAM clock */
        while (b->cfg.rtl_gemv->cycle(u->sim) < cycle)
            if (gemv_clock(b, unit, u, &idle, err, n) < 0)
                return -1;
    for (int k = 0;; k++) {
        int r = gemv_clock(b, unit, u, &in, err, n);
        if (r < 0)
            return -1;
        if (r)
            break;
        if (k > RTL_DRAIN_LIMIT)
            return snprintf(err, n, "bank unit %u: the RTL did not take the command of DRAM cycle %llu", unit,
                            (unsigned long long)cycle),
                   -1;
    }
    for (int i = 0; i < nb; i++) {
        want w = {.cycle = cycle};
        w.b.g = beats[i];
        if (fifo_push(u->q, &w))
            return snprintf(err, n, "out of memory"), -1;
    }
    b->st.rtl_gemv_cmds++;
    return 0;
}

static int gemv_drain(backend *b, unsigned unit, rtl_gemv_unit *u, char *err, size_t n)
{
    vgemv_in idle = {.res_ready = 1};
    for (int k = 0; fifo_len(u->q) > 0; k++)
        if (k > RTL_DRAIN_LIMIT || gemv_clock(b, unit, u, &idle, err, n) < 0) {
            if (k > RTL_DRAIN_LIMIT)
                snprintf(err, n, "bank unit %u: %zu result beats never came out of the RTL", unit, fifo_len(u->q));
            return -1;
        }
    return 0;
}

static rtl_smu_unit *rtl_smu(backend *b, unsigned unit, char *err, size_t n)
{
    if (!b->rs || !b->cfg.rtl_channel[unit])
        return NULL;
    rtl_smu_unit *u = &b->rs[unit];
    if (!u->sim) {
        char seed[64];
        const char *argv[] = {"pimattn", "+verilator+rand+reset+2", rtl_argv(b, unit + 7777u, seed, sizeof seed)};
        u->q = fifo_new(sizeof(want));
        u->sim = u->q ? b->cfg.rtl_smu->create(3, argv) : NULL;
        if (!u->sim) {
            snprintf(err, n, "softmax unit %u: cannot create the Verilated model %s", unit, b->cfg.rtl_smu->build);
            return NULL;
        }
        b->cfg.rtl_smu->reset(u->sim, 2);
        b->st.rtl_units++;
    }
    return u;
}

static int smu_clock(backend *b, unsigned unit, rtl_smu_unit *u, const vsm_in *in, char *err, size_t n)
{
    const vsm_ops *ops = b->cfg.rtl_smu;
    vsm_out o;
    ops->set(u->sim, in);
    ops->get(u->sim, &o);
    int fired = in->in_valid && o.in_ready;
    if (o.err != smu_error(b->s[unit]))
        return snprintf(err, n, "softmax unit %u (%s): err_o %d, golden error flag %d", unit, ops->build, o.err,
                        smu_error(b->s[unit])),
               -1;
    if (o.out_valid) {
        const want *w = fifo_front(u->q);
        char why[256];
        if (!w)
            return snprintf(err, n, "softmax unit %u (%s): an output beat the golden model did not produce", unit,
                            ops->build),
                   -1;
        if (smu_beat_diff(&ops->cfg, &o, &w->b.s, why, sizeof why))
            return snprintf(err, n, "softmax unit %u (%s), beat of DRAM cycle %llu: %s", unit, ops->build,
                            (unsigned long long)w->cycle, why),
                   -1;
        fifo_pop(u->q);
    }
    ops->tick(u->sim);
    b->st.rtl_cycles++;
    return fired;
}

static int smu_shadow(backend *b, unsigned unit, rtl_smu_unit *u, const uint32_t w[3], const uint32_t *data,
                      uint64_t cycle, const smu_beat *beats, int nb, char *err, size_t n)
{
    vsm_in in = {.in_valid = 1, .out_ready = 1};
    memcpy(in.cmd, w, sizeof in.cmd);
    memcpy(in.data, data, (size_t)b->cfg.smu.lanes * sizeof *data);
    for (int k = 0;; k++) {
        int r = smu_clock(b, unit, u, &in, err, n);
        if (r < 0)
            return -1;
        if (r)
            break;
        if (k > RTL_DRAIN_LIMIT)
            return snprintf(err, n, "softmax unit %u: the RTL did not take the beat of DRAM cycle %llu", unit,
                            (unsigned long long)cycle),
                   -1;
    }
    for (int i = 0; i < nb; i++) {
        want x = {.cycle = cycle};
        x.b.s = beats[i];
        if (fifo_push(u->q, &x))
            return snprintf(err, n, "out of memory"), -1;
    }
    b->st.rtl_smu_beats++;
    return 0;
}

static int smu_drain(backend *b, unsigned unit, rtl_smu_unit *u, char *err, size_t n)
{
    vsm_in idle = {.out_ready = 1};
    for (int k = 0; fifo_len(u->q) > 0; k++)
        if (k > RTL_DRAIN_LIMIT || smu_clock(b, unit, u, &idle, err, n) < 0) {
            if (k > RTL_DRAIN_LIMIT)
                snprintf(err, n, "softmax unit %u: %zu output beats never came out of the RTL", unit, fifo_len(u->q));
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
    const char *why = gemv_check(b->g[unit], cmd);
    if (why)
        return snprintf(err, n, "bank unit %u, DRAM cycle %llu: command %08x refused: %s", unit,
                        (unsigned long long)cycle, cmd, why),
               -1;
    int nb = gemv_exec(b->g[unit], cmd, data, out);
    b->st.gemv_cmds++;
    b->st.gemv_beats += (uint64_t)nb;
    rtl_gemv_unit *u = rtl_gemv(b, unit, err, n);
    if (!u)
        return b->rg && b->cfg.rtl_bank[unit] ? -1 : nb;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = gemv_shadow(b, unit, u, cmd, data, cycle, out, nb, err, n);
    tick_time(b, &t0);
    return rc ? -1 : nb;
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
    b->st.smu_beats_in++;
    b->st.smu_beats_out += (uint64_t)nb;
    rtl_smu_unit *u = rtl_smu(b, unit, err, n);
    if (!u)
        return b->rs && b->cfg.rtl_channel[unit] ? -1 : nb;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = smu_shadow(b, unit, u, w, data, cycle, out, nb, err, n);
    tick_time(b, &t0);
    return rc ? -1 : nb;
}

int backend_finish(backend *b, char *err, size_t n)
{
    for (size_t i = 0; b->rg && i < b->nbanks; i++)
        if (b->rg[i].sim && gemv_drain(b, (unsigned)i, &b->rg[i], err, n))
            return -1;
    for (unsigned c = 0; b->rs && c < b->cfg.channels; c++)
        if (b->rs[c].sim && smu_drain(b, c, &b->rs[c], err, n))
            return -1;
    return 0;
}

const backend_stats *backend_get_stats(const backend *b) { return &b->st; }

void backend_free(backend *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->nbanks; i++) {
        if (b->g)
            gemv_free(b->g[i]);
        if (b->rg && b->rg[i].sim)
            b->cfg.rtl_gemv->destroy(b->rg[i].sim);
        if (b->rg)
            fifo_free(b->rg[i].q);
    }
    for (unsigned c = 0; c < b->cfg.channels; c++) {
        if (b->s)
            smu_free(b->s[c]);
        if (b->rs && b->rs[c].sim)
            b->cfg.rtl_smu->destroy(b->rs[c].sim);
        if (b->rs)
            fifo_free(b->rs[c].q);
    }
    free(b->g);
    free(b->s);
    free(b->rg);
    free(b->rs);
    free(b);
}
