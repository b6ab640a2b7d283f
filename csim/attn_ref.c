/* attn_ref.c — FP64 reference decode attention (attn_ref.h). Two passes: maximum, then the
 * exponentials and the weighted sum, so no term overflows. */
#include "attn_ref.h"

#include <math.h>

void attn_ref(const fp16_t *q, const fp16_t *K, const fp16_t *V, size_t L, int d, size_t stride, double tau,
              double *out, double *lse)
{
    double qd[4096];
    for (int i = 0; i < d; i++) {
        qd[i] = (double)fp16_to_float_exact(q[i]);
        out[i] = 0.0;
    }
    double m = -INFINITY;
    for (size_t j = 0; j < L; j++) {
        double s = 0.0;
        for (int i = 0; i < d; i++)
            s += qd[i] * (double)fp16_to_float_exact(K[j * stride + (size_t)i]);
        s *= tau;
        if (s > m)
            m = s;
    }
    double l = 0.0;
    for (size_t j = 0; j < L; j++) {
        double s = 0.0;
        for (int i = 0; i < d; i++)
            s += qd[i] * (double)fp16_to_float_exact(K[j * stride + (size_t)i]);
        double p = exp(s * tau - m);
        l += p;
        for (int i = 0; i < d; i++)
            out[i] += p * (double)fp16_to_float_exact(V[j * stride + (size_t)i]);
    }
    for (int i = 0; i < d && l > 0; i++)
        out[i] /= l;
    if (lse)
        *lse = L ? m + log(l) : -INFINITY;
}

double attn_rel_l2(const double *ref, const fp32_t *got, int d)
{
    double num = 0.0, den = 0.0;
    for (int i = 0; i < d; i++) {
        double g = (double)fp32_to_float(got[i]);
        if (isnan(g) || isnan(ref[i]))
            return NAN;
        num += (g - ref[i]) * (g - ref[i]);
        den += ref[i] * ref[i];
    }
    return den > 0 ? sqrt(num / den) : sqrt(num);
}

void attn_host_partial(const fp16_t *q, const fp16_t *K, const fp16_t *V, size_t L, int d, size_t stride, fp32_t scale,
                       fp32_t *m, fp32_t *l, fp32_t *o)
{
    const float c = fp32_bits_to_float(scale);
    float xmax = -INFINITY, lsum = 0.0f, acc[4096];
    for (size_t j = 0; j < L; j++) {
        float s = 0.0f;
        for (int i = 0; i < d; i++)
            s += fp16_to_float_exact(q[i]) * fp16_to_float_exact(K[j * stride + (size_t)i]);
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
            s += fp16_to_float_exact(q[i]) * fp16_to_float_exact(K[j * stride + (size_t)i]);
        float p = (float)exp2((double)(s * c - mc));
        lsum += p;
        for (int i = 0; i < d; i++)
            acc[i] += p * fp16_to_float_exact(V[j * stride + (size_t)i]);
    }
    *m = fp32_of_float(mc);
    *l = fp32_of_float(lsum);
    for (int i = 0; i < d; i++)
        o[i] = fp32_of_float(acc[i]);
}
