/* kvquant.h — the INT8 KV cache of pimattn run (--kv-format int8): how the FP16 values a run draws (or
 * reads) become the INT8 values and FP16 scales the units compute with, by csim/kvfmt.h's rules
 * (kvf_scale, kvf_quant), and how 32 INT8 values travel in one 16-lane beat.
 *
 * Contract
 *  - kvq_ranges(): ntok tokens of dim values (token-major) in ranges of `range` tokens from token 0 (a
 *    unit's keys, a V partition's tokens: mapping.h), each range in blocks of B tokens from its first (the
 *    last block of a range may be shorter): one scale per block over its values; x8 the quantised values,
 *    st[j] the scale of token j's block.
 *  - kvq_vec(): one scale over n values (a query vector, a 32-token probability word).
 *  - kvq_pack(): 32 INT8 values into a beat: lane i / 2 holds value i in its low byte for even i, in its
 *    high byte for odd i (csim/gemv.h).
 *  - No allocation, no failure.
 */
#ifndef PIMATTN_KVQUANT_H
#define PIMATTN_KVQUANT_H

#include <stddef.h>
#include <stdint.h>

#include "fp.h"

void kvq_ranges(const fp16_t *x, size_t ntok, unsigned dim, size_t range, unsigned B, int8_t *x8, fp16_t *st);
fp16_t kvq_vec(const fp16_t *x, size_t n, int8_t *x8);
void kvq_pack(const int8_t *x8, uint16_t data[16]);

#endif
