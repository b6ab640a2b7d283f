/* attn_ref.h — FP64 reference decode attention: the yardstick the hardware's output is measured
 * against (not a hardware model: no rounding but FP64's, order of summation free).
 *
 * Contract
 *  - attn_ref(): one query head (d <= 4096) over keys and values j = 0..L-1 (q, K and V in the 16-bit
 *    format f, FP16 or BF16 (kvfmt.h), L x d, rows of `stride` elements): s_j = tau * q.k_j, p = softmax(s), out = sum p_j v_j (d doubles); *lse (may be
 *    NULL) = log(sum exp s_j) in natural log. L = 0 gives out = 0 and lse = -Inf.
 *  - attn_rel_l2(): ||got - ref||_2 / ||ref||_2 for d FP32 results (NaN if either contains a NaN;
 *    the absolute L2 distance when ||ref|| = 0).
 *  - attn_host_partial(): what the host tier computes for the tokens it holds, in binary32 in this
 *    order, as a split-K partial the softmax unit can merge: s_j = q.k_j (products of format f's
 *    values rounded to binary32: exact for FP16, and for BF16 unless they underflow; adds in dimension order), x_j = s_j * scale (scale = log2(e)/sqrt(d), as the PIM side), m = ceil(max x_j)
 *    (an integer, as sm_partial_check requires), p_j = exp2(x_j - m) (libm exp2 in double, rounded to
 *    binary32), l = sum p_j and o[i] = sum p_j v_j[i] in token order. L >= 1.
 *  - attn_host_partial_i8(): the same over an INT8 cache: k_j[i] = K8[j][i] * ks[j] and v_j[i] = V8[j][i] *
 *    vs[j] (ks, vs: the FP16 scale of token j's block; each product exact in binary32), q in FP16 (the
 *    host computes in binary32 and needs no INT8 query).
 */
#ifndef PIMATTN_ATTN_REF_H
#define PIMATTN_ATTN_REF_H

#include <stddef.h>

#include "fp.h"
#include "kvfmt.h"

void attn_ref(kvf_fmt16 f, const uint16_t *q, const uint16_t *K, const uint16_t *V, size_t L, int d, size_t stride,
              double tau, double *out, double *lse);
double attn_rel_l2(const double *ref, const fp32_t *got, int d);
void attn_host_partial(kvf_fmt16 f, const uint16_t *q, const uint16_t *K, const uint16_t *V, size_t L, int d,
                       size_t stride, fp32_t scale, fp32_t *m, fp32_t *l, fp32_t *o);
void attn_host_partial_i8(const fp16_t *q, const int8_t *K8, const fp16_t *ks, const int8_t *V8, const fp16_t *vs,
                          size_t L, int d, size_t stride, fp32_t scale, fp32_t *m, fp32_t *l, fp32_t *o);

#endif
