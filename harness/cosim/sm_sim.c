/* sm_sim.c — see sm_sim.h. */
#include "cosim.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosim_util.h"
#include "fp.h"
#include "rng.h"

/* Every build of the family, loaded (vunits.h); 0, or -1 with err naming the first one not built. */
int sm_builds(const vsm_ops **out, size_t max, size_t *n, char *err, size_t en)
{
    size_t k;
    const vu_spec *s = vunit_specs(VU_SM, &k);
    for (*n = 0; *n < k && *n < max; (*n)++)
        if (!(out[*n] = vunit_load(VU_SM, s[*n].name, err, en)))
            return -1;
    return 0;
}

const vsm_ops *sm_build_load(const char *name, char *err, size_t en) { return vunit_load(VU_SM, name, err, en); }

const vsm_ops *sm_build_find(const char *name)
{
    char err[512];
    return vunit_load(VU_SM, name, err, sizeof err);
}

/* ---- stimulus: a program of legal beats for one row or one merge ---- */

typedef struct beat {
    uint32_t w[3], data[16];
} beat;

typedef struct prog {
    beat *v;
    size_t n, cap, next;
} prog;

static beat *prog_add(prog *p)
{
    if (p->n == p->cap) {
        size_t nc = p->cap ? 2 * p->cap : 256;
        beat *nv = realloc(p->v, nc * sizeof *nv);
        if (!nv)
            return NULL;
        p->v = nv, p->cap = nc;
    }
    beat *b = &p->v[p->n++];
    memset(b, 0, sizeof *b);
    return b;
}

static uint32_t f32(double x) { return float_to_fp32((float)x); }

/* one score: Gaussian around a random offset, specials at `special` */
static uint32_t score(rng *r, const smu_cfg *c, double mu, double sigma, double special)
{
    uint32_t v;
    if (special > 0 && rng_unit(r) < special) {
        static const uint32_t sp32[] = {0xFF800000u, 0x7F800000u, 0x7FC00000u, 0x7F7FFFFFu, 0xFF7FFFFFu, 0x80000000u, 1u};
        static const uint16_t sp16[] = {0xFC00u, 0x7C00u, 0x7E00u, 0x7BFFu, 0xFBFFu, 0x8000u, 1u};
        size_t k = (size_t)rng_below(r, 7);
        v = c->in_fp16 ? sp16[k] : sp32[k];
    } else {
        double x = mu + sigma * sqrt(-2.0 * log(rng_unit(r) + 1e-300)) * cos(6.283185307179586 * rng_unit(r));
        v = c->in_fp16 ? fp32_to_fp16(f32(x)) : f32(x);
    }
    if (c->in_fp16)
        v |= (uint32_t)rng_next(r) << 16; /* the upper half must be ignored */
    return v;
}

static int gen_row(prog *p, rng *r, const smu_cfg *c, uint32_t max_len, uint32_t fixed, double special,
                   uint64_t *nscores)
{
    uint32_t lanes = (uint32_t)c->lanes;
    uint32_t nb = fixed ? (fixed + lanes - 1) / lanes : 1 + (uint32_t)rng_below(r, (max_len + lanes - 1) / lanes);
    uint32_t n = nb * lanes;
    static const double scales[] = {0.12752, 0.18034, 1.0, 0.001, 0.5};
    smu_cmd cmd = {.op = SMU_ROW};
    switch (fixed ? 4 : rng_below(r, 4)) {
    case 4: cmd.len = fixed; break;
    case 0: cmd.len = n; break;
    case 1: cmd.len = (uint32_t)rng_below(r, n + 1); break; /* ragged (or empty) */
    default: cmd.len = n - (uint32_t)rng_below(r, lanes); break;
    }
    if (fixed) {
        cmd.delta = 0;
    } else if (rng_below(r, 3) == 0) {
        cmd.causal = 1;
        cmd.delta = (int32_t)rng_below(r, n + 4) - 2;
    } else {
        cmd.delta = (int32_t)rng_below(r, 2 * n + 1) - (int32_t)n;
    }
    if (!fixed && rng_below(r, 4) == 0)
        cmd.window = 1 + (uint32_t)rng_below(r, n);
    beat *b = prog_add(p);
    if (!b)
        return -1;
    smu_encode(&cmd, b->w);
    b->data[0] = f32(scales[rng_below(r, 5)]);
    double mu = rng_below(r, 4) == 0 ? 1e4 * (rng_unit(r) - 0.5) : 0, sigma = rng_below(r, 8) == 0 ? 3e4 : 11.3;
    size_t first = p->n;
    for (uint32_t k = 0; k < nb; k++) {
        if (!(b = prog_add(p)))
            return -1;
        smu_cmd m = {.op = SMU_MAX};
        smu_encode(&m, b->w);
        for (uint32_t i = 0; i < lanes; i++)
            b->data[i] = score(r, c, mu, sigma, special);
    }
    for (uint32_t k = 0; k < nb; k++) {
        if (!(b = prog_add(p)))
            return -1;
        smu_cmd e = {.op = SMU_EXP, .last = k == nb - 1};
        smu_encode(&e, b->w);
        memcpy(b->data, p->v[first + k].data, sizeof b->data);
    }
    *nscores += 2 * (uint64_t)nb;
    return 0;
}

/* a merge of 0..5 random partials, or of exactly `live` live ones (finite m, l > 0) when live > 0 */
static int gen_merge(prog *p, rng *r, const smu_cfg *c, uint32_t live)
{
    int parts = live ? (int)live : (int)rng_below(r, 6); /* 0: MEND with nothing to merge */
    for (int i = 0; i < parts; i++) {
        smu_cmd h = {.op = SMU_PART};
        uint64_t k = live ? 3 + rng_below(r, 29) : rng_below(r, 32);
        h.m = k == 0 ? 0xFF800000u
                     : k == 1 ? FP32_QNAN
                              : k == 2 ? 0x7F800000u : f32((double)((int64_t)rng_below(r, 200) - 100)); /* +Inf is legal */
        h.l = !live && rng_below(r, 10) == 0 ? 0 : f32(0.5 + 1000 * rng_unit(r));
        beat *b = prog_add(p);
        if (!b)
            return -1;
        smu_encode(&h, b->w);
        for (int v = 0; v < c->merge_d / c->lanes; v++) {
            if (!(b = prog_add(p)))
                return -1;
            smu_cmd pv = {.op = SMU_PVEC};
            smu_encode(&pv, b->w);
            for (int l = 0; l < c->lanes; l++)
                b->data[l] = f32(10 * (rng_unit(r) - 0.5));
        }
    }
    smu_cmd e = {.op = SMU_MEND, .normalise = (unsigned)rng_below(r, 2)};
    beat *b = prog_add(p);
    if (!b)
        return -1;
    smu_encode(&e, b->w);
    return 0;
}

/* a command the driver would refuse in the golden model's current state (0 if none was found) */
static int bad_beat(rng *r, const smu *u, const beat *next, beat *out)
{
    for (int t = 0; t < 32; t++) {
        *out = *next;
        switch (rng_below(r, 6)) {
        case 0: out->w[0] = (out->w[0] & ~7u) | (6u + (uint32_t)rng_below(r, 2)); break;
        case 1: out->w[0] |= 0x40u << rng_below(r, 2); break;
        case 2: out->w[0] = (out->w[0] & ~7u) | (uint32_t)rng_below(r, 6); break; /* out-of-order op */
        case 3: out->w[1] ^= 1u << rng_below(r, 32); break;
        case 4: out->w[0] ^= 1u << (3 + rng_below(r, 3)); break;
        default: out->data[0] = f32(2.0); out->w[0] &= ~7u; break; /* ROW with a bad scale */
        }
        if (smu_check(u, out->w, out->data))
            return 1;
    }
    return 0;
}

/* ---- checking ---- */

/* Idle cycles that end a run: more than any wait of a command in the unit's input register with no
 * output pending (a PART's sequence, the PVEC stages) */
#define SMU_IDLE_END 16

#define fail(res, ...) cosim_fail((res)->first_error, sizeof (res)->first_error, &(res)->mismatches, __VA_ARGS__)

int smu_beat_diff(const smu_cfg *c, const vsm_out *o, const smu_beat *w, char *why, size_t n)
{
    static const char *kinds[] = {"PROB", "ROW_RES", "OVEC", "MERGE_RES"};
    int flags = w->empty | (w->nan << 1);
    if (o->kind != (int)w->kind || o->flags != flags)
        return snprintf(why, n, "beat kind %d flags %d, golden %s flags %d", o->kind, o->flags, kinds[w->kind], flags), 1;
    const uint32_t want_aux[3] = {w->m, w->l, w->rl};
    static const char *auxn[] = {"m", "l", "rl"};
    for (int i = 0; i < 3; i++)
        if (o->aux[i] != want_aux[i])
            return snprintf(why, n, "%s beat %s %08x, golden %08x", kinds[w->kind], auxn[i], o->aux[i], want_aux[i]), 1;
    for (int i = 0; i < c->lanes; i++)
        if (o->data[i] != w->data[i])
            return snprintf(why, n, "%s beat lane %d %08x, golden %08x", kinds[w->kind], i, o->data[i], w->data[i]), 1;
    return 0;
}

static int compare(const vsm_ops *ops, const vsm_out *o, const smu_beat *w, uint64_t cyc, sm_cosim_res *res)
{
    char why[256];
    if (smu_beat_diff(&ops->cfg, o, w, why, sizeof why))
        return fail(res, "%s cycle %llu: %s", ops->build, (unsigned long long)cyc, why);
    return 0;
}

static void write_in(FILE *f, const smu_cfg *c, const beat *b)
{
    fprintf(f, "%08x%08x%08x ", b->w[2], b->w[1], b->w[0]);
    for (int i = c->lanes - 1; i >= 0; i--)
        fprintf(f, "%08x", b->data[i]);
    fputc('\n', f);
}

static void write_out(FILE *f, const smu_cfg *c, const smu_beat *w)
{
    fprintf(f, "%x %x %08x%08x%08x ", (unsigned)w->kind, (unsigned)(w->empty | (w->nan << 1)), w->rl, w->l, w->m);
    for (int i = c->lanes - 1; i >= 0; i--)
        fprintf(f, "%08x", w->data[i]);
    fputc('\n', f);
}

/* One softmax-unit co-simulation: the model, its golden twin, the program of beats, the expected outputs. */
typedef struct srun {
    const vsm_ops *ops;
    const sm_cosim_cfg *cfg;
    sm_cosim_res *res;
    smu *u;
    smu_beat *obuf; /* one beat's outputs */
    fifo *q;        /* expected outputs not yet seen */
    vsm *sim;
    rng r, tr;      /* data; timing kept apart */
    uint32_t max_len;
    prog p;
    vsm_in in;
    beat cur;
    int pending, is_bad;
    uint64_t idle;
} srun;

/* The model (traced if asked), the golden model and the generators; 0 or -1 (first_error). */
static int srun_open(srun *x)
{
    const sm_cosim_cfg *cfg = x->cfg;
    const smu_cfg *c = &x->ops->cfg;
    x->u = smu_new(c);
    x->obuf = malloc(((size_t)c->merge_d / (size_t)c->lanes + 2) * sizeof *x->obuf);
    x->q = fifo_new(sizeof(smu_beat));
    cosim_args va;
    cosim_vargs(&va, cfg->seed, cfg->rand_reset);
    if (!x->u || !x->obuf || !x->q || !(x->sim = x->ops->create(3, va.argv)))
        return snprintf(x->res->first_error, sizeof x->res->first_error, "%s: cannot create the model",
                        x->ops->build), -1;
    int trc = cfg->trace_path ? x->ops->trace_window(x->sim, cfg->trace_path, cfg->trace_from, cfg->trace_cycles) : 0;
    if (trc)
        return cosim_trace_error(x->res->first_error, sizeof x->res->first_error, trc, x->ops->build,
                                 cfg->trace_path), -1;
    rng_seed(&x->r, cfg->seed);
    rng_seed(&x->tr, cfg->seed ^ 0x5EEDu);
    x->max_len = cfg->max_len ? cfg->max_len : 512;
    x->ops->reset(x->sim, 2);
    return 0;
}

static void srun_close(srun *x)
{
    if (x->sim)
        x->ops->destroy(x->sim);
    smu_free(x->u);
    free(x->obuf);
    free(x->p.v);
    fifo_free(x->q);
}

/* The next input beat: from the program (a new row or merge when it is used up), or a bad one in its
 * place. 0, or 1 (out of memory). */
static int srun_next(srun *x)
{
    const sm_cosim_cfg *cfg = x->cfg;
    prog *p = &x->p;
    if (p->next == p->n) {
        p->n = p->next = 0;
        int e = !cfg->merge_parts && (cfg->row_len || rng_below(&x->r, 5) < 3)
                    ? gen_row(p, &x->r, &x->ops->cfg, x->max_len, cfg->row_len, cfg->special_rate, &x->res->scores)
                    : gen_merge(p, &x->r, &x->ops->cfg, cfg->merge_parts);
        if (e)
            return fail(x->res, "out of memory");
        if (p->v[0].w[0] % 8u == SMU_ROW)
            x->res->rows++;
        else
            x->res->merges++;
    }
    x->is_bad = cfg->bad_rate > 0 && rng_unit(&x->r) < cfg->bad_rate && bad_beat(&x->r, x->u, &p->v[p->next], &x->cur);
    if (!x->is_bad)
        x->cur = p->v[p->next++];
    memcpy(x->in.cmd, x->cur.w, sizeof x->in.cmd);
    memcpy(x->in.data, x->cur.data, sizeof x->in.data);
    x->pending = 1;
    x->in.in_valid = 0;
    return 0;
}

/* The outputs of this cycle against the golden model: error flag, an output beat. 0 or 1. The unit
 * checks a command when it issues it, which may be some cycles after the golden model (at acceptance):
 * err_o may rise later than the golden flag, never earlier, and they must agree when the run ends. */
static int srun_check(srun *x, const vsm_out *o, uint64_t cyc)
{
    if (o->err && !smu_error(x->u))
        return fail(x->res, "%s cycle %llu: err_o 1, golden error flag 0", x->ops->build, (unsigned long long)cyc);
    if (o->out_valid && x->in.out_ready) {
        if (fifo_len(x->q) == 0)
            return fail(x->res, "%s cycle %llu: output beat with none expected", x->ops->build, (unsigned long long)cyc);
        if (compare(x->ops, o, fifo_front(x->q), cyc, x->res))
            return 1;
        fifo_pop(x->q);
        x->res->beats_out++;
    }
    return 0;
}

/* The beat accepted this cycle through the golden model: its outputs expected. 0 or 1. */
static int srun_accept(srun *x)
{
    const sm_cosim_cfg *cfg = x->cfg;
    const smu_cfg *c = &x->ops->cfg;
    int nb = smu_exec(x->u, x->cur.w, x->cur.data, x->obuf);
    if ((nb < 0) != x->is_bad)
        return fail(x->res, "%s: generator and golden model disagree on command %08x", x->ops->build, x->cur.w[0]);
    for (int b = 0; b < nb; b++)
        if (fifo_push(x->q, &x->obuf[b]))
            return fail(x->res, "out of memory");
    if (cfg->cmd_out && x->res->beats_in < cfg->file_limit) {
        write_in(cfg->cmd_out, c, &x->cur);
        for (int b = 0; b < nb; b++)
            write_out(cfg->res_out, c, &x->obuf[b]);
    }
    x->res->beats_in++;
    x->res->bad += nb < 0;
    x->pending = 0;
    x->in.in_valid = 0;
    x->idle = 0;
    return 0;
}

/* One clock cycle: 0 go on, 1 a mismatch (first_error), 2 every beat done and every output seen. */
static int srun_cycle(srun *x)
{
    const sm_cosim_cfg *cfg = x->cfg;
    uint64_t done = cfg->merge_parts ? x->res->merges : x->res->scores;
    if (!x->pending && (x->p.next < x->p.n || done < cfg->scores) && srun_next(x))
        return 1;
    if (!x->pending && fifo_len(x->q) == 0 && x->idle > SMU_IDLE_END) {
        vsm_out o;
        x->ops->get(x->sim, &o);
        if (o.err != smu_error(x->u))
            return fail(x->res, "%s: err_o %d at the end, golden error flag %d", x->ops->build, o.err,
                        smu_error(x->u));
        return 2;
    }
    if (x->pending && !x->in.in_valid)
        x->in.in_valid = !(cfg->gap_rate > 0 && rng_unit(&x->tr) < cfg->gap_rate);
    x->in.out_ready = !(cfg->stall_rate > 0 && rng_unit(&x->tr) < cfg->stall_rate);
    x->ops->set(x->sim, &x->in);
    vsm_out o;
    x->ops->get(x->sim, &o);
    uint64_t cyc = x->ops->cycle(x->sim);
    if (srun_check(x, &o, cyc))
        return 1;
    if (x->in.in_valid && o.in_ready) {
        if (srun_accept(x))
            return 1;
    } else if (++x->idle > 10000) {
        return fail(x->res, "%s cycle %llu: no progress for 10000 cycles (%zu beats pending)", x->ops->build,
                    (unsigned long long)cyc, fifo_len(x->q));
    }
    x->ops->tick(x->sim);
    return 0;
}

int sm_cosim_run(const vsm_ops *ops, const sm_cosim_cfg *cfg, sm_cosim_res *res)
{
    memset(res, 0, sizeof *res);
    srun x = {.ops = ops, .cfg = cfg, .res = res};
    if (srun_open(&x)) {
        srun_close(&x);
        return -1;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int k;
    while (!(k = srun_cycle(&x)))
        ;
    res->seconds = cosim_seconds(&t0);
    res->cycles = ops->cycle(x.sim);
    res->assert_fired = ops->assert_fired(x.sim);
    res->trace_failed = cfg->trace_path && ops->trace_close(x.sim) != 0;
    srun_close(&x);
    return k == 1;
}
