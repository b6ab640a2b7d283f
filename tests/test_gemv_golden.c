/* test_gemv_golden — the GEMV golden model (csim/gemv.c) on its own: configuration and command checks
 * (the C driver's rejection of bad commands), exact known answers on integer data (every product and
 * sum is exact in FP16 and FP32, so the reference is integer arithmetic), double buffering, and the
 * accuracy of FP16 vs FP32 accumulation against FP64, with the tolerances docs/numerics.md states, and the
 * model (host arithmetic) against a copy of its datapath in the step-by-step FP functions.
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
        {{0, 8, 4, 1, 0}, "rows"},   {{17, 8, 4, 1, 0}, "rows"},  {{1, 1, 4, 1, 0}, "depth"}, {{1, 256, 4, 1, 0}, "depth"},
        {{1, 8, 0, 1, 0}, "slots"},  {{1, 8, 256, 1, 0}, "slots"}, {{1, 8, 4, 2, 0}, "acc_fp32"},
        {{1, 8, 4, 1, 3}, "kv_fmt"}, {{1, 8, 4, 0, KVF_BF16}, "FP32"}, {{1, 8, 4, 0, GEMV_KV_INT8}, "FP32"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *m = gemv_cfg_check(&bad[i].c);
        assert_non_null(m);
        assert_non_null(strstr(m, bad[i].msg));
        assert_null(gemv_new(&bad[i].c));
    }
    gemv_cfg ok = {16, 255, 255, 0, KVF_FP16};
    assert_null(gemv_cfg_check(&ok));
}

static uint32_t enc(gemv_op op, unsigned buf, unsigned last, unsigned elem, unsigned row, unsigned word, unsigned slot)
{
    gemv_cmd c = {op, buf, last, elem, row, word, slot, 0};
    return gemv_encode(&c);
}

static void test_command_checks(void **state)
{
    (void)state;
    gemv_cfg cfg = {2, 10, 3, 1, KVF_FP16};
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
        const char *m = gemv_check(g, bad[i].w), *why = NULL;
        if (!m || !strstr(m, bad[i].msg))
            fail_msg("command %08" PRIx32 ": got '%s', want '%s'", bad[i].w, m ? m : "(accepted)", bad[i].msg);
        assert_int_equal(gemv_exec_checked(g, bad[i].w, d, out, &why), -1); /* refused, the flag untouched */
        assert_string_equal(why, m);
        assert_false(gemv_error(g));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(gemv_exec(g, bad[i].w, d, out), -1);
    assert_true(gemv_error(g));
    int ctx = -1;
    assert_true(gemv_slot_open(g, 1, &ctx)); /* bad commands changed nothing */
    assert_int_equal(ctx, 0);
    /* a MAC must not read a word some row has not written: a driver rule the RTL cannot see */
    const char *m = gemv_check(g, enc(GEMV_OP_CTX, 1, 1, 15, 0, 9, 2));
    assert_non_null(m);
    assert_non_null(strstr(m, "not written since reset"));
    const char *why = NULL;
    assert_int_equal(gemv_exec_checked(g, enc(GEMV_OP_CTX, 1, 1, 15, 0, 9, 2), d, out, &why), -1);
    assert_ptr_equal(why, m);
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
        gemv_cfg cfg = {4, 8, 2, f32, KVF_FP16};
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
    gemv_cfg cfg = {1, 8, 1, f32, KVF_FP16};
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
    gemv_cfg cfg = {1, 8, 1, f32, KVF_FP16};
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

/* ---- the fast golden model against the step-by-step specification ------------------------------------
 * A test-only copy of the golden model's datapath as it was written before it moved to host arithmetic:
 * every product and add through fp16_mul / fp16_add / fp16_mul32 / fp32_add (csim/fp.c, the functions that
 * mirror rtl/common/fp_*.sv step for step), in the order of gemv_row.sv. Random legal command streams with
 * special values (NaN, Inf, subnormals, signed zeros, values that overflow FP16 sums) go to both; every
 * result beat must match bit for bit. */
typedef struct refg {
    gemv_cfg c;
    uint8_t *open;
    uint16_t *vbuf; /* [row][2*depth][16] */
    uint32_t *acc;  /* [row][slot][16] */
} refg;

static uint32_t ref_add(int f32, uint32_t a, uint32_t b) { return f32 ? fp32_add(a, b) : fp16_add((fp16_t)a, (fp16_t)b); }

static void ref_row(refg *g, int r, const gemv_cmd *c, int first, const uint16_t data[16], uint32_t y[16])
{
    const int f32 = g->c.acc_fp32;
    const uint16_t *opw = &g->vbuf[(((size_t)r * 2 + c->buf) * (size_t)g->c.depth + c->word) * 16];
    uint32_t *acc = &g->acc[((size_t)r * (size_t)g->c.slots + c->slot) * 16];
    const uint32_t negzero = f32 ? 0x80000000u : 0x8000u;
    const int ctx = c->op == GEMV_OP_CTX;
    uint32_t prod[16], accrd[16];
    for (int i = 0; i < 16; i++) {
        uint16_t opnd = ctx ? opw[c->elem] : opw[i];
        prod[i] = f32 ? fp16_mul32(data[i], opnd) : fp16_mul(data[i], opnd);
        accrd[i] = first ? negzero : acc[i];
    }
    if (ctx) {
        for (int i = 0; i < 16; i++)
            y[i] = acc[i] = ref_add(f32, accrd[i], prod[i]);
        return;
    }
    for (int n = 0; n < 8; n++)
        y[n] = ref_add(f32, prod[2 * n], prod[2 * n + 1]);
    for (int n = 8; n < 15; n++)
        y[n] = ref_add(f32, y[2 * (n - 8)], y[2 * (n - 8) + 1]);
    y[15] = acc[15] = ref_add(f32, accrd[15], y[14]);
}

/* A legal command: its result beats (the same layout as gemv_exec's). */
static int ref_exec(refg *g, uint32_t w, const uint16_t data[16], gemv_beat *out)
{
    gemv_cmd c;
    gemv_decode(w, &c);
    if (c.op == GEMV_OP_WR) {
        memcpy(&g->vbuf[(((size_t)c.row * 2 + c.buf) * (size_t)g->c.depth + c.word) * 16], data, 16 * sizeof *data);
        return 0;
    }
    const int ctx = c.op == GEMV_OP_CTX, first = !g->open[c.slot];
    g->open[c.slot] = !c.last;
    uint32_t y[16];
    memset(out, 0, sizeof *out);
    for (int r = 0; r < g->c.rows; r++) {
        ref_row(g, r, &c, first, data, y);
        if (c.last && ctx) {
            out[r] = (gemv_beat){.slot = c.slot, .row = (unsigned)r, .ctx = 1, .last_beat = r == g->c.rows - 1};
            memcpy(out[r].lane, y, sizeof y);
        } else if (c.last) {
            out[0].lane[r] = y[15];
        }
    }
    if (c.last && !ctx) {
        out[0].slot = c.slot;
        out[0].last_beat = 1;
    }
    return !c.last ? 0 : ctx ? g->c.rows : 1;
}

/* FP16 data: Gaussian-like values, specials, and now and then large values whose sums overflow. */
static uint16_t spec_data(rng *r, int big)
{
    static const uint16_t sp[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x03FF, 0x0400, 0x7BFF, 0xFBFF, 0x7C00,
                                  0xFC00, 0x7E00, 0x7C01, 0xFE00, 0x3C00, 0xBC00, 0x3C01, 0x5BFF, 0x1400};
    uint64_t k = rng_below(r, 1000);
    if (k < 4)
        return sp[rng_below(r, sizeof sp / sizeof sp[0])];
    if (k < 10)
        return (uint16_t)rng_next(r);
    if (big)
        return (uint16_t)(0x5800 + rng_below(r, 0x2000)) | (uint16_t)(rng_below(r, 2) << 15); /* 128 .. 65504 */
    return fp32_to_fp16(float_to_fp32((float)(tb_gauss(r) * (k < 500 ? 1.0 : 1e-4))));
}

static void test_fast_equals_stepwise(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed ^ 0xFA57u);
    uint64_t cmds = 0, beats = 0;
    for (int run = 0; run < 160; run++) {
        const int rows_opt[] = {1, 2, 4, 8, 16};
        gemv_cfg cfg = {rows_opt[rng_below(&r, 5)], 2 + (int)rng_below(&r, 9), 1 + (int)rng_below(&r, 4), run & 1, KVF_FP16};
        gemv *g = gemv_new(&cfg);
        refg ref = {cfg, calloc((size_t)cfg.slots, 1), calloc((size_t)cfg.rows * 2 * (size_t)cfg.depth * 16, 2),
                    calloc((size_t)cfg.rows * (size_t)cfg.slots * 16, 4)};
        assert_true(g && ref.open && ref.vbuf && ref.acc);
        const int big = run % 4 == 1; /* FP16 accumulation overflows to Inf, and Inf - Inf */
        uint16_t d[16];
        gemv_beat got[16], want[16];
        for (int row = 0; row < cfg.rows; row++) /* every word written: MACs may read any */
            for (int h = 0; h < 2; h++)
                for (int w = 0; w < cfg.depth; w++) {
                    for (int i = 0; i < 16; i++)
                        d[i] = spec_data(&r, big);
                    uint32_t c = enc(GEMV_OP_WR, (unsigned)h, 0, 0, (unsigned)row, (unsigned)w, 0);
                    assert_int_equal(gemv_exec(g, c, d, got), ref_exec(&ref, c, d, want));
                }
        for (int n = 0; n < 4000; n++, cmds++) {
            uint32_t c;
            for (int i = 0; i < 16; i++)
                d[i] = spec_data(&r, big);
            unsigned slot = (unsigned)rng_below(&r, (uint64_t)cfg.slots), w = (unsigned)rng_below(&r, (uint64_t)cfg.depth);
            unsigned h = (unsigned)rng_below(&r, 2);
            int is_ctx, open = gemv_slot_open(g, slot, &is_ctx);
            if (rng_below(&r, 8) == 0)
                c = enc(GEMV_OP_WR, h, 0, 0, (unsigned)rng_below(&r, (uint64_t)cfg.rows), w, 0);
            else if (open ? is_ctx != 0 : rng_below(&r, 2) != 0)
                c = enc(GEMV_OP_CTX, h, rng_below(&r, 6) == 0, (unsigned)rng_below(&r, 16), 0, w, slot);
            else
                c = enc(GEMV_OP_SCORE, h, rng_below(&r, 6) == 0, 0, 0, w, slot);
            const char *why = NULL;
            int ng = gemv_exec_checked(g, c, d, got, &why), nw = ref_exec(&ref, c, d, want);
            assert_null(why);
            if (ng != nw)
                fail_msg(TB_REPLAY "run %d command %d (%08" PRIx32 "): %d beats, the step-by-step model %d", g_seed, g_seed,
                         run, n, c, ng, nw);
            for (int b = 0; b < ng; b++, beats++)
                if (memcmp(&got[b], &want[b], sizeof got[b])) {
                    int i = 0;
                    while (i < 15 && got[b].lane[i] == want[b].lane[i])
                        i++;
                    fail_msg(TB_REPLAY "run %d (rows %d, acc_fp32 %d) command %d (%08" PRIx32 ") beat %d lane %d: %08" PRIx32
                                       ", the step-by-step model %08" PRIx32,
                             g_seed, g_seed, run, cfg.rows, cfg.acc_fp32, n, c, b, i, got[b].lane[i], want[b].lane[i]);
                }
        }
        gemv_free(g);
        free(ref.open), free(ref.vbuf), free(ref.acc);
    }
    printf("  %" PRIu64 " commands, %" PRIu64 " result beats: fast model = step-by-step model\n", cmds, beats);
}

int main(void)
{
    g_seed = tb_seed("test_gemv_golden", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfg_check),
        cmocka_unit_test(test_command_checks),
        cmocka_unit_test(test_exact_integer_answers),
        cmocka_unit_test(test_accuracy_vs_fp64),
        cmocka_unit_test(test_fast_equals_stepwise),
    };
    return cmocka_run_group_tests_name("gemv_golden", tests, NULL, NULL);
}
