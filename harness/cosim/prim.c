#include "cosim.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosim_util.h"
#include "fpvec.h"
#include "rng.h"
#include "softmax.h"

static uint32_t g_fp16_mul(uint32_t a, uint32_t b, uint32_t c) { (void)c; return fp16_mul((fp16_t)a, (fp16_t)b); }
static uint32_t g_fp16_mul32(uint32_t a, uint32_t b, uint32_t c) { (void)c; return fp16_mul32((fp16_t)a, (fp16_t)b); }
static uint32_t g_fp16_add(uint32_t a, uint32_t b, uint32_t c) { (void)c; return fp16_add((fp16_t)a, (fp16_t)b); }
static uint32_t g_fp32_add(uint32_t a, uint32_t b, uint32_t c) { (void)c; return fp32_add(a, b); }
static uint32_t g_fp16_mac32(uint32_t a, uint32_t b, uint32_t c) { return fp16_mac32((fp16_t)a, (fp16_t)b, c); }

static uint32_t g_sm_prob(uint32_t a, uint32_t b, uint32_t c)
{
    (void)c;
    return sm_exp2(16, fp32_add(a, b ^ 0x80000000u));
}
static uint32_t g_sm_norm(uint32_t a, uint32_t b, uint32_t c)
{
    (void)c;
    return fp_mul(FP_FMT_FP32, FP_FMT_FP32, b, sm_recip(a));
}
static uint32_t g_fp32_scale2(uint32_t a, uint32_t b, uint32_t c)
{
    (void)c;
    return fp32_scale2(a, (int)(int32_t)b);
}

/* x near an integer maximum m: y = x - m spans the exp2 unit's whole domain [-34, 0] and beyond */
static void op_sm_prob(rng *r, uint32_t *a, uint32_t *b)
{
    uint64_t k = rng_below(r, 8);
    double m = k < 4 ? (double)((int64_t)rng_below(r, 64) - 32) : (double)((int64_t)rng_below(r, 1u << 21) - (1 << 20));
    *b = fp32_ceil(float_to_fp32((float)m));
    if (k == 7) { /* anything at all */
        *a = fpvec_operand(FP_FMT_FP32, r, *b);
        return;
    }
    *a = fp32_add(*b, float_to_fp32(-(float)(36.0 * rng_unit(r))));
}
/* l: positive values of every magnitude; o~ = 1.0 a quarter of the time (the reciprocal itself) */
static void op_sm_norm(rng *r, uint32_t *a, uint32_t *b)
{
    *a = fpvec_operand(FP_FMT_FP32, r, 0);
    if (rng_below(r, 8) != 0)
        *a &= 0x7FFFFFFFu;
    *b = rng_below(r, 4) == 0 ? 0x3F800000u : fpvec_operand(FP_FMT_FP32, r, 0);
}
/* k mostly in [-600, 600] (range edges and the clamp), sometimes any 32-bit integer */
static void op_fp32_scale2(rng *r, uint32_t *a, uint32_t *b)
{
    *a = fpvec_operand(FP_FMT_FP32, r, 0);
    *b = rng_below(r, 8) == 0 ? (uint32_t)rng_next(r) : (uint32_t)((int64_t)rng_below(r, 1201) - 600);
}

static const prim_desc descs[] = {
    {"fp16_mul", {5, 10}, {0, 0}, {5, 10}, 0, g_fp16_mul, NULL},
    {"fp16_mul32", {5, 10}, {0, 0}, {8, 23}, 0, g_fp16_mul32, NULL},
    {"fp16_add", {5, 10}, {0, 0}, {5, 10}, 0, g_fp16_add, NULL},
    {"fp32_add", {8, 23}, {0, 0}, {8, 23}, 0, g_fp32_add, NULL},
    {"fp16_mac32", {5, 10}, {8, 23}, {8, 23}, 1, g_fp16_mac32, NULL},
    {"sm_prob", {8, 23}, {0, 0}, {5, 10}, 0, g_sm_prob, op_sm_prob},
    {"sm_norm", {8, 23}, {0, 0}, {8, 23}, 0, g_sm_norm, op_sm_norm},
    {"fp32_scale2", {8, 23}, {0, 0}, {8, 23}, 0, g_fp32_scale2, op_fp32_scale2},
};

const prim_desc *prim_desc_find(const char *top)
{
    for (size_t i = 0; i < sizeof descs / sizeof descs[0]; i++)
        if (strcmp(descs[i].top, top) == 0)
            return &descs[i];
    return NULL;
}

/* Every build of the family, loaded (vunits.h); 0, or -1 with err naming the first one not built. */
int prim_builds(const vprim_ops **out, size_t max, size_t *n, char *err, size_t en)
{
    size_t k;
    const vu_spec *s = vunit_specs(VU_PRIM, &k);
    for (*n = 0; *n < k && *n < max; (*n)++)
        if (!(out[*n] = vunit_load(VU_PRIM, s[*n].name, err, en)))
            return -1;
    return 0;
}

const vprim_ops *prim_build_load(const char *name, char *err, size_t en) { return vunit_load(VU_PRIM, name, err, en); }

const vprim_ops *prim_build_find(const char *name)
{
    char err[512];
    return vunit_load(VU_PRIM, name, err, sizeof err);
}

typedef struct pending {
    uint32_t a, b, c, y;
    uint64_t in_cycle;
} pending;

/* Operands of vector i: special pairs first, then random. */
static void next_operands(const prim_desc *d, rng *r, uint64_t i, const uint32_t *sp, size_t nsp,
                          uint32_t *a, uint32_t *b, uint32_t *c)
{
    if (i < (uint64_t)nsp * nsp) {
        *a = sp[i / nsp];
        *b = sp[i % nsp];
    } else if (d->operands) {
        d->operands(r, a, b);
    } else {
        *a = fpvec_operand(d->a_fmt, r, 0);
        *b = fpvec_operand(d->a_fmt, r, *a);
    }
    *c = 0;
    if (d->has_c) {
        /* bring c near the product so cancellation and ties happen */
        uint32_t p = fp16_mul32((fp16_t)*a, (fp16_t)*b);
        *c = fpvec_operand(d->c_fmt, r, p);
        if (rng_below(r, 16) == 0)
            *c = p ^ 0x80000000u; /* exact cancellation */
    }
}

int prim_cosim_run(const vprim_ops *ops, const prim_cosim_cfg *cfg, prim_cosim_res *res)
{
    memset(res, 0, sizeof *res);
    const prim_desc *d = prim_desc_find(ops->top);
    if (!d) {
        snprintf(res->first_error, sizeof res->first_error, "no golden model for top '%s'", ops->top);
        return -1;
    }
    char seedarg[64];
    snprintf(seedarg, sizeof seedarg, "+verilator+seed+%u", (unsigned)(cfg->seed % 1000000007u) + 1u);
    const char *argv[] = {"pimattn", cfg->rand_reset ? "+verilator+rand+reset+2" : "+verilator+rand+reset+0",
                          seedarg};
    vprim *sim = ops->create(3, argv);
    if (!sim) {
        snprintf(res->first_error, sizeof res->first_error, "cannot create model %s", ops->build);
        return -1;
    }
    const size_t qcap = 64; /* > stages + 1 */
    pending q[64];
    size_t qh = 0, qn = 0;
    uint32_t sp[64];
    size_t nsp = fpvec_specials(d->a_fmt, sp, 64);
    rng r, gaps;
    rng_seed(&r, cfg->seed);
    rng_seed(&gaps, cfg->seed ^ 0xA5A5A5A5u);

    int trc = cfg->trace_path ? ops->trace_window(sim, cfg->trace_path, cfg->trace_from, cfg->trace_cycles) : 0;
    if (trc) {
        cosim_trace_error(res->first_error, sizeof res->first_error, trc, ops->build, cfg->trace_path);
        ops->destroy(sim);
        return -1;
    }
    ops->reset(sim, 2);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t issued = 0;
    int rc = 0;
    while ((issued < cfg->vectors || qn > 0) && rc == 0) {
        int v_in = issued < cfg->vectors && !(cfg->gap_rate > 0 && rng_unit(&gaps) < cfg->gap_rate);
        uint32_t a = 0, b = 0, c = 0;
        if (v_in) {
            next_operands(d, &r, issued, sp, nsp, &a, &b, &c);
        } else {
            a = (uint32_t)rng_next(&gaps); /* garbage on idle cycles must not leak out */
            b = (uint32_t)rng_next(&gaps);
            c = (uint32_t)rng_next(&gaps);
        }
        ops->set(sim, v_in, a, b, c);
        if (v_in) {
            pending *p = &q[(qh + qn) % qcap];
            p->a = a, p->b = b, p->c = c, p->y = d->golden(a, b, c);
            p->in_cycle = ops->cycle(sim);
            qn++;
            if (cfg->vec_out && issued < cfg->vec_limit)
                fprintf(cfg->vec_out, "%08x %08x %08x %08x\n", a, b, c, p->y);
            issued++;
        }
        int v_out;
        uint32_t y;
        ops->get(sim, &v_out, &y);
        if (v_out) {
            if (qn == 0) {
                snprintf(res->first_error, sizeof res->first_error, "%s: valid_o at cycle %llu with no input pending",
                         ops->build, (unsigned long long)ops->cycle(sim));
                rc = 1;
                res->mismatches++;
                break;
            }
            pending *p = &q[qh];
            uint64_t lat = ops->cycle(sim) - p->in_cycle;
            if (y != p->y || lat != (uint64_t)ops->stages) {
                if (res->mismatches == 0)
                    snprintf(res->first_error, sizeof res->first_error,
                             "%s: a=%08x b=%08x c=%08x: rtl y=%08x, golden y=%08x, latency %llu (expected %d)",
                             ops->build, p->a, p->b, p->c, y, p->y, (unsigned long long)lat, ops->stages);
                res->mismatches++;
                rc = 1;
            }
            qh = (qh + 1) % qcap;
            qn--;
            res->vectors++;
        } else if (qn > 0 && ops->cycle(sim) - q[qh].in_cycle > (uint64_t)ops->stages) {
            snprintf(res->first_error, sizeof res->first_error, "%s: output for a=%08x b=%08x lost (no valid_o after %d cycles)",
                     ops->build, q[qh].a, q[qh].b, ops->stages);
            res->mismatches++;
            rc = 1;
        }
        ops->tick(sim);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    res->cycles = ops->cycle(sim);
    res->seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    res->trace_failed = cfg->trace_path && ops->trace_close(sim) != 0;
    ops->destroy(sim);
    return rc;
}
