/* attn_ref.c — FP64 reference decode attention and the host tier's binary32 partial (attn_ref.h).
 *
 * Both compute each score once and keep it for the second pass (the same operations in the same order as
 * computing it twice), KB keys at a time: each key's dot product is its own sequential sum in dimension
 * order, the KB sums advance side by side (the compiler's SIMD lanes), so no sum is reassociated. Without
 * memory for the scores they fall back to computing them twice, one key at a time: the same results. */
#include "attn_ref.h"

#include <math.h>
#include <stdlib.h>

#define KB 8 /* keys per block */

/* Built with -O3 (Makefile: the loops over dimensions vectorise) and, on x86-64, for three instruction sets
 * chosen at run time. Neither changes a result: -std=c11 keeps contraction off, and no sum is reassociated
 * (vectors run across keys or across independent output dimensions, never along a sum). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define CLONES
#endif

#define INLINE static inline __attribute__((always_inline))

/* A row of d values of format f widened (exactly) into w. */
INLINE void widen_row(kvf_fmt16 f, const uint16_t *x, int d, float *w)
{
    if (f == KVF_BF16)
        for (int i = 0; i < d; i++)
            w[i] = kvf_widen(KVF_BF16, x[i]);
    else
        for (int i = 0; i < d; i++)
            w[i] = fp16_to_float_exact(x[i]);
}

/* Scores of keys j0 .. j0+nb-1 (nb <= KB): sums of q[i] * k[i] in order i = 0 .. d-1, from +0, in double
 * (scores_d) or binary32 (scores_f); kt is scratch for d x KB transposed key values. */
INLINE void scores_d(kvf_fmt16 f, const double *qd, const uint16_t *K, size_t j0, int nb, int d, size_t stride,
                     double *kt, double *s)
{
    for (int l = 0; l < KB; l++)
        for (int i = 0; i < d; i++) {
            const uint16_t *k = K + (j0 + (size_t)l) * stride;
            kt[(size_t)i * KB + (size_t)l] = l < nb ? (double)kvf_widen(f, k[i]) : 0.0;
        }
    double acc[KB] = {0};
    for (int i = 0; i < d; i++)
        for (int l = 0; l < KB; l++)
            acc[l] += qd[i] * kt[(size_t)i * KB + (size_t)l];
    for (int l = 0; l < nb; l++)
        s[l] = acc[l];
}

INLINE void scores_f(kvf_fmt16 f, const float *qf, const uint16_t *K, size_t j0, int nb, int d, size_t stride,
                     float *kt, float *s)
{
    for (int l = 0; l < KB; l++)
        for (int i = 0; i < d; i++) {
            const uint16_t *k = K + (j0 + (size_t)l) * stride;
            kt[(size_t)i * KB + (size_t)l] = l < nb ? kvf_widen(f, k[i]) : 0.0f;
        }
    float acc[KB] = {0};
    for (int i = 0; i < d; i++)
        for (int l = 0; l < KB; l++)
            acc[l] += qf[i] * kt[(size_t)i * KB + (size_t)l];
    for (int l = 0; l < nb; l++)
        s[l] = acc[l];
}

CLONES void attn_ref(kvf_fmt16 f, const uint16_t *q, const uint16_t *K, const uint16_t *V, size_t L, int d,
                     size_t stride, double tau, double *out, double *lse)
{
    double qd[4096];
    float vf[4096];
    for (int i = 0; i < d; i++) {
        qd[i] = (double)kvf_widen(f, q[i]);
        out[i] = 0.0;
    }
    double *kt = malloc(((size_t)d * KB + L) * sizeof *kt), *st = kt ? kt + (size_t)d * KB : NULL;
    double m = -INFINITY;
    for (size_t j = 0; j < L; j += KB) { /* pass 1: s_j * tau and their maximum */
        int nb = L - j < KB ? (int)(L - j) : KB;
        double s[KB];
        if (kt)
            scores_d(f, qd, K, j, nb, d, stride, kt, s);
        else
            for (int l = 0; l < nb; l++) {
                s[l] = 0.0;
                for (int i = 0; i < d; i++)
                    s[l] += qd[i] * (double)kvf_widen(f, K[(j + (size_t)l) * stride + (size_t)i]);
            }
        for (int l = 0; l < nb; l++) {
            s[l] *= tau;
            if (st)
                st[j + (size_t)l] = s[l];
            if (s[l] > m)
                m = s[l];
        }
    }
    double l = 0.0;
    for (size_t j = 0; j < L; j++) { /* pass 2: exponentials and the weighted sum, in token order */
        double s = 0.0;
        if (st) {
            s = st[j];
        } else {
            for (int i = 0; i < d; i++)
                s += qd[i] * (double)kvf_widen(f, K[j * stride + (size_t)i]);
            s *= tau;
        }
        double p = exp(s - m);
        l += p;
        widen_row(f, V + j * stride, d, vf);
        for (int i = 0; i < d; i++)
            out[i] += p * (double)vf[i];
    }
    free(kt);
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

CLONES void attn_host_partial(kvf_fmt16 f, const uint16_t *q, const uint16_t *K, const uint16_t *V, size_t L, int d,
                              size_t stride, fp32_t scale, fp32_t *m, fp32_t *l, fp32_t *o)
{
    const float c = fp32_bits_to_float(scale);
    float xmax = -INFINITY, lsum = 0.0f, acc[4096], qf[4096], vf[4096];
    for (int i = 0; i < d; i++) {
        qf[i] = kvf_widen(f, q[i]);
        acc[i] = 0.0f;
    }
    float *kt = malloc(((size_t)d * KB + L) * sizeof *kt), *xs = kt ? kt + (size_t)d * KB : NULL;
    for (size_t j = 0; j < L; j += KB) { /* x_j = s_j * c and their maximum */
        int nb = L - j < KB ? (int)(L - j) : KB;
        float s[KB];
        if (kt)
            scores_f(f, qf, K, j, nb, d, stride, kt, s);
        else
            for (int k = 0; k < nb; k++) {
                s[k] = 0.0f;
                for (int i = 0; i < d; i++)
                    s[k] += qf[i] * kvf_widen(f, K[(j + (size_t)k) * stride + (size_t)i]);
            }
        for (int k = 0; k < nb; k++) {
            float x = s[k] * c;
            if (xs)
                xs[j + (size_t)k] = x;
            if (x > xmax)
                xmax = x;
        }
    }
    const float mc = ceilf(xmax);
    for (size_t j = 0; j < L; j++) {
        float x;
        if (xs) {
            x = xs[j];
        } else {
            float s = 0.0f;
            for (int i = 0; i < d; i++)
                s += qf[i] * kvf_widen(f, K[j * stride + (size_t)i]);
            x = s * c;
        }
        float p = (float)exp2((double)(x - mc));
        lsum += p;
        widen_row(f, V + j * stride, d, vf);
        for (int i = 0; i < d; i++)
            acc[i] += p * vf[i];
    }
    free(kt);
    *m = fp32_of_float(mc);
    *l = fp32_of_float(lsum);
    for (int i = 0; i < d; i++)
        o[i] = fp32_of_float(acc[i]);
}
