/* cosim.h — the public face of harness/cosim/ for the commands (harness/cli/) and the tests: the registry of
 * Verilated unit builds, and the co-simulation runners that drive a build and its golden model with the
 * same stimulus and compare them bit for bit (FP primitives, GEMV bank units, softmax units). The
 * scheduler does not use this header: it reaches the units only through backend.h, which names no
 * Verilated build and includes no shim header.
 *
 * Parts (in this order below): the build registry, the FP primitives, the GEMV bank units, the softmax
 * units.
 */
#ifndef PIMATTN_COSIM_H
#define PIMATTN_COSIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fp.h"
#include "rng.h"
#include "vgemv.h"
#include "vprim.h"
#include "vsm.h"

/* vunits.h — the one registry of Verilated unit builds, for the three unit families (FP primitives, GEMV
 * bank units, softmax units).
 *
 * Each build is a shared object NAME.so in the unit directory: $PIMATTN_VUNITS if set, else ../vunits
 * beside the executable (build/vunits). The Makefile makes every build with `make vunits` (`make all`,
 * `make test`) and only the builds the default scenario needs for `make run`; one more is `make
 * build/vunits/NAME.so`. A build is loaded the first time it is used, so a binary never carries units it
 * does not run. The builds and their parameters are the lines of harness/cosim/{prim,gemv,sm}_builds.def,
 * known without loading anything (vunit_specs).
 *
 * Contract
 *  - vunit_specs(family, &n): the family's builds in .def order: name, RTL top, parameters (primitive:
 *    stages, has_c, a_bits, y_bits; GEMV: rows, depth, slots, acc_fp32, kv_fmt (kvfmt.h); softmax: lanes, exp pieces,
 *    in_fp16, merge_d).
 *  - vunit_load(family, name, err, n): the build's ops table (vprim_ops, vgemv_ops or vsm_ops), or NULL with
 *    err saying it is not built and how to build it. Any name is tried (e.g. the netlist build of
 *    tests), not only the registry's. Loading twice gives the same table; nothing is ever unloaded.
 *    The GEMV and softmax builds are Verilated without tracing (their trace_window() returns -2).
 *  - vunit_load_traced(family, name, err, n): the same build with FST tracing, for waveforms: for the GEMV
 *    and softmax units the shared object trace/NAME.so of the unit directory (make wave builds them); a
 *    primitive's only build is traced. Both builds of a unit may be loaded in one process.
 */
typedef enum { VU_PRIM, VU_GEMV, VU_SM } vu_family;

typedef struct vu_spec {
    const char *name, *top;
    int p[5]; /* a primitive's and a softmax unit's use four */
} vu_spec;

const vu_spec *vunit_specs(vu_family f, size_t *n);
const void *vunit_load(vu_family f, const char *name, char *err, size_t n);
const void *vunit_load_traced(vu_family f, const char *name, char *err, size_t n);

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

/* gemv_sim.h — co-simulation of the Verilated GEMV builds against the golden model (csim/gemv.h).
 *
 * Contract
 *  - gemv_builds() loads every build of harness/cosim/gemv_builds.def (vunits.h); gemv_build_load() one by name.
 *  - gemv_cosim_run() streams `commands` commands through one build and through the golden model,
 *    compares every result beat (all lanes and the info word) in order and the sticky error flag every
 *    cycle, and checks the command/data handshakes fire together. Returns 0 when everything matched,
 *    1 on the first mismatch (described in res->first_error, run stopped), -1 on a setup error.
 *  - Patterns: GEMV_RANDOM — random legal commands (1/8 buffer writes; MACs on random slots, modes,
 *    words, buffer halves; `last` with probability 1/4), with idle cycles before each valid is raised
 *    (independently for command and data), random result back-pressure, special FP16 values
 *    (±0, subnormals, ±Inf, NaN, extremes) at `special_rate` per lane, and, at `bad_rate`, commands
 *    the driver would reject, sent to the RTL anyway (they must be consumed without effect, raise
 *    err_o and fire the RTL assertion: res->assert_fired).
 *    GEMV_SCORE_STREAM / GEMV_CTX_STREAM — what the scheduler will send: fill a buffer half, then
 *    MACs back to back, the slots taking turns (a MAC waits a cycle after one on its slot, Pipe = 2);
 *    used to measure the initiation interval.
 *  - With cmd_out/res_out, the first file_limit commands and their expected result beats are written
 *    as hex lines for tb/gemv_tb.sv.
 */
int gemv_builds(const vgemv_ops **out, size_t max, size_t *n, char *err, size_t en);
const vgemv_ops *gemv_build_load(const char *name, char *err, size_t en);
const vgemv_ops *gemv_build_find(const char *name); /* NULL if not built */

typedef enum gemv_pattern { GEMV_RANDOM, GEMV_SCORE_STREAM, GEMV_CTX_STREAM } gemv_pattern;

typedef struct gemv_cosim_cfg {
    uint64_t seed;
    uint64_t commands;
    gemv_pattern pattern;
    double gap_rate, stall_rate, special_rate, bad_rate;
    int rand_reset;
    FILE *cmd_out, *res_out;
    uint64_t file_limit;
    const char *trace_path;
    uint64_t trace_from, trace_cycles;
} gemv_cosim_cfg;

typedef struct gemv_cosim_res {
    uint64_t commands, macs, beats, bad, cycles;
    double seconds;
    uint64_t mismatches;
    int assert_fired; /* an RTL simulation assertion fired (bad commands do that) */
    int trace_failed; /* the FST could not be written completely (a full disk): an output error */
    char first_error[512];
} gemv_cosim_res;

int gemv_cosim_run(const vgemv_ops *ops, const gemv_cosim_cfg *cfg, gemv_cosim_res *res);

/* Compares one RTL result beat with the golden one: 0 when equal, else 1 and what differs in why. */
int gemv_beat_diff(const gemv_cfg *k, const vgemv_out *o, const gemv_beat *want, char *why, size_t n);

/* sm_sim.h — co-simulation of the Verilated softmax-unit builds against the golden model
 * (csim/sm_unit.h).
 *
 * Contract
 *  - sm_builds() loads every build of harness/cosim/sm_builds.def (vunits.h); sm_build_load() one by name.
 *  - sm_cosim_run() streams random legal work through one build and through the golden model: rows
 *    (ROW, MAX x n, EXP x n) with random length, mask (valid length, causal offset, sliding window),
 *    scale and scores (Gaussian, with -Inf, NaN, +Inf, huge and FP16-extreme values at special_rate;
 *    FP16 builds get random upper halves, which must be ignored), split-K merges of 1..5 random
 *    partials (integer m, -Inf, +Inf or NaN, l >= 0, random vectors) with or without normalisation, and
 *    MENDs with nothing to merge. Idle cycles on the input (gap_rate) and output back-pressure
 *    (stall_rate). With bad_rate, commands the driver would refuse are sent too: they must change
 *    nothing but err_o. Every output beat (kind, flags, m, l, rl, data lanes) and err_o every cycle
 *    are compared (err_o may rise after the golden flag, when the unit issues the command, not before;
 *    equal at the end). Stops after `scores` score beats have been sent (both passes count). With
 *    row_len, every work item is a plain row of row_len scores (for cycles-per-row measurements); with
 *    merge_parts, a merge of that many live partials, and it stops after `scores` merges.
 *    Returns 0 when everything matched, 1 on the first mismatch, -1 on a setup error.
 *  - With cmd_out/res_out, the first file_limit input beats and their expected output beats are
 *    written as hex lines for tb/sm_tb.sv.
 */
int sm_builds(const vsm_ops **out, size_t max, size_t *n, char *err, size_t en);
const vsm_ops *sm_build_load(const char *name, char *err, size_t en);
const vsm_ops *sm_build_find(const char *name); /* NULL if not built */

typedef struct sm_cosim_cfg {
    uint64_t seed;
    uint64_t scores;  /* score beats (MAX + EXP) to send, at least */
    uint32_t max_len; /* longest row in scores (default 512) */
    uint32_t row_len;     /* > 0: rows only, each exactly row_len scores, no mask (cycles per row) */
    uint32_t merge_parts; /* > 0: merges only, each of exactly merge_parts live partials (cycles per merge) */
    double gap_rate, stall_rate, special_rate, bad_rate;
    int rand_reset;
    FILE *cmd_out, *res_out;
    uint64_t file_limit;
    const char *trace_path;
    uint64_t trace_from, trace_cycles;
} sm_cosim_cfg;

typedef struct sm_cosim_res {
    uint64_t beats_in, scores, rows, merges, beats_out, bad, cycles;
    double seconds;
    uint64_t mismatches;
    int assert_fired;
    int trace_failed; /* the FST could not be written completely (a full disk): an output error */
    char first_error[512];
} sm_cosim_res;

int sm_cosim_run(const vsm_ops *ops, const sm_cosim_cfg *cfg, sm_cosim_res *res);

/* Compares one RTL output beat with the golden one: 0 when equal, else 1 and what differs in why. */
int smu_beat_diff(const smu_cfg *c, const vsm_out *o, const smu_beat *w, char *why, size_t n);

#endif
