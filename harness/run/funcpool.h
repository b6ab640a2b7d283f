/* funcpool.h — the functional side of `pimattn run` on several threads (fast mode).
 *
 * The schedule never waits for a number: the hooks only compute and check them. So the timing engine
 * runs channel after channel on the calling thread while recording each channel's hook calls (a job),
 * and worker threads replay the jobs through their own func (func.h) on the shared golden backend.
 *
 * Why the results do not depend on the threads: a channel's units (its bank units and softmax unit)
 * are touched by that channel's jobs only, and a channel's jobs run one at a time in layer order; a job
 * computes its passes from start to end (data from the seed and the item, never from another job);
 * the per-head rel-L2 values are recorded per job and added into the layer statistics afterwards in
 * (layer, channel, head) order, the order of the single-threaded run, as are the on_output calls. The
 * first failing job in that order is the error reported, and every job before it has run.
 *
 * Contract
 *  - fpool_new(): `threads` >= 1 worker threads (the calling thread also runs jobs when the queue is long
 *    and at the end); each of them gets a func for *c (c->be shared; with `data`, its own kvdata handle;
 *    c->on_output is called by fpool_finish). NULL with err on failure.
 *  - fpool_begin() gives the hooks that record the calls of channel `chan` in `layer`; fpool_submit()
 *    queues them (nothing is queued for a channel without calls): 0; -1 with err (no memory); 1 when a
 *    job has failed (stop submitting; fpool_finish gives the error). fpool_drop() discards them.
 *  - fpool_part_merge() records a split item's final merge (func_part_merge) of `layer` on channel `chan`
 *    into a barrier job, submitted by fpool_submit(): it runs after every job submitted before it (its
 *    parts' merges, on any channel) and before any job after it (the next layer reuses the partial slots).
 *  - fpool_finish(): runs and waits for every job; adds each layer's heads into stats[layer] (zeroed by
 *    the caller), calls on_output in order; returns 0, or -1 with the first failing job's error.
 *  - fpool_done(): jobs finished and submitted, for progress.
 */
#ifndef PIMATTN_FUNCPOOL_H
#define PIMATTN_FUNCPOOL_H

#include <stddef.h>

#include "func.h"

typedef struct fpool fpool;

/* A data file (kvdata.h) the workers open for themselves: kvdata_open's arguments. */
typedef struct fpool_data {
    const char *path;
    uint32_t batch, kv_heads, head_dim, group;
    const uint32_t *ctx;
} fpool_data;

fpool *fpool_new(const func_cfg *c, const fpool_data *data, unsigned threads, char *err, size_t n);
void fpool_begin(fpool *p, unsigned chan, unsigned layer, sched_hooks *hk, char *err, size_t n);
int fpool_submit(fpool *p, char *err, size_t n);
int fpool_part_merge(fpool *p, unsigned layer, unsigned chan, uint32_t owner, uint64_t cycle, char *err, size_t n);
void fpool_drop(fpool *p);
int fpool_finish(fpool *p, func_stats *stats, unsigned layers, char *err, size_t n);
void fpool_done(fpool *p, size_t *done, size_t *submitted);
void fpool_free(fpool *p);

#endif
