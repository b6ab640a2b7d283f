/* prim.h — FP primitives and the softmax unit's datapath tops (sm_prob, sm_norm, fp32_scale2): what each
 * RTL top computes (its golden model), the Verilated builds, and the co-simulation runner that streams
 * vectors through a build and compares every output bit.
 *
 * Contract
 *  - prim_desc_find(top) gives the operand formats and the csim function the top must equal bit for bit.
 *  - prim_builds() loads every build of harness/cosim/prim_builds.def (vunits.h), prim_build_load() one by name.
 *  - prim_cosim_run() first drives every ordered pair of special values (for a 3-operand top: pairs with
 *    c drawn at random), then random operands (harness/cosim/fpvec.h, or the top's own generator where
 *    uniform bit patterns would miss its domain) until `vectors` are done. Inputs carry
 *    random valid gaps (probability gap_rate per cycle). Outputs are matched in order with the expected
 *    golden values, and each must appear exactly `stages` cycles after its input. With `vec_out`, the
 *    first `vec_limit` vectors are written one per line as hex "a b c y" for the Icarus testbench.
 *    Returns 0 when all matched, 1 on a mismatch (first one described in res), -1 on a setup error.
 */
#ifndef PIMATTN_PRIM_H
#define PIMATTN_PRIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp.h"
#include "rng.h"
#include "vprim.h"

typedef struct prim_desc {
    const char *top;
    fp_fmt a_fmt;  /* a and b share this format */
    fp_fmt c_fmt;  /* only when has_c */
    fp_fmt y_fmt;
    int has_c;
    uint32_t (*golden)(uint32_t a, uint32_t b, uint32_t c);
    /* random operands after the special pairs; NULL: harness/cosim/fpvec.h in a_fmt */
    void (*operands)(rng *r, uint32_t *a, uint32_t *b);
} prim_desc;

const prim_desc *prim_desc_find(const char *top);
int prim_builds(const vprim_ops **out, size_t max, size_t *n, char *err, size_t en);
const vprim_ops *prim_build_load(const char *name, char *err, size_t en);
const vprim_ops *prim_build_find(const char *name); /* NULL if not built */

typedef struct prim_cosim_cfg {
    uint64_t seed;
    uint64_t vectors;
    double gap_rate;
    int rand_reset;     /* randomise uninitialised state (+verilator+rand+reset+2) */
    FILE *vec_out;      /* may be NULL */
    uint64_t vec_limit;
    const char *trace_path; /* FST of cycles [trace_from, trace_from + trace_cycles); NULL: none */
    uint64_t trace_from, trace_cycles;
} prim_cosim_cfg;

typedef struct prim_cosim_res {
    uint64_t vectors;
    uint64_t mismatches;
    uint64_t cycles;
    double seconds;      /* wall time of the RTL loop, golden model included */
    int trace_failed; /* the FST could not be written completely (a full disk): an output error */
    char first_error[256];
} prim_cosim_res;

int prim_cosim_run(const vprim_ops *ops, const prim_cosim_cfg *cfg, prim_cosim_res *res);

#endif
