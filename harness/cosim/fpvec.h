/* fpvec.h — operand generator for FP co-simulation: special classes and random bit patterns.
 *
 * Contract
 *  - fpvec_specials() lists the special-class values of a format (both signs of zero, smallest and
 *    largest subnormal, smallest and largest normal, one, Inf, quiet/signalling/negative NaN, and
 *    values that round at the halfway point). The test drives every ordered pair of them.
 *  - fpvec_operand() draws one operand: with probability 1/8 a special, 3/8 a value whose exponent is
 *    within 3 of `near` (cancellation, alignment by a few bits, ties), otherwise uniform random bits.
 */
#ifndef PIMATTN_FPVEC_H
#define PIMATTN_FPVEC_H

#include <stddef.h>
#include <stdint.h>

#include "fp.h"
#include "rng.h"

size_t fpvec_specials(fp_fmt f, uint32_t *out, size_t cap);
uint32_t fpvec_operand(fp_fmt f, rng *r, uint32_t near);

#endif
