/* func_int.h — what func.c and func_merge.c share (not an interface: func.h is): a pass's data, the
 * functional model's state, and the helpers both halves call. */
#ifndef PIMATTN_FUNC_INT_H
#define PIMATTN_FUNC_INT_H

#include "func.h"
#include "gauss.h"


/* The data of a pass in flight. A slot keeps its buffers when its pass ends (no allocation, no page faults
 * per pass), and its K and V with the item and layer they belong to: the next pass over the same item (the
 * tree unit reads an item once per query head) copies them instead of drawing them again. */
typedef struct pdata {
    const sched_pass *p; /* NULL: free */
    fp16_t *K, *V, *q;   /* L x d, L x d, rows x d */
    uint32_t *scores;    /* rows x L: FP32 or FP16 (low half) bit patterns, token order */
    fp16_t *prob;        /* rows x L */
    sm_res *res;         /* rows x parts (split-K) or rows x 1 */
    fp32_t *part;        /* rows x parts x d: partial outputs */
    int8_t *K8, *V8, *q8; /* INT8 runs: K, V and q quantised (kvquant.h) */
    fp16_t *ks, *vs, *qs; /* their scales: of each token's K and V block (mapping.h), per query head */
    fp16_t *pws;         /* INT8: the word scales of each V partition's units, parts x rows x 16 */
    size_t cap[14];      /* bytes allocated for each buffer above */
    int kv_valid;        /* K and V hold the seeded data of item kv_item in layer kv_layer */
    uint32_t kv_item;
    unsigned kv_layer;
} pdata;

struct func {
    func_cfg c;
    sched_hooks *hk;
    unsigned chan, layer;
    fp32_t scale;
    gauss_ctx *gauss;
    int *vpart;         /* per unit: its V partition (-1: a spare unit) and slice (map_v_part) */
    unsigned *vslice;
    pdata *live; /* the passes in flight (S(p+1) runs before C(p); merges may wait for the host tier) */
    size_t nlive;
    fp32_t **own_store; /* one thread: the parts' partials (else func_cfg.part_store, shared) */
    func_stats st;
};

/* Writes the hook table's error message; returns -1. */
int func_fail(func *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Tokens tok0 .. tok0+count-1 of item `it` into K and V (K NULL: only the queries), query heads h0 ..
 * h0+rows-1 into q; 0, or -1 (err). */
int func_item_data(func *f, const func_item *it, uint32_t tok0, uint32_t count, fp16_t *K, fp16_t *V, uint32_t h0,
                   uint32_t rows, fp16_t *q);
/* The data of a pass, made at its first command; NULL (err) on failure. */
pdata *func_pass_data(func *f, const sched_pass *p);
/* The SFM merge hook (func_merge.c). */
int func_hk_sfm_merge(void *ctx, const sched_pass *p, uint64_t cycle);

#endif
