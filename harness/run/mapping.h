/* mapping.h — where a decode step's KV cache lives and which GEMV unit computes what
 * (docs/architecture.md, "Mapping"). Every DRAM bank has its own GEMV unit, or (ping-pong, --pingpong)
 * two neighbouring banks of a bank group (ba 2k and 2k+1) share one, which reads them alternately: a
 * unit's rows alternate between its two banks, so one bank streams while the other switches rows.
 * Two levels:
 *  - Level 1: every (request, KV head) work item goes to one channel; items are placed longest first on
 *    the channel with the least work so far (work = tokens x passes), which balances ragged batches.
 *  - Level 2: inside its channel an item's K and V are laid out in 1 KB rows over all units of the
 *    channel, the same unit-rows in every unit, so all-bank (or all-set) ACT/MAC commands stream every
 *    unit at once:
 *      K: tokens split into `units` contiguous blocks of n = ceil(L / units) keys; unit u holds keys
 *         u*n .. u*n+n-1, key after key, W = head_dim/16 bursts per key (burst w = dims 16w..16w+15),
 *         packed over unit-rows of `cols` bursts (a key may continue in the next row).
 *      V: slices of 16 dimensions; a unit holds one slice of one token partition: T partitions of
 *         n_t = ceil(L / T) contiguous tokens, S = W slices; within a pseudo-channel floor(units_pc / S)
 *         partitions use S units each (unit = pc * units_pc + t_local * S + w; spare units hold no V).
 *         Token u of the partition is column u % cols of unit-row u / cols: a row = 32 tokens of a slice.
 *    Unit-row r is row r / banks_per_unit (from the item's base) of bank r % banks_per_unit of the unit.
 *    Rows of a channel: item after item (K rows, then V rows), layer after layer.
 *
 * Contract
 *  - map_geom_init(): the geometry for a configuration (banks per PC, columns), head_dim and 1 or 2
 *    banks per unit; fails (returns -1, err) for a head_dim that is not a multiple of 16 or needs more
 *    slices than a PC has units.
 *  - map_plan(): level 1 for `nitems` items (lengths L[i], passes[i] each), onto `channels` channels;
 *    fills item_ch[i] and per-channel row offsets (bank rows); returns the rows per bank each channel
 *    needs for one layer.
 *  - map_k_addr / map_v_addr: level 2 forward (token, burst) -> (unit, unit-row offset, column);
 *    map_k_token / map_v_token: the inverse for a unit and burst index, -1 if the unit holds nothing
 *    there. The property test (tests/test_mapping.c) checks they cover every token exactly once.
 *  - map_unit_bank(): the bank (within the channel: pc, sid, bg, ba order) a unit reads for unit-row r.
 */
#ifndef PIMATTN_MAPPING_H
#define PIMATTN_MAPPING_H

#include <stddef.h>
#include <stdint.h>

typedef struct map_geom {
    unsigned units;    /* GEMV units per channel */
    unsigned units_pc; /* GEMV units per pseudo-channel */
    unsigned pcs;      /* pseudo-channels per channel */
    unsigned banks_per_unit; /* 1, or 2 (ping-pong) */
    unsigned bank_groups, banks_per_group; /* per SID, for map_unit_bank */
    unsigned cols;     /* bursts per row */
    unsigned words;    /* W: bursts per key (head_dim / 16) */
    unsigned parts_pc; /* V partitions per pseudo-channel */
    unsigned parts;    /* T: V partitions per channel */
    unsigned lanes;    /* values per burst: 16 (FP16, BF16) or 32 (INT8) */
    unsigned block;    /* INT8: B, tokens per quantisation block (a multiple of 32); 0: no scales */
} map_geom;

/* The per-item shape on a channel of geometry g. */
typedef struct map_shape {
    uint32_t L;       /* tokens */
    uint32_t n;       /* keys per unit: ceil(L / units) */
    uint32_t nt;      /* tokens per V partition: ceil(L / parts) */
    uint32_t k_rows;  /* unit-rows of K */
    uint32_t k_last;  /* bursts in the last K unit-row (1..cols) */
    uint32_t v_rows;  /* unit-rows of V */
    uint32_t v_last;  /* bursts in the last V unit-row (1..cols) */
    uint32_t k_bank_rows, v_bank_rows; /* rows each bank holds: ceil(unit-rows / banks_per_unit) */
} map_shape;

/* banks_pc, bank_groups, banks_per_group: the configuration's banks per PC and their organisation.
 * map_geom_init makes a 16-lane geometry; map_geom_int8 turns it into the INT8 layout below. */
int map_geom_init(map_geom *g, unsigned pcs, unsigned banks_pc, unsigned bank_groups, unsigned banks_per_group,
                  unsigned cols, unsigned head_dim, int pingpong, char *err, size_t n);
/* INT8 (kvfmt.h): 32 values per burst (W = head_dim / 32 bursts per key, V slices of 32 dimensions) and
 * one FP16 scale per block of at most B contiguous tokens of an item's K, and of its V. A block never
 * straddles units: a unit's n keys (a V partition's n_t tokens) are blocks of B from its first, the last one
 * shorter, so the blocks follow the placement (a key's K block and its V block may differ). In a unit each
 * block is preceded by one burst whose lane 0 holds the block's scale (the unit loads it with SCL): K blocks
 * are 1 + B*W bursts, V blocks 1 + B (one burst per token of the slice). The V scale is stored in each of
 * the partition's S units.
 * Fails (-1, err) for a head_dim that is not a multiple of 32 or a B that is not a positive multiple of 32. */
int map_geom_int8(map_geom *g, unsigned head_dim, unsigned block, char *err, size_t n);
void map_shape_of(const map_geom *g, uint32_t L, map_shape *s);
/* Burst idx of a unit's K (idx = unit-row offset * cols + col): 1 for a key burst, with *i the key's index in
 * the unit and *w its burst; 0 for a block-scale burst, with *i the block's first key (a multiple of B) and
 * *w 0. */
static inline int map_k_burst(const map_geom *g, uint32_t idx, uint32_t *i, unsigned *w)
{
    if (!g->block) {
        *i = idx / g->words, *w = idx % g->words;
        return 1;
    }
    uint32_t per = 1 + g->block * g->words, in = idx % per;
    *i = idx / per * g->block + (in ? (in - 1) / g->words : 0);
    *w = in ? (in - 1) % g->words : 0;
    return in != 0;
}
/* Burst idx of a unit's V: 1 for a token's burst, with *u the token's index in its partition; 0 for a
 * block-scale burst, with *u the block's first token. */
static inline int map_v_burst(const map_geom *g, uint32_t idx, uint32_t *u)
{
    if (!g->block) {
        *u = idx;
        return 1;
    }
    uint32_t in = idx % (1 + g->block);
    *u = idx / (1 + g->block) * g->block + (in ? in - 1 : 0);
    return in != 0;
}
/* Keys of a unit whose every burst lies before burst idx: map_k_burst's *i for idx. */
static inline uint32_t map_k_keys_before(const map_geom *g, uint32_t idx)
{
    uint32_t i;
    unsigned w;
    (void)map_k_burst(g, idx, &i, &w);
    return i;
}
static inline uint32_t map_rows(const map_shape *s) { return s->k_bank_rows + s->v_bank_rows; }
/* Bank of unit u (channel-local) for unit-row r: flat index pc * banks_pc + (sid * bank_groups + bg) *
 * banks_per_group + ba, and its pc, sid, bg, ba. */
unsigned map_unit_bank(const map_geom *g, unsigned u, uint32_t r, unsigned *pc, unsigned *sid, unsigned *bg,
                       unsigned *ba);

/* Level 1. L[i], passes[i] for i < nitems; item_ch[i] and row0[i] (first row of the item's K in its
 * channel, within one layer) are filled; ch_rows[c] = rows per bank channel c needs per layer. */
void map_plan(const map_geom *g, size_t nitems, const uint32_t *L, const uint32_t *passes, unsigned channels,
              uint32_t *item_ch, uint32_t *row0, uint32_t *ch_rows);
/* The same with split items: owner[i] is the first part of the item part i belongs to (owner[i] == i for a
 * whole item or a first part); the parts of an item follow their owner in the arrays, longest first. A part
 * goes to the least loaded channel of its owner's stack (per_stack channels per stack) that holds no other
 * part of its item (the cross-part merge runs on the owner's buffer die), or any of that stack once all
 * do. owner NULL: map_plan. */
void map_plan_parts(const map_geom *g, size_t nitems, const uint32_t *L, const uint32_t *passes, const uint32_t *owner,
                    unsigned per_stack, unsigned channels, uint32_t *item_ch, uint32_t *row0, uint32_t *ch_rows);

/* Level 2, forward. K: token j (< L), burst w (< W) -> unit, unit-row offset from the item's K base,
 * column. V: token j, slice w -> unit, unit-row offset from the item's V base, column. */
void map_k_addr(const map_geom *g, const map_shape *s, uint32_t j, unsigned w, unsigned *bank, uint32_t *row,
                unsigned *col);
void map_v_addr(const map_geom *g, const map_shape *s, uint32_t j, unsigned w, unsigned *bank, uint32_t *row,
                unsigned *col);
/* Level 2, inverse: unit b, burst index idx = unit-row offset * cols + col. K: the token (and *w its
 * burst) or -1. V: the token (and *w its slice, *u its position in the partition) or -1. */
int64_t map_k_token(const map_geom *g, const map_shape *s, unsigned b, uint32_t idx, unsigned *w);
int64_t map_v_token(const map_geom *g, const map_shape *s, unsigned b, uint32_t idx, unsigned *w, uint32_t *u);
/* Tokens of V partition t (0 for partitions past the end). */
static inline uint32_t map_part_tokens(const map_shape *s, uint32_t t)
{
    uint64_t lo = (uint64_t)t * s->nt;
    return lo >= s->L ? 0 : (uint32_t)(s->L - lo < s->nt ? s->L - lo : s->nt);
}
/* V partition and slice of unit b (-1 for a spare unit). */
int map_v_part(const map_geom *g, unsigned b, unsigned *w);

#endif
