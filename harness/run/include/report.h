/* report.h — what `pimattn run` prints and writes: per layer and for the decode step, cycles, time, KV
 * bytes read, internal bandwidth against the all-bank peak, the analytic bounds, command counts, row
 * hits and misses, refresh, energy by component, numerics against FP64, simulation speed.
 *
 * Contract
 *  - report_derive(): the figures every output shares (report_fig), from the configuration and the
 *    result; the lower bound (KV bytes / peak all-bank MAC bandwidth) and the row-switch-aware ceiling
 *    (one row buffer per bank: every 1 KB row costs the row-switch period of docs/architecture.md).
 *  - report_text(): the table on f. report_json(): the JSON document on f (outfile.h makes the file
 *    atomic and checks its close); returns 0, or -1 if a write failed or memory ran out.
 *  - Numerics: max and mean rel-L2 are over the checked heads whose output is finite; heads with a NaN or
 *    an Inf in their output are counted apart (nonfinite_heads) at every level of the text and the JSON.
 *  - Energy: the engine's components (docs/hbm.md) grouped as DRAM array (activate/precharge, cell,
 *    refresh), column path, GEMV MACs, buffer-die transfers (global I/O, TSV, interposer), plus the
 *    softmax unit at REPORT_SM_PJ per score pass and per merged value.
 */
#ifndef PIMATTN_REPORT_H
#define PIMATTN_REPORT_H

#include <stdio.h>

#include "attn.h"

#define REPORT_SM_PJ 1.0 /* softmax unit, pJ per score and pass or per merged value (assumption: docs) */

typedef struct report_info {
    const char *model, *hbm, *mode, *gemv, *acc, *softmax;
    uint32_t group, ctx_min, ctx_max;
    double ctx_mean;
    const char *rtl_banks;
    uint64_t seed;
} report_info;

typedef struct report_fig {
    double tck_ns;
    double peak_bw;        /* all banks, one burst per MAC spacing (power limit applied), bytes per s */
    double row_period;     /* CK per 1 KB row of a bank with one row buffer (row-switch-aware) */
    double ceiling_bw;     /* peak_bw x cols x spacing / row_period */
    uint64_t lower_bound;  /* CK: unique KV bytes of a layer / peak */
    double layer_cycles;   /* mean over the simulated layers */
    double step_seconds;   /* all model layers (the unsimulated ones repeat the simulated mean) */
    double tokens_per_s;   /* batch / step_seconds: attention only, the xPU's FC layers not modeled */
    double energy_pj[6];   /* dram array, column path, gemv macs, buffer-die transfers, softmax, total */
    double max_rel_l2, mean_rel_l2; /* over the finite heads */
    uint64_t heads_checked, nonfinite_heads, over_heads;
    uint64_t score_nonfinite, ctx_nonfinite; /* accumulation overflow seen in the checked heads' units */
    double gate;                            /* --max-rel-l2, 0 if not given */
} report_fig;

void report_derive(const attn_cfg *c, const attn_res *r, report_fig *f);
void report_text(FILE *out, const attn_cfg *c, const attn_res *r, const report_info *in, const report_fig *f);
int report_json(FILE *out, const attn_cfg *c, const attn_res *r, const report_info *in, const report_fig *f);

#endif
