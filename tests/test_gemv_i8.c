/* test_gemv_i8 — the INT8 GEMV unit's golden model (csim/gemv.h, kv_fmt = GEMV_KV_INT8) against the
 * INT8 format's specification (csim/kvfmt.h kvf_score_i8, kvf_ctx_i8), and its command rules:
 *  - scores: two rows, head dim 128 (4 bursts of 32 lanes), each row's own q and scale, one block scale;
 *    bytes drawn from quantised Gaussians or raw (any INT8 including -128), scales drawn from the data or
 *    as any FP16 bit pattern (subnormal, huge, Inf, NaN): the unit equals the specification bit for bit;
 *    and accumulations of 96 bursts of large bytes, whose |dot| passes 2^24 (the conversion rounds);
 *  - context: 4 slots (column groups of 32), three p words of up to 32 tokens each with its own scale,
 *    the block scale changed between words: the unit equals the specification applied word by word;
 *  - the rules: an FP unit refuses the INT8 fields, an INT8 unit its malformed scale loads and
 *    misplaced wend, and the driver rule the use of an unwritten scale.
 * SEED=n replays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fp.h"
#include "gemv.h"
#include "kvfmt.h"
#include "rng.h"
#include "tb_util.h"

#define D 128
#define W (D / 32)

static uint64_t g_seed;

static uint32_t enc(gemv_op op, unsigned buf, unsigned last, unsigned elem, unsigned row, unsigned word, unsigned slot,
                    unsigned wend)
{
    gemv_cmd c = {op, buf, last, elem, row, word, slot, wend};
    return gemv_encode(&c);
}

/* 32 INT8 values as a 256-bit beat (lane i = byte i). */
static void pack(const int8_t *v, uint16_t d[16])
{
    for (int i = 0; i < 16; i++)
        d[i] = (uint16_t)((uint8_t)v[2 * i] | (uint16_t)((uint8_t)v[2 * i + 1] << 8));
}

static void exec_ok(gemv *g, uint32_t w, const uint16_t d[16], gemv_beat *out, int want_beats)
{
    const char *why;
    int nb = gemv_exec_checked(g, w, d, out, &why);
    if (nb != want_beats)
        fail_msg(TB_REPLAY "command %08x: %d beats (want %d): %s", g_seed, g_seed, w, nb, want_beats, nb < 0 ? why : "");
}

/* n values: quantised Gaussians with their scale (mode 0), raw bytes (1), or quantised with any FP16
 * bit pattern as the scale (2); the scale into *s. */
static void draw(rng *r, int mode, int8_t *v, int n, fp16_t *s)
{
    double x[D * 32];
    for (int i = 0; i < n; i++)
        x[i] = tb_gauss(r) * (i % 17 == 0 ? 8.0 : 1.0); /* a few outliers */
    *s = kvf_scale(x, (size_t)n);
    for (int i = 0; i < n; i++)
        v[i] = mode == 1 ? (int8_t)rng_below(r, 256) : kvf_quant(x[i], *s);
    if (mode == 2)
        *s = (fp16_t)rng_below(r, 65536);
}

static void load_scales(gemv *g, unsigned row, fp16_t s, gemv_beat *out)
{
    uint16_t d[16];
    for (int i = 0; i < 16; i++)
        d[i] = s;
    exec_ok(g, enc(GEMV_OP_SCL, 0, 0, 0, row, 0, 0, 0), d, out, 0);
}

static void load_block(rng *r, gemv *g, fp16_t s, gemv_beat *out)
{
    uint16_t d[16];
    for (int i = 0; i < 16; i++)
        d[i] = (uint16_t)rng_below(r, 65536);
    unsigned e = (unsigned)rng_below(r, 16);
    d[e] = s;
    exec_ok(g, enc(GEMV_OP_SCL, 0, 1, e, 0, 0, 0, 0), d, out, 0);
}

static void test_score_is_the_spec(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed);
    gemv_cfg cfg = {2, W, 3, 1, GEMV_KV_INT8};
    gemv *g = gemv_new(&cfg);
    assert_non_null(g);
    gemv_beat out[GEMV_MAX_BEATS];
    for (int n = 0; n < 3000; n++) {
        int8_t q[2][D], k[D];
        fp16_t sq[2], sk;
        uint16_t d[16];
        for (unsigned row = 0; row < 2; row++) {
            draw(&r, (int)rng_below(&r, 3), q[row], D, &sq[row]);
            for (unsigned w = 0; w < W; w++) {
                pack(&q[row][32 * w], d);
                exec_ok(g, enc(GEMV_OP_WR, 0, 0, 0, row, w, 0, 0), d, out, 0);
            }
            load_scales(g, row, sq[row], out);
        }
        draw(&r, (int)rng_below(&r, 3), k, D, &sk);
        load_block(&r, g, sk, out);
        const unsigned slot = (unsigned)rng_below(&r, 3);
        for (unsigned w = 0; w < W; w++) {
            pack(&k[32 * w], d);
            exec_ok(g, enc(GEMV_OP_SCORE, 0, w == W - 1, 0, 0, w, slot, 0), d, out, w == W - 1);
        }
        assert_int_equal(out[0].slot, slot);
        for (unsigned row = 0; row < 2; row++) {
            fp32_t want = kvf_score_i8(q[row], sq[row], k, sk, D);
            if (out[0].lane[row] != want)
                fail_msg(TB_REPLAY "score %d row %u: unit %08x, spec %08x", g_seed, g_seed, n, row, out[0].lane[row], want);
        }
    }
    /* long accumulations of large bytes: |dot| beyond 2^24, where the conversion to FP32 rounds */
    for (int n = 0; n < 200; n++) {
        enum { NB = 96 };
        static int8_t qc[32 * NB], kc[32 * NB];
        uint16_t d[16];
        fp16_t sq, sk;
        const unsigned slot = (unsigned)rng_below(&r, 3);
        draw(&r, 2, kc, 32, &sq); /* any FP16 scale */
        load_scales(g, 0, sq, out);
        load_scales(g, 1, sq, out);
        draw(&r, 2, kc, 32, &sk);
        load_block(&r, g, sk, out);
        for (int b = 0; b < NB; b++) {
            const unsigned w = (unsigned)rng_below(&r, W);
            for (int i = 0; i < 32; i++) { /* mostly +-127/-128, the same sign per burst and row 0's word */
                const int big = rng_below(&r, 8) != 0, neg = (b + n) % 2;
                kc[32 * b + i] = (int8_t)(big ? (neg ? -128 : 127) : (int)rng_below(&r, 256) - 128);
            }
            pack(&kc[32 * b], d);
            exec_ok(g, enc(GEMV_OP_WR, 0, 0, 0, 0, w, 0, 0), d, out, 0);
            exec_ok(g, enc(GEMV_OP_WR, 0, 0, 0, 1, w, 0, 0), d, out, 0);
            memcpy(&qc[32 * b], &kc[32 * b], 32); /* q = k: every product >= 0, |dot| grows to ~5e7 */
            exec_ok(g, enc(GEMV_OP_SCORE, 0, b == NB - 1, 0, 0, w, slot, 0), d, out, b == NB - 1);
        }
        const fp32_t want = kvf_score_i8(qc, sq, kc, sk, 32 * NB);
        if (out[0].lane[0] != want || out[0].lane[1] != want)
            fail_msg(TB_REPLAY "long score %d: unit %08x %08x, spec %08x", g_seed, g_seed, n, out[0].lane[0],
                     out[0].lane[1], want);
    }
    gemv_free(g);
}

static void test_context_is_the_spec(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed + 1);
    gemv_cfg cfg = {2, 4, 4, 1, GEMV_KV_INT8};
    gemv *g = gemv_new(&cfg);
    assert_non_null(g);
    gemv_beat out[GEMV_MAX_BEATS];
    static int8_t v[32 * D];
    for (int n = 0; n < 300; n++) {
        fp32_t want[2][D];
        for (int i = 0; i < D; i++)
            want[0][i] = want[1][i] = 0x80000000u; /* the accumulation starts at -0 */
        const int words = 3;
        for (int wd = 0; wd < words; wd++) {
            const int ntok = wd == words - 1 ? 1 + (int)rng_below(&r, 32) : 32; /* the last word may be short */
            int8_t p[2][32];
            fp16_t sp[2], sv;
            uint16_t d[16];
            for (unsigned row = 0; row < 2; row++) {
                draw(&r, (int)rng_below(&r, 3), p[row], 32, &sp[row]);
                pack(p[row], d);
                exec_ok(g, enc(GEMV_OP_WR, 0, 0, 0, row, (unsigned)wd, 0, 0), d, out, 0);
                uint16_t s[16];
                for (int i = 0; i < 16; i++)
                    s[i] = i == wd ? sp[row] : (uint16_t)rng_below(&r, 65536); /* other words' scales: noise */
                exec_ok(g, enc(GEMV_OP_SCL, 0, 0, 0, row, 0, 0, 0), s, out, 0);
            }
            draw(&r, (int)rng_below(&r, 3), v, ntok * D, &sv);
            load_block(&r, g, sv, out);
            for (unsigned rr = 0; rr < 2; rr++) /* the specification, word by word */
                kvf_ctx_i8(want[rr], p[rr], sp[rr], v, sv, ntok, D);
            for (int t = 0; t < ntok; t++)
                for (unsigned c = 0; c < D / 32; c++) {
                    pack(&v[(size_t)t * D + 32 * c], d);
                    const unsigned end = t == ntok - 1, last = end && wd == words - 1;
                    exec_ok(g, enc(GEMV_OP_CTX, 0, last, (unsigned)t, 0, (unsigned)wd, c, end && !last), d, out,
                            last ? 4 : 0);
                    for (unsigned b = 0; last && b < 4; b++) {
                        const unsigned row = b / 2, h = b % 2;
                        assert_int_equal(out[b].row, row);
                        assert_int_equal(out[b].half, h);
                        assert_int_equal(out[b].slot, c);
                        assert_int_equal(out[b].last_beat, b == 3);
                        for (int i = 0; i < 16; i++) {
                            const fp32_t w8 = want[row][32 * c + 16 * h + (unsigned)i];
                            if (out[b].lane[i] != w8)
                                fail_msg(TB_REPLAY "context %d row %u column %u: unit %08x, spec %08x", g_seed, g_seed,
                                         n, row, 32 * c + 16 * h + (unsigned)i, out[b].lane[i], w8);
                        }
                    }
                }
        }
    }
    gemv_free(g);
}

static void test_rules(void **state)
{
    (void)state;
    gemv_cfg f16 = {1, 8, 4, 1, KVF_FP16}, i8 = {2, 20, 4, 1, GEMV_KV_INT8};
    gemv *g = gemv_new(&f16), *h = gemv_new(&i8);
    assert_non_null(g);
    assert_non_null(h);
    /* an FP unit: no SCL, no elem bit 4, no wend */
    assert_true(gemv_rtl_rejects(g, enc(GEMV_OP_SCL, 0, 1, 0, 0, 0, 0, 0)));
    assert_true(gemv_rtl_rejects(g, enc(GEMV_OP_CTX, 0, 0, 16, 0, 0, 0, 0)));
    assert_true(gemv_rtl_rejects(g, enc(GEMV_OP_CTX, 0, 0, 3, 0, 0, 0, 1)));
    assert_false(gemv_rtl_rejects(g, enc(GEMV_OP_CTX, 0, 0, 15, 0, 0, 0, 0)));
    /* an INT8 unit */
    assert_false(gemv_rtl_rejects(h, enc(GEMV_OP_CTX, 0, 0, 31, 0, 0, 0, 1)));
    assert_false(gemv_rtl_rejects(h, enc(GEMV_OP_SCL, 1, 0, 0, 1, 16, 0, 0))); /* words 16..19 */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_SCL, 0, 0, 0, 0, 8, 0, 0)));  /* not a multiple of 16 */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_SCL, 0, 0, 0, 2, 0, 0, 0)));  /* row out of range */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_SCL, 0, 0, 1, 0, 0, 0, 0)));  /* word scales with elem */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_SCL, 0, 1, 16, 0, 0, 0, 0))); /* block scale lane 16 */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_SCL, 0, 1, 0, 0, 1, 0, 0)));  /* block scale with a word */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_SCORE, 0, 0, 0, 0, 0, 0, 1))); /* score with wend */
    assert_true(gemv_rtl_rejects(h, enc(GEMV_OP_WR, 0, 0, 0, 0, 0, 0, 1)));    /* WR with wend */
    assert_true(gemv_rtl_rejects(h, 1u << 30));
    /* the driver: scales must have been written before a MAC applies them */
    uint16_t d[16] = {0};
    gemv_beat out[GEMV_MAX_BEATS];
    for (unsigned row = 0; row < 2; row++)
        exec_ok(h, enc(GEMV_OP_WR, 0, 0, 0, row, 0, 0, 0), d, out, 0);
    assert_null(gemv_check(h, enc(GEMV_OP_SCORE, 0, 0, 0, 0, 0, 0, 0))); /* no scale applied yet */
    assert_non_null(gemv_check(h, enc(GEMV_OP_SCORE, 0, 1, 0, 0, 0, 0, 0)));
    for (unsigned row = 0; row < 2; row++)
        exec_ok(h, enc(GEMV_OP_SCL, 0, 0, 0, row, 0, 0, 0), d, out, 0);
    assert_non_null(gemv_check(h, enc(GEMV_OP_CTX, 0, 0, 0, 0, 0, 0, 1))); /* the block scale is not */
    exec_ok(h, enc(GEMV_OP_SCL, 0, 1, 0, 0, 0, 0, 0), d, out, 0);
    assert_null(gemv_check(h, enc(GEMV_OP_CTX, 0, 0, 0, 0, 0, 0, 1)));
    assert_non_null(gemv_check(h, enc(GEMV_OP_CTX, 1, 0, 0, 0, 0, 0, 1))); /* half 1: not written */
    gemv_cfg bad = {1, 8, 4, 0, GEMV_KV_INT8};
    assert_non_null(gemv_cfg_check(&bad));
    gemv_free(g);
    gemv_free(h);
}

int main(void)
{
    g_seed = tb_seed("test_gemv_i8", NULL);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_score_is_the_spec), cmocka_unit_test(test_context_is_the_spec),
                                       cmocka_unit_test(test_rules)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
