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
 *    spread over the batch (0 = all).
 *  - With cfg->log the engine writes its command log (docs/hbm.md v1) there.
 *  - Fast mode with threads != 1: the numbers are computed on worker threads while the timing goes on
 *    (funcpool.h); every result is the same bit for bit, whatever the number of threads.
 */
#ifndef PIMATTN_ATTN_H
#define PIMATTN_ATTN_H

#include <stdint.h>
#include <stdio.h>

#include "backend.h"
#include "func.h"
#include "hbm.h"
#include "model.h"
#include "schedule.h"

typedef struct attn_cfg {
    model m;
    hbm_cfg hbm; /* org.stacks = the stacks of the run */
    uint32_t batch;
    const uint32_t *ctx; /* tokens of each request (batch of them) */
    int systolic;
    int pingpong; /* two banks of a bank group share one GEMV unit and alternate rows (mapping.h) */
    uint32_t group; /* rows of the systolic unit: query heads per pass (1 for the tree unit) */
    int acc_fp32, splitk;
    smu_cfg smu;
    uint32_t layers;
    const vgemv_ops *rtl_gemv; /* rtl mode: the Verilated builds, else NULL */
    const vsm_ops *rtl_smu;
    const uint8_t *rtl_bank;    /* per global bank unit */
    const uint8_t *rtl_channel; /* per global channel */
    uint64_t seed;
    double logit_scale;
    const char *data_path; /* functional data from this file (kvdata.h) instead of seeded values */
    uint32_t numerics;
    FILE *log;
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

#endif
