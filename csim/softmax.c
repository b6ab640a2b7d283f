/* softmax.c — see softmax.h. Mirrors rtl/softmax/ step for step. */
#include "softmax.h"

#include <stdlib.h>
#include <string.h>

#include "sm_tables.h"

#define EXP_FB 20 /* fraction bits of |y| in the exp2 unit */
#define RCP_FB 30 /* fraction bits of the Newton-Raphson iterate */
#define RCP_ITERS 2
#define FP32_NEG_INF 0xFF800000u
#define FP32_ONE 0x3F800000u

static int pow2_in(int v, int lo, int hi)
{
    return v >= lo && v <= hi && (v & (v - 1)) == 0;
}

const char *sm_cfg_check(const sm_cfg *c)
{
    if (!pow2_in(c->lanes, 1, 16))
        return "lanes must be 1, 2, 4, 8 or 16";
    if (!pow2_in(c->exp_pieces, 4, 64))
        return "exp_pieces must be 4, 8, 16, 32 or 64";
    if (c->in_fp16 != 0 && c->in_fp16 != 1)
        return "in_fp16 must be 0 or 1";
    return NULL;
}

const char *sm_row_check(fp32_t scale, uint32_t n)
{
    if (fp32_classify(scale) != FP_CLASS_NORMAL || (scale & 0x80000000u) || scale > FP32_ONE)
        return "scale must be a normal FP32 in (0, 1] (1/sqrt(d) * log2(e) is 0.1275 at d = 128)";
    if (n < 1 || n > (1u << 24))
        return "a row has 1 to 2^24 scores";
    return NULL;
}

const char *sm_partial_check(fp32_t m, fp32_t l)
{
    if (fp32_classify(m) == FP_CLASS_NAN || fp32_classify(l) == FP_CLASS_NAN)
        return NULL; /* legal: propagated and flagged */
    if (m != FP32_NEG_INF && fp32_ceil(m) != m && !(fp32_classify(m) == FP_CLASS_ZERO))
        return "partial maximum m must be integer-valued or -Inf (as sm_row produces it)";
    if ((l & 0x80000000u) && fp32_classify(l) != FP_CLASS_ZERO)
        return "partial sum l must be >= 0";
    return NULL;
}

static void exp_table(int pieces, const uint32_t **a, const uint32_t **b)
{
    switch (pieces) {
    case 4: *a = sm_exp_a4, *b = sm_exp_b4; break;
    case 8: *a = sm_exp_a8, *b = sm_exp_b8; break;
    case 32: *a = sm_exp_a32, *b = sm_exp_b32; break;
    case 64: *a = sm_exp_a64, *b = sm_exp_b64; break;
    default: *a = sm_exp_a16, *b = sm_exp_b16; break;
    }
}

/* Mirrors sm_exp2.sv: |y| to fixed point (floor, EXP_FB fraction bits), y = k + g with integer k and
 * g in [0, 1); 2^g from the piece table (exactly 1 when g = 0); round to FP16 with exponent k. */
fp16_t sm_exp2(int pieces, fp32_t y)
{
    fp_class c = fp32_classify(y);
    if (c == FP_CLASS_NAN || (!(y & 0x80000000u) && c != FP_CLASS_ZERO))
        return FP16_QNAN;
    if (c == FP_CLASS_INF)
        return 0;
    fp_fields u = fp_unpack(FP_FMT_FP32, y);
    uint64_t t = 0; /* |y| * 2^EXP_FB, floor */
    if (u.exp != 0) {
        int sh = (int)u.exp - 127 - 23 + EXP_FB;
        if ((int)u.exp - 127 >= 5)
            return 0; /* |y| >= 32: below half the smallest FP16 subnormal */
        uint64_t sig = fp_sig(FP_FMT_FP32, u);
        t = sh >= 0 ? sig << sh : (-sh >= 64 ? 0 : sig >> -sh);
    }
    const uint64_t one = 1ull << EXP_FB;
    uint64_t n = t >> EXP_FB, r = t & (one - 1u);
    int k;
    uint64_t sig; /* U2.22 */
    if (r == 0) {
        k = -(int)n;
        sig = 1ull << SM_EXP_FRAC;
    } else {
        const uint32_t *ta, *tb;
        exp_table(pieces, &ta, &tb);
        int pb = __builtin_ctz((unsigned)pieces), ub = EXP_FB - pb;
        uint64_t g = one - r, idx = g >> ub, pos = g & ((1ull << ub) - 1u);
        k = -(int)n - 1;
        sig = ta[idx] + ((tb[idx] * pos) >> ub);
    }
    return (fp16_t)fp_round_pack(FP_FMT_FP16, 0, 15 + k + 1, sig, 24);
}

/* Mirrors sm_recip.sv: l = 2^e * d, d in [1, 2) (subnormals normalised); seed from the top
 * SM_RCP_BITS fraction bits; x <- x (2 - d x) in U2.30 fixed point, truncating; round to FP32. */
fp32_t sm_recip(fp32_t l)
{
    fp_class c = fp32_classify(l);
    if (c == FP_CLASS_NAN || ((l & 0x80000000u) && c != FP_CLASS_ZERO))
        return FP32_QNAN;
    if (c == FP_CLASS_ZERO)
        return 0x7F800000u;
    if (c == FP_CLASS_INF)
        return 0;
    fp_fields u = fp_unpack(FP_FMT_FP32, l);
    uint64_t d = fp_sig(FP_FMT_FP32, u); /* U1.23 */
    int e = fp_eeff(u) - 127;
    while (!(d >> 23)) { /* subnormal: normalise */
        d <<= 1;
        e--;
    }
    uint64_t x = (uint64_t)sm_rcp_seed[(d >> (23 - SM_RCP_BITS)) & ((1u << SM_RCP_BITS) - 1u)]
                 << (RCP_FB - SM_RCP_SEED_FRAC);
    for (int i = 0; i < RCP_ITERS; i++) {
        uint64_t t = (d * x) >> 23;                /* d x, U2.30 */
        uint64_t two_minus = (2ull << RCP_FB) - t; /* t < 2 for every seed */
        x = (x * two_minus) >> RCP_FB;
    }
    return fp_round_pack(FP_FMT_FP32, 0, 127 - e, x, RCP_FB + 1);
}

int sm_masked(const sm_mask *mk, uint32_t j)
{
    if (j >= mk->len)
        return 1;
    if (mk->causal && (int64_t)j > mk->delta)
        return 1;
    if (mk->window && (int64_t)j < mk->delta - (int64_t)mk->window + 1)
        return 1;
    return 0;
}

int64_t sm_tile_delta(int64_t r0, int64_t i, int64_t c0, int64_t kv_minus_q) { return r0 + i + kv_minus_q - c0; }

fp32_t sm_scaled(const sm_cfg *cfg, fp32_t scale, uint32_t s)
{
    fp32_t v = cfg->in_fp16 ? fp16_to_fp32((fp16_t)s) : s;
    return fp_mul(FP_FMT_FP32, FP_FMT_FP32, v, scale);
}

void sm_row(const sm_cfg *cfg, fp32_t scale, const sm_mask *mk, const uint32_t *s, uint32_t n, fp16_t *p,
            sm_res *r)
{
    /* pass 1: running maximum of the unmasked x_j (lane order does not matter: max is exact) */
    int nan = 0, any = 0;
    fp32_t xmax = FP32_NEG_INF;
    for (uint32_t j = 0; j < n; j++) {
        if (sm_masked(mk, j))
            continue;
        fp32_t x = sm_scaled(cfg, scale, s[j]);
        fp_class c = fp32_classify(x);
        if (c == FP_CLASS_NAN || x == 0x7F800000u) {
            nan = 1;
            continue;
        }
        if (x == FP32_NEG_INF)
            continue;
        any = 1;
        if (fp32_order_key(x) > fp32_order_key(xmax))
            xmax = x;
    }
    fp32_t m = any ? fp32_ceil(xmax) : FP32_NEG_INF;
    /* pass 2: probabilities, lane sums, tree */
    fp32_t lane[16];
    for (int k = 0; k < cfg->lanes; k++)
        lane[k] = 0x80000000u; /* -0: exact identity of the add */
    for (uint32_t j = 0; j < n; j++) {
        fp16_t pj = 0;
        if (!sm_masked(mk, j)) {
            if (nan)
                pj = FP16_QNAN;
            else if (any)
                pj = sm_exp2(cfg->exp_pieces, fp32_add(sm_scaled(cfg, scale, s[j]), m ^ 0x80000000u));
        }
        p[j] = pj;
        int k = (int)(j % (uint32_t)cfg->lanes);
        lane[k] = fp32_add(lane[k], fp16_to_fp32(pj));
    }
    for (int w = cfg->lanes; w > 1; w /= 2)
        for (int k = 0; k < w / 2; k++)
            lane[k] = fp32_add(lane[2 * k], lane[2 * k + 1]);
    fp32_t l = lane[0];
    r->m = m;
    r->nan = nan;
    r->empty = !nan && !any;
    if (r->empty) {
        r->l = r->rl = 0;
    } else {
        r->l = nan ? FP32_QNAN : l;
        r->rl = sm_recip(r->l);
    }
}

struct sm_merge {
    int d, any, nan;
    fp32_t m, l;
    fp32_t *acc;
};

sm_merge *sm_merge_new(int d)
{
    if (d < 1 || d > 4096)
        return NULL;
    sm_merge *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->acc = calloc((size_t)d, sizeof *g->acc);
    if (!g->acc) {
        free(g);
        return NULL;
    }
    g->d = d;
    g->m = FP32_NEG_INF;
    return g;
}

void sm_merge_free(sm_merge *g)
{
    if (g) {
        free(g->acc);
        free(g);
    }
}

int sm_shift(fp32_t a, fp32_t b)
{
    fp32_t dlt = fp32_add(a, b ^ 0x80000000u);
    if (fp32_classify(dlt) == FP_CLASS_ZERO)
        return 0;
    if (dlt == FP32_NEG_INF)
        return -512;
    fp_fields u = fp_unpack(FP_FMT_FP32, dlt);
    int e = (int)u.exp - 127;
    if (e >= 9)
        return -512;
    if (e < 0)
        return 0; /* |a - b| < 1: not produced by integer-valued inputs */
    return -(int)(fp_sig(FP_FMT_FP32, u) >> (23 - e)); /* integer-valued: exact; sign ignored (a <= b) */
}

void sm_merge_add(sm_merge *g, fp32_t m, fp32_t l, const fp32_t *o)
{
    if (fp32_classify(m) == FP_CLASS_NAN || fp32_classify(l) == FP_CLASS_NAN) {
        g->nan = 1;
        return;
    }
    if (fp32_classify(l) == FP_CLASS_ZERO || m == FP32_NEG_INF)
        return;
    fp32_t mn = (!g->any || fp32_order_key(m) > fp32_order_key(g->m)) ? m : g->m;
    int sa = g->any ? sm_shift(g->m, mn) : -512, sb = sm_shift(m, mn);
    g->l = fp32_add(fp32_scale2(g->l, sa), fp32_scale2(l, sb));
    for (int k = 0; k < g->d; k++)
        g->acc[k] = fp32_add(fp32_scale2(g->acc[k], sa), fp32_scale2(o[k], sb));
    g->m = mn;
    g->any = 1;
}

void sm_merge_finish(sm_merge *g, int normalise, fp32_t *out, sm_res *r)
{
    r->nan = g->nan;
    r->empty = !g->nan && !g->any;
    r->m = g->m;
    if (g->nan) {
        r->l = r->rl = FP32_QNAN;
    } else if (!g->any) {
        r->l = r->rl = 0;
    } else {
        r->l = g->l;
        r->rl = sm_recip(g->l);
    }
    for (int k = 0; k < g->d; k++) {
        if (g->nan)
            out[k] = FP32_QNAN;
        else if (!g->any)
            out[k] = 0;
        else
            out[k] = normalise ? fp_mul(FP_FMT_FP32, FP_FMT_FP32, g->acc[k], r->rl) : g->acc[k];
        g->acc[k] = 0;
    }
    g->any = g->nan = 0;
    g->m = FP32_NEG_INF;
    g->l = 0;
}
