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
 *           A part of a split item (plan.h) keeps its unnormalised (m, l, o~) instead, for the item's
 *           final merge (func_part_merge) on the owner channel's unit after the layer's passes.
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
#include "run.h"
#include "mapping.h"
#include "schedule.h"

/* One placement unit: a whole work item (request, KV head), or one part of a split one (plan.h). */
typedef struct func_item {
    uint32_t req, kvh;
    uint32_t L;      /* tokens of this part in the PIM stacks: tok0 .. tok0+L-1 of the item */
    uint32_t L_host; /* the item's tokens on the host tier: L_pim .. L_pim+L_host-1 (0 without --host-tier) */
    uint32_t tok0;   /* first token of this part (0 for a whole item) */
    uint32_t L_pim;  /* the item's tokens in the stacks, all parts (= L for a whole item) */
    uint16_t part, nparts; /* 0, 1 for a whole item */
} func_item;


typedef struct func_cfg {
    const map_geom *g;
    const func_item *items;
    size_t nitems;
    unsigned head_dim, group; /* group: query heads per KV head of the model */
    int acc_fp32, splitk;
    int kv_fmt; /* KVF_FP16 or KVF_BF16: K, V and q (seeded data: the FP16 values rounded to BF16) */
    smu_cfg smu;
    unsigned ring;
    uint64_t seed;
    double logit_scale;
    backend *be;
    kvdata *data; /* NULL: seeded Gaussian data */
    void (*on_output)(void *ctx, const func_output *o); /* optional: every checked output */
    void *out_ctx;
    double max_rel_l2; /* > 0: count the heads above it (func_stats.over_heads) */
    /* optional: every checked head after the check, with its rel-L2 and whether its output is finite
     * (funcpool.c records them in order) */
    void (*on_head)(void *ctx, const func_output *o, double rel_l2, int finite);
    void *head_ctx;
    /* optional: nitems slots the funcs of one run share for the parts' partials (funcpool.c: a part's
     * merge and its item's final merge may run on different threads); NULL: the func keeps its own */
    fp32_t **part_store;
} func_cfg;


typedef struct func func;

func *func_new(const func_cfg *c);
void func_free(func *f);
void func_hooks(func *f, sched_hooks *hk, char *err, size_t n);
void func_begin_channel(func *f, unsigned chan, unsigned layer);
/* The final merge of split item whose first part is `owner` (plan.h), on the current channel's softmax unit:
 * the parts' partials (kept from their passes' merges) and the host's, by log-sum-exp, then each query
 * head checked against FP64 attention over all the item's tokens. 0, or -1 with err. */
int func_part_merge(func *f, uint32_t owner, uint64_t cycle);
/* Statistics since the last call (then reset): one layer's numerics. */
void func_take_stats(func *f, func_stats *out);
/* One checked head into the statistics (what the functional model does per head): its rel-L2, whether its
 * output is finite, and the --max-rel-l2 gate (0: none). */
void func_stats_add(func_stats *st, double rel_l2, int finite, double gate);
/* Forgets the passes in flight (after a hook failed: their data is incomplete). */
void func_reset(func *f);

#endif
