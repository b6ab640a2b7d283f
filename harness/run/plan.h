/* plan.h — where a decode step's work goes (docs/architecture.md, "Mapping"): the work items (request,
 * KV head), their parts, the channels they are placed on, their rows, and each channel's passes.
 *
 * An item's KV cache normally lives whole on one channel (mapping.h, level 1). When that cannot hold it,
 * or when the caller asks for balance, the item's tokens are split into parts of contiguous tokens on
 * channels of one stack; each part is scheduled like an item, ends with its own (m, l, o~) partial, and the
 * first part's channel (the owner) merges the parts' partials by log-sum-exp on its buffer-die softmax
 * unit after the layer's passes (attn.c). With a host tier the newest tokens of every item stay on the host
 * (attn.h), and the host's partial joins the item's final merge.
 *
 * Contract
 *  - plan_make(): 0; 2 when the KV cache does not fit (err: in total, or only as placed, with the numbers
 *    and what is allowed); -1 on no memory. Items are numbered request-major (request r, KV head k: item
 *    r * kv_heads + k); parts are the plan's placement units, each item's parts contiguous, first part
 *    (the owner) first, longest first.
 *  - Split policy: PLAN_SPLIT_OFF (items whole: refuse what does not fit), PLAN_SPLIT_FIT (split only
 *    items on channels that overflow, one more part at a time, up to a stack's channels), PLAN_SPLIT_BALANCE
 *    (also split long items so the tokens spread over every channel of the stacks, parts of at least
 *    PLAN_MIN_PART tokens).
 *  - Passes are grouped by channel in placement order; pass.item is the part's index.
 */
#ifndef PIMATTN_PLAN_H
#define PIMATTN_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "func.h"
#include "hbm_cfg.h"
#include "mapping.h"
#include "run.h"
#include "schedule.h"

#define PLAN_MIN_PART 512

typedef struct plan_cfg {
    const model *m;
    const hbm_cfg *hbm;
    uint32_t batch;
    const uint32_t *ctx;
    int systolic, pingpong;
    uint32_t group; /* query heads per pass */
    int split;      /* PLAN_SPLIT_* */
    int host_tier;
    int kv_fmt;        /* KVF_FP16, KVF_BF16 or GEMV_KV_INT8 (the mapping's INT8 layout, mapping.h) */
    uint32_t kv_block; /* INT8: tokens per quantisation block */
    const char *fit_hint; /* the "(allowed: ...)" of a cache that does not fit, or NULL for pimattn run's */
} plan_cfg;

typedef struct plan {
    map_geom g;
    size_t nlogical;  /* items (request x KV head) */
    size_t nitems;    /* parts: the placement units */
    size_t npass;
    func_item *items; /* per part */
    uint32_t *owner;  /* per part: its item's first part */
    uint32_t *item_ch, *row0, *ch_rows;
    sched_pass *pass; /* grouped by channel, in placement order */
    size_t *ch_first; /* first pass of each channel; ch_first[channels] = npass */
    size_t nsplit;    /* items in more than one part */
    uint64_t kv_bytes_layer, kv_bytes_needed, kv_bytes_avail, kv_bytes_host_layer, host_tokens;
} plan;

int plan_make(const plan_cfg *c, plan *p, char *err, size_t n);
void plan_free(plan *p);

#endif
