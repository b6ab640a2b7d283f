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

static int gen_merge(prog *p, rng *r, const smu_cfg *c)
{
    int parts = (int)rng_below(r, 6); /* 0: MEND with nothing to merge */
    for (int i = 0; i < parts; i++) {
        smu_cmd h = {.op = SMU_PART};
        uint64_t k = rng_below(r, 16);
        h.m = k == 0 ? 0xFF800000u : (k == 1 ? FP32_QNAN : f32((double)((int64_t)rng_below(r, 200) - 100)));
        h.l = rng_below(r, 10) == 0 ? 0 : f32(0.5 + 1000 * rng_unit(r));
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

int sm_cosim_run(const vsm_ops *ops, const sm_cosim_cfg *cfg, sm_cosim_res *res)
{
    memset(res, 0, sizeof *res);
    const smu_cfg *c = &ops->cfg;
    smu *u = smu_new(c);
    smu_beat *obuf = malloc(((size_t)c->merge_d / (size_t)c->lanes + 2) * sizeof *obuf);
    char seedarg[64];
    snprintf(seedarg, sizeof seedarg, "+verilator+seed+%u", (unsigned)(cfg->seed % 1000000007u) + 1u);
    const char *argv[] = {"pimattn", cfg->rand_reset ? "+verilator+rand+reset+2" : "+verilator+rand+reset+0", seedarg};
    fifo *q = fifo_new(sizeof(smu_beat));
    vsm *sim = u && obuf && q ? ops->create(3, argv) : NULL;
    if (!sim || (cfg->trace_path && ops->trace_window(sim, cfg->trace_path, cfg->trace_from, cfg->trace_cycles) != 0)) {
        if (sim)
            snprintf(res->first_error, sizeof res->first_error, "cannot write waveform '%s'", cfg->trace_path);
        else
            snprintf(res->first_error, sizeof res->first_error, "%s: cannot create the model", ops->build);
        if (sim)
            ops->destroy(sim);
        smu_free(u);
        free(obuf);
        fifo_free(q);
        return -1;
    }
    rng r, tr;
    rng_seed(&r, cfg->seed);
    rng_seed(&tr, cfg->seed ^ 0x5EEDu);
    uint32_t max_len = cfg->max_len ? cfg->max_len : 512;
    prog p = {0};
    ops->reset(sim, 2);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    vsm_in in = {0};
    beat cur;
    int pending = 0, is_bad = 0, rc = 0;
    uint64_t idle = 0;
    for (;;) {
        if (!pending && (p.next < p.n || res->scores < cfg->scores)) {
            if (p.next == p.n) {
                p.n = p.next = 0;
                int e = (cfg->row_len || rng_below(&r, 5) < 3)
                            ? gen_row(&p, &r, c, max_len, cfg->row_len, cfg->special_rate, &res->scores)
                            : gen_merge(&p, &r, c);
                if (e) {
                    rc = fail(res, "out of memory");
                    break;
                }
                if (p.v[0].w[0] % 8u == SMU_ROW)
                    res->rows++;
                else
                    res->merges++;
            }
            is_bad = cfg->bad_rate > 0 && rng_unit(&r) < cfg->bad_rate && bad_beat(&r, u, &p.v[p.next], &cur);
            if (!is_bad)
                cur = p.v[p.next++];
            memcpy(in.cmd, cur.w, sizeof in.cmd);
            memcpy(in.data, cur.data, sizeof in.data);
            pending = 1;
            in.in_valid = 0;
        }
        if (!pending && fifo_len(q) == 0 && idle > 4)
            break;
        if (pending && !in.in_valid)
            in.in_valid = !(cfg->gap_rate > 0 && rng_unit(&tr) < cfg->gap_rate);
        in.out_ready = !(cfg->stall_rate > 0 && rng_unit(&tr) < cfg->stall_rate);
        ops->set(sim, &in);
        vsm_out o;
        ops->get(sim, &o);
        uint64_t cyc = ops->cycle(sim);
        if (o.err != smu_error(u)) {
            rc = fail(res, "%s cycle %llu: err_o %d, golden error flag %d", ops->build, (unsigned long long)cyc, o.err,
                      smu_error(u));
            break;
        }
        if (o.out_valid && in.out_ready) {
            if (fifo_len(q) == 0) {
                rc = fail(res, "%s cycle %llu: output beat with none expected", ops->build, (unsigned long long)cyc);
                break;
            }
            if ((rc = compare(ops, &o, fifo_front(q), cyc, res)))
                break;
            fifo_pop(q);
            res->beats_out++;
        }
        if (in.in_valid && o.in_ready) {
            int nb = smu_exec(u, cur.w, cur.data, obuf);
            if ((nb < 0) != is_bad) {
                rc = fail(res, "%s: generator and golden model disagree on command %08x", ops->build, cur.w[0]);
                break;
            }
            for (int b = 0; b < nb && rc == 0; b++)
                if (fifo_push(q, &obuf[b]))
                    rc = fail(res, "out of memory");
            if (cfg->cmd_out && res->beats_in < cfg->file_limit) {
                write_in(cfg->cmd_out, c, &cur);
                for (int b = 0; b < nb; b++)
                    write_out(cfg->res_out, c, &obuf[b]);
            }
            res->beats_in++;
            res->bad += nb < 0;
            pending = 0;
            in.in_valid = 0;
            idle = 0;
        } else if (++idle > 10000) {
            rc = fail(res, "%s cycle %llu: no progress for 10000 cycles (%zu beats pending)", ops->build,
                      (unsigned long long)cyc, fifo_len(q));
            break;
        }
        if (rc)
            break;
        ops->tick(sim);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->cycles = ops->cycle(sim);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    res->assert_fired = ops->assert_fired(sim);
    res->trace_failed = cfg->trace_path && ops->trace_close(sim) != 0;
    ops->destroy(sim);
    smu_free(u);
    free(obuf);
    free(p.v);
    fifo_free(q);
    return rc;
}
