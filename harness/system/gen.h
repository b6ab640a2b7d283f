/* gen.h — the state of one generation (gen.c), private to harness/system: the device shapes, the
 * simulated attention of every step and device shape (devsim.c), the step's contexts.
 *
 * Contract
 *  - gen_simulate_all(): simulates every device shape's attention at the decode steps step_stride picks
 *    (and each half's with sub-batches), on up to `threads` worker threads (each step on one thread; the
 *    results do not depend on their number), interpolates the others; marks r->steps[].simulated, adds
 *    the checked heads to r->num and r->sim_layers. 0, or attn_run's status with err (the first failure).
 *  - gen_attn_cfg(): the attn_run configuration of one device shape for `batch` requests.
 *  - gen_step_ctx(): the contexts of decode step `step` into ctx[], and the two halves' (alternate
 *    requests) into half[0..1] with their counts.
 */
#ifndef PIMATTN_GEN_H
#define PIMATTN_GEN_H

#include "sysmodel.h"

/* One device's simulated attention layer (doubles: interpolated between simulated steps). */
typedef struct dev_sim {
    double cycles, debt, joules; /* joules: DRAM, units and softmax, without refresh (charged by time) */
} dev_sim;

/* A device shape: the shards that hold the same KV heads' shape (simulated once per step). */
typedef struct shape {
    model dm;
    uint32_t count, group;
} shape;

enum { WHOLE, HALF_A, HALF_B, NSETS };

typedef struct gen {
    const sys_gen_cfg *c;
    sys_gen_res *r;
    hbm_cfg dev;
    double tck_s, dram_write_pj; /* the device's clock, pJ per byte written into its cells */
    double refresh_w;            /* refresh of one replica's DRAM: its GPUs' HBM and its devices */
    shape sh[64];
    uint32_t nsh;
    uint32_t *ctx, *half[2], nhalf[2]; /* the step's contexts; the two sub-batches' */
    dev_sim *sim;                       /* [step][shape][set] */
    int sub;                            /* the sub-batch mode is computed */
    unsigned attn_threads;              /* attn_run's threads for the numbers */
} gen;

static inline dev_sim *sim_at(const gen *g, uint32_t step, uint32_t shape, int set)
{
    return &g->sim[((size_t)(step - 1) * g->nsh + shape) * NSETS + set];
}

int gen_simulate_all(gen *g, char *err, size_t n);
attn_cfg gen_attn_cfg(const gen *g, const shape *s, uint32_t batch, const uint32_t *ctx, uint64_t seed);
void gen_step_ctx(const sys_gen_cfg *c, uint32_t step, uint32_t *ctx, uint32_t *half[2], uint32_t nhalf[2]);

#endif
