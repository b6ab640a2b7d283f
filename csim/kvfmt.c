/* kvfmt.c — the KV formats' arithmetic (kvfmt.h), in binary32 host arithmetic where the operations are
 * IEEE binary32 ones (fp.h, "host arithmetic"), exact integer arithmetic for INT8. */
#include "kvfmt.h"

#include <math.h>
#include <string.h>

uint16_t kvf_round16(kvf_fmt16 f, double x)
{
    /* binary64 -> binary32 -> 16 bits would round twice; round the double once by the format's rules */
    fp_fmt to = f == KVF_BF16 ? FP_FMT_BF16 : FP_FMT_FP16;
    double a = fabs(x);
    if (isnan(x))
        return f == KVF_BF16 ? BF16_QNAN : FP16_QNAN;
    int e;
    (void)frexp(a, &e); /* a = m 2^e, m in [0.5, 1) */
    int emin = 2 - (1 << (to.ebits - 1)); /* smallest normal exponent (unbiased) */
    int q = e - 1 - to.mbits;            /* quantum of a's binade */
    if (q < emin - to.mbits)
        q = emin - to.mbits;
    double m = nearbyint(ldexp(a, -q)); /* the default mode: to nearest, ties to even */
    double r = ldexp(m, q);
    uint32_t bits = fp_convert(FP_FMT_FP32, to, float_to_fp32((float)r)); /* r is exact in binary32 here */
    uint32_t sign = x < 0 || (x == 0 && signbit(x)) ? 1u << (to.ebits + to.mbits) : 0;
    return (uint16_t)(bits | sign);
}

fp32_t kvf_score16(kvf_fmt16 f, const uint16_t *q, const uint16_t *k, int d)
{
    float acc = -0.0f;
    for (int w = 0; w < d; w += 16) {
        float l[16];
        for (int i = 0; i < 16; i++)
            l[i] = kvf_widen(f, q[w + i]) * kvf_widen(f, k[w + i]);
        for (int n = 8; n >= 1; n /= 2)
            for (int i = 0; i < n; i++)
                l[i] = l[2 * i] + l[2 * i + 1];
        acc = acc + l[0];
    }
    return fp32_of_float(acc);
}

void kvf_ctx16(kvf_fmt16 f, fp32_t *acc, fp16_t p, const uint16_t *v, int d)
{
    const float pf = fp16_to_float_exact(p);
    for (int i = 0; i < d; i++)
        acc[i] = fp32_of_float(fp32_bits_to_float(acc[i]) + pf * kvf_widen(f, v[i]));
}

fp16_t kvf_scale(const double *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(x[i]));
    return kvf_round16(KVF_FP16, m / 127.0);
}

int8_t kvf_quant(double x, fp16_t scale) { return kvf_quant_d(x, fp16_to_double(scale)); }

int8_t kvf_quant_d(double x, double s)
{
    if (s == 0)
        return 0;
    double r = nearbyint(x / s);
    return (int8_t)(r > 127 ? 127 : r < -127 ? -127 : r);
}

fp32_t kvf_score_i8(const int8_t *q8, fp16_t sq, const int8_t *k8, fp16_t sk, int d)
{
    int32_t dot = 0;
    for (int i = 0; i < d; i++)
        dot += (int32_t)q8[i] * k8[i];
    float s = fp16_to_float_exact(sq) * fp16_to_float_exact(sk); /* exact */
    return fp32_of_float((float)dot * s);                        /* (float)dot exact: |dot| < 2^24 */
}

void kvf_ctx_i8(fp32_t *acc, const int8_t *p8, fp16_t sp, const int8_t *v8, fp16_t sv, int n, int d)
{
    const float s = fp16_to_float_exact(sp) * fp16_to_float_exact(sv); /* exact */
    for (int i = 0; i < d; i++) {
        int32_t part = 0;
        for (int t = 0; t < n; t++)
            part += (int32_t)p8[t] * v8[(size_t)t * (size_t)d + (size_t)i];
        float term = (float)part * s; /* rounded */
        acc[i] = fp32_of_float(fp32_bits_to_float(acc[i]) + term);
    }
}
