/* run_args.h — the parsers behind `pimattn run`'s options that take more than a number: context lengths
 * (a list or a file), the RTL bank selection, the traced bank, and the --outputs file's writer.
 * Each parser prints "pimattn run: ..." with what is allowed and returns -1 on bad input (exit 2). */
#ifndef PIMATTN_RUN_ARGS_H
#define PIMATTN_RUN_ARGS_H

#include <stdint.h>
#include <stdio.h>

#include "run.h"
#include "hbm_cfg.h"

#define RUN_MAX_BATCH 65536
#define RUN_MAX_CTX (1u << 24)

/* "N" or "N,N,...": lengths into *out (allocated), count in *k; every field one integer 1..2^24. The
 * messages name the command and the option (cmd "run", opt "--ctx"). */
int run_parse_ctx_list(const char *cmd, const char *opt, const char *text, uint32_t **out, uint32_t *k);
/* One length per line, '#' comments and blank lines allowed; any line length. */
int run_parse_ctx_file(const char *cmd, const char *opt, const char *path, uint32_t **out, uint32_t *k);
/* --rtl-banks: pc, channel, all, or S.C / S.C.P items into the per-unit (bpc units per PC) and per-channel
 * masks. */
int run_parse_rtl_banks(const char *spec, const hbm_cfg *h, unsigned bpc, uint8_t *bank, uint8_t *chan);
/* --wave-bank S.C.B: the global unit index (bch units per channel). */
int run_parse_wave_bank(const char *text, const hbm_cfg *h, unsigned bch, long *unit);

/* The --outputs file (docs/outputs.md): the 8 bytes "PIMATTNO", uint32 version 1, layers, batch, heads,
 * head_dim, flags (bit 0: FP64 reference present), then one record per checked query head in the order
 * they were computed: uint32 layer, request, head; head_dim FP32 (the softmax unit's output), head_dim
 * FP16 (the same rounded to nearest even: what the xPU gets back); with bit 0, head_dim FP64 reference.
 * All little-endian. */
typedef struct run_outputs {
    FILE *f;
    int with_ref;
    uint64_t records;
} run_outputs;

int run_outputs_header(run_outputs *w, uint32_t layers, uint32_t batch, uint32_t heads, uint32_t head_dim);
/* func.h's on_output: one record (write errors surface at the file's commit). */
void run_outputs_record(void *ctx, const func_output *o);

#endif
