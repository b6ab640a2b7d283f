/* test_gemv_golden — the GEMV golden model (csim/gemv.c) on its own: configuration and command checks
 * (the C driver's rejection of bad commands), exact known answers on integer data (every product and
 * sum is exact in FP16 and FP32, so the reference is integer arithmetic), double buffering, and the
 * accuracy of FP16 vs FP32 accumulation against FP64, with the tolerances docs/numerics.md states.
 * SEED=n replays the random data. */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fp.h"
#include "gemv.h"
#include "rng.h"
#include "tb_util.h"

static uint64_t g_seed;

static void test_cfg_check(void **state)
{
    (void)state;
    const struct {
        gemv_cfg c;
        const char *msg;
    } bad[] = {
        {{0, 8, 4, 1}, "rows"},   {{17, 8, 4, 1}, "rows"},  {{1, 1, 4, 1}, "depth"}, {{1, 256, 4, 1}, "depth"},
        {{1, 8, 0, 1}, "slots"},  {{1, 8, 256, 1}, "slots"}, {{1, 8, 4, 2}, "acc_fp32"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *m = gemv_cfg_check(&bad[i].c);
        assert_non_null(m);
        assert_non_null(strstr(m, bad[i].msg));
        assert_null(gemv_new(&bad[i].c));
    }
    gemv_cfg ok = {16, 255, 255, 0};
    assert_null(gemv_cfg_check(&ok));
}

static uint32_t enc(gemv_op op, unsigned buf, unsigned last, unsigned elem, unsigned row, unsigned word, unsigned slot)
{
    gemv_cmd c = {op, buf, last, elem, row, word, slot};
    return gemv_encode(&c);
}

static void test_command_checks(void **state)
{
    (void)state;
    gemv_cfg cfg = {2, 10, 3, 1};
    gemv *g = gemv_new(&cfg);
    assert_non_null(g);
    uint16_t d[16] = {0};
    gemv_beat out[16];
    /* open slot 1 in score mode */
    for (unsigned r = 0; r < 2; r++)
        assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, 0, 0, 0, r, 0, 0), d, out), 0);
    assert_int_equal(gemv_exec(g, enc(GEMV_OP_SCORE, 0, 0, 0, 0, 0, 1), d, out), 0);
    const struct {
        uint32_t w;
        const char *msg;
    } bad[] = {
        {3u, "op 3"},
        {enc(GEMV_OP_WR, 0, 0, 0, 0, 0, 0) | (1u << 30), "bits 31:28"},
        {enc(GEMV_OP_WR, 0, 0, 0, 0, 10, 0), "word out of range"},
        {enc(GEMV_OP_WR, 0, 0, 0, 2, 0, 0), "row out of range"},
        {enc(GEMV_OP_WR, 0, 1, 0, 0, 0, 0), "WR must have"},
        {enc(GEMV_OP_WR, 0, 0, 3, 0, 0, 0), "WR must have"},
        {enc(GEMV_OP_WR, 0, 0, 0, 0, 0, 1), "WR must have"},
        {enc(GEMV_OP_SCORE, 0, 0, 0, 1, 0, 0), "row 0"},
        {enc(GEMV_OP_SCORE, 0, 0, 0, 0, 0, 3), "slot out of range"},
        {enc(GEMV_OP_SCORE, 0, 0, 5, 0, 0, 0), "elem 0"},
        {enc(GEMV_OP_CTX, 0, 0, 0, 0, 0, 1), "other mode"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *m = gemv_check(g, bad[i].w);
        if (!m || !strstr(m, bad[i].msg))
            fail_msg("command %08" PRIx32 ": got '%s', want '%s'", bad[i].w, m ? m : "(accepted)", bad[i].msg);
        assert_int_equal(gemv_exec(g, bad[i].w, d, out), -1);
    }
    assert_true(gemv_error(g));
    int ctx = -1;
    assert_true(gemv_slot_open(g, 1, &ctx)); /* bad commands changed nothing */
    assert_int_equal(ctx, 0);
    /* a MAC must not read a word some row has not written: a driver rule the RTL cannot see */
    const char *m = gemv_check(g, enc(GEMV_OP_CTX, 1, 1, 15, 0, 9, 2));
    assert_non_null(m);
    assert_non_null(strstr(m, "not written since reset"));
    assert_false(gemv_rtl_rejects(g, enc(GEMV_OP_CTX, 1, 1, 15, 0, 9, 2)));
    assert_null(gemv_check(g, enc(GEMV_OP_WR, 1, 0, 0, 0, 9, 0)));
    assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, 1, 0, 0, 0, 9, 0), d, out), 0);
    assert_non_null(gemv_check(g, enc(GEMV_OP_CTX, 1, 1, 15, 0, 9, 2))); /* row 1 still unwritten */
    assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, 1, 0, 0, 1, 9, 0), d, out), 0);
    assert_null(gemv_check(g, enc(GEMV_OP_CTX, 1, 1, 15, 0, 9, 2)));
    gemv_free(g);
}

static uint16_t h_int(int v) { return fp32_to_fp16(float_to_fp32((float)v)); }
static long long int_of(int f32, uint32_t x) { return (long long)(f32 ? fp32_to_float(x) : (float)fp16_to_double((fp16_t)x)); }

/* Small integers: every product, tree sum and accumulation is exact, so integer arithmetic is the
 * reference. Also checks that MACs read the buffer half they name while the other half is rewritten. */
static void test_exact_integer_answers(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed);
    for (int f32 = 0; f32 <= 1; f32++) {
        gemv_cfg cfg = {4, 8, 2, f32};
        gemv *g = gemv_new(&cfg);
        int q[2][4][8][16]; /* [half][row][word][lane] */
        uint16_t d[16];
        gemv_beat out[16];
        for (int h = 0; h < 2; h++)
            for (int row = 0; row < 4; row++)
                for (int w = 0; w < 8; w++) {
                    for (int i = 0; i < 16; i++)
                        d[i] = h_int(q[h][row][w][i] = (int)rng_below(&r, 9) - 4);
                    assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, (unsigned)h, 0, 0, (unsigned)row, (unsigned)w, 0), d, out), 0);
                }
        for (int key = 0; key < 50; key++) {
            int h = key & 1;
            long long want[4] = {0};
            int n = 0;
            for (int w = 0; w < 8; w++) {
                int k[16];
                for (int i = 0; i < 16; i++)
                    d[i] = h_int(k[i] = (int)rng_below(&r, 9) - 4);
                for (int row = 0; row < 4; row++)
                    for (int i = 0; i < 16; i++)
                        want[row] += (long long)q[h][row][w][i] * k[i];
                /* rewrite the other half mid-key: must not disturb this key */
                n = gemv_exec(g, enc(GEMV_OP_SCORE, (unsigned)h, w == 7, 0, 0, (unsigned)w, (unsigned)(key % 2)), d, out);
            }
            assert_int_equal(n, 1);
            for (int row = 0; row < 4; row++)
                if (int_of(f32, out[0].lane[row]) != want[row])
                    fail_msg("seed %" PRIu64 " acc_fp32=%d key %d row %d: %lld, want %lld", g_seed, f32, key, row,
                             int_of(f32, out[0].lane[row]), want[row]);
            for (int i = 4; i < 16; i++)
                assert_int_equal(out[0].lane[i], 0);
        }
        /* context: probabilities are the buffer words' elements, 40 tokens into slot 1 */
        long long want[4][16] = {{0}};
        for (int t = 0; t < 40; t++) {
            int v[16];
            for (int i = 0; i < 16; i++)
                d[i] = h_int(v[i] = (int)rng_below(&r, 9) - 4);
            unsigned w = (unsigned)(t % 8), e = (unsigned)(t % 16);
            for (int row = 0; row < 4; row++)
                for (int i = 0; i < 16; i++)
                    want[row][i] += (long long)q[1][row][w][e] * v[i];
            int n = gemv_exec(g, enc(GEMV_OP_CTX, 1, t == 39, e, 0, w, 1), d, out);
            assert_int_equal(n, t == 39 ? 4 : 0);
        }
        for (int row = 0; row < 4; row++) {
            assert_int_equal(out[row].row, row);
            assert_int_equal(out[row].last_beat, row == 3);
            for (int i = 0; i < 16; i++)
                assert_true(int_of(f32, out[row].lane[i]) == want[row][i]);
        }
        gemv_free(g);
    }
}

static uint16_t h_of(double x) { return fp32_to_fp16(float_to_fp32((float)x)); }
static double dbl(int f32, uint32_t x) { return f32 ? (double)fp32_to_float(x) : fp16_to_double((fp16_t)x); }

/* q.k over d = 128: max |golden - FP64| over keys, the FP64 value computed from the same FP16 inputs. */
static double qk_error(int f32, uint64_t seed, int keys)
{
    rng r;
    rng_seed(&r, seed);
    gemv_cfg cfg = {1, 8, 1, f32};
    gemv *g = gemv_new(&cfg);
    uint16_t q[8][16], d[16];
    gemv_beat out[1];
    for (int w = 0; w < 8; w++) {
        for (int i = 0; i < 16; i++)
            q[w][i] = h_of(tb_gauss(&r));
        gemv_exec(g, enc(GEMV_OP_WR, 0, 0, 0, 0, (unsigned)w, 0), q[w], out);
    }
    double worst = 0;
    for (int k = 0; k < keys; k++) {
        double ref = 0;
        for (int w = 0; w < 8; w++) {
            for (int i = 0; i < 16; i++) {
                d[i] = h_of(tb_gauss(&r));
                ref += fp16_to_double(q[w][i]) * fp16_to_double(d[i]);
            }
            gemv_exec(g, enc(GEMV_OP_SCORE, 0, w == 7, 0, 0, (unsigned)w, 0), d, out);
        }
        worst = fmax(worst, fabs(dbl(f32, out[0].lane[0]) - ref));
    }
    gemv_free(g);
    return worst;
}

/* p.V over L tokens (one 16-dim V slice): probabilities = softmax of Gaussian scores rounded to FP16,
 * written 128 per buffer half, alternating halves. Returns rel-L2 error; *maxabs the max abs error. */
static double pv_error(int f32, uint64_t seed, int L, double *maxabs)
{
    rng r;
    rng_seed(&r, seed);
    double *s = malloc((size_t)L * sizeof *s), m = -1e300, sum = 0;
    for (int t = 0; t < L; t++)
        m = fmax(m, s[t] = tb_gauss(&r));
    for (int t = 0; t < L; t++)
        sum += exp(s[t] - m);
    gemv_cfg cfg = {1, 8, 1, f32};
    gemv *g = gemv_new(&cfg);
    gemv_beat out[1];
    uint16_t d[16], p[128];
    double ref[16] = {0};
    for (int t = 0; t < L; t++) {
        if (t % 128 == 0) {
            int n = L - t < 128 ? L - t : 128;
            for (int j = 0; j < 128; j++)
                p[j] = j < n ? h_of(exp(s[t + j] - m) / sum) : 0;
            for (int w = 0; w < 8; w++)
                gemv_exec(g, enc(GEMV_OP_WR, (unsigned)(t / 128) & 1u, 0, 0, 0, (unsigned)w, 0), &p[16 * w], out);
        }
        for (int i = 0; i < 16; i++) {
            d[i] = h_of(tb_gauss(&r));
            ref[i] += fp16_to_double(p[t % 128]) * fp16_to_double(d[i]);
        }
        gemv_exec(g, enc(GEMV_OP_CTX, (unsigned)(t / 128) & 1u, t == L - 1, (unsigned)(t % 16), 0,
                         (unsigned)((t % 128) / 16), 0), d, out);
    }
    double e2 = 0, r2 = 0;
    *maxabs = 0;
    for (int i = 0; i < 16; i++) {
        double e = dbl(f32, out[0].lane[i]) - ref[i];
        e2 += e * e;
        r2 += ref[i] * ref[i];
        *maxabs = fmax(*maxabs, fabs(e));
    }
    gemv_free(g);
    free(s);
    return sqrt(e2 / r2);
}

/* Documented tolerances (docs/numerics.md): the measured values are printed for the docs. */
static void test_accuracy_vs_fp64(void **state)
{
    (void)state;
    double qk32 = qk_error(1, g_seed, 4096), qk16 = qk_error(0, g_seed, 4096);
    print_message("q.k, d = 128, 4096 keys, N(0,1) data: max abs error  FP32 acc %.3g   FP16 acc %.3g\n", qk32, qk16);
    assert_true(qk32 <= 2e-5);
    assert_true(qk16 <= 0.1);
    assert_true(qk16 > 10 * qk32);
    const int Ls[] = {2048, 8192, 32768};
    for (int i = 0; i < 3; i++) {
        double a32, a16;
        double r32 = pv_error(1, g_seed + (uint64_t)i, Ls[i], &a32), r16 = pv_error(0, g_seed + (uint64_t)i, Ls[i], &a16);
        print_message("p.V, L = %5d: rel-L2 error  FP32 acc %.3g (max abs %.3g)   FP16 acc %.3g (max abs %.3g)\n",
                      Ls[i], r32, a32, r16, a16);
        assert_true(r32 <= 1e-5);
        assert_true(r16 <= 0.2);
        assert_true(r16 > 10 * r32);
    }
}

int main(void)
{
    g_seed = tb_seed("test_gemv_golden", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg_check),
        cmocka_unit_test(test_command_checks),
        cmocka_unit_test(test_exact_integer_answers),
        cmocka_unit_test(test_accuracy_vs_fp64),
    };
    return cmocka_run_group_tests_name("gemv_golden", tests, NULL, NULL);
}
