/* chanrun.h — one layer's channels through the schedule (schedule.h): every channel's passes from the
 * layer's start, on the calling thread and, when asked, on timing threads besides it.
 *
 * Why threads do not change the results: a channel's schedule issues only that channel's commands, and
 * the engine keeps every rule's registers, the bank states and the statistics per channel (hbm.h,
 * "Threads"); so each channel's commands and cycles are the same whichever thread runs it and whatever
 * runs beside it, and the caller adds the per-channel figures up in channel order.
 *
 * Contract
 *  - chan_run_layer(): runs every channel with passes (ch_first[ch] < ch_first[ch + 1]); fills stats[ch]
 *    (zeroed for a channel without passes). A channel for which hooks_of() gives hooks runs on the calling
 *    thread, in channel order, between begin() and end() (both optional); the others run on any thread
 *    with no hooks. workers = 0 runs everything on the calling thread, in channel order (then also the
 *    command log, if the engine has one, is in channel order; with workers > 0 the engine must have none).
 *  - Returns 0; or nonzero with err: the error of the lowest channel that failed (a scheduler or hook
 *    error: sched_channel's, or end()'s return value), channels after it possibly not run.
 *  - progress(ctx, done) (optional) is called on the calling thread with the channels done so far.
 */
#ifndef PIMATTN_CHANRUN_H
#define PIMATTN_CHANRUN_H

#include <stddef.h>
#include <stdint.h>

#include "schedule.h"

typedef struct chan_run {
    hbm *h;
    const map_geom *g;
    const sched_cfg *sc; /* the template: st, ch and merge_done are set per channel */
    const sched_pass *pass;
    const size_t *ch_first; /* channels + 1 entries: channel ch's passes are pass[ch_first[ch] ..] */
    uint64_t *merge_done;   /* per pass */
    unsigned channels, per_stack;
    uint64_t start;
    unsigned workers;
    void *ctx;
    const sched_hooks *(*hooks_of)(void *ctx, unsigned ch); /* NULL: no hooks on this channel */
    void (*begin)(void *ctx, unsigned ch);
    int (*end)(void *ctx, unsigned ch, char *err, size_t n);
    void (*progress)(void *ctx, unsigned done);
} chan_run;

int chan_run_layer(const chan_run *r, sched_stats *stats, char *err, size_t n);

#endif
