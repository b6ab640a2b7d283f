/* gauss_lanes.c — the SIMD lanes of the fast Gaussian path (gauss.h): GAUSS_LANES xoshiro256** streams,
 * Box-Muller by polynomials, and the interval check that proves each FP16 value equal to the
 * definition's (or hands it to gauss16_of, which computes it as the definition does). The round itself
 * is gauss_kernel.inc, compiled here for vectors of 8 lanes (AVX-512) and of 4 (AVX2, and any other
 * machine through GCC's generic vectors); the same bits either way.
 *
 * Built with -fno-math-errno (sqrt of a vector is the SIMD instruction; it is correctly rounded either
 * way) and -ffp-contract=fast (a*b+c may be one FMA). Neither reaches the definition (gauss.c): here
 * they only change the approximation g', which is used only through the check.
 *
 * Error of g' against libm's g = fl(fl(sqrt(-2 log u)) * cos(fl(2 pi v))), relative to s = sqrt(-2 log u)
 * (s >= |g|; s >= 1.5e-8 for every u < 1):
 *  - log u = e ln 2 + 2 atanh(t), t = (m-1)/(m+1), |t| <= 0.1716, series to t^13: relative error of the
 *    truncation <= t^14/15 < 1.3e-12; |e ln 2| <= 2 |log u| (no cancellation beyond a factor 2), so log u
 *    is within 3e-12 relative, plus a few ulps of rounding; the square root halves that: s' within 2e-12 s.
 *  - cos(2 pi v) = -sin(2 pi y), y = 1/4 - |v - 1/2| exactly; Taylor to y^17 (|2 pi y| <= pi/2): absolute
 *    error < 5e-14 + rounding (1e-15); libm's cos is within 1 ulp of cos(fl(2 pi v)), which is within
 *    |fl(2 pi v) - 2 pi v| < 7e-16 of cos(2 pi v).
 *  - so |g' - g| < 3e-12 s + |g| 2^-52, far inside the interval s 2^-32 = 2.3e-10 s the check uses.
 * tests/test_gauss.c measures the largest |g' - g| / s (gauss_approx) and asserts it below 2^-38. */
#include <math.h>
#include <string.h>

#include "gauss.h"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define X86 1
#include <immintrin.h>
#endif

#define BLK 16 /* iterations per block: values checked, fixed and stored together (chunks are multiples) */

/* sin(2 pi y) = y (S0 + S1 y^2 + ... + S8 y^16), |y| <= 1/4: Taylor, |error| < 5e-14 */
#define S0 6.283185307179586
#define S1 -41.34170224039976
#define S2 81.60524927607506
#define S3 -76.70585975306139
#define S4 42.058693944897655
#define S5 -15.09464257682299
#define S6 3.819952584848282
#define S7 -0.7181223017785006
#define S8 0.10422916220813984

#define FOR_G _Pragma("GCC unroll 8") for (int q = 0; q < NG; q++)
#define ROTL(x, k) (((x) << (k)) | ((x) >> (64 - (k))))
/* rng_next in every lane of vector q: the result (x * 5, rotate 7, * 9 as shifts and adds), then the update */
#define NEXT(res, q)                                                                                           \
    do {                                                                                                       \
        __typeof__(s1[q]) x_ = (s1[q] << 2) + s1[q], r_ = ROTL(x_, 7), t_ = s1[q] << 17;                       \
        res = (r_ << 3) + r_;                                                                                  \
        s2[q] ^= s0[q], s3[q] ^= s1[q], s1[q] ^= s2[q], s0[q] ^= s3[q], s2[q] ^= t_, s3[q] = ROTL(s3[q], 45);  \
    } while (0)
/* g' = s' cos(2 pi v) and s' = sqrt(-2 log u) of draws a, b (vectors VU64 of VL lanes); NaN for u = 0.
 * log u = e ln 2 + log m, m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(t), t = (m-1)/(m+1);
 * cos(2 pi v) = -cos(2 pi |v - 1/2|) = -sin(2 pi y), y = 1/4 - |v - 1/2| (both subtractions exact). */
#define BOX_MULLER(a, b, g, sq)                                                                                \
    do {                                                                                                       \
        const VU64 EXP52 = (VU64){0} + 0x4330000000000000ull; /* the 2^52 bias (generic vectors) */            \
        (void)EXP52;                                                                                           \
        VF64 u = UNIT((a) >> 11), y = QUARTER((b) >> 11);                                                      \
        VU64 ub = (VU64)u, fr = ub & 0x000FFFFFFFFFFFFFull;                                                    \
        VU64 big = (VU64)((VI64)fr > 0x6A09E667F3BCDll); /* all ones where m is halved (e + 1) */            \
        VF64 m = (VF64)(fr | (0x3FF0000000000000ull ^ (big & 0x0010000000000000ull)));                        \
        VI64 e = (VI64)(ub >> 52) - 1023 - (VI64)big;                                                          \
        VF64 ed = EXPD(e);                                                                                     \
        VF64 r = m - 1.0, t = r / (2.0 + r), z = t * t, z2 = z * z, z4 = z2 * z2;                              \
        VF64 p = ((1.0 + z * (1.0 / 3)) + z2 * (1.0 / 5 + z * (1.0 / 7))) +                                    \
                 z4 * ((1.0 / 9 + z * (1.0 / 11)) + z2 * (1.0 / 13));                                          \
        VF64 w = -2.0 * (ed * 0.6931471805599453 + 2.0 * t * p);                                               \
        w = (VF64)((VU64)w | ((VU64)(u == 0.0) & 0x7FF8000000000000ull)); /* u = 0: NaN, never proven */      \
        for (int k_ = 0; k_ < VL; k_++)                                                                        \
            sq[k_] = sqrt(w[k_]);                                                                              \
        VF64 y2 = y * y, y4 = y2 * y2;                                                                         \
        VF64 y8 = y4 * y4;                                                                                     \
        VF64 sn = ((S0 + S1 * y2) + y4 * (S2 + S3 * y2)) + y8 * ((S4 + S5 * y2) + y4 * (S6 + S7 * y2)) +       \
                  y8 * y8 * S8;                                                                                \
        g = sq * -(y * sn);                                                                                    \
    } while (0)
/* rng_unit: (draw >> 11) * 2^-53 exactly, as (k >> 1) * 2^-52 + (k & 1) * 2^-53 through the 2^52 bias */
#define UNIT_BIAS(k) (((VF64)(((k) >> 1) | EXP52) - 0x1p52) * 0x1p-52 + ((VF64)(((k) & 1u) | EXP52) - 0x1p52) * 0x1p-53)
/* y = 1/4 - |v - 1/2| for v = k 2^-53 (exact: both subtractions are exact in binary64) */
#define QUARTER_BIAS(k) (0.25 - (VF64)((VU64)(UNIT_BIAS(k) - 0.5) & 0x7FFFFFFFFFFFFFFFull))
/* the same with AVX-512's 64-bit integer conversions: k < 2^53 and 2^51 - |k - 2^52| are exact doubles */
#define UNIT_CVT(k) (__builtin_convertvector((k), VF64) * 0x1p-53)
#define QUARTER_CVT(k)                                                                                         \
    (__builtin_convertvector((VI64){0} + (1ll << 51) - ABS64((VI64)(k) - (1ll << 52)), VF64) * 0x1p-53)
#define EXPD_BIAS(e) ((VF64)((VU64)((e) + (1ll << 51)) | EXP52) - 0x1.8p52) /* |e| < 2^51 */
#define EXPD_CVT(e) __builtin_convertvector((e), VF64)
#define ABS64(x) __extension__({ VI64 x_ = (x), m_ = x_ >> 63; (x_ ^ m_) - m_; })

/* 16 x 16 transpose of FP16 rows in four steps; step i swaps bit i of the row with bit i of the column:
 * rows r (bit i clear) and r + 2^i exchange the elements whose column has bit i set / clear. */
typedef uint16_t vu16x16 __attribute__((vector_size(32)));
#define M_LO(b) (vu16x16){SEL(b, 0, 0), SEL(b, 0, 1), SEL(b, 0, 2), SEL(b, 0, 3), SEL(b, 0, 4), SEL(b, 0, 5),          \
                          SEL(b, 0, 6), SEL(b, 0, 7), SEL(b, 0, 8), SEL(b, 0, 9), SEL(b, 0, 10), SEL(b, 0, 11),        \
                          SEL(b, 0, 12), SEL(b, 0, 13), SEL(b, 0, 14), SEL(b, 0, 15)}
#define M_HI(b) (vu16x16){SEL(b, 1, 0), SEL(b, 1, 1), SEL(b, 1, 2), SEL(b, 1, 3), SEL(b, 1, 4), SEL(b, 1, 5),          \
                          SEL(b, 1, 6), SEL(b, 1, 7), SEL(b, 1, 8), SEL(b, 1, 9), SEL(b, 1, 10), SEL(b, 1, 11),        \
                          SEL(b, 1, 12), SEL(b, 1, 13), SEL(b, 1, 14), SEL(b, 1, 15)}
/* element c of the new row (hi = 0: row r, hi = 1: row r + b) from (first = row r, second = row r + b) */
#define SEL(b, hi, c) (!(hi) ? (((c) & (b)) ? 16 + ((c) ^ (b)) : (c)) : (((c) & (b)) ? 16 + (c) : ((c) | (b))))
#define TSTEP(R, b)                                                                                            \
    do {                                                                                                       \
        _Pragma("GCC unroll 16") for (int r_ = 0; r_ < 16; r_++) if (!(r_ & (b))) {                           \
            vu16x16 x_ = R[r_], y_ = R[r_ + (b)];                                                              \
            R[r_] = __builtin_shuffle(x_, y_, M_LO(b));                                                        \
            R[r_ + (b)] = __builtin_shuffle(x_, y_, M_HI(b));                                                  \
        }                                                                                                      \
    } while (0)
#define TRANSPOSE16(R) do { TSTEP(R, 1); TSTEP(R, 2); TSTEP(R, 4); TSTEP(R, 8); } while (0)
_Static_assert(GAUSS_LANES % 16 == 0 && BLK == 16, "the block transpose is 16 x 16");

typedef uint64_t vu64x8 __attribute__((vector_size(64)));
typedef int64_t vi64x8 __attribute__((vector_size(64)));
typedef double vf64x8 __attribute__((vector_size(64)));
typedef uint32_t vu32x8 __attribute__((vector_size(32)));
typedef int32_t vi32x8 __attribute__((vector_size(32)));
typedef float vf32x8 __attribute__((vector_size(32)));
typedef uint16_t vu16x8 __attribute__((vector_size(16)));
typedef uint64_t vu64x4 __attribute__((vector_size(32)));
typedef int64_t vi64x4 __attribute__((vector_size(32)));
typedef double vf64x4 __attribute__((vector_size(32)));
typedef uint32_t vu32x4 __attribute__((vector_size(16)));
typedef int32_t vi32x4 __attribute__((vector_size(16)));
typedef float vf32x4 __attribute__((vector_size(16)));
typedef uint16_t vu16x4 __attribute__((vector_size(8)));

#ifdef X86
/* AVX-512 (x86-64-v4 includes F16C): the IEEE conversion, round to nearest even, is fp32_to_fp16 for every
 * value but NaN (whose bits it keeps; g' is NaN only for u = 0, which is flagged). */
#define FP16_PAIR(lo, hi, h, bad)                                                                              \
    do {                                                                                                       \
        VU32 a_ = __builtin_convertvector((VU16)_mm256_cvtps_ph((__m256)(lo), _MM_FROUND_TO_NEAREST_INT), VU32); \
        VU32 b_ = __builtin_convertvector((VU16)_mm256_cvtps_ph((__m256)(hi), _MM_FROUND_TO_NEAREST_INT), VU32); \
        bad = (VU32)(a_ != b_) | (VU32)((a_ & 0x7FFFu) > 0x7C00u);                                             \
        h = a_;                                                                                                \
    } while (0)
#define UNIT UNIT_CVT
#define QUARTER QUARTER_CVT
#define EXPD EXPD_CVT
#define VL 8
#define VU64 vu64x8
#define VI64 vi64x8
#define VF64 vf64x8
#define VU32 vu32x8
#define VI32 vi32x8
#define VF32 vf32x8
#define VU16 vu16x8
#define KNAME round_x8
#define ANAME approx_x8
#define KATTR __attribute__((target("arch=x86-64-v4")))
#include "gauss_kernel.inc"
#undef VL
#undef VU64
#undef VI64
#undef VF64
#undef VU32
#undef VI32
#undef VF32
#undef VU16
#undef KNAME
#undef ANAME
#undef KATTR
#undef FP16_PAIR
#undef UNIT
#undef QUARTER
#undef EXPD
#endif
#define UNIT UNIT_BIAS
#define QUARTER QUARTER_BIAS
#define EXPD EXPD_BIAS

/* Elsewhere by bits: FP16 rounding of a float in FP16's normal range is (bits + 0xFFF + lsb) >> 13, less the
 * bias difference 112 << 10; equal keys, equal signs and both ends in [2^-14, 2^16) prove the value (other
 * values, NaN included, go to the exact path). */
#define FP16_PAIR(lo, hi, h, bad)                                                                              \
    do {                                                                                                       \
        VU32 xlo_ = (VU32)(lo), xhi_ = (VU32)(hi), flo_ = xlo_ & 0x7FFFFFFFu, fhi_ = xhi_ & 0x7FFFFFFFu;       \
        VU32 klo_ = (flo_ + 0xFFFu + ((flo_ >> 13) & 1u)) >> 13, khi_ = (fhi_ + 0xFFFu + ((fhi_ >> 13) & 1u)) >> 13; \
        VU32 lt_ = (VU32)((VI32)flo_ < (VI32)fhi_);                                                            \
        VI32 mn_ = (VI32)((lt_ & flo_) | (~lt_ & fhi_)), mx_ = (VI32)((lt_ & fhi_) | (~lt_ & flo_));           \
        bad = (VU32)(klo_ != khi_) | (VU32)((VI32)(xlo_ ^ xhi_) < 0) | (VU32)(mn_ < 0x38800000) |              \
              (VU32)(mx_ >= 0x47800000);                                                                       \
        h = (klo_ - 0x1C000u) | ((xlo_ >> 16) & 0x8000u);                                                      \
    } while (0)

#define VL 4
#define VU64 vu64x4
#define VI64 vi64x4
#define VF64 vf64x4
#define VU32 vu32x4
#define VI32 vi32x4
#define VF32 vf32x4
#define VU16 vu16x4
#define KNAME round_x4
#define ANAME approx_x4
#ifdef X86
#define KATTR __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define KATTR
#endif
#include "gauss_kernel.inc"

size_t gauss_lanes_round(uint64_t st[4][GAUSS_LANES], fp16_t *out, size_t c, double scale, int eps_shift, int narrow)
{
#ifdef X86
    if (!narrow && __builtin_cpu_supports("x86-64-v4"))
        return round_x8(st, out, c, scale, eps_shift);
#endif
    return round_x4(st, out, c, scale, eps_shift);
}

void gauss_lanes_approx(const uint64_t *a, const uint64_t *b, size_t n, double *g, double *s, int narrow)
{
#ifdef X86
    if (!narrow && __builtin_cpu_supports("x86-64-v4"))
        return approx_x8(a, b, n, g, s);
#endif
    approx_x4(a, b, n, g, s);
}
