/* func.h — the functional side of the attention scheduler: real numbers for the commands schedule.c
 * issues. Each hook turns one DRAM/PIM command into the unit commands it means for every bank of the
 * channel (through backend.h, golden or Verilated), with data taken from where the mapping put it:
 *  - WRGB   query word -> WR (half 0, row g, word w) in every bank;
 *  - MACAB  K burst (bank, row, column) -> score MAC (half 0, word w, slot 0, last at the key's last
 *           burst); the result beat is the key's score for each query head; V burst -> context MAC
 *           (half 1, ring word (u/16) mod ring, element u mod 16, slot 1, last at the partition's last
 *           token); the result beats are the partition's partial output slice per query head;
 *  - SFM    rows: per query head one ROW over all L scores (buffer flow) or one per V partition
 *           (split-K), MAX and EXP beats of `lanes` scores in token order; probabilities and (m, l, 1/l);
 *  - MVGB   16 probabilities of one chunk of each partition -> WR (half 1, row g, ring word) in the
 *           partition's banks;
 *  - SFM    merge: per query head, PART + PVEC beats for each partition's partial, MEND; buffer flow:
 *           partials share m and are summed (normalise 0), then o = sum x (1/l) in FP32; split-K: LSE
 *           merge with normalisation; with a host tier the host's partial (attn_host_partial) is one more
 *           PART + PVEC. The output is compared with FP64 attention over all tokens (csim/attn_ref.h).
 * Data: q, K, V ~ N(0, 1) rounded to FP16 (q times the logit scale), from the seed and (layer, request,
 * head), so a run is reproducible and independent of the mapping; or read from a file (kvdata.h).
 *
 * Contract
 *  - func_new(): NULL on no memory. func_hooks() fills the scheduler's hook table.
 *  - func_begin_channel(): before a channel's passes: its global index and the layer.
 *  - Errors (a unit refusing a command, an RTL mismatch) are written to the hook table's err buffer.
 */
#ifndef PIMATTN_FUNC_H
#define PIMATTN_FUNC_H

#include <stddef.h>
#include <stdint.h>

#include "backend.h"
#include "kvdata.h"
#include "mapping.h"
#include "schedule.h"

typedef struct func_item {
    uint32_t req, kvh;
    uint32_t L;      /* tokens in the PIM stacks: 0 .. L-1 */
    uint32_t L_host; /* tokens on the host tier: L .. L+L_host-1 (0 without --host-tier) */
} func_item;

typedef struct func_cfg {
    const map_geom *g;
    const func_item *items;
    unsigned head_dim, group; /* group: query heads per KV head of the model */
    int acc_fp32, splitk;
    smu_cfg smu;
    unsigned ring;
    uint64_t seed;
    double logit_scale;
    backend *be;
    kvdata *data; /* NULL: seeded Gaussian data */
    /* optional: every checked output (query head `head` of request `req`, head_dim FP32 values) */
    void (*on_output)(void *ctx, uint32_t req, uint32_t head, const fp32_t *o, unsigned d);
    void *out_ctx;
    /* optional: the same after the check, with the head's rel-L2 (funcpool.c records them in order) */
    void (*on_head)(void *ctx, uint32_t req, uint32_t head, const fp32_t *o, unsigned d, double rel_l2);
    void *head_ctx;
} func_cfg;

typedef struct func_stats {
    uint64_t heads;     /* query heads whose output was checked */
    double max_rel_l2;  /* against FP64 attention */
    double sum_rel_l2;
    uint64_t nan_heads; /* outputs with a NaN (none expected for Gaussian data) */
} func_stats;

typedef struct func func;

func *func_new(const func_cfg *c);
void func_free(func *f);
void func_hooks(func *f, sched_hooks *hk, char *err, size_t n);
void func_begin_channel(func *f, unsigned chan, unsigned layer);
/* Statistics since the last call (then reset): one layer's numerics. */
void func_take_stats(func *f, func_stats *out);
/* One checked head into the statistics (what the functional model does per head). */
void func_stats_add(func_stats *st, double rel_l2);
/* Forgets the passes in flight (after a hook failed: their data is incomplete). */
void func_reset(func *f);

#endif
