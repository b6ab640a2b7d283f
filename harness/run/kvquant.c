/* kvquant.c — INT8 quantisation of a run's K, V, queries and probabilities (kvquant.h). */
#include "kvquant.h"

#include <math.h>

#include "kvfmt.h"

/* The scale of n values: kvf_scale of their largest magnitude (the same FP16 value as over all of them). */
static fp16_t scale_of(const fp16_t *x, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs((double)fp16_to_float_exact(x[i])));
    return kvf_scale(&m, 1);
}

fp16_t kvq_vec(const fp16_t *x, size_t n, int8_t *x8)
{
    fp16_t s = scale_of(x, n);
    const double sd = (double)fp16_to_float_exact(s); /* exact, as every FP16 value below */
    for (size_t i = 0; i < n; i++)
        x8[i] = kvf_quant_d((double)fp16_to_float_exact(x[i]), sd);
    return s;
}

void kvq_ranges(const fp16_t *x, size_t ntok, unsigned dim, size_t range, unsigned B, int8_t *x8, fp16_t *st)
{
    for (size_t r0 = 0; r0 < ntok; r0 += range) {
        const size_t r1 = ntok - r0 < range ? ntok : r0 + range;
        for (size_t t0 = r0; t0 < r1; t0 += B) {
            const size_t t1 = r1 - t0 < B ? r1 : t0 + B;
            const fp16_t s = kvq_vec(x + t0 * dim, (t1 - t0) * dim, x8 + t0 * dim);
            for (size_t j = t0; j < t1; j++)
                st[j] = s;
        }
    }
}

void kvq_pack(const int8_t *x8, uint16_t data[16])
{
    for (int i = 0; i < 16; i++)
        data[i] = (uint16_t)((uint8_t)x8[2 * i] | (uint16_t)(uint8_t)x8[2 * i + 1] << 8);
}
