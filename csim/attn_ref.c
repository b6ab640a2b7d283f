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

/* Scores of keys j0 .. j0+nb-1 (nb <= KB): sums of q[i] * k[i] in order i = 0 .. d-1, from +0, in double;
 * kt is scratch for d x KB transposed key values (host_partial does the same in binary32). */
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

/* Where the host partial reads its keys and values: 16-bit values of format f, or (i8) INT8 values, each
 * token's scaled by its block's FP16 scale (ks, vs: one per token). Every value is exact in binary32. */
typedef struct hp_src {
    kvf_fmt16 f;
    const uint16_t *K, *V;
    const int8_t *K8, *V8;
    const uint16_t *ks, *vs;
    size_t stride;
} hp_src;

INLINE float hp_key(const hp_src *s, int i8, size_t j, int i)
{
    return i8 ? (float)s->K8[j * s->stride + (size_t)i] * fp16_to_float_exact(s->ks[j])
              : kvf_widen(s->f, s->K[j * s->stride + (size_t)i]);
}

INLINE void hp_val_row(const hp_src *s, int i8, size_t j, int d, float *w)
{
    if (!i8) {
        widen_row(s->f, s->V + j * s->stride, d, w);
        return;
    }
    const float sc = fp16_to_float_exact(s->vs[j]);
    for (int i = 0; i < d; i++)
        w[i] = (float)s->V8[j * s->stride + (size_t)i] * sc;
}

/* attn_host_partial's body; i8 is a constant at each call, so each caller gets its own loops. */
INLINE void host_partial(const hp_src *src, int i8, const uint16_t *q, size_t L, int d, fp32_t scale, fp32_t *m,
                         fp32_t *l, fp32_t *o)
{
    const float c = fp32_bits_to_float(scale);
    float xmax = -INFINITY, lsum = 0.0f, acc[4096], qf[4096], vf[4096];
    for (int i = 0; i < d; i++) {
        qf[i] = kvf_widen(i8 ? KVF_FP16 : src->f, q[i]);
        acc[i] = 0.0f;
    }
    float *kt = malloc(((size_t)d * KB + L) * sizeof *kt), *xs = kt ? kt + (size_t)d * KB : NULL;
    for (size_t j = 0; j < L; j += KB) { /* x_j = s_j * c and their maximum */
        int nb = L - j < KB ? (int)(L - j) : KB;
        float s[KB];
        if (kt) { /* KB sums side by side, each in dimension order (as scores_d) */
            for (int k = 0; k < KB; k++)
                for (int i = 0; i < d; i++)
                    kt[(size_t)i * KB + (size_t)k] = k < nb ? hp_key(src, i8, j + (size_t)k, i) : 0.0f;
            float a[KB] = {0};
            for (int i = 0; i < d; i++)
                for (int k = 0; k < KB; k++)
                    a[k] += qf[i] * kt[(size_t)i * KB + (size_t)k];
            for (int k = 0; k < nb; k++)
                s[k] = a[k];
        } else {
            for (int k = 0; k < nb; k++) {
                s[k] = 0.0f;
                for (int i = 0; i < d; i++)
                    s[k] += qf[i] * hp_key(src, i8, j + (size_t)k, i);
            }
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
                s += qf[i] * hp_key(src, i8, j, i);
            x = s * c;
        }
        float p = (float)exp2((double)(x - mc));
        lsum += p;
        hp_val_row(src, i8, j, d, vf);
        for (int i = 0; i < d; i++)
            acc[i] += p * vf[i];
    }
    free(kt);
    *m = fp32_of_float(mc);
    *l = fp32_of_float(lsum);
    for (int i = 0; i < d; i++)
        o[i] = fp32_of_float(acc[i]);
}

CLONES void attn_host_partial(kvf_fmt16 f, const uint16_t *q, const uint16_t *K, const uint16_t *V, size_t L, int d,
                              size_t stride, fp32_t scale, fp32_t *m, fp32_t *l, fp32_t *o)
{
    const hp_src src = {.f = f, .K = K, .V = V, .stride = stride};
    host_partial(&src, 0, q, L, d, scale, m, l, o);
}

CLONES void attn_host_partial_i8(const fp16_t *q, const int8_t *K8, const fp16_t *ks, const int8_t *V8,
                                 const fp16_t *vs, size_t L, int d, size_t stride, fp32_t scale, fp32_t *m, fp32_t *l,
                                 fp32_t *o)
{
    const hp_src src = {.f = KVF_FP16, .K8 = K8, .V8 = V8, .ks = ks, .vs = vs, .stride = stride};
    host_partial(&src, 1, q, L, d, scale, m, l, o);
}
