/* test_fp_golden — the golden FP model (csim/fp.c) against independent references:
 * GCC _Float16 / float arithmetic (correctly rounded: binary32 holds FP16 sums and products with
 * 24 >= 2*11 + 2 bits, so rounding through float is exact-then-once), glibc fmaf for the fused MAC,
 * and a bit-level BF16 rounding reference written here (GCC 12 has no __bf16).
 * SEED=n replays the random vectors; PIMATTN_REGRESS=1 adds the exhaustive 2^32 sweeps. */
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
#include "fpvec.h"
#include "rng.h"
#include "tb_util.h"

#define NRANDOM 10000000ull

static uint64_t g_seed;

static _Float16 h_of(uint16_t b)
{
    _Float16 h;
    memcpy(&h, &b, 2);
    return h;
}

static uint16_t bits_h(_Float16 h)
{
    uint16_t b;
    memcpy(&b, &h, 2);
    return h != h ? FP16_QNAN : b;
}

static uint32_t bits_f(float f) { return f != f ? FP32_QNAN : float_to_fp32(f); }

/* Independent BF16 reference: add half an ulp (minus one when the kept lsb is even) and truncate. */
static uint16_t ref_fp32_to_bf16(uint32_t x)
{
    if ((x & 0x7F800000u) == 0x7F800000u && (x & 0x007FFFFFu))
        return BF16_QNAN;
    uint32_t lsb = (x >> 16) & 1u;
    return (uint16_t)((x + 0x7FFFu + lsb) >> 16);
}

static uint32_t ref_bf16_to_fp32(uint16_t b)
{
    if ((b & 0x7F80u) == 0x7F80u && (b & 0x7Fu))
        return FP32_QNAN;
    return (uint32_t)b << 16;
}

#define CHECK_EQ(got, want, fmt, ...)                                                                             \
    do {                                                                                                          \
        if ((got) != (want))                                                                                      \
            fail_msg("seed %" PRIu64 ": " fmt ": golden %08" PRIx32 ", reference %08" PRIx32, g_seed, __VA_ARGS__, \
                     (uint32_t)(got), (uint32_t)(want));                                                          \
    } while (0)

static void test_classify_pack(void **state)
{
    (void)state;
    for (uint32_t x = 0; x < 65536; x++) {
        float f = fp32_to_float(fp16_to_fp32((fp16_t)x));
        int want;
        switch (fpclassify(f)) {
        case FP_NAN: want = FP_CLASS_NAN; break;
        case FP_INFINITE: want = FP_CLASS_INF; break;
        case FP_ZERO: want = FP_CLASS_ZERO; break;
        default: want = fabsf(f) < 0x1p-14f ? FP_CLASS_SUBNORMAL : FP_CLASS_NORMAL; break;
        }
        CHECK_EQ((uint32_t)fp16_classify((fp16_t)x), (uint32_t)want, "classify fp16 %04" PRIx32, x);
        uint32_t back = 0;
        assert_true(fp_pack(FP_FMT_FP16, fp_unpack(FP_FMT_FP16, x), &back));
        CHECK_EQ(back, x, "pack(unpack(%04" PRIx32 "))", x);
    }
    uint32_t out = 12345;
    assert_false(fp_pack(FP_FMT_FP16, (fp_fields){0, 32, 0}, &out));
    assert_false(fp_pack(FP_FMT_FP16, (fp_fields){0, 1, 1024}, &out));
    assert_false(fp_pack(FP_FMT_FP16, (fp_fields){2, 1, 0}, &out));
    assert_int_equal(out, 12345);
    assert_int_equal(fp32_classify(0x00000001u), FP_CLASS_SUBNORMAL);
    assert_int_equal(fp32_classify(0xFF800000u), FP_CLASS_INF);
    assert_int_equal(bf16_classify(0x7F81u), FP_CLASS_NAN);
    assert_int_equal(fp_qnan(FP_FMT_FP16), FP16_QNAN);
    assert_int_equal(fp_qnan(FP_FMT_BF16), BF16_QNAN);
    assert_int_equal(fp_qnan(FP_FMT_FP32), FP32_QNAN);
}

static void test_convert_fp16_all(void **state)
{
    (void)state;
    for (uint32_t x = 0; x < 65536; x++) {
        uint32_t want = bits_f((float)h_of((uint16_t)x));
        CHECK_EQ(fp16_to_fp32((fp16_t)x), want, "fp16_to_fp32(%04" PRIx32 ")", x);
        uint32_t back = fp32_to_fp16(fp16_to_fp32((fp16_t)x));
        uint32_t wback = fp16_classify((fp16_t)x) == FP_CLASS_NAN ? FP16_QNAN : x;
        CHECK_EQ(back, wback, "fp32_to_fp16(fp16_to_fp32(%04" PRIx32 "))", x);
    }
}

static void test_convert_fp32_to_fp16_random(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed);
    for (uint64_t i = 0; i < NRANDOM; i++) {
        uint32_t x = (uint32_t)rng_next(&r);
        if (i & 1) /* FP16 range, with halfway and near-halfway fraction tails */
            x = (x & 0x80000000u) | ((uint32_t)(127 - 26 + rng_below(&r, 45)) << 23) |
                ((x & 0x7FFFFFu) & ~((1u << rng_below(&r, 14)) - 1u));
        uint32_t want = bits_h((_Float16)fp32_to_float(x));
        CHECK_EQ(fp32_to_fp16(x), want, "fp32_to_fp16(%08" PRIx32 ")", x);
    }
}

static void test_convert_bf16(void **state)
{
    (void)state;
    for (uint32_t b = 0; b < 65536; b++)
        CHECK_EQ(bf16_to_fp32((bf16_t)b), ref_bf16_to_fp32((uint16_t)b), "bf16_to_fp32(%04" PRIx32 ")", b);
    rng r;
    rng_seed(&r, g_seed + 1);
    for (uint64_t i = 0; i < NRANDOM; i++) {
        uint32_t x = (uint32_t)rng_next(&r);
        if (i % 4 == 1)
            x = (x & 0xFFFF0000u) | 0x8000u; /* exact ties */
        else if (i % 4 == 2)
            x &= 0x807FFFFFu; /* subnormals */
        CHECK_EQ(fp32_to_bf16(x), ref_fp32_to_bf16(x), "fp32_to_bf16(%08" PRIx32 ")", x);
    }
}

typedef uint32_t (*binop32)(uint32_t a, uint32_t b);
typedef uint32_t (*refop32)(uint32_t a, uint32_t b);

static uint32_t g16_add(uint32_t a, uint32_t b) { return fp16_add((fp16_t)a, (fp16_t)b); }
static uint32_t g16_mul(uint32_t a, uint32_t b) { return fp16_mul((fp16_t)a, (fp16_t)b); }
static uint32_t g16_mul32(uint32_t a, uint32_t b) { return fp16_mul32((fp16_t)a, (fp16_t)b); }
static uint32_t r16_add(uint32_t a, uint32_t b)
{
    _Float16 s = h_of((uint16_t)a) + h_of((uint16_t)b);
    return bits_h(s);
}
static uint32_t r16_mul(uint32_t a, uint32_t b)
{
    _Float16 p = h_of((uint16_t)a) * h_of((uint16_t)b);
    return bits_h(p);
}
static uint32_t r16_mul32(uint32_t a, uint32_t b)
{
    return bits_f((float)h_of((uint16_t)a) * (float)h_of((uint16_t)b));
}
static uint32_t r32_add(uint32_t a, uint32_t b) { return bits_f(fp32_to_float(a) + fp32_to_float(b)); }
static uint32_t r32_mul(uint32_t a, uint32_t b) { return bits_f(fp32_to_float(a) * fp32_to_float(b)); }

static void check_binop(const char *name, fp_fmt f, binop32 g, refop32 ref, uint64_t seed)
{
    uint32_t sp[64];
    size_t n = fpvec_specials(f, sp, 64);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            CHECK_EQ(g(sp[i], sp[j]), ref(sp[i], sp[j]), "%s(%08" PRIx32 ", %08" PRIx32 ")", name, sp[i], sp[j]);
    rng r;
    rng_seed(&r, seed);
    for (uint64_t i = 0; i < NRANDOM; i++) {
        uint32_t a = fpvec_operand(f, &r, 0);
        uint32_t b = fpvec_operand(f, &r, a);
        CHECK_EQ(g(a, b), ref(a, b), "%s(%08" PRIx32 ", %08" PRIx32 ")", name, a, b);
    }
}

static void test_fp16_add(void **state) { (void)state; check_binop("fp16_add", FP_FMT_FP16, g16_add, r16_add, g_seed + 2); }
static void test_fp16_mul(void **state) { (void)state; check_binop("fp16_mul", FP_FMT_FP16, g16_mul, r16_mul, g_seed + 3); }
static void test_fp16_mul32(void **state)
{
    (void)state;
    check_binop("fp16_mul32", FP_FMT_FP16, g16_mul32, r16_mul32, g_seed + 4);
}
static void test_fp32_add(void **state) { (void)state; check_binop("fp32_add", FP_FMT_FP32, fp32_add, r32_add, g_seed + 5); }
static void test_fp32_mul(void **state) { (void)state; check_binop("fp32_mul", FP_FMT_FP32, fp32_mul, r32_mul, g_seed + 6); }

/* The host-arithmetic versions the GEMV golden model uses (fp.h) against the step-by-step functions. */
static uint32_t n32_add(uint32_t a, uint32_t b) { return fp32_add_native(a, b); }
static uint32_t n32_mul(uint32_t a, uint32_t b) { return fp32_mul_native(a, b); }
static uint32_t n16_mul32(uint32_t a, uint32_t b) { return fp16_mul32_native((fp16_t)a, (fp16_t)b); }
static uint32_t n16_add(uint32_t a, uint32_t b) { return fp16_add_native((fp16_t)a, (fp16_t)b); }
static uint32_t n16_mul(uint32_t a, uint32_t b) { return fp16_mul_native((fp16_t)a, (fp16_t)b); }
static uint32_t n32_to16(uint32_t x) { return fp16_of_float(fp32_bits_to_float(x)); }
static void test_native_ops(void **state)
{
    (void)state;
    check_binop("fp32_add_native", FP_FMT_FP32, n32_add, fp32_add, g_seed + 8);
    check_binop("fp32_mul_native", FP_FMT_FP32, n32_mul, fp32_mul, g_seed + 10);
    check_binop("fp16_mul32_native", FP_FMT_FP16, n16_mul32, g16_mul32, g_seed + 9);
    check_binop("fp16_add_native", FP_FMT_FP16, n16_add, g16_add, g_seed + 11);
    check_binop("fp16_mul_native", FP_FMT_FP16, n16_mul, g16_mul, g_seed + 12);
    for (uint32_t h = 0; h < 65536; h++) {
        CHECK_EQ(fp32_of_float(fp16_to_float_exact((fp16_t)h)), fp16_to_fp32((fp16_t)h), "fp16_to_float_exact(%04" PRIx32 ")", h);
        CHECK_EQ(fp16_to_fp32_native((fp16_t)h), fp16_to_fp32((fp16_t)h), "fp16_to_fp32_native(%04" PRIx32 ")", h);
    }
    /* FP32 -> FP16: every sign and exponent with the 13 rounded-away bits at and around their halfway
     * point, 0 and all ones (the 10 kept bits: even and odd, all ones for the carry), then random values */
    const uint32_t low[] = {0, 1, 0xFFF, 0x1000, 0x1001, 0x1FFF, 0x0800, 0x17FF};
    const uint32_t kept[] = {0, 1, 2, 0x155, 0x2AA, 0x3FE, 0x3FF};
    for (uint32_t se = 0; se < 512; se++)
        for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
            for (size_t l = 0; l < sizeof low / sizeof low[0]; l++) {
                uint32_t x = (se << 23) | (kept[k] << 13) | low[l];
                CHECK_EQ(n32_to16(x), fp32_to_fp16(x), "fp16_of_float(%08" PRIx32 ")", x);
            }
    rng r;
    rng_seed(&r, g_seed + 13);
    for (uint64_t i = 0; i < NRANDOM; i++) {
        uint32_t x = fpvec_operand(FP_FMT_FP32, &r, 0);
        if (i & 1) /* the FP16 range and below */
            x = (x & 0x807FFFFFu) | ((uint32_t)(127 - 26 + rng_below(&r, 45)) << 23);
        CHECK_EQ(n32_to16(x), fp32_to_fp16(x), "fp16_of_float(%08" PRIx32 ")", x);
    }
}

static void test_fp16_mac32(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 7);
    for (uint64_t i = 0; i < NRANDOM; i++) {
        uint32_t a = fpvec_operand(FP_FMT_FP16, &r, 0), b = fpvec_operand(FP_FMT_FP16, &r, a);
        uint32_t p = fp16_mul32((fp16_t)a, (fp16_t)b);
        uint32_t c = (i % 16 == 0) ? p ^ 0x80000000u : fpvec_operand(FP_FMT_FP32, &r, p);
        float want = fmaf((float)h_of((uint16_t)a), (float)h_of((uint16_t)b), fp32_to_float(c));
        CHECK_EQ(fp16_mac32((fp16_t)a, (fp16_t)b, c), bits_f(want),
                 "fp16_mac32(%04" PRIx32 ", %04" PRIx32 ", %08" PRIx32 ")", a, b, c);
    }
}

/* Facts the documentation states, checked here so the documentation cannot drift. */
static void test_documented_rules(void **state)
{
    (void)state;
    assert_int_equal(fp16_add(0x3C00, 0xBC00), 0x0000);      /* x + (-x) = +0 */
    assert_int_equal(fp16_add(0x8000, 0x8000), 0x8000);      /* -0 + -0 = -0 */
    assert_int_equal(fp16_add(0x7C00, 0xFC00), FP16_QNAN);   /* Inf - Inf */
    assert_int_equal(fp16_mul(0x7C00, 0x0000), FP16_QNAN);   /* Inf x 0 */
    assert_int_equal(fp16_mul(0xFE01, 0x3C00), FP16_QNAN);   /* NaN payload and sign dropped */
    assert_int_equal(fp16_mul(0x7BFF, 0x7BFF), 0x7C00);      /* overflow -> Inf */
    assert_int_equal(fp16_mul(0x0001, 0x3800), 0x0000);      /* 2^-25: tie to even -> 0 */
    assert_int_equal(fp16_mul(0x0001, 0x3A00), 0x0001);      /* 0.75 x min subnormal -> min subnormal */
    assert_int_equal(fp16_mul32(0x7BFF, 0x7BFF), 0x4F7FC004u); /* 65504^2 exact */
    assert_int_equal(fp16_mul32(0x0001, 0x0001), 0x27800000u); /* 2^-48 exact, normal in FP32 */
}

static void test_regress_exhaustive(void **state)
{
    (void)state;
    if (!getenv("PIMATTN_REGRESS"))
        skip();
    for (uint64_t ab = 0; ab < (1ull << 32); ab++) {
        uint32_t a = (uint32_t)(ab >> 16), b = (uint32_t)(ab & 0xFFFFu);
        CHECK_EQ(g16_mul(a, b), r16_mul(a, b), "fp16_mul(%04" PRIx32 ", %04" PRIx32 ")", a, b);
        CHECK_EQ(g16_mul32(a, b), r16_mul32(a, b), "fp16_mul32(%04" PRIx32 ", %04" PRIx32 ")", a, b);
        CHECK_EQ(n16_mul32(a, b), g16_mul32(a, b), "fp16_mul32_native(%04" PRIx32 ", %04" PRIx32 ")", a, b);
        CHECK_EQ(g16_add(a, b), r16_add(a, b), "fp16_add(%04" PRIx32 ", %04" PRIx32 ")", a, b);
        CHECK_EQ(n16_add(a, b), g16_add(a, b), "fp16_add_native(%04" PRIx32 ", %04" PRIx32 ")", a, b);
        CHECK_EQ(n16_mul(a, b), g16_mul(a, b), "fp16_mul_native(%04" PRIx32 ", %04" PRIx32 ")", a, b);
        uint32_t x = (uint32_t)ab;
        CHECK_EQ(n32_to16(x), fp32_to_fp16(x), "fp16_of_float(%08" PRIx32 ")", x);
        CHECK_EQ(fp32_to_bf16(x), ref_fp32_to_bf16(x), "fp32_to_bf16(%08" PRIx32 ")", x);
        CHECK_EQ(fp32_to_fp16(x), bits_h((_Float16)fp32_to_float(x)), "fp32_to_fp16(%08" PRIx32 ")", x);
    }
}

int main(void)
{
    char what[64];
    snprintf(what, sizeof what, "%llu random vectors per operation", NRANDOM);
    g_seed = tb_seed("test_fp_golden", what);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify_pack),
        cmocka_unit_test(test_convert_fp16_all),
        cmocka_unit_test(test_convert_fp32_to_fp16_random),
        cmocka_unit_test(test_convert_bf16),
        cmocka_unit_test(test_fp16_add),
        cmocka_unit_test(test_fp16_mul),
        cmocka_unit_test(test_fp16_mul32),
        cmocka_unit_test(test_fp32_add),
        cmocka_unit_test(test_fp32_mul),
        cmocka_unit_test(test_native_ops),
        cmocka_unit_test(test_fp16_mac32),
        cmocka_unit_test(test_documented_rules),
        cmocka_unit_test(test_regress_exhaustive),
    };
    return cmocka_run_group_tests_name("fp_golden", tests, NULL, NULL);
}
