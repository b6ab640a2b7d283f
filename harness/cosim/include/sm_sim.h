/* sm_sim.h — co-simulation of the Verilated softmax-unit builds against the golden model
 * (csim/sm_unit.h).
 *
 * Contract
 *  - sm_builds() loads every build of harness/cosim/sm_builds.def (vunits.h); sm_build_load() one by name.
 *  - sm_cosim_run() streams random legal work through one build and through the golden model: rows
 *    (ROW, MAX x n, EXP x n) with random length, mask (valid length, causal offset, sliding window),
 *    scale and scores (Gaussian, with -Inf, NaN, +Inf, huge and FP16-extreme values at special_rate;
 *    FP16 builds get random upper halves, which must be ignored), split-K merges of 1..5 random
 *    partials (integer m or -Inf or NaN, l >= 0, random vectors) with or without normalisation, and
 *    MENDs with nothing to merge. Idle cycles on the input (gap_rate) and output back-pressure
 *    (stall_rate). With bad_rate, commands the driver would refuse are sent too: they must change
 *    nothing but err_o. Every output beat (kind, flags, m, l, rl, data lanes) and err_o every cycle
 *    are compared. Stops after `scores` score beats have been sent (both passes count). With row_len,
 *    every work item is a plain row of row_len scores (for cycles-per-row measurements).
 *    Returns 0 when everything matched, 1 on the first mismatch, -1 on a setup error.
 *  - With cmd_out/res_out, the first file_limit input beats and their expected output beats are
 *    written as hex lines for tb/sm_tb.sv.
 */
#ifndef PIMATTN_SM_SIM_H
#define PIMATTN_SM_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "vsm.h"

int sm_builds(const vsm_ops **out, size_t max, size_t *n, char *err, size_t en);
const vsm_ops *sm_build_load(const char *name, char *err, size_t en);
const vsm_ops *sm_build_find(const char *name); /* NULL if not built */

typedef struct sm_cosim_cfg {
    uint64_t seed;
    uint64_t scores;  /* score beats (MAX + EXP) to send, at least */
    uint32_t max_len; /* longest row in scores (default 512) */
    uint32_t row_len; /* > 0: rows only, each exactly row_len scores, no mask (cycles per row) */
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
