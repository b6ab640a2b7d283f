/* test_kvfmt — the KV formats' specification (csim/kvfmt.h): its FP16 and BF16 variants equal the GEMV
 * unit's golden model (gemv.h, FP32 accumulation, kv_fmt FP16 or BF16) bit for bit; the rounding of doubles to FP16/BF16 equals fp.h's from binary32 values; INT8
 * scores are the exact integer dot product rounded once. Then each format's decode-attention accuracy
 * against FP64 attention on the unquantised values (d = 128, L = 2K, 8K, 32K; Gaussian and outlier-heavy
 * data; the softmax unit's golden model in between), with the asserted bounds of docs/numerics.md
 * "KV formats". SEED=n replays. */
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
#include "gemv.h"
#include "kvfmt.h"
#include "rng.h"
#include "softmax.h"
#include "tb_util.h"

#define D 128
#define LMAX 32768

static uint64_t g_seed;

static uint32_t enc(gemv_op op, unsigned buf, unsigned last, unsigned elem, unsigned word, unsigned slot)
{
    gemv_cmd c = {op, buf, last, elem, 0, word, slot, 0};
    return gemv_encode(&c);
}

/* The spec's 16-bit formats = the unit's golden model in that format (gemv.h kv_fmt; score and context),
 * random vectors; BF16 also with products below FP32's normal range (q ~ 1e-22, k ~ 1e-20: subnormal
 * and zero products) and above 1e36. */
static void unit_equals_spec(kvf_fmt16 f)
{
    rng r;
    rng_seed(&r, g_seed);
    gemv_cfg cfg = {1, D / 16, D / 16, 1, f};
    gemv *g = gemv_new(&cfg);
    assert_non_null(g);
    gemv_beat out[1];
    const int bf = f == KVF_BF16;
    for (int n = 0; n < 2000; n++) {
        uint16_t q[D], k[D];
        const double sq = bf && n % 11 == 0 ? 1e-22 : bf && n % 13 == 0 ? 1e18 : n % 7 ? 1 : 300,
                     sk = bf && n % 11 == 0 ? 1e-20 : bf && n % 13 == 0 ? 1e19 : n % 5 ? 1 : 1e-4;
        for (int i = 0; i < D; i++) {
            q[i] = kvf_round16(f, tb_gauss(&r) * sq);
            k[i] = kvf_round16(f, tb_gauss(&r) * sk);
        }
        for (int w = 0; w < D / 16; w++)
            assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, 0, 0, 0, (unsigned)w, 0), &q[16 * w], out), 0);
        for (int w = 0; w < D / 16; w++)
            gemv_exec(g, enc(GEMV_OP_SCORE, 0, w == D / 16 - 1, 0, (unsigned)w, 0), &k[16 * w], out);
        fp32_t want = out[0].lane[0], got = kvf_score16(f, q, k, D);
        if (got != want)
            fail_msg(TB_REPLAY "%s vector %d: score %08x, the unit %08x", g_seed, g_seed, bf ? "BF16" : "FP16", n, got,
                     want);
        /* context: 16 tokens of p . V for the 16-dimension slice c = 0 (p in FP16 either way) */
        uint16_t p[16], v[16][16];
        for (int t = 0; t < 16; t++) {
            p[t] = kvf_round16(KVF_FP16, fabs(tb_gauss(&r)) * (n % 3 ? 1 : 1e-6));
            for (int i = 0; i < 16; i++)
                v[t][i] = kvf_round16(f, tb_gauss(&r) * (bf && n % 11 == 0 ? 1e-35 : 1));
        }
        assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, 1, 0, 0, 0, 0), p, out), 0);
        fp32_t acc[16];
        for (int i = 0; i < 16; i++)
            acc[i] = 0x80000000u;
        for (int t = 0; t < 16; t++) {
            gemv_exec(g, enc(GEMV_OP_CTX, 1, t == 15, (unsigned)t, 0, 0), v[t], out);
            kvf_ctx16(f, acc, p[t], v[t], 16);
        }
        if (memcmp(acc, out[0].lane, sizeof acc))
            fail_msg(TB_REPLAY "%s vector %d: context differs from the unit's", g_seed, g_seed, bf ? "BF16" : "FP16", n);
    }
    gemv_free(g);
}

static void test_fp16_is_the_unit(void **state)
{
    (void)state;
    unit_equals_spec(KVF_FP16);
}

static void test_bf16_is_the_unit(void **state)
{
    (void)state;
    unit_equals_spec(KVF_BF16);
}

/* Rounding a double once = fp.h's rounding of the same value as binary32 (every binary32 value is a double). */
static void test_round16(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 1);
    for (int n = 0; n < 1000000; n++) {
        uint32_t bits = (uint32_t)rng_next(&r);
        if ((bits & 0x7F800000u) == 0x7F800000u)
            continue;
        double x = fp32_to_float(bits);
        if (kvf_round16(KVF_FP16, x) != fp32_to_fp16(bits) || kvf_round16(KVF_BF16, x) != fp32_to_bf16(bits))
            fail_msg(TB_REPLAY "binary32 %08x: FP16 %04x (fp.h %04x), BF16 %04x (fp.h %04x)", g_seed, g_seed, bits,
                     kvf_round16(KVF_FP16, x), fp32_to_fp16(bits), kvf_round16(KVF_BF16, x), fp32_to_bf16(bits));
    }
    /* ties that binary32 cannot hold: 1 + 2^-11 + 2^-40 is above FP16's tie, 1 + 2^-11 is on it (even: 1) */
    assert_int_equal(kvf_round16(KVF_FP16, 1 + 0x1p-11 + 0x1p-40), 0x3C01);
    assert_int_equal(kvf_round16(KVF_FP16, 1 + 0x1p-11), 0x3C00);
    assert_int_equal(kvf_round16(KVF_BF16, -(1 + 0x1p-8 + 0x1p-45)), 0xBF81);
}

/* INT8: the score is the exact dot product times the exact scale product, rounded once. */
static void test_int8_score(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 2);
    int8_t q[D], k[D];
    for (int n = 0; n < 100000; n++) {
        int64_t dot = 0;
        for (int i = 0; i < D; i++) {
            q[i] = n == 0 ? 127 : (int8_t)((int)rng_below(&r, 255) - 127);
            k[i] = n == 0 ? -127 : (int8_t)((int)rng_below(&r, 255) - 127);
            dot += q[i] * k[i];
        }
        fp16_t sq = kvf_round16(KVF_FP16, ldexp(1 + (double)rng_below(&r, 1024) / 1024, -(int)rng_below(&r, 20)));
        fp16_t sk = kvf_round16(KVF_FP16, ldexp(1 + (double)rng_below(&r, 1024) / 1024, -(int)rng_below(&r, 20)));
        double exact = (double)dot * fp16_to_double(sq) * fp16_to_double(sk); /* < 2^53 significant bits */
        fp32_t want = float_to_fp32((float)exact);
        if (kvf_score_i8(q, sq, k, sk, D) != want)
            fail_msg(TB_REPLAY "vector %d: dot %lld", g_seed, g_seed, n, (long long)dot);
    }
    assert_int_equal(kvf_quant(1000, kvf_scale((double[]){7.0}, 1)), 127); /* clamped */
    assert_int_equal(kvf_quant(-1000, kvf_scale((double[]){7.0}, 1)), -127);
    assert_int_equal(kvf_quant(3, kvf_scale((double[]){0.0}, 1)), 0); /* an all-zero block */
}

/* ---- accuracy against FP64 -------------------------------------------------------------------------------- */

enum { FMT_FP16, FMT_BF16, FMT_INT8 };
static const char *const fmt_names[] = {"fp16", "bf16", "int8"};

typedef struct {
    int L;
    double q[D], *K, *V, ref[D];
} data;

/* Gaussian N(0, 1); outliers: K channels 0..3 x 20 (the channel outliers of LLM keys), 1 % of V x 20. */
static void make_data(data *a, int L, int outliers, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    a->L = L;
    a->K = malloc((size_t)L * D * sizeof *a->K);
    a->V = malloc((size_t)L * D * sizeof *a->V);
    assert_true(a->K && a->V);
    for (int i = 0; i < D; i++)
        a->q[i] = tb_gauss(&r);
    for (size_t j = 0; j < (size_t)L; j++)
        for (int i = 0; i < D; i++) {
            a->K[j * D + i] = tb_gauss(&r) * (outliers && i < 4 ? 20 : 1);
            a->V[j * D + i] = tb_gauss(&r) * (outliers && rng_below(&r, 100) == 0 ? 20 : 1);
        }
    double *s = malloc((size_t)L * sizeof *s), mx = -INFINITY, sum = 0;
    assert_non_null(s);
    for (int j = 0; j < L; j++) {
        double x = 0;
        for (int i = 0; i < D; i++)
            x += a->q[i] * a->K[(size_t)j * D + i];
        mx = fmax(mx, s[j] = x / sqrt((double)D));
    }
    memset(a->ref, 0, sizeof a->ref);
    for (int j = 0; j < L; j++) {
        double w = exp(s[j] - mx);
        sum += w;
        for (int i = 0; i < D; i++)
            a->ref[i] += w * a->V[(size_t)j * D + i];
    }
    for (int i = 0; i < D; i++)
        a->ref[i] /= sum;
    free(s);
}

/* Decode attention of one query head in format fmt (INT8: K/V blocks of `block` tokens): scores, the softmax
 * unit's row (golden model), the context, deferred normalisation; rel-L2 against the FP64 reference. */
static double attention(const data *a, int fmt, int block)
{
    static uint32_t s[LMAX];
    static fp16_t p[LMAX];
    static uint16_t q16[D], k16[D], v16[D];
    static int8_t q8[D], k8[D], v8[32 * D], p8[32];
    const int L = a->L;
    fp16_t sq = 0, *sb = malloc(((size_t)L / (size_t)block + 1) * 2 * sizeof *sb); /* K then V scale per block */
    assert_non_null(sb);
    if (fmt == FMT_INT8) {
        sq = kvf_scale(a->q, D);
        for (int i = 0; i < D; i++)
            q8[i] = kvf_quant(a->q[i], sq);
        for (int b = 0; b * block < L; b++) {
            size_t n = (size_t)(L - b * block < block ? L - b * block : block) * D;
            sb[2 * b] = kvf_scale(&a->K[(size_t)b * block * D], n);
            sb[2 * b + 1] = kvf_scale(&a->V[(size_t)b * block * D], n);
        }
    } else
        for (int i = 0; i < D; i++)
            q16[i] = kvf_round16((kvf_fmt16)fmt, a->q[i]);
    for (int j = 0; j < L; j++) {
        const double *k = &a->K[(size_t)j * D];
        if (fmt == FMT_INT8) {
            fp16_t sk = sb[2 * (j / block)];
            for (int i = 0; i < D; i++)
                k8[i] = kvf_quant(k[i], sk);
            s[j] = kvf_score_i8(q8, sq, k8, sk, D);
        } else {
            for (int i = 0; i < D; i++)
                k16[i] = kvf_round16((kvf_fmt16)fmt, k[i]);
            s[j] = kvf_score16((kvf_fmt16)fmt, q16, k16, D);
        }
    }
    const sm_cfg cfg = {.lanes = 1, .exp_pieces = 16, .in_fp16 = 0};
    const fp32_t scale = float_to_fp32((float)(1.4426950408889634 / sqrt((double)D)));
    sm_mask mk = {.len = (uint32_t)L};
    sm_res r;
    sm_row(&cfg, scale, &mk, s, (uint32_t)L, p, &r);
    assert_false(r.empty || r.nan);
    fp32_t acc[D];
    for (int i = 0; i < D; i++)
        acc[i] = 0x80000000u;
    if (fmt == FMT_INT8)
        for (int w = 0; w * 32 < L; w++) { /* one 32-token word of probabilities, inside one V block */
            int n = L - w * 32 < 32 ? L - w * 32 : 32;
            double pd[32];
            for (int t = 0; t < n; t++)
                pd[t] = fp16_to_double(p[w * 32 + t]);
            fp16_t sp = kvf_scale(pd, (size_t)n), sv = sb[2 * (w * 32 / block) + 1];
            for (int t = 0; t < n; t++) {
                p8[t] = kvf_quant(pd[t], sp);
                for (int i = 0; i < D; i++)
                    v8[t * D + i] = kvf_quant(a->V[(size_t)(w * 32 + t) * D + i], sv);
            }
            kvf_ctx_i8(acc, p8, sp, v8, sv, n, D);
        }
    else
        for (int j = 0; j < L; j++) {
            for (int i = 0; i < D; i++)
                v16[i] = kvf_round16((kvf_fmt16)fmt, a->V[(size_t)j * D + i]);
            kvf_ctx16((kvf_fmt16)fmt, acc, p[j], v16, D);
        }
    double e2 = 0, r2 = 0;
    for (int i = 0; i < D; i++) {
        double o = (double)fp32_to_float(fp_mul(FP_FMT_FP32, FP_FMT_FP32, acc[i], r.rl));
        e2 += (o - a->ref[i]) * (o - a->ref[i]);
        r2 += a->ref[i] * a->ref[i];
    }
    free(sb);
    return sqrt(e2 / r2);
}

/* The bounds of docs/numerics.md "KV formats" (rel-L2 of the output against FP64 on the unquantised values). */
static double bound(int fmt, int outliers)
{
    static const double b[3][2] = {{1e-3, 1e-2}, {8e-3, 8e-2}, {4e-2, 6e-1}}; /* 2 to 2.5 x the worst of 20 seeds */
    return b[fmt][outliers];
}

static void test_accuracy(void **state)
{
    (void)state;
    const int Ls[] = {2048, 8192, 32768};
    for (int o = 0; o < 2; o++)
        for (int k = 0; k < 3; k++) {
            data a;
            make_data(&a, Ls[k], o, g_seed + 10 + (uint64_t)(3 * o + k));
            double e[4] = {attention(&a, FMT_FP16, 32), attention(&a, FMT_BF16, 32), attention(&a, FMT_INT8, 32),
                           attention(&a, FMT_INT8, 128)};
            printf("  %-9s L = %5d: rel-L2 vs FP64  fp16 %.2e  bf16 %.2e  int8 B=32 %.2e  int8 B=128 %.2e\n",
                   o ? "outliers" : "gaussian", a.L, e[0], e[1], e[2], e[3]);
            for (int f = 0; f < 4; f++)
                if (!(e[f] <= bound(f < 3 ? f : FMT_INT8, o)))
                    fail_msg(TB_REPLAY "%s, L = %d, %s%s: rel-L2 %.3g above the bound %.3g", g_seed, g_seed,
                             o ? "outliers" : "gaussian", a.L, fmt_names[f < 3 ? f : 2], f == 3 ? " B=128" : "", e[f],
                             bound(f < 3 ? f : FMT_INT8, o));
            free(a.K);
            free(a.V);
        }
}

int main(void)
{
    g_seed = tb_seed("test_kvfmt", NULL);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_fp16_is_the_unit), cmocka_unit_test(test_bf16_is_the_unit),
                                       cmocka_unit_test(test_round16),
                                       cmocka_unit_test(test_int8_score), cmocka_unit_test(test_accuracy)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
