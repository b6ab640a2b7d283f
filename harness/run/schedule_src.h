/* schedule_src.h — private to schedule.c and schedule_src.c: the state of one channel's schedule and its
 * nine command sources (docs/architecture.md, "Schedule of one channel").
 *
 * A source is a cursor over the passes (which pass, which PC, which row or chunk it is at) with two
 * functions:
 *  - sched_next_<source>(x, &cmd, &ready): 0 when the source has nothing left, else 1 with its next
 *    command and the cycle its inputs are ready (SCHED_INF: still waiting for another source). A call may
 *    step the cursor past positions with nothing to move (a PC holding none of a chunk's tokens) and count
 *    them as done. Every source's next is called once per step in the order of the enum, so such a count
 *    reaches the sources before it only in the next step: the commands can depend on that order, not only
 *    on the tie-break.
 *  - sched_<source>_issued(x, &cmd, t): the command was issued at t: record what it made ready, call the
 *    hook, advance the cursor. 0, or -1 when a hook failed (its message in hk->err).
 * The sources never issue anything: the main loop (schedule.c) chooses among them and issues through the
 * engine.
 */
#ifndef PIMATTN_SCHEDULE_SRC_H
#define PIMATTN_SCHEDULE_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "schedule.h"

/* A cycle not known yet: an event still to come, or a command still waiting for its inputs. */
#define SCHED_INF UINT64_MAX

static inline uint64_t sched_max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint32_t sched_cdiv(uint64_t a, uint64_t b) { return (uint32_t)((a + b - 1) / b); }

/* What one pass's steps have made ready so far, read by the sources of its later steps (and the next
 * pass's). Cycles are SCHED_INF until the event has happened. */
typedef struct pass_state {
    uint64_t q_done;      /* every query word written (done) */
    uint64_t s_end;       /* issue of the last score MACAB */
    uint64_t *s_row_end;  /* per K row: issue of its last MACAB */
    unsigned s_moves;     /* score MVSBs still to issue (or to skip: nothing to move) */
    uint64_t scores_done; /* completion of the score MVSBs issued so far */
    uint64_t sfm_done;    /* the softmax rows done */
    uint32_t nchunks;     /* probability chunks of 16 tokens per partition */
    uint64_t *chunk_done; /* per chunk: completion of its MVGBs so far */
    uint8_t *chunk_pcs;   /* per chunk: PCs that have it (loaded, or nothing to load); ready at pcs */
    uint32_t consumed;    /* context tokens (per partition, lock step) already MAC'd */
    uint64_t c_end;       /* issue of the last context MACAB */
    unsigned p_moves;     /* partial-output MVSBs still to issue (or to skip) */
    uint64_t partials_done; /* completion of the partial MVSBs issued so far */
    uint64_t merge_done;  /* the merge on the softmax unit done */
    uint32_t sfm_rows, sfm_merge; /* the softmax unit's cycles for the pass's rows and its merge */
} pass_state;

/* The sources in the order a tie is broken (the lowest first): the backstop refresh, then the banks,
 * so that a mover never delays a MAC by taking the column bus. */
enum {
    SRC_REFRESH,
    SRC_MACS,
    SRC_ROWCTL,
    SRC_SFM_ROWS,
    SRC_MERGES,
    SRC_PROB_MOVES,
    SRC_SCORE_MOVES,
    SRC_PARTIAL_MOVES,
    SRC_QUERIES,
    NSRC
};

/* Refresh: no cursor (the engine keeps each PC's deadline), only the two distances it plans with. */
typedef struct src_refresh {
    uint64_t lead;    /* how long before a deadline the banks start closing for it (schedule.c, lead_of) */
    uint64_t horizon; /* the longest a row of MACs can take with the switch: at a row switch a refresh due
                       * within it is issued before the row opens */
    int pc;           /* the PC with the nearest deadline (-1: refresh off), and that deadline: only a REFAB */
    uint64_t deadline; /* of the channel changes them (sched_refresh_note) */
} src_refresh;

/* The banks' MACs: the bank order S0 S1 C0 S2 C1 ... C(n-1) (two phases per pass), and within a phase
 * the unit-row and column all units are at. */
typedef struct src_macs {
    size_t phase, nphases;
    uint32_t row, col;
    unsigned beat_cmd;      /* ping-pong: which of the beat's MACBGs (one per bank index of the set) is next */
    uint64_t last_beat[8];  /* per command of a beat: its last issue, so each unit gets one burst per nMAC */
    uint64_t phase_first;   /* issue of the phase's first MAC */
} src_macs;

/* One bank set: every bank (one unit per bank), or with ping-pong the even or the odd banks of each pair.
 * A set moves in lock step: all its banks open at one row, or closed. */
typedef struct bank_set {
    int64_t open_row;  /* -1: closed */
    unsigned pre_done; /* ping-pong: units whose bank of this set is precharged, while closing */
    unsigned act_done; /* ping-pong: ACTBGs issued for open_row, while opening (0 once fully open) */
} bank_set;

/* Row control: opens the rows the MACs need (and refreshes at a row switch); the sets' state is also
 * what the refresh backstop closes. */
typedef struct src_rowctl {
    unsigned nsets; /* 1, or 2 with ping-pong */
    bank_set set[2];
} src_rowctl;

/* WRGB of the queries: word `word` of query head `head` (the unit's row) of pass `pass`. */
typedef struct src_queries {
    size_t pass;
    uint32_t head, word;
} src_queries;

/* MVSB of the scores: PC `pc`'s scores of the keys finished in K row `k_row` of pass `pass`. */
typedef struct src_score_moves {
    size_t pass;
    uint32_t k_row, pc;
    uint32_t nb; /* bursts to move at the cursor, when known (known: the cursor has not moved since) */
    int known;
} src_score_moves;

/* SFM of a pass's softmax rows (one command for all its rows, or partitions in the split-K flow). */
typedef struct src_sfm_rows {
    size_t pass;
} src_sfm_rows;

/* MVGB of the probabilities: chunk `chunk` (16 tokens of every partition) to PC `pc`, pass `pass`. */
typedef struct src_prob_moves {
    size_t pass;
    uint32_t chunk, pc;
    uint32_t parts; /* partitions to load at the cursor, when known */
    int known;
} src_prob_moves;

/* MVSB of the partial outputs: PC `pc`'s units after the context phase of pass `pass`. */
typedef struct src_partial_moves {
    size_t pass;
    uint32_t pc;
    uint32_t nb; /* bursts to move at the cursor, when known */
    int known;
} src_partial_moves;

/* SFM of a pass's merge. */
typedef struct src_merges {
    size_t pass;
} src_merges;

typedef struct sched_ctx {
    hbm *h;
    const hbm_cfg *hc;
    const map_geom *g;
    const sched_cfg *c;
    const sched_pass *ps;
    size_t np;
    const sched_hooks *hk;
    pass_state *st; /* one per pass */
    sched_stats *out;
    uint64_t t0;  /* the schedule's start */
    uint64_t now; /* issue cycle of the last command (t0 before the first) */
    src_refresh refresh;
    src_macs macs;
    src_rowctl rows;
    src_sfm_rows sfm_rows;
    src_merges merges;
    src_prob_moves probs;
    src_score_moves scores;
    src_partial_moves partials;
    src_queries queries;
} sched_ctx;

/* The PC of channel (st, ch) with the nearest refresh deadline if that falls before t + slack, else -1. */
int sched_due_pc(const hbm *h, unsigned st, unsigned ch, uint64_t t, uint64_t slack);
/* x->refresh.pc and .deadline from the engine: at the start and after each REFAB of the channel. */
void sched_refresh_note(sched_ctx *x);

int sched_next_refresh(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_macs(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_rowctl(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_sfm_rows(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_merges(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_prob_moves(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
/* When chunk q of pass `pass`'s probabilities is in the units of every PC, so the context MACs of its column
 * may start: the latest completion of its MVGBs once every PC has it (loaded, or nothing to load), else
 * SCHED_INF (tests/test_schedule.c). */
uint64_t sched_chunk_ready(const sched_ctx *x, size_t pass, uint32_t q);
int sched_next_score_moves(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_partial_moves(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
int sched_next_queries(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);

/* Row commands, from the refresh backstop or row control: the sets' state (and the refresh count). */
int sched_rows_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_macs_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_sfm_rows_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_merges_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_prob_moves_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_score_moves_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_partial_moves_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
int sched_queries_issued(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);

#endif
