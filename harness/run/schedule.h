/* schedule.h — the decode-attention schedule of one channel: the channel's passes (one pass = one KV head
 * of one request with the query heads that read it together) become HBM3-PIM commands, issued through
 * the timing engine (hbm.h) at their earliest legal cycles, with the functional layer told what each
 * command did (docs/architecture.md, "Schedule").
 *
 * Per pass: WRGB the queries into half 0 of the GEMV buffers; score phase S = ACTAB/MACAB over the K
 * rows (all banks of the channel in lock step), MVSB the scores of each row to the softmax buffer; SFM
 * (the softmax unit: one row per query head, or one per V partition in the split-K flow); MVGB the
 * probabilities, 16 tokens per word, into a ring of `ring` words in half 1; context phase C =
 * ACTAB/MACAB over the V rows; MVSB the partial outputs; SFM merge. The banks run
 * S0 S1 C0 S2 C1 ... so the softmax of one pass overlaps the score phase of the next; movers and the
 * softmax unit run whenever their inputs are ready. Each step issues the command that can go first
 * (the banks' command on a tie). Refresh: all-bank, at a row switch once a PC owes a refresh, or at
 * once when a PC's deadline would pass while the banks wait.
 *
 * Contract
 *  - sched_channel(): schedules every pass from cycle t0 on; returns 0, or -1 with err (a hook's
 *    error, or an engine refusal: a scheduler bug, reported, never hidden).
 *  - Hooks may be NULL (timing only); they are called at issue, in issue order, with the issue cycle.
 *  - sched_sfm_row_cycles / sched_sfm_merge_cycles: the softmax unit's busy time, its RTL's cycle
 *    counts (csim/sm_unit.h smu_row_cycles, smu_merge_cycles, measured by tests/test_sm_cosim.c):
 *    2n + 11 per row of n = ceil(L/lanes) beats (n + 16 + 2*log2(lanes) when that is
 *    longer); P*(d/lanes + 7) + d/lanes + 11 per merge of P partials.
 */
#ifndef PIMATTN_SCHEDULE_H
#define PIMATTN_SCHEDULE_H

#include <stddef.h>
#include <stdint.h>

#include "hbm.h"
#include "mapping.h"

typedef struct sched_pass {
    uint32_t item;     /* the run's work item (request, KV head) */
    uint32_t h0, rows; /* query heads h0 .. h0+rows-1 of the KV group */
    map_shape shape;
    uint32_t k_row, v_row; /* first row (in every bank) of the item's K and V */
    int functional;        /* 1: the hooks compute this pass's numbers */
    uint64_t host_ready;   /* host tier: the cycle its partials reach the buffer die (merged too), else 0 */
} sched_pass;

typedef struct sched_hooks {
    void *ctx;
    int (*wrgb)(void *ctx, const sched_pass *p, unsigned row, unsigned word, uint64_t cycle);
    int (*mac)(void *ctx, const sched_pass *p, int context, uint32_t row, unsigned col, uint64_t cycle);
    int (*sfm_row)(void *ctx, const sched_pass *p, uint64_t cycle);
    int (*mvgb)(void *ctx, const sched_pass *p, unsigned pc, uint32_t chunk, uint64_t cycle);
    int (*sfm_merge)(void *ctx, const sched_pass *p, uint64_t cycle);
    char *err; /* where a hook writes why it failed */
    size_t errn;
} sched_hooks;

typedef struct sched_cfg {
    unsigned st, ch;
    int splitk;
    unsigned sm_lanes;    /* softmax unit lanes */
    unsigned score_bytes; /* 4 (FP32 accumulation) or 2 */
    unsigned out_bytes;   /* bytes of one partial-output lane */
    unsigned ring;        /* probability words per GEMV row in half 1 (the unit's depth) */
    unsigned head_dim;
    uint64_t *merge_done; /* optional, one per pass: when the pass's merge on the softmax unit completes */
} sched_cfg;

typedef struct sched_stats {
    uint64_t first, end;        /* first command, completion of the last */
    uint64_t last_issue;        /* issue cycle of the last command */
    uint64_t mac_cmds, bank_busy; /* MACABs; cycles from a phase's first to its last MACAB */
    uint64_t sfm_cycles;        /* softmax unit busy */
    uint64_t stall_q, stall_prob; /* MACABs that waited for queries / probabilities */
    uint64_t refreshes;
    uint64_t datapath;          /* CK of the busiest PC's data path taken by WRGB, MVSB, MVGB (n x nBL each) */
} sched_stats;

uint64_t sched_sfm_row_cycles(uint32_t len, unsigned lanes);
uint64_t sched_sfm_merge_cycles(uint32_t partials, unsigned d, unsigned lanes);
/* The softmax unit's cycles for one pass (rows query heads): rows and merges of the flow. */
uint64_t sched_sfm_pass_cycles(const map_geom *g, const sched_cfg *c, const sched_pass *p, uint64_t *merge);

/* Between layers: pays channel (st, ch)'s refresh debt at cycle `until` and keeps it usable from there,
 * issuing from its last command on (PREA if any bank is open, then REFABs, the PC nearest its deadline
 * first, each at its earliest legal cycle) until every PC owes nothing at `until` and its deadline is more
 * than the refresh lead after `until`: nRTP + nRP + nRAS + the all-bank activation stagger + 8. A schedule
 * (sched_channel) leaves each deadline at least that lead after its last command, which is what the
 * catch-up needs to close the banks and refresh every PC in time, also when all PCs are due in the same
 * cycle. *end = when the last refresh completes (`until` when none was needed). 0, or -1 with err (an
 * engine refusal: a bug). */
int sched_refresh_catchup(hbm *h, unsigned st, unsigned ch, uint64_t until, uint64_t *end, char *err, size_t n);
/* For one command that waits until cycle t on an otherwise idle channel (a final merge behind a busy softmax
 * unit): the refreshes the channel owes by t (afterwards no PC's deadline is before t, so a command at t is
 * legal; a channel that owed nothing gets no refresh), issued as above from its last command on. *end as
 * above. 0, or -1 with err. */
int sched_refresh_owed(hbm *h, unsigned st, unsigned ch, uint64_t t, uint64_t *end, char *err, size_t n);

int sched_channel(hbm *h, const map_geom *g, const sched_cfg *c, const sched_pass *passes, size_t np, uint64_t t0,
                  const sched_hooks *hk, sched_stats *st, char *err, size_t n);

#endif
