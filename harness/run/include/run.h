/* run.h — the public face of harness/run/: one `pimattn run`, a model's decode-step attention on HBM3-PIM
 * stacks, command by command, and its report. Everything else in harness/run/ (plan.h, mapping.h,
 * schedule.h, func.h, funcpool.h, gauss.h, kvdata.h) is private to the module; it reaches the compute
 * units only through cosim's backend.h and the DRAM only through hbm.h.
 *
 * Parts (in this order below): models (presets and YAML), the run (configuration, result, attn_run),
 * the report (text, JSON), and the --data file's header (kvdata_peek).
 */
#ifndef PIMATTN_RUN_H
#define PIMATTN_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "fp.h"
#include "hbm.h"
#include "hbm_cfg.h"
#include "sm_unit.h"

/* ==== models ================================================================================================ */
/* model.h — transformer models whose decode attention `pimattn run` simulates: built-in presets
 * (docs/REFERENCE §6 of the project's sources: GPT-3, LLaMA, Mistral, Falcon, OPT, MT-NLG) and YAML files.
 *
 * Contract
 *  - model_preset(name, out): 0, or -1 for an unknown name (model_preset_names lists them).
 *  - model_load(path, out, err, n): a YAML mapping with the keys of the field table below (all required
 *    but `name`, `window`, `ffn`, `gated`, `vocab`, `ctx`); unknown keys, duplicates, non-integers, out-of-range values
 *    and inconsistent shapes are errors "FILE:LINE: key: what (allowed: ...)"; returns 0 or -1.
 *  - model_validate(m, err, n): heads a multiple of kv_heads, head_dim a multiple of 16 (one GEMV word
 *    holds 16 FP16), d_model = heads x head_dim is not required (Falcon-7B is 71 x 64 = 4544).
 *  - model_kv_bytes_per_token(m): K and V of every layer and KV head, FP16.
 */
/* X(key, member, lo, hi, required, meaning) */
#define MODEL_FIELDS(X)                                                                                      \
    X(layers, layers, 1, 1024, 1, "transformer layers")                                                    \
    X(d_model, d_model, 16, 1048576, 1, "hidden size")                                                      \
    X(heads, heads, 1, 4096, 1, "query heads")                                                               \
    X(kv_heads, kv_heads, 1, 4096, 1, "key/value heads (GQA/MQA: fewer than heads)")                        \
    X(head_dim, head_dim, 32, 256, 1, "dimension of one head, a multiple of 16")                            \
    X(ffn, ffn, 0, 1048576, 0, "feed-forward size (pimattn system; 0 = no FFN)")                            \
    X(gated, gated, 0, 1, 0, "1: gated FFN (SwiGLU, three matrices), 0: two matrices")                      \
    X(vocab, vocab, 0, 4194304, 0, "vocabulary size: the LM head (pimattn system; 0 = not modeled)")        \
    X(ctx, ctx, 0, 16777216, 0, "trained context length (reported only)")                                  \
    X(window, window, 0, 16777216, 0, "sliding attention window in tokens, 0 = none")

#define MODEL_MEMBER(key, member, lo, hi, req, doc) uint32_t member;
typedef struct model {
    char name[64];
    MODEL_FIELDS(MODEL_MEMBER)
} model;

extern const char *const model_preset_names;

int model_preset(const char *name, model *out);
int model_load(const char *path, model *out, char *err, size_t n);
int model_validate(const model *m, char *err, size_t n);

static inline uint32_t model_group(const model *m) { return m->heads / m->kv_heads; }
static inline uint64_t model_kv_bytes_per_token(const model *m)
{
    return 2ull * m->layers * m->kv_heads * m->head_dim * 2u;
}

/* ==== the run =============================================================================================== */
/* attn.h — one `pimattn run`: a model's decode-step attention on HBM3-PIM stacks, command by command.
 *
 * Work items are (request, KV head); a pass is one item with the query heads that read its K/V together
 * (all G of them on a systolic unit with G rows; one at a time on the tree unit, so G passes re-read the
 * same K/V). mapping.h places the items and lays out their KV cache, schedule.h schedules each channel's
 * passes through the timing engine, func.h computes the numbers of the functional items through the
 * golden or Verilated units (backend.h) and checks them against FP64 attention.
 *
 * Contract
 *  - attn_run(): returns 0; 1 if a check failed (an RTL unit disagreed with the golden model, or the
 *    engine refused the schedule: err says which unit, cycle, values); 2 for input the hardware cannot
 *    take (the KV cache does not fit: err gives bytes needed and available); -1 on no memory.
 *  - Host tier (FastAttention's cooperative long context): when the KV cache does not fit and host_tier
 *    is set, every item keeps the same fraction of its tokens (the oldest) in the stacks, the largest
 *    that fits, and the rest on the host, which attends over them in host_latency_us + bytes /
 *    host_gbs per layer, in parallel with the stacks; its (m, l, o) partial per query head is merged
 *    exactly by the channel's softmax unit (log-sum-exp; split-K flow only).
 *  - Layers simulated: the first cfg->layers of the model, one after the other from cycle 0 on one
 *    device. Refresh is postponed within a layer as far as the device allows and the debt is paid
 *    after it (during the xPU's FC layers, which are not modeled): every layer starts owing nothing,
 *    so layers of the same shape take the same cycles and the others repeat the simulated ones.
 *  - The functional items of a layer: every item on a channel with an RTL unit, plus `numerics` items
 *    spread over the batch (0 = all); with numerics_later, layers after the first take every
 *    numerics_later-th item instead, starting at item l mod numerics_later in layer l.
 *  - With cfg->log the engine writes its command log (docs/hbm.md v1) there.
 *  - Fast mode with threads != 1: the numbers are computed on worker threads while the timing goes on
 *    (funcpool.h); every result is the same bit for bit, whatever the number of threads.
 */

/* Items split over channels (plan.h): off, fit (split what a channel cannot hold), balance (also spread
 * long items over every channel). */
enum { PLAN_SPLIT_OFF, PLAN_SPLIT_FIT, PLAN_SPLIT_BALANCE };

/* One checked query head's output, for on_output. */
typedef struct func_output {
    uint32_t layer, req, head; /* head: the query head's index in the model */
    unsigned d;
    const fp32_t *o;   /* what the softmax unit hands back, FP32 */
    const double *ref; /* FP64 attention over the same (FP16 or BF16) inputs */
} func_output;

typedef struct func_stats {
    uint64_t heads;          /* query heads whose output was checked */
    double max_rel_l2;       /* against FP64 attention, over the finite heads */
    double sum_rel_l2;       /* over the finite heads */
    uint64_t nonfinite_heads; /* outputs with a NaN or an Inf: not in max and sum */
    uint64_t over_heads;     /* heads whose rel-L2 exceeds func_cfg.max_rel_l2 (when > 0) */
    uint64_t score_nonfinite; /* score results (q.k) that came out Inf or NaN: accumulation overflow */
    uint64_t ctx_nonfinite;  /* partial-output values (p.V) that came out Inf or NaN */
} func_stats;

typedef struct attn_cfg {
    model m;
    hbm_cfg hbm; /* org.stacks = the stacks of the run */
    uint32_t batch;
    const uint32_t *ctx; /* tokens of each request (batch of them) */
    int systolic;
    int pingpong; /* two banks of a bank group share one GEMV unit and alternate rows (mapping.h) */
    uint32_t group; /* rows of the systolic unit: query heads per pass (1 for the tree unit) */
    int acc_fp32, splitk;
    int kv_fmt; /* KVF_FP16, KVF_BF16 (kvfmt.h) or GEMV_KV_INT8 (gemv.h): the format of K, V and q; BF16
                 * and INT8 need acc_fp32 */
    uint32_t kv_block; /* INT8: tokens per quantisation block of K and of V (a multiple of 32; mapping.h) */
    smu_cfg smu;
    uint32_t layers;
    int rtl;                   /* rtl mode: Verilated units on rtl_bank / rtl_channel (the backend picks the builds) */
    const char *rtl_gemv_build, *rtl_smu_build; /* optional: force these builds (tests), see backend.h */
    const uint8_t *rtl_bank;    /* per global bank unit */
    const uint8_t *rtl_channel; /* per global channel */
    uint64_t seed;
    double logit_scale;
    const char *data_path; /* functional data from this file (kvdata.h) instead of seeded values */
    uint32_t numerics;
    uint32_t numerics_later; /* 0, or in layers after the first every numerics_later-th item (from a
                              * different one each layer) instead of numerics */
    FILE *log;
    FILE *place; /* optional, with log: the placement file for the hazard checker (docs/hazards.md) */
    void (*on_output)(void *ctx, const func_output *o); /* optional: every checked query head's output */
    void *out_ctx;
    double max_rel_l2; /* > 0: count the checked heads whose rel-L2 exceeds it (func_stats.over_heads) */
    void (*progress)(void *ctx, double done); /* optional: fraction of the run done, after each channel */
    void *progress_ctx;
    int split;              /* PLAN_SPLIT_OFF | FIT | BALANCE (plan.h): items split over channels */
    int host_tier;          /* a KV cache too large for the stacks keeps its overflow tokens on the host */
    double host_gbs, host_latency_us; /* the host's attention bandwidth over them, and the round trip */
    const char *wave_path; /* rtl mode: FST of bank unit wave_unit, DRAM cycles wave_from .. + wave_cycles */
    long wave_unit;
    uint64_t wave_from, wave_cycles;
    unsigned threads; /* fast mode: threads for the numbers (funcpool.h); 0: the online CPUs; 1: none */
    const char *fit_hint; /* optional: the "(allowed: ...)" when the KV cache does not fit (default: run's options) */
} attn_cfg;

typedef struct attn_layer {
    uint64_t start, cycles;
    hbm_stats hbm; /* this layer's commands, bytes and energy */
    func_stats num;
    uint64_t mac_cmds, refreshes, sfm_cycles, bank_busy;
    uint64_t busiest_channel_cycles, idlest_channel_cycles; /* channels with work */
    uint64_t refresh_after; /* cycles after the layer until every PC has paid its refresh debt */
    uint64_t datapath;      /* the busiest PC's data-path cycles of WRGB, MVSB and MVGB: a lower bound */
} attn_layer;

typedef struct attn_res {
    uint32_t items, passes_per_layer, channels_used, channels;
    uint32_t parts, split_items; /* placement units, and the items split in more than one part (plan.h) */
    uint64_t kv_bytes_layer;    /* unique K and V bytes of one layer */
    uint64_t kv_bytes_needed, kv_bytes_avail;
    uint64_t kv_bytes_host_layer; /* host tier: K and V bytes of one layer the host reads */
    uint64_t host_tokens;         /* host tier: tokens per layer and KV head summed over the items */
    uint64_t host_cycles;         /* host tier: its time per layer (latency + bytes / bandwidth) in CK */
    uint32_t layers;            /* simulated */
    attn_layer *layer;          /* layers of them */
    hbm_stats hbm;              /* the whole run */
    backend_stats be;
    double wall_seconds;
} attn_res;

int attn_run(const attn_cfg *c, attn_res *r, char *err, size_t n);
void attn_res_free(attn_res *r);

/* The placement of attn_run alone, without simulating: 0 if the KV cache fits (with host_tier: always,
 * unless not one token per item fits), 2 if not (err as attn_run's), -1 no memory. *needed and *avail:
 * the cache's bytes and the stacks' capacity. */
int attn_fits(const attn_cfg *c, uint64_t *needed, uint64_t *avail, char *err, size_t n);

/* ==== the report ============================================================================================ */
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
 *    refresh), column path, GEMV MACs (with an INT8 unit's FP32 scalings, scale_int8_pj each, counted by
 *    attn_run from the placement), buffer-die transfers (global I/O, TSV, interposer), plus the
 *    softmax unit at REPORT_SM_PJ per score pass and per merged value.
 */

/* pimattn run's default numerics sample in the layers after the first: every 64th item (attn_cfg). */
#define RUN_NUMERICS_LATER 64
#define REPORT_SM_PJ 1.0 /* softmax unit, pJ per score and pass or per merged value (assumption: docs) */

typedef struct report_info {
    const char *model, *hbm, *mode, *gemv, *acc, *kv, *softmax;
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

/* ==== the --data file ====================================================================================== */
/* kvdata_peek(): the header's batch and context lengths (*ctx allocated) of a --data file (docs/outputs.md),
 * for a run that takes them from the file. 0 or -1 (err "FILE: what (allowed: ...)"). */
int kvdata_peek(const char *path, uint32_t *batch, uint32_t **ctx, char *err, size_t n);

#endif
