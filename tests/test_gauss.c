/* test_gauss — the fast Gaussian data of `pimattn run` (harness/run/gauss.c, gauss_lanes.c) against its
 * definition (gauss16_ref: rng_gauss through libm, then float, then FP16), bit for bit, including the
 * generator's state afterwards. SEED=n replays. */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gauss.h"
#include "tb_util.h"

static uint64_t g_seed;
static gauss_ctx *g_ctx, *g_wide, *g_narrow; /* g_ctx: the one under test */

/* n values from seed through both paths: the same bits and the same final state; returns the slow count. */
static size_t compare(uint64_t seed, size_t n, double scale, int eps_shift)
{
    fp16_t *want = malloc((n + 1) * sizeof *want), *got = malloc((n + 1) * sizeof *got);
    assert_non_null(want);
    assert_non_null(got);
    rng r1, r2;
    rng_seed(&r1, seed);
    r2 = r1;
    gauss16_ref(&r1, want, n, scale);
    size_t slow = gauss16_eps(g_ctx, &r2, got, n, scale, eps_shift);
    for (size_t i = 0; i < n; i++)
        if (want[i] != got[i])
            fail_msg(TB_REPLAY "n %zu scale %g eps 2^-%d: value %zu is %04x, the definition gives %04x", g_seed, g_seed, n,
                     scale, eps_shift, i, got[i], want[i]);
    if (memcmp(r1.s, r2.s, sizeof r1.s))
        fail_msg(TB_REPLAY "n %zu scale %g: the generator's state after the values differs", g_seed, g_seed, n, scale);
    free(want);
    free(got);
    return slow;
}

/* Lengths around every round and block boundary, and the run's own (L x 128 per call). */
static void test_equals_definition(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed);
    const size_t lens[] = {0, 1, 15, 16, 255, 256, 257, 511, 512, 513, 4095, 4096, 4097, 16 * 16 * 1024 - 1,
                           16 * 16 * 1024, 16 * 16 * 1024 + 16 * 16 + 7, 2048 * 128, 1000 * 128, 100000 * 128 + 5};
    size_t total = 0, slow = 0;
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        slow += compare(rng_next(&r), lens[i], 1.0, 32);
        total += lens[i];
    }
    printf("  %zu values, scale 1: %zu through the exact computation (tails and unproven values)\n", total, slow);
    /* a state whose first draw is 0 (s[1] = 0): u = 0, which only the definition handles (log(1e-300)) */
    fp16_t want[4096], got[4096];
    rng r1 = {{0x1234567u, 0, 0x89ABCDEFu, 42}}, r2 = r1;
    gauss16_ref(&r1, want, 4096, 1.0);
    size_t z = gauss16(g_ctx, &r2, got, 4096, 1.0);
    assert_true(z >= 1);
    assert_memory_equal(want, got, sizeof want);
    assert_memory_equal(r1.s, r2.s, sizeof r1.s);
}

/* Scales: the query's logit scale, negative (decreasing map), overflow to Inf, FP16 subnormals, zero. */
static void test_scales(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed ^ 0x5CA1Eu);
    const double scales[] = {0.5, 3.0, -1.0, 1.0 / 3, 7777.0, 1e-5, 1e-30, 0.0, -0.0, 65504.0};
    for (size_t i = 0; i < sizeof scales / sizeof scales[0]; i++)
        compare(rng_next(&r), 70000, scales[i], 32);
    compare(rng_next(&r), 3000, INFINITY, 32);
    compare(rng_next(&r), 3000, NAN, 32);
}

/* A wide interval sends most values through the exact path; a narrow one almost none. */
static void test_exact_path(void **state)
{
    (void)state;
    size_t n = 300000, s12 = compare(g_seed + 1, n, 1.0, 12), s20 = compare(g_seed + 2, n, 1.0, 20);
    printf("  exact path: %zu of %zu values at 2^-12, %zu at 2^-20\n", s12, n, s20);
    assert_true(s12 > n / 4);
    assert_true(s20 > 0 && s20 < s12);
}

/* The approximation's error, measured: |g' - g| / s' over random draws and the edges of u and v. */
static void test_error_bound(void **state)
{
    (void)state;
    enum { N = 1 << 20, ROUNDS = 10 };
    uint64_t *a = malloc(N * sizeof *a), *b = malloc(N * sizeof *b);
    double *g = malloc(N * sizeof *g), *s = malloc(N * sizeof *s);
    assert_true(a && b && g && s);
    rng r;
    rng_seed(&r, g_seed ^ 0xE44u);
    double worst = 0;
    uint64_t wa = 0, wb = 0;
    for (int round = 0; round < ROUNDS; round++) {
        for (size_t i = 0; i < N; i++) {
            a[i] = rng_next(&r);
            b[i] = rng_next(&r);
            if (round == 0 && i < 4096) { /* u near 0 and 1; v near 0, 1/4, 1/2, 3/4, 1 */
                uint64_t k = i & 63u, sh = (i >> 6) & 63u;
                a[i] = (i & 1) ? ~0ull - (k << sh) : ((k + 1) << 11) << (sh % 53);
                b[i] = ((uint64_t)(i & 3) << 62) + ((i & 4) ? 0 - (k << sh) : (k << sh));
            }
        }
        gauss_lanes_approx(a, b, N, g, s, g_ctx == g_narrow);
        for (size_t i = 0; i < N; i++) {
            if (!(a[i] >> 11))
                continue; /* u = 0 is left to the exact path (g' is NaN) */
            double u = (double)(a[i] >> 11) * 0x1p-53, v = (double)(b[i] >> 11) * 0x1p-53;
            double want = sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v);
            double err = fabs(g[i] - want) / s[i];
            if (!(err <= worst)) {
                worst = err;
                wa = a[i], wb = b[i];
            }
        }
    }
    printf("  approximation: max |g' - g| / s' = %.3g (2^%.1f) over %d values; the check's interval is s' 2^-32\n",
           worst, log2(worst), N * ROUNDS);
    if (!(worst <= 0x1p-38))
        fail_msg(TB_REPLAY "error %.3g at draws %016" PRIx64 " %016" PRIx64 " exceeds 2^-38", g_seed, g_seed, worst, wa, wb);
    free(a), free(b), free(g), free(s);
}

/* The jump matrices: 2C draws ahead equals 2C calls of rng_next. */
static void test_jumps(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed ^ 0x1u);
    const uint64_t steps[] = {0, 1, 31, 32, 33, 64, 1000, 32768, 16384 * 3 + 7, 1u << 20};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        rng a = r, b = r;
        gauss_jump(g_ctx, &a, steps[i]);
        for (uint64_t k = 0; k < steps[i]; k++)
            (void)rng_next(&b);
        if (memcmp(a.s, b.s, sizeof a.s))
            fail_msg(TB_REPLAY "jump of %" PRIu64 " draws differs from stepping", g_seed, g_seed, steps[i]);
        (void)rng_next(&r);
    }
}

int main(void)
{
    g_seed = tb_seed("test_gauss", "fast Gaussian FP16 data vs its definition");
    g_wide = gauss_new();
    g_narrow = gauss_new();
    if (!g_wide || !g_narrow)
        return 1;
    gauss_force_narrow(g_narrow);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_jumps),      cmocka_unit_test(test_equals_definition), cmocka_unit_test(test_scales),
        cmocka_unit_test(test_exact_path), cmocka_unit_test(test_error_bound),
    };
    int rc = 0;
    for (int narrow = 0; narrow < 2; narrow++) { /* the vectors this machine uses, then 4-lane ones */
        g_ctx = narrow ? g_narrow : g_wide;
        printf("%s\n", narrow ? "4-lane vectors (AVX2 or generic)" : "the widest vectors this machine has");
        rc |= cmocka_run_group_tests_name(narrow ? "narrow" : "native", tests, NULL, NULL);
    }
    gauss_free(g_wide);
    gauss_free(g_narrow);
    return rc;
}
