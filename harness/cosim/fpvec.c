#include "fpvec.h"

size_t fpvec_specials(fp_fmt f, uint32_t *out, size_t cap)
{
    const uint32_t emax = (1u << f.ebits) - 1u, fmask = (1u << f.mbits) - 1u;
    const uint32_t bias = (1u << (f.ebits - 1)) - 1u;
    const uint32_t mags[] = {
        0u,                                  /* zero */
        1u,                                  /* smallest subnormal */
        2u,                                  /* 2 x smallest subnormal */
        fmask,                               /* largest subnormal */
        1u << f.mbits,                       /* smallest normal */
        (1u << f.mbits) | 1u,                /* smallest normal + 1 ulp */
        bias << f.mbits,                     /* 1.0 */
        (bias << f.mbits) | 1u,              /* 1 + ulp */
        (bias << f.mbits) | (1u << (f.mbits - 1)), /* 1.5 */
        ((bias - 1u) << f.mbits) | fmask,    /* 1 - ulp/2 */
        ((emax - 1u) << f.mbits) | fmask,    /* largest finite */
        ((emax - 1u) << f.mbits),            /* 2^emax-1 */
        emax << f.mbits,                     /* Inf */
        (emax << f.mbits) | (1u << (f.mbits - 1)), /* canonical qNaN */
        (emax << f.mbits) | 1u,              /* sNaN */
        (emax << f.mbits) | fmask,           /* NaN, all payload bits */
    };
    const uint32_t sign = 1u << (f.ebits + f.mbits);
    size_t n = 0;
    for (size_t i = 0; i < sizeof mags / sizeof mags[0]; i++) {
        if (n < cap)
            out[n] = mags[i];
        n++;
        if (n < cap)
            out[n] = mags[i] | sign;
        n++;
    }
    return n;
}

uint32_t fpvec_operand(fp_fmt f, rng *r, uint32_t near)
{
    const int w = f.ebits + f.mbits + 1;
    const uint32_t mask = w == 32 ? 0xFFFFFFFFu : ((1u << w) - 1u);
    uint64_t k = rng_below(r, 8);
    if (k == 0) {
        uint32_t sp[64];
        size_t n = fpvec_specials(f, sp, 64);
        return sp[rng_below(r, n)];
    }
    uint32_t x = (uint32_t)rng_next(r) & mask;
    if (k <= 3) {
        const uint32_t emax = (1u << f.ebits) - 1u;
        int e = (int)((near >> f.mbits) & emax) + (int)rng_below(r, 7) - 3;
        if (e < 0)
            e = 0;
        if (e > (int)emax)
            e = (int)emax;
        /* short random fraction tails make exact ties and long carries common */
        uint32_t frac = x & ((1u << f.mbits) - 1u);
        if (rng_below(r, 2))
            frac &= ~((1u << (int)rng_below(r, (uint64_t)f.mbits)) - 1u);
        x = (x & (1u << (w - 1))) | ((uint32_t)e << f.mbits) | frac;
    }
    return x;
}
