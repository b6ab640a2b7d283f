/* test_attention_golden — decode attention end to end through the golden models, against FP64:
 * scores q.K^T on the GEMV unit (FP32 accumulation), the softmax row (csim/softmax.c), p.V on the
 * GEMV unit (context mode, unnormalised), deferred normalisation o = o~ * (1/l). Then split-K: the
 * same keys in P partitions, each through its own softmax row and p.V, merged by the LSE merge in a
 * random order. Data: q, K, V ~ N(0, 1) rounded to FP16, d = 128. The references equal their first
 * versions, and the host tier's INT8 partial its FP16 one on the same values. SEED=n replays. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "attn_ref.h"
#include "fp.h"
#include "gemv.h"
#include "rng.h"
#include "softmax.h"
#include "tb_util.h"

#define D 128
#define WORDS (D / 16)
#define LMAX 32768

static uint64_t g_seed;

typedef struct head {
    int L;
    fp16_t q[D];
    fp16_t *K, *V; /* L x D */
    double ref[D]; /* FP64 attention output */
    uint32_t *s;   /* FP32 scores from the GEMV unit */
} head;

static fp16_t h_of(double x) { return fp32_to_fp16(float_to_fp32((float)x)); }

static uint32_t enc(gemv_op op, unsigned buf, unsigned last, unsigned elem, unsigned word, unsigned slot)
{
    gemv_cmd c = {op, buf, last, elem, 0, word, slot, 0};
    return gemv_encode(&c);
}

/* q.K^T for keys [0, L) on a tree unit with FP32 accumulation: 8 bursts per key. */
static void scores(head *h)
{
    gemv_cfg cfg = {1, WORDS, 1, 1, KVF_FP16};
    gemv *g = gemv_new(&cfg);
    gemv_beat out[1];
    for (int w = 0; w < WORDS; w++)
        assert_int_equal(gemv_exec(g, enc(GEMV_OP_WR, 0, 0, 0, (unsigned)w, 0), &h->q[16 * w], out), 0);
    for (int j = 0; j < h->L; j++) {
        for (int w = 0; w < WORDS; w++)
            gemv_exec(g, enc(GEMV_OP_SCORE, 0, w == WORDS - 1, 0, (unsigned)w, 0), &h->K[(size_t)j * D + 16 * (size_t)w],
                      out);
        h->s[j] = out[0].lane[0];
    }
    gemv_free(g);
}

/* Unnormalised p.V for tokens [j0, j0 + n): probabilities written 128 at a time into alternating
 * buffer halves, one context MAC per token and 16-dimension slice (slot = slice). */
static void pv(const head *h, const fp16_t *p, int j0, int n, fp32_t *o)
{
    gemv_cfg cfg = {1, WORDS, WORDS, 1, KVF_FP16};
    gemv *g = gemv_new(&cfg);
    gemv_beat out[1];
    for (int t = 0; t < n; t++) {
        unsigned half = (unsigned)(t / 128) & 1u;
        if (t % 128 == 0)
            for (int w = 0; w < WORDS; w++) {
                uint16_t word[16] = {0};
                for (int e = 0; e < 16 && t + 16 * w + e < n; e++)
                    word[e] = p[t + 16 * w + e];
                gemv_exec(g, enc(GEMV_OP_WR, half, 0, 0, (unsigned)w, 0), word, out);
            }
        for (int c = 0; c < WORDS; c++) {
            int nb = gemv_exec(g, enc(GEMV_OP_CTX, half, t == n - 1, (unsigned)(t % 16), (unsigned)((t % 128) / 16), (unsigned)c),
                               &h->V[(size_t)(j0 + t) * D + 16 * (size_t)c], out);
            if (nb == 1)
                memcpy(&o[16 * c], out[0].lane, sizeof out[0].lane);
        }
    }
    gemv_free(g);
}

static void make_head(head *h, int L, uint64_t seed)
{
    rng r;
    rng_seed(&r, seed);
    h->L = L;
    h->K = malloc((size_t)L * D * sizeof *h->K);
    h->V = malloc((size_t)L * D * sizeof *h->V);
    h->s = malloc((size_t)L * sizeof *h->s);
    assert_true(h->K && h->V && h->s);
    for (int i = 0; i < D; i++)
        h->q[i] = h_of(tb_gauss(&r));
    for (size_t i = 0; i < (size_t)L * D; i++) {
        h->K[i] = h_of(tb_gauss(&r));
        h->V[i] = h_of(tb_gauss(&r));
    }
    /* FP64 attention on the same FP16 values */
    double *sc = malloc((size_t)L * sizeof *sc), mx = -1e300, sum = 0;
    assert_non_null(sc);
    for (int j = 0; j < L; j++) {
        double a = 0;
        for (int i = 0; i < D; i++)
            a += fp16_to_double(h->q[i]) * fp16_to_double(h->K[(size_t)j * D + i]);
        mx = fmax(mx, sc[j] = a / sqrt((double)D));
    }
    memset(h->ref, 0, sizeof h->ref);
    for (int j = 0; j < L; j++) {
        double w = exp(sc[j] - mx);
        sum += w;
        for (int i = 0; i < D; i++)
            h->ref[i] += w * fp16_to_double(h->V[(size_t)j * D + i]);
    }
    for (int i = 0; i < D; i++)
        h->ref[i] /= sum;
    free(sc);
    scores(h);
}

static void free_head(head *h)
{
    free(h->K);
    free(h->V);
    free(h->s);
}

static double rel_l2(const fp32_t *o, const double *ref, int fp16_out)
{
    double e2 = 0, r2 = 0;
    for (int i = 0; i < D; i++) {
        double v = fp16_out ? fp16_to_double(fp32_to_fp16(o[i])) : (double)fp32_to_float(o[i]);
        e2 += (v - ref[i]) * (v - ref[i]);
        r2 += ref[i] * ref[i];
    }
    return sqrt(e2 / r2);
}

static const sm_cfg CFG = {.lanes = 1, .exp_pieces = 16, .in_fp16 = 0};

static fp32_t scale_bits(void) { return float_to_fp32((float)(1.4426950408889634 / sqrt((double)D))); }

/* softmax over keys [j0, j0 + n) and p.V: unnormalised o~, the row result */
static void partition(const head *h, int j0, int n, fp16_t *p, fp32_t *o, sm_res *r)
{
    sm_mask mk = {.len = (uint32_t)n};
    assert_null(sm_row_check(scale_bits(), (uint32_t)n));
    sm_row(&CFG, scale_bits(), &mk, &h->s[j0], (uint32_t)n, p, r);
    assert_false(r->empty || r->nan);
    pv(h, p, j0, n, o);
}

static void test_end_to_end(void **state)
{
    (void)state;
    const int Ls[] = {2048, 8192, 32768};
    static fp16_t p[LMAX];
    for (int k = 0; k < 3; k++) {
        head h;
        make_head(&h, Ls[k], g_seed + (uint64_t)k);
        fp32_t o[D], out[D];
        sm_res r;
        partition(&h, 0, h.L, p, o, &r);
        for (int i = 0; i < D; i++)
            out[i] = fp_mul(FP_FMT_FP32, FP_FMT_FP32, o[i], r.rl);
        double e32 = rel_l2(out, h.ref, 0), e16 = rel_l2(out, h.ref, 1);
        print_message("attention, L = %5d: rel-L2 vs FP64  FP32 output %.3g  FP16 output %.3g\n", h.L, e32, e16);
        assert_true(e16 <= 5e-4);
        assert_true(e32 <= 5e-4);
        /* a merge of one partial is the deferred normalisation itself, bit for bit */
        sm_merge *g = sm_merge_new(D);
        assert_non_null(g);
        fp32_t merged[D];
        sm_res mr;
        sm_merge_add(g, r.m, r.l, o);
        sm_merge_finish(g, 1, merged, &mr);
        assert_memory_equal(merged, out, sizeof out);
        assert_int_equal(mr.l, r.l);
        sm_merge_free(g);
        free_head(&h);
    }
}

/* Split-K: P equal partitions (the last one ragged when P does not divide L), merged in a random
 * order; the merge may add at most 1e-5 to the rel-L2 error of the single pass. */
static void test_split_k(void **state)
{
    (void)state;
    const struct {
        int L, P;
    } cases[] = {{8192, 16}, {8192, 64}, {32768, 16}, {32768, 64}, {5000, 7}};
    static fp16_t p[LMAX];
    rng r;
    rng_seed(&r, g_seed ^ 0x5B117u);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        head h;
        make_head(&h, cases[c].L, g_seed + 100 + c);
        fp32_t o[D], single[D];
        sm_res rr;
        partition(&h, 0, h.L, p, o, &rr);
        for (int i = 0; i < D; i++)
            single[i] = fp_mul(FP_FMT_FP32, FP_FMT_FP32, o[i], rr.rl);
        const int P = cases[c].P, chunk = (h.L + P - 1) / P;
        static fp32_t part_o[64][D];
        static sm_res part_r[64];
        for (int i = 0; i < P; i++) {
            int j0 = i * chunk, n = (j0 + chunk <= h.L) ? chunk : h.L - j0;
            partition(&h, j0, n, p, part_o[i], &part_r[i]);
        }
        int order[64];
        for (int i = 0; i < P; i++)
            order[i] = i;
        for (int i = P - 1; i > 0; i--) { /* Fisher-Yates */
            int k = (int)rng_below(&r, (uint64_t)i + 1), t = order[i];
            order[i] = order[k], order[k] = t;
        }
        sm_merge *g = sm_merge_new(D);
        assert_non_null(g);
        for (int i = 0; i < P; i++) {
            assert_null(sm_partial_check(part_r[order[i]].m, part_r[order[i]].l));
            sm_merge_add(g, part_r[order[i]].m, part_r[order[i]].l, part_o[order[i]]);
        }
        fp32_t split[D];
        sm_res mr;
        sm_merge_finish(g, 1, split, &mr);
        sm_merge_free(g);
        assert_false(mr.empty || mr.nan);
        double es = rel_l2(single, h.ref, 0), ek = rel_l2(split, h.ref, 0);
        double diff = 0, nrm = 0;
        for (int i = 0; i < D; i++) {
            double a = (double)fp32_to_float(split[i]), b = (double)fp32_to_float(single[i]);
            diff += (a - b) * (a - b);
            nrm += b * b;
        }
        print_message("split-K, L = %5d, P = %2d: rel-L2 vs FP64 %.3g (single pass %.3g, added %.2g); "
                      "split vs single %.3g\n", h.L, P, ek, es, ek - es, sqrt(diff / nrm));
        if (ek > es + 1e-5)
            fail_msg(TB_REPLAY "split-K L=%d P=%d adds %.3g > 1e-5", g_seed, g_seed, h.L, P, ek - es);
        free_head(&h);
    }
}

/* Merge special cases: empty partials contribute nothing, all empty is empty, NaN is flagged. */
static void test_merge_special(void **state)
{
    (void)state;
    sm_merge *g = sm_merge_new(4);
    assert_non_null(g);
    fp32_t o1[4], o2[4], out[4];
    for (int i = 0; i < 4; i++) {
        o1[i] = float_to_fp32((float)(i + 1));
        o2[i] = float_to_fp32(2.0f * (float)(i + 1));
    }
    sm_res r;
    sm_merge_add(g, 0xFF800000u, 0, o2); /* empty partial */
    sm_merge_finish(g, 1, out, &r);
    assert_true(r.empty && !r.nan && r.rl == 0 && out[0] == 0);
    /* (m=3, l=1, o1) and (m=2, l=2, o2): M = 3, l = 1 + 1 = 2, o~ = o1 + o2/2 = 2 o1, o = o1 */
    sm_merge_add(g, float_to_fp32(2.0f), float_to_fp32(2.0f), o2);
    sm_merge_add(g, 0xFF800000u, 0, o2);
    sm_merge_add(g, float_to_fp32(3.0f), float_to_fp32(1.0f), o1);
    sm_merge_finish(g, 1, out, &r);
    assert_int_equal(r.m, float_to_fp32(3.0f));
    assert_int_equal(r.l, float_to_fp32(2.0f));
    assert_memory_equal(out, o1, sizeof o1);
    /* far-apart maxima: the smaller partial vanishes without any overflow */
    sm_merge_add(g, float_to_fp32(-3e38f), float_to_fp32(1.0f), o2);
    sm_merge_add(g, float_to_fp32(3e38f), float_to_fp32(1.0f), o1);
    sm_merge_finish(g, 1, out, &r);
    assert_memory_equal(out, o1, sizeof o1);
    sm_merge_add(g, FP32_QNAN, float_to_fp32(1.0f), o1);
    sm_merge_add(g, float_to_fp32(1.0f), float_to_fp32(1.0f), o1);
    sm_merge_finish(g, 0, out, &r);
    assert_true(r.nan && out[2] == FP32_QNAN);
    sm_merge_free(g);
    assert_null(sm_merge_new(0));
}

/* ---- the references against test-only copies of their first versions --------------------------------
 * attn_ref and attn_host_partial compute each score once, several keys side by side; these copies compute
 * every score twice, one key at a time, exactly as first written. Both must give the same bits (doubles,
 * FP32), on Gaussian data with special values mixed in (NaN, Inf, subnormals, signed zeros, huge values). */
static void old_attn_ref(const fp16_t *q, const fp16_t *K, const fp16_t *V, size_t L, int d, size_t stride, double tau,
                         double *out, double *lse)
{
    double qd[4096];
    for (int i = 0; i < d; i++) {
        qd[i] = fp16_to_double(q[i]);
        out[i] = 0.0;
    }
    double m = -INFINITY;
    for (size_t j = 0; j < L; j++) {
        double s = 0.0;
        for (int i = 0; i < d; i++)
            s += qd[i] * fp16_to_double(K[j * stride + (size_t)i]);
        s *= tau;
        if (s > m)
            m = s;
    }
    double l = 0.0;
    for (size_t j = 0; j < L; j++) {
        double s = 0.0;
        for (int i = 0; i < d; i++)
            s += qd[i] * fp16_to_double(K[j * stride + (size_t)i]);
        double p = exp(s * tau - m);
        l += p;
        for (int i = 0; i < d; i++)
            out[i] += p * fp16_to_double(V[j * stride + (size_t)i]);
    }
    for (int i = 0; i < d && l > 0; i++)
        out[i] /= l;
    if (lse)
        *lse = L ? m + log(l) : -INFINITY;
}

static float f_of(fp16_t h) { return fp32_to_float(fp16_to_fp32(h)); }

static void old_host_partial(const fp16_t *q, const fp16_t *K, const fp16_t *V, size_t L, int d, size_t stride,
                             fp32_t scale, fp32_t *m, fp32_t *l, fp32_t *o)
{
    const float c = fp32_to_float(scale);
    float xmax = -INFINITY, lsum = 0.0f, acc[4096];
    for (size_t j = 0; j < L; j++) {
        float s = 0.0f;
        for (int i = 0; i < d; i++)
            s += f_of(q[i]) * f_of(K[j * stride + (size_t)i]);
        float x = s * c;
        if (x > xmax)
            xmax = x;
    }
    const float mc = ceilf(xmax);
    for (int i = 0; i < d; i++)
        acc[i] = 0.0f;
    for (size_t j = 0; j < L; j++) {
        float s = 0.0f;
        for (int i = 0; i < d; i++)
            s += f_of(q[i]) * f_of(K[j * stride + (size_t)i]);
        float p = (float)exp2((double)(s * c - mc));
        lsum += p;
        for (int i = 0; i < d; i++)
            acc[i] += p * f_of(V[j * stride + (size_t)i]);
    }
    *m = fp32_of_float(mc);
    *l = fp32_of_float(lsum);
    for (int i = 0; i < d; i++)
        o[i] = fp32_of_float(acc[i]);
}

/* mode 0: Gaussian with a spread of magnitudes; 1: also specials; 2: uniform finite bit patterns (products
 * from 2^-48 to 2^32: the double sums are inexact, so their order shows). */
static fp16_t ref_data(rng *r, int specials)
{
    static const fp16_t sp[] = {0x0000, 0x8000, 0x0001, 0x83FF, 0x7BFF, 0xFBFF, 0x7C00, 0xFC00, 0x7E00, 0x3C00};
    if (specials == 2) {
        fp16_t x = (fp16_t)rng_next(r);
        return (x & 0x7C00u) == 0x7C00u ? (fp16_t)(x & 0xBFFFu) : x;
    }
    if (specials && rng_below(r, 400) == 0)
        return sp[rng_below(r, sizeof sp / sizeof sp[0])];
    uint64_t k = rng_below(r, 50); /* a wide spread of magnitudes: double sums stop being exact */
    return h_of(tb_gauss(r) * (k == 0 ? 0x1p-20 : k == 1 ? 4096.0 : 1.0));
}

/* Bit for bit, except that any two NaNs are equal: the sign of a NaN that FP64/float arithmetic produces
 * (inf - inf, 0 * inf) depends on which operand the compiler puts first, which differs between -O0 (the
 * coverage build) and -O2; C and IEEE 754 leave it unspecified. (The FP32 outputs are canonical NaNs.) */
static int same_f64(const double *a, const double *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (memcmp(&a[i], &b[i], sizeof a[i]) && !(isnan(a[i]) && isnan(b[i])))
            return 0;
    return 1;
}

static void test_refs_equal_first_versions(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed ^ 0x2EFu);
    const size_t lens[] = {0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 4099};
    const int dims[] = {16, 64, 128, 160};
    int cases = 0;
    for (int specials = 0; specials < 3; specials++)
        for (size_t a = 0; a < sizeof lens / sizeof lens[0]; a++)
            for (size_t b = 0; b < sizeof dims / sizeof dims[0]; b++, cases++) {
                size_t L = lens[a], stride = (size_t)dims[b] + (b & 1) * 16; /* rows wider than d, too */
                int d = dims[b];
                fp16_t *K = malloc((L + 1) * stride * sizeof *K), *V = malloc((L + 1) * stride * sizeof *V), q[160];
                assert_true(K && V);
                for (size_t i = 0; i < L * stride; i++) {
                    K[i] = ref_data(&r, specials);
                    V[i] = ref_data(&r, specials);
                }
                for (int i = 0; i < d; i++)
                    q[i] = specials == 2 ? ref_data(&r, 2) : h_of(tb_gauss(&r) * (specials ? 3.0 : 1.0));
                double o1[160], o2[160], l1 = 0, l2 = 0, tau = 1.0 / sqrt((double)d);
                attn_ref(KVF_FP16, q, K, V, L, d, stride, tau, o1, &l1);
                old_attn_ref(q, K, V, L, d, stride, tau, o2, &l2);
                if (!same_f64(o1, o2, (size_t)d) || !same_f64(&l1, &l2, 1))
                    fail_msg(TB_REPLAY "attn_ref L %zu d %d specials %d: output or lse differs from the first version",
                             g_seed, g_seed, L, d, specials);
                if (L) {
                    fp32_t m1, m2, s1, s2, h1[160], h2[160];
                    attn_host_partial(KVF_FP16, q, K, V, L, d, stride, scale_bits(), &m1, &s1, h1);
                    old_host_partial(q, K, V, L, d, stride, scale_bits(), &m2, &s2, h2);
                    if (m1 != m2 || s1 != s2 || memcmp(h1, h2, (size_t)d * sizeof h1[0]))
                        fail_msg(TB_REPLAY "attn_host_partial L %zu d %d specials %d: differs from the first version",
                                 g_seed, g_seed, L, d, specials);
                }
                free(K), free(V);
            }
    printf("  %d cases: attn_ref and attn_host_partial equal their first versions bit for bit (NaN = NaN)\n", cases);
}

/* attn_host_partial_i8 against the first version of the FP16 partial on the same values: INT8 values times
 * power-of-two block scales (blocks of 3 tokens, each its own scale) are exact FP16 values, so the INT8
 * partial (binary32 on K8[j][i] * ks[j], V8[j][i] * vs[j]) must give the FP16 partial's bits. */
static void test_host_partial_i8(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, g_seed ^ 0x18u);
    const size_t lens[] = {1, 5, 8, 9, 100, 1001};
    int cases = 0;
    for (size_t a = 0; a < sizeof lens / sizeof lens[0]; a++)
        for (int d = 64; d <= 128; d += 64, cases++) {
            const size_t L = lens[a], stride = (size_t)d + 16;
            fp16_t *K = malloc(L * stride * sizeof *K), *V = malloc(L * stride * sizeof *V), q[128];
            fp16_t *ks = malloc(L * sizeof *ks), *vs = malloc(L * sizeof *vs);
            int8_t *K8 = malloc(L * stride), *V8 = malloc(L * stride);
            assert_true(K && V && ks && vs && K8 && V8);
            fp16_t bk = 0, bv = 0;
            for (size_t j = 0; j < L; j++) {
                if (j % 3 == 0) { /* a new block: scales 2^-8 .. 2^3 */
                    bk = h_of(ldexp(1.0, (int)rng_below(&r, 12) - 8));
                    bv = h_of(ldexp(1.0, (int)rng_below(&r, 12) - 8));
                }
                ks[j] = bk, vs[j] = bv;
                for (size_t i = 0; i < stride; i++) {
                    K8[j * stride + i] = (int8_t)((int)rng_below(&r, 255) - 127);
                    V8[j * stride + i] = (int8_t)((int)rng_below(&r, 255) - 127);
                    K[j * stride + i] = h_of(K8[j * stride + i] * fp16_to_double(bk));
                    V[j * stride + i] = h_of(V8[j * stride + i] * fp16_to_double(bv));
                }
            }
            for (int i = 0; i < d; i++)
                q[i] = h_of(tb_gauss(&r) * 0.05);
            fp32_t m1, m2, s1, s2, h1[128], h2[128];
            attn_host_partial_i8(q, K8, ks, V8, vs, L, d, stride, scale_bits(), &m1, &s1, h1);
            old_host_partial(q, K, V, L, d, stride, scale_bits(), &m2, &s2, h2);
            if (m1 != m2 || s1 != s2 || memcmp(h1, h2, (size_t)d * sizeof h1[0]))
                fail_msg(TB_REPLAY "attn_host_partial_i8 L %zu d %d: m %08x/%08x l %08x/%08x, or an output differs "
                         "from the FP16 partial on the same values", g_seed, g_seed, L, d, m1, m2, s1, s2);
            free(K), free(V), free(ks), free(vs), free(K8), free(V8);
        }
    printf("  %d cases: attn_host_partial_i8 equals the FP16 partial on exactly representable values\n", cases);
}

int main(void)
{
    g_seed = tb_seed("test_attention_golden", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_end_to_end),
        cmocka_unit_test(test_split_k),
        cmocka_unit_test(test_merge_special),
        cmocka_unit_test(test_refs_equal_first_versions),
        cmocka_unit_test(test_host_partial_i8),
    };
    return cmocka_run_group_tests_name("attention_golden", tests, NULL, NULL);
}
