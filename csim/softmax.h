/* softmax.h — golden model of the buffer-die softmax unit (rtl/softmax/): streaming row softmax in
 * base 2 with an integer running maximum, deferred normalisation, split-K log-sum-exp merge and a
 * tiling mask generated from offsets. Bit for bit what the RTL computes; docs/numerics.md has the
 * design and its measured error.
 *
 * Contract
 *  - Row softmax, scores s_0..s_{n-1} (FP32, or FP16 widened exactly when in_fp16), scale c (FP32,
 *    0 < c <= 1: 1/sqrt(d) folded with log2 e, so |x| <= |s| and nothing overflows):
 *      pass 1  x_j = s_j * c (FP32 mul); m = ceil(max of unmasked x_j), an integer-valued FP32 (+0 for
 *              a maximum in (-1, 0]; -Inf if no unmasked entry or all are -Inf);
 *      pass 2  p_j = exp2(x_j - m) as FP16 (the x_j - m is an FP32 add, always <= 0), 0 if masked;
 *              l = sum of p_j (FP16 widened exactly) in FP32: lane k of `lanes` sums entries
 *              j = k (mod lanes) in stream order, then the lanes are added as a balanced tree;
 *              rl = 1/l (FP32, LUT seed + 2 Newton-Raphson steps) for deferred normalisation.
 *    With an integer m the largest probability lies in (0.5, 1] and every rescale in a merge is an
 *    exact power of two.
 *  - Special cases: masked entries contribute exactly 0, whatever their score (NaN included). A -Inf
 *    score gives p = 0. No unmasked finite score: empty = 1, every p = 0, m = -Inf, l = rl = +0. An
 *    unmasked NaN or +Inf score: nan = 1, every unmasked p = NaN, l = rl = NaN (m as computed without it).
 *  - Mask of entry j (0-based in the row): masked iff j >= len (ragged last tile), or causal and
 *    j > delta, or window > 0 and j < delta - window + 1, where delta = key position of the query minus
 *    the first key position of the row (sm_tile_delta for a query row inside a tile).
 *  - Merge: partials (m_i, l_i, o_i[d]) from rows or from earlier merges, any number, any order;
 *    M = max m_i, l = sum 2^(m_i - M) l_i, o = (sum 2^(m_i - M) o_i) / l with exact power-of-two
 *    rescales (fp32_scale2) and FP32 adds in arrival order. m_i must be integer-valued (or -Inf) and
 *    l_i >= 0; a partial with l_i = 0 or m_i = -Inf contributes nothing.
 */
#ifndef PIMATTN_SOFTMAX_H
#define PIMATTN_SOFTMAX_H

#include <stddef.h>
#include <stdint.h>

#include "fp.h"

typedef struct sm_cfg {
    int lanes;      /* scores per beat: 1, 2, 4, 8 or 16 */
    int exp_pieces; /* exp2 pieces: 4, 8, 16, 32 or 64 */
    int in_fp16;    /* 1: scores arrive as FP16 (FP16-accumulating GEMV) */
} sm_cfg;

typedef struct sm_mask {
    uint32_t len;    /* entries j >= len are masked */
    int causal;      /* mask j > delta */
    int64_t delta;   /* query key position - first key position of the row */
    uint32_t window; /* > 0: mask j < delta - window + 1 (sliding window of `window` keys) */
} sm_mask;

typedef struct sm_res {
    fp32_t m, l, rl;
    int empty, nan;
} sm_res;

const char *sm_cfg_check(const sm_cfg *c); /* NULL if valid, else why not */
/* Driver checks (NULL if legal, else why not): scale in (0, 1]; 1 <= n <= 2^24. */
const char *sm_row_check(fp32_t scale, uint32_t n);
/* A partial for the merge: m integer-valued or -Inf, l >= 0 (NaN is legal input and flagged). */
const char *sm_partial_check(fp32_t m, fp32_t l);

/* exp2 unit: 2^y for y <= 0 as FP16 (y = -0 -> 1.0; y <= -32 or -Inf -> +0; y > 0 or NaN -> NaN). */
fp16_t sm_exp2(int pieces, fp32_t y);
/* reciprocal unit: 1/l for l > 0 (NaN or l < 0 -> NaN; +0 -> +Inf; +Inf -> +0). */
fp32_t sm_recip(fp32_t l);

/* Steps shared with the command-level model (csim/sm_unit.c): the scaled score x = s * scale; the
 * merge rescale exponent for integer-valued a <= b, i.e. a - b saturated to [-512, 0]. */
fp32_t sm_scaled(const sm_cfg *cfg, fp32_t scale, uint32_t s);
int sm_shift(fp32_t a, fp32_t b);

int sm_masked(const sm_mask *mk, uint32_t j);
/* delta of query row r0 + i of a tile whose keys start at c0, causal offset kv_minus_q = L_kv - L_q. */
int64_t sm_tile_delta(int64_t r0, int64_t i, int64_t c0, int64_t kv_minus_q);

/* Row softmax of n scores (bit patterns; FP16 in the low half when cfg->in_fp16) into p[0..n-1]. */
void sm_row(const sm_cfg *cfg, fp32_t scale, const sm_mask *mk, const uint32_t *s, uint32_t n, fp16_t *p,
            sm_res *r);

typedef struct sm_merge sm_merge;
sm_merge *sm_merge_new(int d); /* d: vector length, 1..4096; NULL on bad d or no memory */
void sm_merge_free(sm_merge *g);
void sm_merge_add(sm_merge *g, fp32_t m, fp32_t l, const fp32_t *o);
/* Result: out[k] = o_k (normalise = 1) or the unnormalised sum (0); r->m, r->l as merged, r->rl = 1/l.
 * Empty: out = +0, rl = +0. NaN anywhere: out = NaN. The state is reset for the next merge. */
void sm_merge_finish(sm_merge *g, int normalise, fp32_t *out, sm_res *r);

#endif
