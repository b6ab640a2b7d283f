/* gauss.h — the seeded Gaussian FP16 data of `pimattn run` (func.c): the definition and a fast
 * implementation that gives the same bits.
 *
 * Definition (gauss16_ref): out[i] = fp32_to_fp16(float_to_fp32((float)(rng_gauss(r) * scale))) for
 * i = 0 .. n-1 in order, two rng_next per value (Box-Muller through libm log and cos), r left after the
 * last draw. These values define a run, so the fast path must not change a single bit.
 *
 * Fast path (gauss16):
 *  - Draws: the xoshiro256** state update is linear over GF(2)^256, so the state 2C draws ahead is a
 *    fixed 256 x 256 bit matrix times the state (precomputed in gauss_new for C = 16 << j). A round
 *    gives GAUSS_LANES SIMD lanes consecutive chunks of C values, lane k starting 2kC draws ahead, and
 *    leaves r where the last lane ends: every value uses the same two draws as in the definition.
 *  - Values: log and cos by polynomials in double (|error| < 1e-12 s, s = sqrt(-2 log u) >= |g|),
 *    the interval g' +- s * 2^-32 around the approximation g'; x -> FP16(float(x * scale)) is monotone,
 *    so when both ends of the interval give the same FP16 bits, so does libm's value (it lies inside).
 *    Otherwise (about 1 value in 10^6) the value is computed exactly as the definition does.
 *  - A tail of fewer than GAUSS_LANES * 16 values, and u = 0, go through the definition.
 *
 * Contract
 *  - gauss_new(): NULL on no memory. The context is read-only after creation (threads may share it).
 *  - gauss16() returns the number of values that needed the exact computation (for tests);
 *    gauss16_eps() is the same with the interval s * 2^-eps_shift (tests force the exact path with a
 *    wide interval; eps_shift 32 is gauss16).
 */
#ifndef PIMATTN_GAUSS_H
#define PIMATTN_GAUSS_H

#include <stddef.h>

#include "fp.h"
#include "rng.h"

#define GAUSS_LANES 16

typedef struct gauss_ctx gauss_ctx;

gauss_ctx *gauss_new(void);
/* For tests: use the 4-lane vectors (AVX2 or generic) even where AVX-512 is available. */
void gauss_force_narrow(gauss_ctx *g);
void gauss_free(gauss_ctx *g);
void gauss16_ref(rng *r, fp16_t *out, size_t n, double scale);
size_t gauss16(const gauss_ctx *g, rng *r, fp16_t *out, size_t n, double scale);
size_t gauss16_eps(const gauss_ctx *g, rng *r, fp16_t *out, size_t n, double scale, int eps_shift);
/* The state of r after `steps` rng_next calls, through the jump matrices; for tests. */
void gauss_jump(const gauss_ctx *g, rng *r, uint64_t steps);

/* Internal (gauss_lanes.c): the value of the definition for the draws a, b; one round of c values per lane,
 * lane k's state in st[0..3][k], its values out[k*c .. k*c+c-1] (c a multiple of 16); returns the values
 * that went through gauss16_of. */
fp16_t gauss16_of(uint64_t a, uint64_t b, double scale);
size_t gauss_lanes_round(uint64_t st[4][GAUSS_LANES], fp16_t *out, size_t c, double scale, int eps_shift, int narrow);
/* For the test: the approximation g' (and s', which bounds |g|) of n draw pairs, n a multiple of 8. */
void gauss_lanes_approx(const uint64_t *a, const uint64_t *b, size_t n, double *g, double *s, int narrow);

#endif
