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
 *    MACs back to back; used to measure the initiation interval.
 *  - With cmd_out/res_out, the first file_limit commands and their expected result beats are written
 *    as hex lines for tb/gemv_tb.sv.
 */
#ifndef PIMATTN_GEMV_SIM_H
#define PIMATTN_GEMV_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vgemv.h"

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

#endif
