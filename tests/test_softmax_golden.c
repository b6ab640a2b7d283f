/* test_softmax_golden — the softmax golden model (csim/softmax.c) against mathematics:
 * exp2 and reciprocal units vs libm in FP64 (documented error bounds), fp32_ceil / fp32_scale2 vs
 * ceilf / ldexpf, the tiling mask vs the explicit causal and sliding-window definitions over whole
 * prefill matrices, the defined edge cases, and probability accuracy vs an FP64 softmax for
 * L = 1..32K; and the command-level model (csim/sm_unit.c) against that reference algorithm.
 * SEED=n replays the random data. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fp.h"
#include "rng.h"
#include "sm_unit.h"
#include "softmax.h"
#include "tb_util.h"

static uint64_t g_seed;

#define ONE 0x3F800000u /* FP32 1.0 */

static fp32_t f32(float f) { return float_to_fp32(f); }
static double d32(fp32_t x) { return (double)fp32_to_float(x); }

/* worst relative error of sm_exp2 over normal FP16 results, worst absolute error over subnormal ones */
static void exp2_error(int pieces, double *rel, double *abs_sub)
{
    *rel = *abs_sub = 0;
    for (uint32_t i = 0; i <= 25u << 16; i++) { /* y = -i / 2^16 over [-25, 0] */
        fp32_t y = f32(-(float)i / 65536.0f);
        double want = exp2(d32(y)), got = fp16_to_double(sm_exp2(pieces, y));
        if (want >= 0x1p-14)
            *rel = fmax(*rel, fabs(got - want) / want);
        else
            *abs_sub = fmax(*abs_sub, fabs(got - want));
    }
}

static void test_exp2_unit(void **state)
{
    (void)state;
    /* exact points: 2^-k for integer k is exact (down to the smallest subnormal 2^-24) */
    for (int k = 0; k <= 24; k++)
        assert_int_equal(sm_exp2(16, f32(-(float)k)), fp32_to_fp16(f32(ldexpf(1.0f, -k))));
    assert_int_equal(sm_exp2(16, 0x80000000u), 0x3C00);     /* -0 -> 1 */
    assert_int_equal(sm_exp2(16, 0), 0x3C00);               /* +0 -> 1 */
    assert_int_equal(sm_exp2(16, 0xFF800000u), 0);          /* -Inf -> +0 */
    assert_int_equal(sm_exp2(16, f32(-32.0f)), 0);          /* below half the smallest subnormal */
    assert_int_equal(sm_exp2(16, f32(-1e30f)), 0);
    assert_int_equal(sm_exp2(16, f32(0.5f)), FP16_QNAN);    /* y > 0 is outside the unit's domain */
    assert_int_equal(sm_exp2(16, FP32_QNAN), FP16_QNAN);
    /* documented bounds (docs/numerics.md) */
    const int pieces[] = {4, 8, 16, 32, 64};
    /* FP16 half-ulp 4.88e-4 + half the chord error, measured relative at the piece's start (x1.09 at 4
     * pieces) */
    const double bound[] = {2.6e-3, 1.05e-3, 6.2e-4, 5.3e-4, 5.0e-4};
    for (int i = 0; i < 5; i++) {
        double rel, sub;
        exp2_error(pieces[i], &rel, &sub);
        print_message("exp2, %2d pieces: max rel error %.3g (normal FP16 results), max abs error %.3g "
                      "(subnormal results)\n", pieces[i], rel, sub);
        assert_true(rel <= bound[i]);
        assert_true(sub <= 0x1p-25 + 0x1p-14 * (bound[i] - 0x1p-11)); /* half-ulp + approximation */
    }
}

static void test_recip_unit(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed);
    double worst = 0;
    for (int i = 0; i < 2000000; i++) {
        fp32_t l = (fp32_t)(rng_below(&r, 0x7E800000u - 0x00800000u) + 0x00800000u); /* l and 1/l normal */
        double want = 1.0 / d32(l), got = d32(sm_recip(l));
        worst = fmax(worst, fabs(got - want) / want);
    }
    print_message("reciprocal: max rel error %.3g over 2e6 random normal l (FP32 half-ulp <= 5.96e-8)\n", worst);
    assert_true(worst <= 0x1p-24 + 1e-8); /* rounding (half an ulp) + Newton-Raphson residual (3.7e-9) */
    assert_int_equal(sm_recip(ONE), ONE);
    assert_int_equal(sm_recip(f32(4.0f)), f32(0.25f));
    assert_int_equal(sm_recip(0), 0x7F800000u);
    assert_int_equal(sm_recip(0x7F800000u), 0);
    assert_int_equal(sm_recip(f32(-2.0f)), FP32_QNAN);
    assert_int_equal(sm_recip(1u), 0x7F800000u); /* 1 / 2^-149 overflows */
}

static void test_ceil_scale2(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 1);
    for (int i = 0; i < 2000000; i++) {
        fp32_t x = (fp32_t)rng_next(&r);
        if (i % 2)
            x = f32((float)((double)(int64_t)rng_below(&r, 4000) / 8.0 - 250.0)); /* near integers */
        if (fp32_classify(x) == FP_CLASS_NAN)
            continue;
        fp32_t want = f32(ceilf(fp32_to_float(x)));
        if (fp32_classify(want) == FP_CLASS_ZERO)
            want = 0; /* the unit's rule: +0 for (-1, 0] */
        if (fp32_ceil(x) != want)
            fail_msg("seed %llu: fp32_ceil(%08x) = %08x, want %08x", (unsigned long long)g_seed, x, fp32_ceil(x), want);
        int k = (int)rng_below(&r, 700) - 350;
        fp32_t s = f32(ldexpf(fp32_to_float(x), k));
        if (fp32_scale2(x, k) != s)
            fail_msg("seed %llu: fp32_scale2(%08x, %d) = %08x, ldexpf %08x", (unsigned long long)g_seed, x, k,
                     fp32_scale2(x, k), s);
    }
    assert_int_equal(fp32_scale2(f32(1.0f), 100000), 0x7F800000u);
    assert_int_equal(fp32_scale2(f32(-1.0f), -100000), 0x80000000u);
}

/* The mask from offsets equals the explicit definitions over a whole prefill: query row qi (absolute
 * position qi + kv_minus_q) sees key kj iff kj <= q position (causal) and q position - kj < window. */
static void test_mask_from_offsets(void **state)
{
    (void)state;
    const int lq = 45, lkv = 70, kv_minus_q = lkv - lq, tile = 16;
    const uint32_t windows[] = {0, 1, 9, 40};
    for (int wi = 0; wi < 4; wi++) {
        uint32_t w = windows[wi];
        for (int r0 = 0; r0 < lq; r0 += tile)
            for (int c0 = 0; c0 < lkv; c0 += tile)
                for (int i = 0; i < tile && r0 + i < lq; i++) {
                    sm_mask mk = {.len = (uint32_t)(lkv - c0 < tile ? lkv - c0 : tile),
                                  .causal = 1,
                                  .delta = sm_tile_delta(r0, i, c0, kv_minus_q),
                                  .window = w};
                    for (int j = 0; j < tile; j++) {
                        int qpos = r0 + i + kv_minus_q, kpos = c0 + j;
                        int visible = kpos < lkv && kpos <= qpos && (w == 0 || qpos - kpos < (int)w);
                        if (sm_masked(&mk, (uint32_t)j) != !visible)
                            fail_msg("window %u tile (%d,%d) row %d col %d: masked %d, want %d", w, r0, c0, i, j,
                                     sm_masked(&mk, (uint32_t)j), !visible);
                    }
                }
    }
}

static const sm_cfg CFG = {.lanes = 1, .exp_pieces = 16, .in_fp16 = 0};
#define SCALE f32((float)(1.4426950408889634 / sqrt(128.0))) /* log2(e) / sqrt(d), d = 128 */

static void row(const sm_cfg *c, fp32_t scale, const sm_mask *mk, const uint32_t *s, uint32_t n, fp16_t *p,
                sm_res *r)
{
    assert_null(sm_row_check(scale, n));
    sm_row(c, scale, mk, s, n, p, r);
}

static void test_edge_cases(void **state)
{
    (void)state;
    sm_mask all = {.len = 1u << 24};
    static fp16_t p[70000];
    static uint32_t s[70000];
    sm_res r;
    /* L = 1 */
    s[0] = f32(3.0f);
    row(&CFG, ONE, &all, s, 1, p, &r);
    assert_int_equal(p[0], 0x3C00);
    assert_int_equal(r.m, f32(3.0f));
    assert_int_equal(r.l, ONE);
    assert_int_equal(r.rl, ONE);
    assert_false(r.empty || r.nan);
    /* all equal, integer: p = 1 each, l = n exactly, rl = 1/n */
    for (int j = 0; j < 64; j++)
        s[j] = f32(-3.0f);
    row(&CFG, ONE, &all, s, 64, p, &r);
    for (int j = 0; j < 64; j++)
        assert_int_equal(p[j], 0x3C00);
    assert_int_equal(r.l, f32(64.0f));
    assert_int_equal(r.rl, f32(1.0f / 64.0f));
    /* all equal, not integer: m = ceil, every p the same value within the exp2 bound, l = 64 p exactly */
    for (int j = 0; j < 64; j++)
        s[j] = f32(-2.5f);
    row(&CFG, ONE, &all, s, 64, p, &r);
    assert_int_equal(r.m, f32(-2.0f));
    for (int j = 0; j < 64; j++)
        assert_int_equal(p[j], p[0]);
    assert_true(fabs(fp16_to_double(p[0]) / sqrt(0.5) - 1) <= 6.2e-4);
    assert_int_equal(r.l, f32((float)(64 * fp16_to_double(p[0]))));
    /* spread > 2^15: everything more than 32 below the maximum is exactly 0; no overflow anywhere */
    for (int j = 0; j < 100; j++)
        s[j] = f32(j == 50 ? 40000.0f : -40000.0f + (float)j);
    row(&CFG, ONE, &all, s, 100, p, &r);
    for (int j = 0; j < 100; j++)
        assert_int_equal(p[j], j == 50 ? 0x3C00 : 0);
    assert_int_equal(r.l, ONE);
    /* extreme finite scores: largest FP32 magnitudes at scale 1 */
    s[0] = 0x7F7FFFFFu, s[1] = 0xFF7FFFFFu, s[2] = f32(1.0f);
    row(&CFG, ONE, &all, s, 3, p, &r);
    assert_int_equal(p[0], 0x3C00);
    assert_int_equal(p[1], 0);
    assert_int_equal(p[2], 0);
    assert_int_equal(r.m, 0x7F7FFFFFu);
    /* -Inf scores contribute 0; the rest as without them */
    s[0] = 0xFF800000u, s[1] = f32(0.0f), s[2] = 0xFF800000u;
    row(&CFG, ONE, &all, s, 3, p, &r);
    assert_int_equal(p[0], 0);
    assert_int_equal(p[1], 0x3C00);
    assert_int_equal(p[2], 0);
    assert_int_equal(r.l, ONE);
    /* all -Inf, and all masked: empty, zero probabilities, l = rl = +0 (no division by zero) */
    s[1] = 0xFF800000u;
    row(&CFG, ONE, &all, s, 3, p, &r);
    assert_true(r.empty && !r.nan);
    assert_true(p[0] == 0 && p[1] == 0 && p[2] == 0 && r.l == 0 && r.rl == 0);
    sm_mask none = {.len = 0};
    s[0] = FP32_QNAN, s[1] = f32(1.0f), s[2] = f32(2.0f);
    row(&CFG, ONE, &none, s, 3, p, &r);
    assert_true(r.empty && !r.nan); /* a masked NaN is ignored */
    assert_true(p[0] == 0 && p[1] == 0 && p[2] == 0 && r.l == 0 && r.rl == 0 && r.m == 0xFF800000u);
    /* NaN (or +Inf) unmasked: flagged, unmasked probabilities NaN, masked ones 0 */
    sm_mask two = {.len = 2};
    row(&CFG, ONE, &two, s, 3, p, &r);
    assert_true(r.nan && !r.empty);
    assert_true(p[0] == FP16_QNAN && p[1] == FP16_QNAN && p[2] == 0);
    assert_int_equal(r.l, FP32_QNAN);
    assert_int_equal(r.rl, FP32_QNAN);
    s[0] = 0x7F800000u;
    row(&CFG, ONE, &two, s, 3, p, &r);
    assert_true(r.nan);
    /* ragged last tile: entries >= len are 0 and do not take part in the maximum */
    s[0] = f32(1.0f), s[1] = f32(2.0f), s[2] = f32(100.0f);
    row(&CFG, ONE, &two, s, 3, p, &r);
    assert_int_equal(r.m, f32(2.0f));
    assert_int_equal(p[1], 0x3C00);
    assert_int_equal(p[0], 0x3800);
    assert_int_equal(p[2], 0);
    /* FP16 input equals FP32 input of the same values */
    sm_cfg c16 = CFG;
    c16.in_fp16 = 1;
    rng rg;
    rng_seed(&rg, g_seed);
    static uint32_t s16[1000];
    static fp16_t p16[1000];
    for (int j = 0; j < 1000; j++) {
        s16[j] = fp32_to_fp16(f32((float)(8 * rng_unit(&rg) - 4)));
        s[j] = fp16_to_fp32((fp16_t)s16[j]);
    }
    sm_res r16;
    row(&c16, SCALE, &all, s16, 1000, p16, &r16);
    row(&CFG, SCALE, &all, s, 1000, p, &r);
    assert_memory_equal(p, p16, 1000 * sizeof *p);
    assert_int_equal(r.l, r16.l);
    /* bad rows are refused by the driver check */
    assert_non_null(sm_row_check(f32(1.5f), 10));
    assert_non_null(sm_row_check(f32(-0.1f), 10));
    assert_non_null(sm_row_check(0, 10));
    assert_non_null(sm_row_check(SCALE, 0));
    assert_non_null(sm_partial_check(f32(2.5f), ONE));
    assert_non_null(sm_partial_check(f32(2.0f), f32(-1.0f)));
    assert_null(sm_partial_check(0xFF800000u, 0));
}

/* Normalised probabilities p_j * rl vs the FP64 softmax of the same FP32 scores, scores ~ N(0, 128)
 * (q.k of N(0,1) vectors at d = 128), scale log2(e)/sqrt(128). Relative error over entries whose
 * unnormalised p is an FP16 normal; absolute error (relative to the largest probability) elsewhere. */
static void prob_error(const sm_cfg *c, uint64_t seed, uint32_t n, double *rel, double *abs_small)
{
    rng r;
    rng_seed(&r, seed);
    static uint32_t s[32768];
    static fp16_t p[32768];
    double sc = (double)fp32_to_float(SCALE), mx = -1e300, sum = 0;
    for (uint32_t j = 0; j < n; j++) {
        s[j] = f32((float)(tb_gauss(&r) * sqrt(128.0)));
        mx = fmax(mx, d32(s[j]) * sc);
    }
    for (uint32_t j = 0; j < n; j++)
        sum += exp2(d32(s[j]) * sc - mx);
    sm_mask all = {.len = n};
    sm_res res;
    row(c, SCALE, &all, s, n, p, &res);
    *rel = *abs_small = 0;
    double pmax = 1.0 / sum;
    for (uint32_t j = 0; j < n; j++) {
        double want = exp2(d32(s[j]) * sc - mx) / sum, got = fp16_to_double(p[j]) * d32(res.rl);
        if (p[j] >= 0x0400)
            *rel = fmax(*rel, fabs(got - want) / want);
        else
            *abs_small = fmax(*abs_small, fabs(got - want) / pmax);
    }
}

static void test_probability_accuracy(void **state)
{
    (void)state;
    const uint32_t ns[] = {1, 2, 3, 17, 128, 1000, 2048, 8192, 32768};
    const int lanes[] = {1, 4, 16};
    double worst = 0, worst_small = 0;
    for (int li = 0; li < 3; li++)
        for (int i = 0; i < 9; i++) {
            sm_cfg c = CFG;
            c.lanes = lanes[li];
            double rel, sm;
            prob_error(&c, g_seed + (uint64_t)i, ns[i], &rel, &sm);
            worst = fmax(worst, rel);
            worst_small = fmax(worst_small, sm);
            if (li == 0)
                print_message("probabilities, L = %5u: max rel error %.3g (FP16-normal p), max abs error %.3g "
                              "of the largest (others)\n", ns[i], rel, sm);
        }
    assert_true(worst <= 1e-3);
    assert_true(worst_small <= 1e-4);
}

/* The command-level model (csim/sm_unit.c) equals the reference algorithm (sm_row, sm_merge_*) on
 * random rows (random lanes, lengths, masks, special scores) and random merges. */
static void test_unit_equals_reference(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 7);
    static uint32_t s[4096];
    static fp16_t pref[4096];
    smu_beat out[260];
    for (int it = 0; it < 300; it++) {
        int lanes = 1 << rng_below(&r, 5);
        smu_cfg uc = {lanes, 4 << rng_below(&r, 5), (int)rng_below(&r, 2), lanes * (1 + (int)rng_below(&r, 256 / lanes))};
        smu *u = smu_new(&uc);
        assert_non_null(u);
        uint32_t beats = 1 + (uint32_t)rng_below(&r, 4096 / (uint64_t)lanes), n = beats * (uint32_t)lanes;
        sm_mask mk = {.len = (uint32_t)rng_below(&r, n + 2), .causal = (int)rng_below(&r, 2),
                      .delta = (int64_t)rng_below(&r, n + 8) - 4, .window = (uint32_t)rng_below(&r, 3) * (uint32_t)rng_below(&r, n)};
        for (uint32_t j = 0; j < n; j++) {
            double v = tb_gauss(&r) * 12;
            s[j] = uc.in_fp16 ? fp32_to_fp16(f32((float)v)) : f32((float)v);
            if (rng_below(&r, 500) == 0)
                s[j] = uc.in_fp16 ? 0xFC00u : 0xFF800000u;
        }
        if (rng_below(&r, 20) == 0)
            s[rng_below(&r, n)] = uc.in_fp16 ? 0x7E00u : FP32_QNAN;
        sm_cfg c = {lanes, uc.exp_pieces, uc.in_fp16};
        sm_res ref;
        sm_row(&c, SCALE, &mk, s, n, pref, &ref);
        smu_cmd cmd = {.op = SMU_ROW, .causal = (unsigned)mk.causal, .window = mk.window, .len = mk.len,
                       .delta = (int32_t)mk.delta};
        uint32_t w[3], d0[16] = {SCALE};
        smu_encode(&cmd, w);
        assert_int_equal(smu_exec(u, w, d0, out), 0);
        for (int pass = 1; pass <= 2; pass++)
            for (uint32_t b = 0; b < beats; b++) {
                cmd = (smu_cmd){.op = pass == 1 ? SMU_MAX : SMU_EXP, .last = pass == 2 && b == beats - 1};
                smu_encode(&cmd, w);
                int nb = smu_exec(u, w, &s[b * (uint32_t)lanes], out);
                assert_int_equal(nb, pass == 1 ? 0 : (cmd.last ? 2 : 1));
                for (int i = 0; pass == 2 && i < lanes; i++)
                    if (out[0].data[i] != pref[b * (uint32_t)lanes + (uint32_t)i])
                        fail_msg(TB_REPLAY "iteration %d: p[%u] unit %04x, reference %04x", g_seed, g_seed, it,
                                 b * (uint32_t)lanes + (uint32_t)i, out[0].data[i], pref[b * (uint32_t)lanes + (uint32_t)i]);
            }
        assert_int_equal(out[1].kind, SMU_ROW_RES);
        assert_true(out[1].m == ref.m && out[1].l == ref.l && out[1].rl == ref.rl);
        assert_true(out[1].empty == ref.empty && out[1].nan == ref.nan);
        /* a merge of random partials, some empty */
        int d = uc.merge_d, parts = 1 + (int)rng_below(&r, 6);
        sm_merge *g = sm_merge_new(d);
        static fp32_t o[256], ref_o[256];
        for (int p = 0; p < parts; p++) {
            fp32_t m = rng_below(&r, 8) == 0 ? 0xFF800000u : f32((float)((int)rng_below(&r, 80) - 40));
            fp32_t l = rng_below(&r, 8) == 0 ? 0 : f32((float)(1 + 100 * rng_unit(&r)));
            for (int k = 0; k < d; k++)
                o[k] = f32((float)tb_gauss(&r));
            sm_merge_add(g, m, l, o);
            cmd = (smu_cmd){.op = SMU_PART, .m = m, .l = l};
            smu_encode(&cmd, w);
            assert_int_equal(smu_exec(u, w, d0, out), 0);
            cmd = (smu_cmd){.op = SMU_PVEC};
            smu_encode(&cmd, w);
            for (int k = 0; k < d; k += lanes)
                assert_int_equal(smu_exec(u, w, &o[k], out), 0);
        }
        int norm = (int)rng_below(&r, 2);
        sm_res mr;
        sm_merge_finish(g, norm, ref_o, &mr);
        sm_merge_free(g);
        cmd = (smu_cmd){.op = SMU_MEND, .normalise = (unsigned)norm};
        smu_encode(&cmd, w);
        assert_int_equal(smu_exec(u, w, d0, out), d / lanes + 1);
        for (int k = 0; k < d; k++)
            assert_int_equal(out[k / lanes].data[k % lanes], ref_o[k]);
        assert_true(out[d / lanes].m == mr.m && out[d / lanes].l == mr.l && out[d / lanes].rl == mr.rl);
        assert_false(smu_error(u));
        smu_free(u);
    }
}

static void test_unit_bad_commands(void **state)
{
    (void)state;
    smu_cfg uc = {4, 16, 0, 8};
    smu *u = smu_new(&uc);
    uint32_t d[16] = {SCALE}, w[3];
    smu_beat out[8];
    smu_cmd bad[] = {{.op = SMU_MAX}, {.op = SMU_EXP}, {.op = SMU_PVEC}, {.op = SMU_ROW, .len = (1u << 24) + 1},
                     {.op = SMU_PART, .m = f32(1.5f), .l = ONE}, {.op = SMU_PART, .m = ONE, .l = f32(-1.0f)},
                     {.op = SMU_MAX, .last = 1}, {.op = SMU_MEND, .causal = 1}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        smu_encode(&bad[i], w);
        assert_non_null(smu_check(u, w, d));
        assert_int_equal(smu_exec(u, w, d, out), -1);
    }
    w[0] = 6, w[1] = w[2] = 0;
    assert_int_equal(smu_exec(u, w, d, out), -1);
    d[0] = f32(2.0f); /* scale out of range */
    smu_cmd row = {.op = SMU_ROW, .len = 8};
    smu_encode(&row, w);
    assert_int_equal(smu_exec(u, w, d, out), -1);
    assert_int_equal(smu_state(u), 0);
    d[0] = SCALE;
    assert_int_equal(smu_exec(u, w, d, out), 0);
    assert_int_equal(smu_exec(u, w, d, out), -1); /* ROW inside a row */
    smu_cmd part = {.op = SMU_PART, .m = ONE, .l = ONE};
    smu_encode(&part, w);
    assert_int_equal(smu_exec(u, w, d, out), -1); /* PART inside a row */
    assert_true(smu_error(u));
    smu_free(u);
    smu_cfg badcfg = {4, 16, 0, 6};
    assert_non_null(smu_cfg_check(&badcfg));
    assert_null(smu_new(&badcfg));
}

int main(void)
{
    g_seed = tb_seed("test_softmax_golden", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exp2_unit),
        cmocka_unit_test(test_recip_unit),
        cmocka_unit_test(test_ceil_scale2),
        cmocka_unit_test(test_mask_from_offsets),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_probability_accuracy),
        cmocka_unit_test(test_unit_equals_reference),
        cmocka_unit_test(test_unit_bad_commands),
    };
    return cmocka_run_group_tests_name("softmax_golden", tests, NULL, NULL);
}
