/* fp.h — pimattn floating-point golden model (the spec for every RTL FP unit).
 *
 * Contract
 *  - Values are raw IEEE-754 bit patterns: binary16 (fp16_t), bfloat16 (bf16_t), binary32 (fp32_t).
 *  - Every operation rounds once, to nearest, ties to even (RNE). Subnormals are produced and consumed
 *    (no flush-to-zero). Overflow gives ±Inf.
 *  - Any NaN result is the canonical quiet NaN with sign 0: FP16 0x7E00, BF16 0x7FC0, FP32 0x7FC00000.
 *    NaN inputs never propagate their payload or sign.
 *  - x + (−x) = +0; (−0) + (−0) = −0; Inf − Inf = NaN; 0 × Inf = NaN; signs of products are XORed.
 *  - fp16_mul32 (FP16 × FP16 → FP32) is exact: 22 significand bits fit in 24 and the exponent range
 *    [2^−48, 2^32) is inside FP32's normal range. fp16_mac32 = a×b + c with one rounding (fused).
 *  - Pure functions: no state, no globals, no errors.
 *
 * The implementation mirrors rtl/common/fp_add.sv, fp_mul.sv and fp_round.sv step for step; see
 * docs/numerics.md.
 */
#ifndef PIMATTN_FP_H
#define PIMATTN_FP_H

#include <stdint.h>
#include <string.h>

typedef uint16_t fp16_t;
typedef uint16_t bf16_t;
typedef uint32_t fp32_t;

#define FP16_QNAN ((fp16_t)0x7E00u)
#define BF16_QNAN ((bf16_t)0x7FC0u)
#define FP32_QNAN ((fp32_t)0x7FC00000u)

/* A binary floating-point format: exponent and stored-fraction widths (ebits + mbits + 1 <= 32). */
typedef struct fp_fmt {
    int ebits;
    int mbits;
} fp_fmt;

extern const fp_fmt FP_FMT_FP16; /* {5, 10} */
extern const fp_fmt FP_FMT_BF16; /* {8, 7} */
extern const fp_fmt FP_FMT_FP32; /* {8, 23} */

typedef enum fp_class {
    FP_CLASS_ZERO,
    FP_CLASS_SUBNORMAL,
    FP_CLASS_NORMAL,
    FP_CLASS_INF,
    FP_CLASS_NAN
} fp_class;

/* Fields of one value. exp is the stored (biased) exponent field, frac the stored fraction. */
typedef struct fp_fields {
    unsigned sign;
    unsigned exp;
    uint32_t frac;
} fp_fields;

fp_class fp_classify(fp_fmt f, uint32_t x);
fp_fields fp_unpack(fp_fmt f, uint32_t x);
/* Packs fields; returns 0 and leaves *out untouched if a field does not fit its width. */
int fp_pack(fp_fmt f, fp_fields fld, uint32_t *out);
uint32_t fp_qnan(fp_fmt f);
/* Significand with the hidden bit (mbits+1 wide) and effective biased exponent (subnormals use 1). */
static inline uint64_t fp_sig(fp_fmt f, fp_fields u) { return ((uint64_t)(u.exp != 0) << f.mbits) | u.frac; }
static inline int fp_eeff(fp_fields u) { return u.exp ? (int)u.exp : 1; }

/* Generic operations on any format (the typed wrappers below are what units use). */
uint32_t fp_convert(fp_fmt from, fp_fmt to, uint32_t x);
uint32_t fp_add(fp_fmt f, uint32_t a, uint32_t b);
uint32_t fp_mul(fp_fmt in, fp_fmt out, uint32_t a, uint32_t b);

/* Normalise-and-round step shared by all operations (and by RTL fp_round):
 * value = sig × 2^(etop − bias − (sigw − 1)), i.e. etop is the biased exponent that bit sigw−1 of sig
 * would have. sig must be nonzero; 1 <= sigw <= 62. Result rounded RNE into format f with sign s. */
uint32_t fp_round_pack(fp_fmt f, unsigned s, int etop, uint64_t sig, int sigw);

/* x * 2^k, rounded RNE (exact unless the result is subnormal or out of range); k is clamped to
 * [-512, 512] first, which changes no FP32 result. Zero, Inf keep their sign; NaN -> canonical NaN.
 * Mirrors rtl/softmax/sm_scale2.sv. */
fp32_t fp32_scale2(fp32_t x, int k);
/* Smallest integer >= x, as an FP32 value; +0 for every x in (-1, 0]. Infinities return themselves,
 * NaN the canonical NaN. Exact (FP32 integers are representable). */
fp32_t fp32_ceil(fp32_t x);
/* Total order key of a non-NaN FP32 value (-Inf smallest, -0 < +0): a < b iff key(a) < key(b). */
static inline uint32_t fp32_order_key(fp32_t x) { return (x & 0x80000000u) ? ~x : (x | 0x80000000u); }

static inline fp_class fp16_classify(fp16_t x) { return fp_classify(FP_FMT_FP16, x); }
static inline fp_class fp32_classify(fp32_t x) { return fp_classify(FP_FMT_FP32, x); }
static inline fp_class bf16_classify(bf16_t x) { return fp_classify(FP_FMT_BF16, x); }

static inline fp32_t fp16_to_fp32(fp16_t x) { return fp_convert(FP_FMT_FP16, FP_FMT_FP32, x); }
static inline fp16_t fp32_to_fp16(fp32_t x) { return (fp16_t)fp_convert(FP_FMT_FP32, FP_FMT_FP16, x); }
static inline fp32_t bf16_to_fp32(bf16_t x) { return fp_convert(FP_FMT_BF16, FP_FMT_FP32, x); }
static inline bf16_t fp32_to_bf16(fp32_t x) { return (bf16_t)fp_convert(FP_FMT_FP32, FP_FMT_BF16, x); }

static inline fp16_t fp16_add(fp16_t a, fp16_t b) { return (fp16_t)fp_add(FP_FMT_FP16, a, b); }
static inline fp16_t fp16_mul(fp16_t a, fp16_t b) { return (fp16_t)fp_mul(FP_FMT_FP16, FP_FMT_FP16, a, b); }
static inline fp32_t fp32_add(fp32_t a, fp32_t b) { return fp_add(FP_FMT_FP32, a, b); }
static inline fp32_t fp32_mul(fp32_t a, fp32_t b) { return fp_mul(FP_FMT_FP32, FP_FMT_FP32, a, b); }
static inline fp32_t fp16_mul32(fp16_t a, fp16_t b) { return fp_mul(FP_FMT_FP16, FP_FMT_FP32, a, b); }
/* Fused: the exact product is added with one rounding (this is what rtl/common/fp16_mac32.sv does). */
static inline fp32_t fp16_mac32(fp16_t a, fp16_t b, fp32_t c) { return fp32_add(fp16_mul32(a, b), c); }

/* The same results through the host's IEEE-754 binary32 arithmetic (round to nearest even, gradual
 * underflow: the C11 default environment; contraction is off under -std=c11): used where the golden model
 * does millions of operations per run. NaN results are made canonical like everywhere else. They are
 * tested against the step-by-step functions above on every special pair and 10^7 random pairs, the
 * conversions on every FP16 value and 3 * 10^6 FP32 rounding cases (all 2^32 pairs and values in `make
 * regress`; tests/test_fp_golden.c), and through them against the RTL by every GEMV and softmax co-simulation. */
static inline float fp32_bits_to_float(fp32_t x)
{
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}
static inline uint32_t fp32_raw_bits(float f) /* the bits, NaN payload included */
{
    uint32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}
static inline fp32_t fp32_of_float(float f)
{
    fp32_t x;
    memcpy(&x, &f, sizeof x);
    return (x & 0x7FFFFFFFu) > 0x7F800000u ? FP32_QNAN : x;
}
/* FP16 -> binary32, exact (every FP16 value, subnormals included, is a normal or zero binary32). Branch-free
 * (the compiler vectorises it): normal and Inf/NaN by moving the fields (exponent + 112, + 224 for all ones),
 * subnormal m * 2^-24 through an exact int -> float conversion. */
static inline float fp16_to_float_exact(fp16_t h)
{
    uint32_t em = h & 0x7FFFu, big = 0u - (uint32_t)(em >= 0x7C00u), tiny = 0u - (uint32_t)(em < 0x400u);
    uint32_t nrm = (em << 13) + 0x38000000u + (big & 0x38000000u);
    uint32_t sub = fp32_raw_bits((float)(int32_t)em * 0x1p-24f);
    return fp32_bits_to_float(((uint32_t)(h & 0x8000u) << 16) | (tiny & sub) | (~tiny & nrm));
}
/* binary32 -> FP16 bits, round to nearest even: fp32_to_fp16 through host arithmetic (branch-free). Normal
 * results: (bits + 0xFFF + lsb) >> 13 less the bias difference (a carry into the exponent is right, also
 * into Inf); subnormal results: adding 0.5f rounds to FP16's smallest subnormal (0.5f's ulp); >= 65520
 * rounds to Inf; NaN -> the canonical FP16 NaN. */
static inline fp16_t fp16_of_float(float x)
{
    uint32_t b = fp32_raw_bits(x), sg = b & 0x80000000u, f = b ^ sg;
    uint32_t nrm = (f + 0xC8000FFFu + ((f >> 13) & 1u)) >> 13;
    uint32_t sub = fp32_raw_bits(fp32_bits_to_float(f) + 0.5f) - 0x3F000000u;
    uint32_t tiny = 0u - (uint32_t)(f < 0x38800000u), big = 0u - (uint32_t)(f >= 0x47800000u);
    uint32_t ovf = f > 0x7F800000u ? 0x7E00u : 0x7C00u;
    uint32_t h = (tiny & sub) | (~tiny & ((big & ovf) | (~big & nrm)));
    return (fp16_t)(h | (f > 0x7F800000u ? 0u : sg >> 16));
}
static inline fp32_t fp32_add_native(fp32_t a, fp32_t b)
{
    return fp32_of_float(fp32_bits_to_float(a) + fp32_bits_to_float(b));
}
static inline fp32_t fp32_mul_native(fp32_t a, fp32_t b)
{
    return fp32_of_float(fp32_bits_to_float(a) * fp32_bits_to_float(b));
}
/* FP16 x FP16 -> FP32: the product of two exact binary32 values has at most 22 significant bits. */
static inline fp32_t fp16_mul32_native(fp16_t a, fp16_t b)
{
    return fp32_of_float(fp16_to_float_exact(a) * fp16_to_float_exact(b));
}
/* FP16 operations through binary32: the product is exact, and a sum rounded to binary32 and then to FP16
 * equals the sum rounded once to FP16 (24 >= 2 x 11 + 2 significand bits: double rounding is innocuous). */
static inline fp16_t fp16_mul_native(fp16_t a, fp16_t b)
{
    return fp16_of_float(fp16_to_float_exact(a) * fp16_to_float_exact(b));
}
static inline fp16_t fp16_add_native(fp16_t a, fp16_t b)
{
    return fp16_of_float(fp16_to_float_exact(a) + fp16_to_float_exact(b));
}
static inline fp32_t fp16_to_fp32_native(fp16_t h) { return fp32_of_float(fp16_to_float_exact(h)); }

/* Host-float bridges for references and reports (bit copies, no arithmetic). */
float fp32_to_float(fp32_t x);
fp32_t float_to_fp32(float f);
double fp16_to_double(fp16_t x);

#endif
