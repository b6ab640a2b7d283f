/* hazard_int.h — private to harness/hazard: the placement as read (hz_geom, hz_pass, hz_fmerge), what the
 * replay has seen so far per pass and per channel, and the shapes derived from docs/architecture.md
 * ("Mapping", "Schedule of one channel"), written here once for the checker alone. */
#ifndef PIMATTN_HAZARD_INT_H
#define PIMATTN_HAZARD_INT_H

#include <stddef.h>
#include <stdint.h>

#include "hazard.h"

#define HZ_NONE UINT64_MAX /* an event that has not happened */
#define HZ_ALL 0xFFu       /* pc=* */

typedef struct hz_geom {
    unsigned stacks, channels, pcs, banks_pc, bank_groups, banks_per_group, sids, rows, cols;
    unsigned bpu, units, units_pc, words, parts_pc, parts; /* banks per unit (2: ping-pong), W, V partitions */
    unsigned splitk, lanes, score_bytes, out_bytes, ring, head_dim, group, layers;
    unsigned vlanes, block; /* values per K/V burst (16; INT8 32), INT8's scale block (0: none; the kv line) */
    unsigned nBL, nCWL, nMACLAT;
} hz_geom;

/* One pass of the placement, with what the log has shown of it so far. */
typedef struct hz_pass {
    uint32_t layer, chan, item, h0, rows, L, k_row, v_row, seq; /* seq: its place in the channel's layer */
    uint64_t host_ready, line;                                 /* line: in the placement file */
    /* derived (docs/architecture.md, "Mapping") */
    uint32_t n, nt, k_rows, k_last, v_rows, v_last, kb, vb, nchunks, kbeats, cbeats;
    uint64_t sfm_rows_n, merge_n;
    /* replay */
    uint32_t wrgb;           /* query WRGBs seen */
    uint64_t q_done;         /* the latest of their completions */
    uint64_t *kt;            /* per K beat: issue of its last command (freed once the softmax rows went) */
    uint32_t kdone, cdone;   /* K, V beats complete */
    uint64_t k_last_t, c_last_t;
    uint32_t *moved;         /* per PC: score bursts moved up */
    uint8_t *pmoved;         /* per PC: partial outputs moved up */
    uint64_t scores_done, partials_done, sfm_t, merge_t; /* sfm_t, merge_t: done; HZ_NONE before */
    uint64_t *mvgb;          /* per chunk and PC: completion of its MVGB, HZ_NONE before */
} hz_pass;

/* A split item's final merge (attn.c's merge_parts), on its first part's channel. */
typedef struct hz_fmerge {
    uint32_t layer, chan, item, nparts;
    uint64_t host_ready, line, n;
    uint64_t t, log_line; /* its SFM, once seen */
} hz_fmerge;

typedef struct hz_chan {
    uint32_t *pass; /* indices into hz.ps, layer by layer in placement order */
    size_t np, cap;
    uint32_t *fm; /* indices into hz.fm, in placement order */
    size_t nfm, capfm;
    /* MAC cursor: layer (as an index into pass[] where it starts), phase, unit-row, column, MACBGs of the beat */
    size_t mfirst, mcount; /* the layer's passes: pass[mfirst .. mfirst+mcount) */
    uint32_t mphase, mrow, mcol, beat;
    int64_t *bank; /* per bank of the channel: open row, -1 closed */
    size_t wq, sr, sm, fmc; /* cursors into pass[] (WRGB, softmax rows, merges) and fm[] */
    size_t *sc, *pp, *pg;   /* per PC: score, partial, probability mover cursors into pass[] */
    uint32_t *pgq;          /* per PC: chunk of the probability cursor */
    int64_t *ring_pass;     /* per PC and ring word: the pass (index into hz.ps) whose chunk it holds, -1 none */
    uint32_t *ring_chunk;
} hz_chan;

typedef struct hz {
    hz_geom g;
    hz_pass *ps;
    size_t np, capp;
    hz_fmerge *fm;
    size_t nfm, capf;
    hz_chan *ch;
    unsigned nch;
    unsigned kv_lanes, kv_block; /* the kv line, before geom (0: none) */
    const char *log_name, *place_name;
    uint64_t line, cmds;
    char *err;
    size_t errn;
} hz;

/* One log command: cycle, op (enum below), fields; pc HZ_ALL for "*". */
enum { O_ACT, O_PRE, O_PREA, O_RD, O_WR, O_REFAB, O_REFPB, O_ACTAB, O_ACTBG, O_MACAB, O_MACBG, O_MACSB, O_WRGB,
       O_MVSB, O_MVGB, O_SFM, O_BARRIER, O_N };
typedef struct hz_cmd {
    uint64_t t;
    unsigned op, st, ch, pc, sid, bg, ba, row, col, n;
} hz_cmd;

/* hazard_place.c: reads the placement (0, 1 a placement rule is violated, 2 malformed, -1 no memory). */
int hz_place_read(hz *z, const hbm_cfg *cfg, FILE *f);
/* hazard_log.c: one log line: 1 a command (*c), 0 comment or blank, -1 malformed (z->err). */
int hz_log_parse(hz *z, const char *s, hz_cmd *c);
const char *hz_op_name(unsigned op);

/* Shapes (hazard_place.c). With INT8 (block > 0) each block of B keys of a unit (B tokens of a V partition)
 * follows a burst holding its scale: K blocks are 1 + B*W bursts, V blocks 1 + B. */
uint32_t hz_keys_before(const hz_geom *g, uint32_t beats); /* a unit's keys whose bursts all lie in `beats` */
uint32_t hz_v_token(const hz_geom *g, uint32_t beat, int *scale); /* V beat -> token (*scale: a scale burst) */
uint32_t hz_unit_keys(const hz_geom *g, const hz_pass *p, unsigned u);  /* keys unit u holds */
uint32_t hz_part_tokens(const hz_pass *p, uint32_t t);                  /* tokens of V partition t */
uint32_t hz_chunk_parts(const hz_geom *g, const hz_pass *p, unsigned pc, uint32_t q); /* pc's partitions in chunk q */
uint64_t hz_score_bytes_done(const hz_geom *g, const hz_pass *p, unsigned pc, uint32_t beats); /* after `beats` K beats */
uint32_t hz_score_bursts(const hz_geom *g, const hz_pass *p, unsigned pc);   /* all of pc's score bursts */
uint32_t hz_partial_bursts(const hz_geom *g, const hz_pass *p, unsigned pc); /* pc's partial-output bursts */
static inline uint64_t hz_cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

#endif
