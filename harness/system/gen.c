/* gen.c — one generation on a serving system (system.h, docs/system.md): placement and capacity, the
 * prefill, and every decode step with its attention simulated on the PIM devices (run.h) or streamed by
 * the GPUs (roofline), refresh debt, overlap modes and energy. */
#include "gen.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- setup: placement, device, capacity ---------------------------------------------------------------- */

static int shapes_of(gen *g, char *err, size_t n)
{
    const sys_gen_cfg *c = g->c;
    sys_gen_res *r = g->r;
    if (c->sys.tp > 64)
        return snprintf(err, n, "tp: %u (allowed: 1..64 for pimattn system)", c->sys.tp), 2;
    r->shards = c->sys.tp;
    r->replicas = c->sys.gpus / c->sys.tp;
    if (sys_place(&c->m, c->sys.tp, r->shard, err, n))
        return 2;
    for (uint32_t i = 0; i < r->shards; i++) {
        model dm = sys_shard_model(&c->m, &r->shard[i]);
        uint32_t k = 0;
        while (k < g->nsh && !(g->sh[k].dm.heads == dm.heads && g->sh[k].dm.kv_heads == dm.kv_heads))
            k++;
        if (k == g->nsh) {
            uint32_t G = model_group(&dm), grp = G < 16 ? G : 16;
            while (G % grp)
                grp--;
            g->sh[g->nsh++] = (shape){.dm = dm, .count = 0, .group = c->sys.pim_tree ? 1 : (c->sys.pim_group ? c->sys.pim_group : grp)};
        }
        g->sh[k].count++;
    }
    r->distinct_shards = g->nsh;
    r->unit_rows = g->nsh ? g->sh[0].group : 1; /* every shape has the model's group, so the same G */
    for (uint32_t k = 0; k < g->nsh && c->sys.pim; k++)
        if (!c->sys.pim_tree && model_group(&g->sh[k].dm) % g->sh[k].group)
            return snprintf(err, n, "pim.group: %u does not divide a device's %u query heads per KV head (allowed: a "
                            "divisor of %u, or 0)", g->sh[k].group, model_group(&g->sh[k].dm),
                            model_group(&g->sh[k].dm)), 2;
    return 0;
}

/* The final contexts (the last decode step's; the prompt if there is none). */
static void final_ctx(const sys_gen_cfg *c, uint32_t *ctx)
{
    for (uint32_t b = 0; b < c->batch; b++)
        ctx[b] = c->lin[b] + (c->lout > 1 ? c->lout - 1 : 0);
}

static int capacity(gen *g, char *err, size_t n)
{
    const sys_gen_cfg *c = g->c;
    sys_gen_res *r = g->r;
    const sys_shard *s0 = &r->shard[0]; /* the first shards hold the most heads */
    final_ctx(c, g->ctx);
    r->weights_bytes_gpu = sys_weight_bytes(&c->m, s0, c->sys.tp);
    uint32_t longest = 0; /* the prompts are prefilled one at a time: the longest one's activations */
    for (uint32_t b = 0; b < c->batch; b++)
        longest = c->lin[b] > longest ? c->lin[b] : longest;
    r->act_bytes_gpu = sys_act_bytes(c, s0, 1, &longest);
    r->kv_bytes_gpu = c->sys.pim ? 0 : sys_kv_bytes_gpu(&c->m, s0, c->batch, g->ctx);
    r->gpu_capacity = c->sys.gpu_mem_gib * 1073741824.0;
    double need = r->weights_bytes_gpu + r->act_bytes_gpu + r->kv_bytes_gpu;
    if (need > r->gpu_capacity)
        return snprintf(err, n, "GPU memory: each GPU needs %.2f GiB (weights %.2f, KV cache %.2f, activations %.2f) "
                        "and has %.2f GiB (allowed: a smaller batch or shorter sequences, more GPUs per replica "
                        "(tp), or PIM devices for the KV cache)", need / 1073741824.0,
                        r->weights_bytes_gpu / 1073741824.0, r->kv_bytes_gpu / 1073741824.0,
                        r->act_bytes_gpu / 1073741824.0, c->sys.gpu_mem_gib), 2;
    for (uint32_t k = 0; k < g->nsh && c->sys.pim; k++) {
        attn_cfg a = gen_attn_cfg(g, &g->sh[k], c->batch, g->ctx, c->seed);
        uint64_t needed, avail;
        int pre = snprintf(err, n, "PIM device: ");
        int rc = attn_fits(&a, &needed, &avail, err + pre, n - (size_t)pre);
        if (rc)
            return rc;
        if (needed > r->kv_bytes_device)
            r->kv_bytes_device = (double)needed;
        r->device_capacity = (double)avail;
        err[0] = '\0';
    }
    return 0;
}

static int setup(gen *g, char *err, size_t n)
{
    const sys_gen_cfg *c = g->c;
    if (!c->batch || !c->lout || !c->flash_tile || !c->step_stride)
        return snprintf(err, n, "batch, lout, flash tile and step stride must be at least 1"), 2;
    g->attn_threads = c->threads;
    int rc = shapes_of(g, err, n);
    if (rc)
        return rc;
    if (hbm_cfg_resolve(c->sys.pim_hbm, &g->dev, err, n)) /* also the GPUs' HBM refresh power per GiB */
        return 2;
    g->dev.stacks = 1;
    double per_gib = sys_refresh_watts(&g->dev) / (hbm_cfg_pcs_total(&g->dev) * (double)hbm_cfg_banks_per_pc(&g->dev) *
                                                   g->dev.rows * hbm_cfg_row_bytes(&g->dev) / 1073741824.0);
    g->dev.stacks = c->sys.pim_stacks;
    g->refresh_w = c->sys.tp * per_gib * c->sys.gpu_mem_gib + (c->sys.pim ? c->sys.tp * sys_refresh_watts(&g->dev) : 0);
    if (c->sys.pim) {
        g->tck_s = g->dev.tck_ps * 1e-12;
        /* the new K and V reach the cells through the I/O, TSVs, global I/O and column path */
        g->dram_write_pj = 8 * (g->dev.e_io + g->dev.e_tsv + g->dev.e_gio + g->dev.e_col + g->dev.e_cell);
        const char *why = NULL;
        for (uint32_t k = 0; k < g->nsh && !why; k++) {
            smu_cfg sm = {(int)c->sys.pim_lanes, 16, c->sys.pim_acc16, (int)g->sh[k].dm.head_dim};
            why = smu_cfg_check(&sm);
        }
        if (why)
            return snprintf(err, n, "pim.softmax_lanes: %s", why), 2;
    }
    g->ctx = malloc(c->batch * sizeof *g->ctx);
    g->half[0] = malloc((c->batch / 2 + 1) * sizeof *g->half[0]);
    g->half[1] = malloc((c->batch / 2 + 1) * sizeof *g->half[1]);
    if (!g->ctx || !g->half[0] || !g->half[1])
        return snprintf(err, n, "out of memory"), -1;
    return capacity(g, err, n);
}

/* ---- the steps ------------------------------------------------------------------------------------------------ */

/* The link's share of a layer (the busiest device's): both latencies, and the seconds of the bytes in and
 * out at the link's bandwidth. */
typedef struct link_time {
    double lat, in, out;
} link_time;

/* A layer's GPU parts for `batch` requests (the slowest GPU per part), one replica's energy of them, and
 * the link's time (lk may be NULL). */
static void gpu_layer(const gen *g, uint32_t batch, const uint32_t *ctx, double part[SYS_NPARTS],
                      double e[SYS_E_NPARTS], link_time *lk)
{
    const sys_gen_cfg *c = g->c;
    memset(part, 0, SYS_NPARTS * sizeof *part);
    memset(e, 0, SYS_E_NPARTS * sizeof *e);
    if (lk)
        *lk = (link_time){0, 0, 0};
    for (uint32_t i = 0; i < g->r->shards; i++) {
        sys_layer_ops o;
        double p[SYS_NPARTS], ej[SYS_E_NPARTS];
        sys_decode_ops(c, &g->r->shard[i], batch, ctx, c->sys.pim, &o);
        sys_layer_cost(&c->sys, &o, p, ej);
        if (lk && o.xfer_in / (c->sys.pim_link_gbs * 1e9) > lk->in) /* the device with the most bytes */
            *lk = (link_time){2 * c->sys.pim_link_lat_us * 1e-6, o.xfer_in / (c->sys.pim_link_gbs * 1e9),
                              o.xfer_out / (c->sys.pim_link_gbs * 1e9)};
        for (int k = 0; k < SYS_NPARTS; k++)
            part[k] = p[k] > part[k] ? p[k] : part[k];
        for (int k = 0; k < SYS_E_NPARTS; k++)
            e[k] += ej[k];
        if (c->sys.pim) /* the new K and V written into the device's cells */
            e[SYS_E_PIM_DRAM] += (double)batch * g->r->shard[i].nkv * c->m.head_dim * 4 * g->dram_write_pj * 1e-12;
    }
}

/* The devices' side of a layer for one set of requests: the slowest attention, the exposed refresh debt
 * after a GPU gap, the largest debt, and the replica's device energy. */
typedef struct dev_side {
    double attn, exposed, debt, joules, cycles;
} dev_side;

static dev_side devices(const gen *g, uint32_t step, int set, double gap)
{
    dev_side d = {0};
    for (uint32_t k = 0; k < g->nsh; k++) {
        const dev_sim *s = sim_at((gen *)g, step, k, set);
        d.attn = s->cycles * g->tck_s > d.attn ? s->cycles * g->tck_s : d.attn;
        d.cycles = s->cycles > d.cycles ? s->cycles : d.cycles;
        d.debt = s->debt * g->tck_s > d.debt ? s->debt * g->tck_s : d.debt;
        d.joules += g->sh[k].count * s->joules;
    }
    for (uint32_t k = 0; k < g->nsh; k++) { /* a device free later than the GPUs' next attention start */
        const dev_sim *s = sim_at((gen *)g, step, k, set);
        double late = s->cycles * g->tck_s + s->debt * g->tck_s - (d.attn + gap);
        d.exposed = late > d.exposed ? late : d.exposed;
    }
    return d;
}

static double gpu_gap(const double part[SYS_NPARTS])
{
    double t = 0;
    for (int k = 0; k < SYS_NPARTS; k++)
        t += (k == SYS_ATTN || k == SYS_REFRESH) ? 0 : part[k];
    return t;
}

/* Time-charged energy of one replica over t seconds into E: static power, DRAM refresh. */
static void timed_joules(const gen *g, double t, double E[SYS_E_NPARTS])
{
    const sys_cfg *y = &g->c->sys;
    E[SYS_E_STATIC] += y->tp * (y->gpu_static_w + (y->pim ? y->pim_static_w : 0)) * t;
    E[SYS_E_REFRESH] += g->refresh_w * t;
}

/* The device side of a layer with its transfers streamed per request: a three-stage pipeline (q and the new
 * K, V in; attention; output out) over `batch` requests of equal shares, the latencies paid once. */
static double streamed(const link_time *lk, double attn, uint32_t batch)
{
    const double B = batch, in = lk->in / B, a = attn / B, out = lk->out / B;
    return lk->lat + in + a + out + (B - 1) * fmax(in, fmax(a, out));
}

/* Mode m of a step from its layer time and a layer's energy (one replica): the layers, the LM head, and
 * what is charged by time. */
static void finish_mode(const gen *g, sys_step *st, int m, double layer_s, const double e_layer[SYS_E_NPARTS],
                        const double lm_e[2])
{
    const sys_gen_cfg *c = g->c;
    double *E = st->mode_e[m];
    st->mode_s[m] = c->m.layers * layer_s + st->lm_head_s;
    for (int k = 0; k < SYS_E_NPARTS; k++)
        E[k] = c->m.layers * e_layer[k];
    E[SYS_E_GPU_COMPUTE] += c->sys.tp * lm_e[0];
    E[SYS_E_GPU_MEMORY] += c->sys.tp * lm_e[1];
    timed_joules(g, st->mode_s[m], E);
    st->mode_j[m] = 0;
    for (int k = 0; k < SYS_E_NPARTS; k++)
        st->mode_j[m] += E[k];
}

/* The sub-batch modes: a two-stage cyclic pipeline per layer (docs/system.md). */
static void subbatch_modes(const gen *g, sys_step *st, const double lm_e[2])
{
    double G[2], P[2], PX[2], D = 0, e[SYS_E_NPARTS] = {0};
    for (int h = 0; h < 2; h++) {
        double part[SYS_NPARTS], eh[SYS_E_NPARTS];
        link_time lk;
        gpu_layer(g, g->nhalf[h], g->half[h], part, eh, &lk);
        dev_side d = devices(g, st->step, HALF_A + h, 0);
        G[h] = gpu_gap(part) - part[SYS_XFER];
        P[h] = part[SYS_XFER] + d.attn;
        PX[h] = streamed(&lk, d.attn, g->nhalf[h]);
        D += d.debt;
        for (int k = 0; k < SYS_E_NPARTS; k++)
            e[k] += eh[k];
        e[SYS_E_PIM_DRAM] += d.joules;
    }
    for (int both = 0; both < 2; both++) {
        const double *p = both ? PX : P;
        double period = fmax(fmax(G[0] + G[1], p[0] + p[1] + D), fmax(G[0] + p[0], G[1] + p[1]));
        finish_mode(g, st, SYS_OVL_SUBBATCH | (both ? SYS_OVL_TRANSFER : 0), period, e, lm_e);
    }
}

static void eval_step(gen *g, sys_step *st)
{
    const sys_gen_cfg *c = g->c;
    gen_step_ctx(c, st->step, g->ctx, g->half, g->nhalf);
    double e[SYS_E_NPARTS], lm_e[2] = {0, 0};
    link_time lk;
    gpu_layer(g, c->batch, g->ctx, st->part, e, &lk);
    sys_op lm = sys_lm_head(c, c->batch);
    st->lm_head_s = sys_op_seconds(&c->sys, &lm);
    sys_op_energy(&c->sys, &lm, &lm_e[0], &lm_e[1]);
    double sum = 0;
    for (uint32_t b = 0; b < c->batch; b++)
        sum += g->ctx[b];
    st->ctx_mean = sum / c->batch;
    for (int m = 0; m < 4; m++)
        st->mode_s[m] = st->mode_j[m] = -1;
    if (c->sys.pim) {
        dev_side d = devices(g, st->step, WHOLE, gpu_gap(st->part));
        st->part[SYS_ATTN] = d.attn;
        st->part[SYS_REFRESH] = d.exposed > 0 ? d.exposed : 0;
        st->refresh_debt_s = d.debt;
        st->pim_cycles = d.cycles;
        e[SYS_E_PIM_DRAM] += d.joules;
    }
    double layer = 0;
    for (int k = 0; k < SYS_NPARTS; k++)
        layer += st->part[k];
    finish_mode(g, st, 0, layer, e, lm_e);
    if (!c->sys.pim)
        return;
    /* transfers streamed per request: the device starts on request i while i + 1's q is on the link */
    finish_mode(g, st, SYS_OVL_TRANSFER,
                layer - st->part[SYS_XFER] - st->part[SYS_ATTN] + streamed(&lk, st->part[SYS_ATTN], c->batch), e, lm_e);
    if (g->sub)
        subbatch_modes(g, st, lm_e);
}

/* ---- the prefill and the whole generation ------------------------------------------------------------------ */

/* One prompt's prefill layer on every shard: the slowest shard per part, the replica's energy. */
static void prefill_one(const gen *g, uint32_t lin, double part[SYS_NPARTS], double e[SYS_E_NPARTS])
{
    const sys_gen_cfg *c = g->c;
    memset(part, 0, SYS_NPARTS * sizeof *part);
    memset(e, 0, SYS_E_NPARTS * sizeof *e);
    for (uint32_t i = 0; i < g->r->shards; i++) {
        sys_layer_ops o;
        double p[SYS_NPARTS], ej[SYS_E_NPARTS];
        sys_prefill_ops(c, &g->r->shard[i], 1, &lin, c->sys.pim, &o);
        sys_layer_cost(&c->sys, &o, p, ej);
        for (int k = 0; k < SYS_NPARTS; k++)
            part[k] = p[k] > part[k] ? p[k] : part[k];
        for (int k = 0; k < SYS_E_NPARTS; k++)
            e[k] += ej[k];
        e[SYS_E_PIM_DRAM] += o.xfer_in * g->dram_write_pj * 1e-12; /* the KV cache into the devices' cells */
    }
}

/* The prompts prefilled one after the other (no chunking, no batching of prompts), each ending with the
 * LM head of its first generated token. */
static void prefill(gen *g)
{
    const sys_gen_cfg *c = g->c;
    sys_gen_res *r = g->r;
    double e[SYS_E_NPARTS] = {0}, part[SYS_NPARTS], ej[SYS_E_NPARTS], lm_c = 0, lm_m = 0, layer = 0;
    memset(r->prefill_part, 0, sizeof r->prefill_part);
    for (uint32_t b = 0; b < c->batch; b++) {
        if (b == 0 || c->lin[b] != c->lin[b - 1]) /* runs of equal prompts share their figures */
            prefill_one(g, c->lin[b], part, ej);
        for (int k = 0; k < SYS_NPARTS; k++)
            r->prefill_part[k] += part[k];
        for (int k = 0; k < SYS_E_NPARTS; k++)
            e[k] += ej[k];
    }
    for (int k = 0; k < SYS_NPARTS; k++)
        layer += r->prefill_part[k];
    sys_op lm = sys_lm_head(c, 1);
    sys_op_energy(&c->sys, &lm, &lm_c, &lm_m);
    r->prefill_s = c->m.layers * layer + c->batch * sys_op_seconds(&c->sys, &lm);
    for (int k = 0; k < SYS_E_NPARTS; k++)
        r->energy[k] = c->m.layers * e[k];
    r->energy[SYS_E_GPU_COMPUTE] += c->sys.tp * lm_c * c->batch;
    r->energy[SYS_E_GPU_MEMORY] += c->sys.tp * lm_m * c->batch;
    timed_joules(g, r->prefill_s, r->energy);
    r->prefill_j = 0;
    for (int k = 0; k < SYS_E_NPARTS; k++)
        r->prefill_j += r->energy[k];
}

static void totals(gen *g)
{
    const sys_gen_cfg *c = g->c;
    sys_gen_res *r = g->r;
    int m = c->sys.pim ? c->overlap : 0;
    if (m & SYS_OVL_SUBBATCH && !g->sub)
        m &= ~SYS_OVL_SUBBATCH;
    r->overlap = m;
    for (int k = 0; k < 4; k++)
        r->mode_tpot_s[k] = r->nsteps && r->steps[0].mode_s[k] >= 0 ? 0 : -1;
    for (uint32_t s = 0; s < r->nsteps; s++) {
        const sys_step *st = &r->steps[s];
        r->decode_s += st->mode_s[m];
        r->decode_j += st->mode_j[m];
        for (int k = 0; k < SYS_E_NPARTS; k++)
            r->energy[k] += st->mode_e[m][k];
        for (int k = 0; k < 4; k++)
            if (r->mode_tpot_s[k] >= 0)
                r->mode_tpot_s[k] += st->mode_s[k] / r->nsteps;
    }
    const double tokens = (double)c->batch * r->replicas;
    r->tpot_s = r->nsteps ? r->decode_s / r->nsteps : 0;
    r->tokens_per_s_decode = r->tpot_s > 0 ? tokens / r->tpot_s : 0;
    r->tokens_per_s = tokens * c->lout / (r->prefill_s + r->decode_s);
    r->joules_per_token = (r->prefill_j + r->decode_j) / ((double)c->batch * c->lout);
}

static void gen_free(gen *g)
{
    free(g->ctx);
    free(g->half[0]);
    free(g->half[1]);
    free(g->sim);
}

int sys_gen(const sys_gen_cfg *c, sys_gen_res *r, char *err, size_t n)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    memset(r, 0, sizeof *r);
    gen g = {.c = c, .r = r, .sub = c->sys.pim && (c->overlap & SYS_OVL_SUBBATCH) && c->batch >= 2};
    int rc = setup(&g, err, n);
    if (rc == 0) {
        r->nsteps = c->lout - 1;
        r->steps = calloc(r->nsteps ? r->nsteps : 1, sizeof *r->steps);
        g.sim = calloc((size_t)(r->nsteps ? r->nsteps : 1) * g.nsh * NSETS, sizeof *g.sim);
        if (!r->steps || !g.sim)
            rc = -1, snprintf(err, n, "out of memory");
    }
    for (uint32_t s = 0; rc == 0 && s < r->nsteps; s++)
        r->steps[s].step = s + 1;
    if (rc == 0 && c->sys.pim)
        rc = gen_simulate_all(&g, err, n);
    if (rc == 0) {
        prefill(&g);
        for (uint32_t s = 0; s < r->nsteps; s++)
            eval_step(&g, &r->steps[s]);
        totals(&g);
    }
    gen_free(&g);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}

void sys_gen_res_free(sys_gen_res *r)
{
    free(r->steps);
    r->steps = NULL;
}

/* Whether `batch` requests (prompts lin0[b % nlin]) fit: 1, 0, or -1 (no memory). */
static int fits(const sys_gen_cfg *c, const uint32_t *lin0, uint32_t nlin, uint32_t batch)
{
    uint32_t *lin = malloc(batch * sizeof *lin);
    if (!lin)
        return -1;
    for (uint32_t b = 0; b < batch; b++)
        lin[b] = lin0[b % nlin];
    sys_gen_cfg t = *c;
    t.batch = batch;
    t.lin = lin;
    sys_gen_res r;
    memset(&r, 0, sizeof r);
    gen g = {.c = &t, .r = &r};
    char err[1024];
    int rc = setup(&g, err, sizeof err);
    gen_free(&g);
    free(lin);
    return rc == 0 ? 1 : rc == 2 ? 0 : -1;
}

uint32_t sys_max_batch(const sys_gen_cfg *c, const uint32_t *lin, uint32_t nlin)
{
    uint32_t lo = 0, hi = 1; /* lo fits (0: trivially), hi does not */
    int k;
    while ((k = fits(c, lin, nlin, hi)) == 1) {
        lo = hi;
        if (hi >= (1u << 20))
            return lo;
        hi *= 2;
    }
    if (k < 0)
        return 0;
    while (hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((k = fits(c, lin, nlin, mid)) < 0)
            return 0;
        *(k ? &lo : &hi) = mid;
    }
    return lo;
}
