/* kvfmt.h — the KV-cache formats of issue 20 (BF16 and INT8 beside FP16) as their GEMV units compute them:
 * the specification the units' RTL is built against bit for bit, and the yardstick of each format's
 * accuracy (docs/numerics.md "KV formats"). The BF16 unit is gemv.h's with kv_fmt = KVF_BF16
 * (rtl/gemv KvBf16 = 1; tests/test_kvfmt.c checks the two agree); the INT8 unit's golden model is gemv.h's
 * with kv_fmt = GEMV_KV_INT8 (its command protocol there; tests/test_gemv_i8.c checks the two agree; RTL
 * KvInt8 = 1, rtl/gemv/gemv_row_i8.sv).
 *
 * Contract
 *  - 16-bit float KV (FP16 or BF16, kvf_fmt16): 16 lanes per 32-byte burst, FP32 accumulation, the order of
 *    gemv.h's FP32-accumulating unit: products rounded once to FP32, which is exact (FP16 x FP16: 22
 *    significant bits, BF16 x BF16: 16, FP16 x BF16: 19) except that BF16 has FP32's exponent range, so a
 *    BF16 x BF16 product can fall below FP32's normal range (rounded to a subnormal or zero) or overflow;
 *    a score sums each 16-lane beat as the balanced tree ((p0+p1)+(p2+p3))+... and adds it to the
 *    accumulator, which starts at -0; a context step is acc[i] + p * v[i] with p the softmax unit's FP16
 *    probability. This is gemv.h's unit bit for bit in either format (tests/test_kvfmt.c checks it).
 *  - INT8 KV: 32 lanes per burst. Symmetric quantisation: kvf_scale() = the FP16 value nearest max|x| / 127
 *    (max|x| / 127 computed in double, rounded once; +0 for an all-zero set); kvf_quant() = x / scale
 *    rounded to nearest even, clamped to [-127, 127] (0 when the scale is 0).
 *    Layout (docs/numerics.md): K and V of one KV head in blocks of B tokens, B a multiple of 32: one scale
 *    per block over its B x d values; q: one scale per query-head vector of d values; p: one scale per
 *    32-token word (a buffer word holds 32 INT8 probabilities), over its 32 values (p >= 0: 0..127).
 *    Score of a token: dot = sum q8[i] k8[i] in INT32 (exact: d x 127^2 < 2^31), converted to FP32 (exact
 *    while |dot| < 2^24, i.e. d <= 1040), times s_q * s_k (an FP16 x FP16 product: exact in FP32): one
 *    rounding. Context of one 32-token word within one V block: part[i] = sum over its tokens of
 *    p8 * v8[i] in INT32 (exact), acc[i] = acc[i] + part[i] * (s_p * s_v), each of the multiply and the
 *    add rounded to FP32 (two roundings per word; acc starts at -0).
 *  - Values are bit patterns (fp.h). d is a multiple of 16 (FP) or 32 (INT8), at most 1024.
 */
#ifndef PIMATTN_KVFMT_H
#define PIMATTN_KVFMT_H

#include <stddef.h>
#include <stdint.h>

#include "fp.h"

typedef enum kvf_fmt16 { KVF_FP16 = 0, KVF_BF16 = 1 } kvf_fmt16;

/* A 16-bit float of format f as an exact binary32 value, and a double rounded once to the format. */
static inline float kvf_widen(kvf_fmt16 f, uint16_t x)
{
    return f == KVF_BF16 ? fp32_bits_to_float((uint32_t)x << 16) : fp16_to_float_exact(x);
}
uint16_t kvf_round16(kvf_fmt16 f, double x);
/* An FP16 value rounded to BF16 (to nearest, ties to even; NaN -> BF16_QNAN): pimattn run's BF16 data. */
static inline uint16_t kvf_bf16_of_fp16(fp16_t h)
{
    uint32_t b = fp32_of_float(fp16_to_float_exact(h));
    if ((b & 0x7FFFFFFFu) > 0x7F800000u)
        return BF16_QNAN;
    return (uint16_t)((b + 0x7FFFu + ((b >> 16) & 1u)) >> 16); /* no overflow: |FP16| <= 65504 */
}

/* q . k over d values (both of format f): the FP32 score bits. */
fp32_t kvf_score16(kvf_fmt16 f, const uint16_t *q, const uint16_t *k, int d);
/* acc[i] = acc[i] + p * v[i] for i < d (v of format f, p FP16, acc FP32 bits). */
void kvf_ctx16(kvf_fmt16 f, fp32_t *acc, fp16_t p, const uint16_t *v, int d);

fp16_t kvf_scale(const double *x, size_t n);
int8_t kvf_quant(double x, fp16_t scale);
/* kvf_quant with the scale's value s given (a caller quantising many values converts the scale once). */
int8_t kvf_quant_d(double x, double s);

/* INT8 score: q8 . k8 over d values, scaled by sq * sk. */
fp32_t kvf_score_i8(const int8_t *q8, fp16_t sq, const int8_t *k8, fp16_t sk, int d);
/* INT8 context of one word: acc[i] = acc[i] + (sum over t < n of p8[t] * v8[t * d + i]) * (sp * sv), n <= 32. */
void kvf_ctx_i8(fp32_t *acc, const int8_t *p8, fp16_t sp, const int8_t *v8, fp16_t sv, int n, int d);

#endif
