/* cmd_run.h — pimattn run's three steps, private to harness/cli: parse (cmd_run.c: the options as given,
 * and the rules between them), configure (cmd_run_config.c: the run's configuration from the options,
 * every input read and checked), run and report (cmd_run_exec.c: outputs checked up front, the run,
 * the report, the outputs committed). Each step prints its own errors ("pimattn run: ...") and returns
 * an exit status: 0, 1 (a check failed, an output could not be written) or CLI_EXIT_BAD_INPUT. */
#ifndef PIMATTN_CMD_RUN_H
#define PIMATTN_CMD_RUN_H

#include <stdint.h>

#include "run.h"

#define ERRN 1024

/* The options as given. */
typedef struct run_opts {
    const char *model_name, *model_file, *ctx_text, *ctx_file, *hbm_text, *rtl_spec, *json, *logp;
    const char *layers_text, *wave, *wave_bank, *data, *outputs;
    int logit_given, numerics_given, tree, acc16, kvfmt, kv_block_given, splitk, rtl, group_given, host, host_opt, pingpong, outputs_ref, split, power;
    uint64_t wave_from, wave_cycles, batch, group, lanes, stacks, seed, numerics, threads, kv_block;
    double logit, host_gbs, host_us, max_rel;
} run_opts;

/* What the configuration allocated (freed by run_config_free). */
typedef struct run_alloc {
    uint32_t *lens;
    uint8_t *rbank, *rchan;
} run_alloc;

/* The run's configuration c from the options (o: defaults that depend on the model filled in). */
int run_configure(run_opts *o, attn_cfg *c, run_alloc *a);
void run_config_free(run_alloc *a);
/* --wave in rtl mode: its unit runs the GEMV build's traced twin (build/vunits/trace/); 0, or exit status 2
 * when that is not built. After the outputs' checks, before any work. */
int run_check_wave_build(const run_opts *o, const attn_cfg *c);

/* Checks the outputs, runs, prints the report, writes the outputs, applies the checks. */
int run_execute(const run_opts *o, attn_cfg *c);

#endif
