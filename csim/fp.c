/* fp.c — golden FP model. Each step names the RTL signal it mirrors (rtl/common/fp_*.sv). */
#include "fp.h"

#include <string.h>

const fp_fmt FP_FMT_FP16 = {5, 10};
const fp_fmt FP_FMT_BF16 = {8, 7};
const fp_fmt FP_FMT_FP32 = {8, 23};

static inline uint32_t emax_field(fp_fmt f) { return (1u << f.ebits) - 1u; }
static inline int bias_of(fp_fmt f) { return (1 << (f.ebits - 1)) - 1; }
static inline uint32_t frac_mask(fp_fmt f) { return (1u << f.mbits) - 1u; }
static inline uint32_t mag_mask(fp_fmt f) { return (1u << (f.ebits + f.mbits)) - 1u; }

fp_fields fp_unpack(fp_fmt f, uint32_t x)
{
    fp_fields r;
    r.sign = (x >> (f.ebits + f.mbits)) & 1u;
    r.exp = (x >> f.mbits) & emax_field(f);
    r.frac = x & frac_mask(f);
    return r;
}

int fp_pack(fp_fmt f, fp_fields fld, uint32_t *out)
{
    if (fld.sign > 1u || fld.exp > emax_field(f) || fld.frac > frac_mask(f))
        return 0;
    *out = ((uint32_t)fld.sign << (f.ebits + f.mbits)) | (fld.exp << f.mbits) | fld.frac;
    return 1;
}

static inline fp_class classify(fp_fmt f, uint32_t x)
{
    uint32_t e = (x >> f.mbits) & emax_field(f), fr = x & frac_mask(f);
    if (e == emax_field(f))
        return fr ? FP_CLASS_NAN : FP_CLASS_INF;
    if (e == 0)
        return fr ? FP_CLASS_SUBNORMAL : FP_CLASS_ZERO;
    return FP_CLASS_NORMAL;
}

fp_class fp_classify(fp_fmt f, uint32_t x) { return classify(f, x); }

uint32_t fp_qnan(fp_fmt f) { return (emax_field(f) << f.mbits) | (1u << (f.mbits - 1)); }

static inline uint32_t signed_inf(fp_fmt f, unsigned s)
{
    return ((uint32_t)s << (f.ebits + f.mbits)) | (emax_field(f) << f.mbits);
}

static inline uint32_t signed_zero(fp_fmt f, unsigned s) { return (uint32_t)s << (f.ebits + f.mbits); }


/* Leading zeros of x as a w-bit number (the RTL's priority encoder). */
static inline int lzc(uint64_t x, int w) { return x ? __builtin_clzll(x) - (64 - w) : w; }

/* Mirrors fp_round.sv. */
uint32_t fp_round_pack(fp_fmt f, unsigned s, int etop, uint64_t sig, int sigw)
{
    const int m = f.mbits;
    const int sw = (sigw > m + 1 ? sigw : m + 1) + 2; /* working width: mantissa, round, >= 1 sticky */
    uint64_t work = sig << (sw - sigw);               /* sig_pad */
    int lz = lzc(sig, sigw);
    int emsb = etop - lz;
    int eq, ls;
    if (emsb >= 1) { /* normal result: bring the leading one to the top */
        eq = emsb;
        ls = lz;
    } else { /* subnormal result: exponent pinned to 1, shift by what the exponent allows */
        eq = 1;
        ls = etop - 1;
    }
    unsigned sticky_out = 0;
    if (ls >= 0) {
        work <<= ls;
    } else {
        int rs = -ls > m + 3 ? m + 3 : -ls; /* rs_clamped: beyond m+2 everything is sticky anyway */
        sticky_out = (work & ((1ull << rs) - 1u)) != 0;
        work >>= rs;
    }
    work &= (sw == 64) ? ~0ull : ((1ull << sw) - 1u);
    uint64_t mant = work >> (sw - m - 1);
    unsigned rnd = (work >> (sw - m - 2)) & 1u;
    unsigned stk = ((work & ((1ull << (sw - m - 2)) - 1u)) != 0) | sticky_out;
    mant += rnd & (stk | (unsigned)(mant & 1u));
    if (mant >> (m + 1)) { /* rounding carried out of the mantissa */
        mant >>= 1;
        eq++;
    }
    if ((mant >> m) == 0) /* still subnormal (or zero after rounding, impossible for sig != 0) */
        eq = 0;
    if (eq >= (int)emax_field(f))
        return signed_inf(f, s);
    return ((uint32_t)s << (f.ebits + f.mbits)) | ((uint32_t)eq << m) | ((uint32_t)mant & frac_mask(f));
}

uint32_t fp_convert(fp_fmt from, fp_fmt to, uint32_t x)
{
    fp_fields u = fp_unpack(from, x);
    switch (classify(from, x)) {
    case FP_CLASS_NAN: return fp_qnan(to);
    case FP_CLASS_INF: return signed_inf(to, u.sign);
    case FP_CLASS_ZERO: return signed_zero(to, u.sign);
    default: break;
    }
    int etop = fp_eeff(u) - bias_of(from) + bias_of(to);
    return fp_round_pack(to, u.sign, etop, fp_sig(from, u), from.mbits + 1);
}

/* Mirrors fp_add.sv: swap by magnitude, align with 3 extra bits + sticky, add/sub, round. */
uint32_t fp_add(fp_fmt f, uint32_t a, uint32_t b)
{
    fp_class ca = classify(f, a), cb = classify(f, b);
    fp_fields ua = fp_unpack(f, a), ub = fp_unpack(f, b);
    if (ca == FP_CLASS_NAN || cb == FP_CLASS_NAN)
        return fp_qnan(f);
    if (ca == FP_CLASS_INF && cb == FP_CLASS_INF)
        return ua.sign == ub.sign ? a : fp_qnan(f);
    if (ca == FP_CLASS_INF)
        return a;
    if (cb == FP_CLASS_INF)
        return b;

    int swap = (a & mag_mask(f)) < (b & mag_mask(f));
    fp_fields ux = swap ? ub : ua, uy = swap ? ua : ub;
    int ex = fp_eeff(ux), ey = fp_eeff(uy);
    int d = ex - ey;
    int dc = d > f.mbits + 5 ? f.mbits + 5 : d; /* d_clamped */
    uint64_t mx = fp_sig(f, ux) << 3, my = fp_sig(f, uy) << 3;
    uint64_t my_sh = (my >> dc) | ((my & ((1ull << dc) - 1u)) != 0);
    uint64_t sum = (ux.sign == uy.sign) ? mx + my_sh : mx - my_sh; /* f.mbits + 5 bits */
    if (sum == 0)
        return signed_zero(f, ux.sign & uy.sign);
    return fp_round_pack(f, ux.sign, ex + 1, sum, f.mbits + 5);
}

/* Mirrors fp_mul.sv: integer product of significands, exponent of its top bit, round. */
uint32_t fp_mul(fp_fmt in, fp_fmt out, uint32_t a, uint32_t b)
{
    fp_class ca = classify(in, a), cb = classify(in, b);
    fp_fields ua = fp_unpack(in, a), ub = fp_unpack(in, b);
    unsigned s = ua.sign ^ ub.sign;
    if (ca == FP_CLASS_NAN || cb == FP_CLASS_NAN)
        return fp_qnan(out);
    if ((ca == FP_CLASS_INF && cb == FP_CLASS_ZERO) || (ca == FP_CLASS_ZERO && cb == FP_CLASS_INF))
        return fp_qnan(out);
    if (ca == FP_CLASS_INF || cb == FP_CLASS_INF)
        return signed_inf(out, s);
    if (ca == FP_CLASS_ZERO || cb == FP_CLASS_ZERO)
        return signed_zero(out, s);
    uint64_t prod = fp_sig(in, ua) * fp_sig(in, ub); /* 2*(mbits+1) bits, top bit = 2*mbits+1 */
    int etop = fp_eeff(ua) + fp_eeff(ub) - 2 * bias_of(in) + 1 + bias_of(out);
    return fp_round_pack(out, s, etop, prod, 2 * (in.mbits + 1));
}

fp32_t fp32_scale2(fp32_t x, int k)
{
    const fp_fmt f = FP_FMT_FP32;
    switch (fp_classify(f, x)) {
    case FP_CLASS_NAN: return FP32_QNAN;
    case FP_CLASS_INF:
    case FP_CLASS_ZERO: return x;
    default: break;
    }
    fp_fields u = fp_unpack(f, x);
    int kc = k < -512 ? -512 : (k > 512 ? 512 : k);
    return fp_round_pack(f, u.sign, fp_eeff(u) + kc, fp_sig(f, u), f.mbits + 1);
}

fp32_t fp32_ceil(fp32_t x)
{
    const fp_fmt f = FP_FMT_FP32;
    switch (fp_classify(f, x)) {
    case FP_CLASS_NAN: return FP32_QNAN;
    case FP_CLASS_INF: return x;
    case FP_CLASS_ZERO: return 0;
    default: break;
    }
    fp_fields u = fp_unpack(f, x);
    int e = (int)u.exp - 127; /* unbiased; subnormals are < 1 in magnitude */
    if (u.exp == 0 || e < 0)
        return u.sign ? 0u : 0x3F800000u; /* (-1, 0) -> +0, (0, 1) -> 1 */
    if (e >= 23)
        return x; /* already an integer */
    uint32_t frac_mask = (1u << (23 - e)) - 1u;
    if ((x & frac_mask) == 0)
        return x;
    if (u.sign)
        return x & ~frac_mask;                   /* toward zero = up for negatives */
    return (x & ~frac_mask) + (frac_mask + 1u); /* a carry into the exponent is the right answer */
}

float fp32_to_float(fp32_t x)
{
    float f;
    memcpy(&f, &x, sizeof f);
    return f;
}

fp32_t float_to_fp32(float f)
{
    fp32_t x;
    memcpy(&x, &f, sizeof x);
    return x;
}

double fp16_to_double(fp16_t x) { return (double)fp32_to_float(fp16_to_fp32(x)); }
