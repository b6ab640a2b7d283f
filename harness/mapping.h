/* mapping.h — where a decode step's KV cache lives and which bank computes what (docs/architecture.md,
 * "Mapping"). Two levels:
 *  - Level 1: every (request, KV head) work item goes to one channel; items are placed longest first on
 *    the channel with the least work so far (work = tokens x passes), which balances ragged batches.
 *  - Level 2: inside its channel an item's K and V are laid out in 1 KB rows over all banks of the
 *    channel, the same rows in every bank, so all-bank ACT/MAC commands stream every bank at once:
 *      K: tokens split into `banks` contiguous blocks of n = ceil(L / banks) keys; bank b holds keys
 *         b*n .. b*n+n-1, key after key, W = head_dim/16 bursts per key (burst w = dims 16w..16w+15),
 *         packed over rows of `cols` bursts (a key may continue in the next row).
 *      V: slices of 16 dimensions; a bank holds one slice of one token partition: T partitions of
 *         n_t = ceil(L / T) contiguous tokens, S = W slices; within a pseudo-channel floor(banks_pc / S)
 *         partitions use S banks each (bank = pc * banks_pc + t_local * S + w; spare banks hold no V).
 *         Token u of the partition is column u % cols of row u / cols: one row = 32 tokens of a slice.
 *    Rows of a channel: item after item (K rows, then V rows), layer after layer.
 *
 * Contract
 *  - map_geom_init(): the geometry for a configuration (banks, rows, columns) and head_dim; fails
 *    (returns -1, err) if a row is not a whole number of bursts or S exceeds the banks of a PC.
 *  - map_plan(): level 1 for `nitems` items (lengths L[i], passes[i] each), onto `channels` channels;
 *    fills item_ch[i] and per-channel row offsets; returns the rows per bank each channel needs for
 *    one layer (max over channels in *rows_per_layer).
 *  - map_k_addr / map_v_addr: level 2 forward (token, burst) -> (bank, row offset, column);
 *    map_k_token / map_v_token: the inverse for a bank and burst index, -1 if the bank holds nothing
 *    there. The property test (tb/test_mapping.c) checks they cover every token exactly once.
 */
#ifndef PIMATTN_MAPPING_H
#define PIMATTN_MAPPING_H

#include <stddef.h>
#include <stdint.h>

typedef struct map_geom {
    unsigned banks;    /* banks per channel */
    unsigned banks_pc; /* banks per pseudo-channel */
    unsigned pcs;      /* pseudo-channels per channel */
    unsigned cols;     /* bursts per row */
    unsigned words;    /* W: bursts per key (head_dim / 16) */
    unsigned parts_pc; /* V partitions per pseudo-channel */
    unsigned parts;    /* T: V partitions per channel */
} map_geom;

/* The per-item shape on a channel of geometry g. */
typedef struct map_shape {
    uint32_t L;       /* tokens */
    uint32_t n;       /* keys per bank: ceil(L / banks) */
    uint32_t nt;      /* tokens per V partition: ceil(L / parts) */
    uint32_t k_rows;  /* rows per bank of K */
    uint32_t k_last;  /* bursts in the last K row (1..cols) */
    uint32_t v_rows;  /* rows per bank of V */
    uint32_t v_last;  /* bursts in the last V row (1..cols) */
} map_shape;

int map_geom_init(map_geom *g, unsigned pcs, unsigned banks_pc, unsigned cols, unsigned head_dim, char *err, size_t n);
void map_shape_of(const map_geom *g, uint32_t L, map_shape *s);
static inline uint32_t map_rows(const map_shape *s) { return s->k_rows + s->v_rows; }

/* Level 1. L[i], passes[i] for i < nitems; item_ch[i] and row0[i] (first row of the item's K in its
 * channel, within one layer) are filled; ch_rows[c] = rows per bank channel c needs per layer. */
void map_plan(const map_geom *g, size_t nitems, const uint32_t *L, const uint32_t *passes, unsigned channels,
              uint32_t *item_ch, uint32_t *row0, uint32_t *ch_rows);

/* Level 2, forward. K: token j (< L), burst w (< W) -> bank, row offset from the item's K base, column.
 * V: token j, slice w -> bank, row offset from the item's V base, column. */
void map_k_addr(const map_geom *g, const map_shape *s, uint32_t j, unsigned w, unsigned *bank, uint32_t *row,
                unsigned *col);
void map_v_addr(const map_geom *g, const map_shape *s, uint32_t j, unsigned w, unsigned *bank, uint32_t *row,
                unsigned *col);
/* Level 2, inverse: bank b, burst index idx = row offset * cols + col. K: the token (and *w its burst)
 * or -1. V: the token (and *w its slice, *u its position in the partition) or -1. */
int64_t map_k_token(const map_geom *g, const map_shape *s, unsigned b, uint32_t idx, unsigned *w);
int64_t map_v_token(const map_geom *g, const map_shape *s, unsigned b, uint32_t idx, unsigned *w, uint32_t *u);
/* V partition and slice of bank b (-1 for a spare bank). */
int map_v_part(const map_geom *g, unsigned b, unsigned *w);

#endif
