/* schedule.c — one channel's decode-attention schedule (schedule.h). Nine command sources, each a cursor over
 * the passes: the refresh backstop, the banks' MACs and their row control (PRE/ACT, refresh at a row
 * switch), the softmax unit's rows and merges, and four movers (WRGB queries, MVGB probabilities, MVSB
 * scores, MVSB partial outputs). Every step issues the source's command that can go first, given its data
 * dependencies and the engine's rules. */
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INF UINT64_MAX

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint32_t cdiv(uint64_t a, uint64_t b) { return (uint32_t)((a + b - 1) / b); }

uint64_t sched_sfm_row_cycles(uint32_t len, unsigned lanes) { return 2ull * cdiv(len, lanes) + 2; }

uint64_t sched_sfm_merge_cycles(uint32_t partials, unsigned d, unsigned lanes)
{
    return (uint64_t)partials * (1 + d / lanes) + d / lanes + 1;
}

uint64_t sched_sfm_pass_cycles(const map_geom *g, const sched_cfg *c, const sched_pass *p, uint64_t *merge)
{
    uint64_t rows = 0;
    uint32_t used = 0;
    for (uint32_t t = 0; t < g->parts; t++) {
        uint32_t k = map_part_tokens(&p->shape, t);
        used += k > 0;
        if (c->splitk && k)
            rows += sched_sfm_row_cycles(k, c->sm_lanes);
    }
    if (!c->splitk)
        rows = sched_sfm_row_cycles(p->shape.L, c->sm_lanes);
    /* the buffer flow's merge sums unnormalised partials, then scales by 1/l: d/lanes more cycles; a host
     * tier adds its partial */
    *merge = p->rows * (sched_sfm_merge_cycles(used + (p->host_ready > 0), c->head_dim, c->sm_lanes) +
                        (c->splitk ? 0 : c->head_dim / c->sm_lanes));
    return p->rows * rows;
}

typedef struct pstate {
    uint64_t q_done;     /* every query word written (done) */
    uint64_t s_end;      /* issue of the last score MACAB */
    uint64_t *s_row_end; /* per K row: issue of its last MACAB */
    unsigned s_moves;    /* score MVSBs still to issue */
    uint64_t scores_done; /* completion of the score MVSBs issued so far */
    uint64_t sfm_done;
    uint32_t nchunks;
    uint64_t *chunk_done; /* per probability chunk: completion of its MVGBs so far */
    uint8_t *chunk_pcs;   /* PCs that have the chunk (loaded, or nothing to load): ready at pcs */
    uint32_t consumed; /* context tokens (per partition, lock step) already MAC'd */
    uint64_t c_end;
    unsigned p_moves;
    uint64_t partials_done;
    uint64_t merge_done;
} pstate;

enum { SRC_REFRESH, SRC_BANK, SRC_ROWCTL, SRC_SFM_ROW, SRC_SFM_MERGE, SRC_MVGB, SRC_MVSB_S, SRC_MVSB_P, SRC_WRGB, NSRC };

typedef struct ctx {
    hbm *h;
    const hbm_cfg *hc;
    const map_geom *g;
    const sched_cfg *c;
    const sched_pass *ps;
    size_t np;
    const sched_hooks *hk;
    pstate *st;
    uint64_t t0, now, horizon;
    /* banks: the MAC position (phase, unit-row, column, command of the beat); per bank set (all banks, or
     * with ping-pong the even and the odd banks of each pair) its open row and how far its precharge or
     * activation has got */
    size_t kidx, nph;
    uint32_t r, col, sub;
    uint64_t last_beat[8]; /* per command of a beat: its last issue, so each unit gets one burst per nMAC */
    unsigned nsets;
    int64_t open_row[2];
    unsigned pre_done[2], act_done[2];
    /* cursors */
    size_t p_w, p_s, p_r, p_g, p_p, p_m;
    uint32_t i_w, r_s, q_g;
    unsigned pc_s, pc_g, pc_p;
    sched_stats *out;
    uint64_t phase_first;
} ctx;

/* Phase k of the bank order S0 S1 C0 S2 C1 ... C(n-1): its pass and whether it is a context phase. */
static size_t phase_pass(const ctx *x, size_t k, int *context)
{
    if (k == 0)
        return *context = 0, 0;
    if (k == x->nph - 1)
        return *context = 1, x->np - 1;
    *context = (k % 2) == 0;
    return *context ? k / 2 - 1 : (k + 1) / 2;
}

static uint32_t row_cols(const ctx *x, const map_shape *s, int context, uint32_t r)
{
    uint32_t nrow = context ? s->v_rows : s->k_rows;
    return r + 1 < nrow ? x->g->cols : (context ? s->v_last : s->k_last);
}

/* The PC of channel (st, ch) with the nearest refresh deadline if that falls before t + slack, else -1. */
static int due_pc(const hbm *h, unsigned st, unsigned ch, uint64_t t, uint64_t slack)
{
    const hbm_cfg *hc = hbm_config(h);
    if (hc->ref_mode == HBM_REF_OFF)
        return -1;
    unsigned best = 0;
    for (unsigned pc = 1; pc < hc->pcs; pc++)
        if (hbm_refresh_deadline(h, st, ch, pc) < hbm_refresh_deadline(h, st, ch, best))
            best = pc;
    return hbm_refresh_deadline(h, st, ch, best) < t + slack ? (int)best : -1;
}

static int refresh_pc(const ctx *x, uint64_t t, uint64_t slack) { return due_pc(x->h, x->c->st, x->c->ch, t, slack); }

/* The activation stagger of an all-bank ACT (docs/hbm.md): with the activation window, ACTAB opens its
 * banks 4 per nFAW; every bank rule measured from it, nRAS too, is that much longer. */
static uint64_t act_stagger(const hbm_cfg *hc)
{
    unsigned k = hbm_cfg_banks_per_pc(hc);
    return hc->ab_act_faw && k > 4 ? (uint64_t)((k + 3) / 4 - 1) * hc->nFAW : 0;
}

/* How long before a deadline the banks start closing for a refresh: a row opened just before needs nRAS
 * (plus the activation stagger), the last MAC nRTP, the PREA nRP, plus the row bus (a REFAB per PC). */
static uint64_t lead_of(const hbm_cfg *hc) { return (uint64_t)hc->nRTP + hc->nRP + hc->nRAS + act_stagger(hc) + 8; }

static int channel_open(const hbm *h, unsigned st, unsigned ch)
{
    const hbm_cfg *hc = hbm_config(h);
    for (unsigned pc = 0; pc < hc->pcs; pc++)
        for (unsigned s = 0; s < hc->sids; s++)
            for (unsigned g = 0; g < hc->bank_groups; g++)
                for (unsigned b = 0; b < hc->banks; b++)
                    if (hbm_open_row(h, st, ch, pc, s, g, b) >= 0)
                        return 1;
    return 0;
}

int sched_refresh_catchup(hbm *h, unsigned st, unsigned ch, uint64_t until, uint64_t *end, char *err, size_t n)
{
    const hbm_cfg *hc = hbm_config(h);
    /* a PC is done once it owes nothing at `until` (its deadline more than max_postpone intervals later)
     * and a schedule starting at `until` has the refresh lead before its deadline */
    const uint64_t slack = max64((uint64_t)hc->max_postpone * hc->nREFI, lead_of(hc)) + 1;
    uint64_t from = hbm_channel_last(h, st, ch);
    *end = until;
    for (int pc; (pc = due_pc(h, st, ch, until, slack)) >= 0;) {
        hbm_cmd c = {.op = HBM_REFAB, .st = (uint8_t)st, .ch = (uint8_t)ch, .pc = (uint8_t)pc};
        if (channel_open(h, st, ch)) /* any bank of any PC: the sets move in lock step over the PCs */
            c.op = HBM_PREA, c.pc = HBM_PC_ALL;
        uint64_t t = hbm_earliest(h, &c, from, NULL);
        char why[256] = "illegal in this state";
        if (t == HBM_NEVER || hbm_issue(h, &c, t, why, sizeof why))
            return snprintf(err, n, "scheduler bug: refresh catch-up of channel %u.%u refused at cycle %llu: %s", st, ch,
                            (unsigned long long)t, why),
                   -1;
        from = t;
        *end = max64(*end, t + (c.op == HBM_REFAB ? hc->nRFC : hc->nRP));
    }
    return 0;
}

static hbm_cmd mk(const ctx *x, unsigned op, unsigned pc)
{
    hbm_cmd c = {.op = (uint8_t)op, .st = (uint8_t)x->c->st, .ch = (uint8_t)x->c->ch, .pc = (uint8_t)pc};
    return c;
}

/* ---- next command of each source: 0 = nothing left, 1 = *cmd with *ready (INF: waiting) ---------------- */

/* Set, bank row and phase of the MAC position (kidx, r) or of the unit-row after it (next = 1);
 * returns 0 when there is none. */
static int row_at(const ctx *x, int next, unsigned *set, int64_t *row, size_t *pass, int *context, uint32_t *r)
{
    size_t k = x->kidx;
    uint32_t rr = x->r;
    if (k == x->nph)
        return 0;
    size_t p = phase_pass(x, k, context);
    if (next && ++rr == (*context ? x->ps[p].shape.v_rows : x->ps[p].shape.k_rows)) {
        if (++k == x->nph)
            return 0;
        rr = 0;
        p = phase_pass(x, k, context);
    }
    *pass = p, *r = rr;
    *set = rr % x->nsets;
    *row = (int64_t)(*context ? x->ps[p].v_row : x->ps[p].k_row) + rr / x->nsets;
    return 1;
}

/* How long before a deadline the backstop closes the banks (lead_of). */
static uint64_t refresh_lead(const ctx *x) { return lead_of(x->hc); }

/* The banks of a set: ACTs/PREs address ba = set, set + 2, ... (ping-pong) or everything (one set). */
static unsigned set_bas(const ctx *x) { return x->g->banks_per_group / x->nsets; }

/* The MAC beats of the current unit-row, once its set holds the row. */
static int next_bank(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    unsigned set;
    int64_t row;
    size_t p;
    int context;
    uint32_t r;
    if (!row_at(x, 0, &set, &row, &p, &context, &r))
        return 0;
    const pstate *s = &x->st[p];
    uint32_t q = (x->r * x->g->cols + x->col) / 16;
    uint64_t dep = !context ? s->q_done : s->chunk_pcs[q] == x->hc->pcs ? s->chunk_done[q] : INF;
    /* a unit takes one burst per nMAC, also from its other bank at a row boundary (ping-pong) */
    uint64_t unit_free = x->last_beat[x->sub] == INF ? 0 : x->last_beat[x->sub] + x->hc->nMAC;
    *ready = x->open_row[set] == row && x->act_done[set] == 0 ? (dep == INF ? INF : max64(dep, unit_free)) : INF;
    if (refresh_pc(x, x->now, refresh_lead(x)) >= 0)
        *ready = INF; /* the refresh backstop closes the banks now: no MAC may push its PREA back */
    if (x->nsets == 1) {
        *cmd = mk(x, HBM_MACAB, HBM_PC_ALL);
    } else {
        *cmd = mk(x, HBM_MACBG, HBM_PC_ALL);
        cmd->ba = (uint8_t)(set + 2 * x->sub);
    }
    cmd->col = x->col;
    return 1;
}

/* Opens the rows the MACs need: the current unit-row's, and with ping-pong the next one's on the other
 * set while the current streams. One set: PREA, a refresh the next row could not wait for, ACTAB.
 * Ping-pong: PRE of every bank of the set, then ACTBG for each of its bank indices. */
static int next_rowctl(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    unsigned set;
    int64_t row;
    size_t p;
    int context;
    uint32_t r;
    int ok = row_at(x, 0, &set, &row, &p, &context, &r);
    if (refresh_pc(x, x->now, 2 * refresh_lead(x)) >= 0 && !(x->nsets == 1 && x->open_row[0] < 0))
        return 0; /* a forced refresh is near: open nothing it would have to wait for (nRAS) */
    if (ok && x->open_row[set] == row && x->act_done[set] == 0) { /* the current row is open: the next one */
        unsigned cur = set;
        ok = x->nsets == 2 && row_at(x, 1, &set, &row, &p, &context, &r) && set != cur &&
             !(x->open_row[set] == row && x->act_done[set] == 0);
    }
    if (!ok)
        return 0;
    *ready = 0;
    if (x->open_row[set] >= 0 && x->open_row[set] != row) { /* close the set */
        if (x->nsets == 1) {
            *cmd = mk(x, HBM_PREA, HBM_PC_ALL);
            return 1;
        }
        unsigned pc, sid, bg, ba;
        map_unit_bank(x->g, x->pre_done[set], set, &pc, &sid, &bg, &ba); /* unit k's bank of this set */
        *cmd = mk(x, HBM_PRE, pc);
        cmd->sid = (uint8_t)sid, cmd->bg = (uint8_t)bg, cmd->ba = (uint8_t)ba;
        return 1;
    }
    if (x->nsets == 1 && x->open_row[set] < 0) {
        int pc = refresh_pc(x, x->now, x->horizon); /* postponed as far as allowed: what the next row cannot wait for */
        if (pc >= 0) {
            *cmd = mk(x, HBM_REFAB, (unsigned)pc);
            return 1;
        }
    }
    *cmd = mk(x, x->nsets == 1 ? HBM_ACTAB : HBM_ACTBG, HBM_PC_ALL);
    cmd->ba = (uint8_t)(x->nsets == 1 ? 0 : set + 2 * x->act_done[set]);
    cmd->row = (uint32_t)row;
    return 1;
}

/* The refresh backstop: the most urgent PC's refresh, ready just early enough to close the banks and
 * refresh before its deadline. The banks refresh at row switches when the next row could not finish
 * in time; this catches every wait (a long softmax row, a mover) that would otherwise carry a PC past
 * its deadline. It never keeps the schedule alive on its own (see the main loop). */
static int next_refresh(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    int pc = due_pc(x->h, x->c->st, x->c->ch, 0, UINT64_MAX / 2);
    if (pc < 0)
        return 0;
    uint64_t d = hbm_refresh_deadline(x->h, x->c->st, x->c->ch, (unsigned)pc);
    uint64_t lead = refresh_lead(x);
    *ready = d > lead ? d - lead : 0;
    int open = x->open_row[0] >= 0 || (x->nsets == 2 && x->open_row[1] >= 0);
    *cmd = mk(x, open ? HBM_PREA : HBM_REFAB, open ? HBM_PC_ALL : (unsigned)pc);
    return 1;
}

static int next_wrgb(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    if (x->p_w == x->np)
        return 0;
    *cmd = mk(x, HBM_WRGB, HBM_PC_ALL);
    *ready = x->p_w == 0 ? x->t0 : x->st[x->p_w - 1].s_end; /* half 0 is free once the last pass's scores are read */
    return 1;
}

/* Score bursts one PC moves after K row r of pass p: the PC's scores of the keys finished by then. */
static uint32_t score_bursts(const ctx *x, const sched_pass *p, unsigned pc, uint32_t r)
{
    const map_shape *s = &p->shape;
    uint64_t per_pc = (uint64_t)s->n * x->g->units_pc, lo = (uint64_t)pc * per_pc;
    uint64_t tok = lo >= s->L ? 0 : (s->L - lo < per_pc ? s->L - lo : per_pc);
    uint64_t bytes = tok * p->rows * x->c->score_bytes;
    uint64_t k1 = r + 1 >= s->k_rows ? s->n : ((uint64_t)(r + 1) * x->g->cols) / x->g->words;
    uint64_t k0 = r == 0 ? 0 : ((uint64_t)r * x->g->cols) / x->g->words;
    if (k1 > s->n)
        k1 = s->n;
    if (k0 > s->n)
        k0 = s->n;
    return cdiv(bytes * k1 / s->n, 32) - cdiv(bytes * k0 / s->n, 32);
}

static int next_mvsb_s(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    for (;;) {
        if (x->p_s == x->np)
            return 0;
        const sched_pass *p = &x->ps[x->p_s];
        uint32_t nb = score_bursts(x, p, x->pc_s, x->r_s);
        if (nb) {
            uint64_t e = x->st[x->p_s].s_row_end[x->r_s];
            *cmd = mk(x, HBM_MVSB, x->pc_s);
            cmd->n = nb;
            *ready = e == INF ? INF : e + x->hc->nMACLAT;
            return 1;
        }
        x->st[x->p_s].s_moves--; /* nothing to move for this PC and row */
        if (++x->pc_s == x->hc->pcs && (x->pc_s = 0, ++x->r_s == p->shape.k_rows))
            x->r_s = 0, x->p_s++;
    }
}

static int next_sfm_row(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    if (x->p_r == x->np)
        return 0;
    uint64_t merge;
    *cmd = mk(x, HBM_SFM, 0);
    cmd->n = (uint32_t)sched_sfm_pass_cycles(x->g, x->c, &x->ps[x->p_r], &merge);
    *ready = x->st[x->p_r].s_moves ? INF : x->st[x->p_r].scores_done;
    return 1;
}

/* Partitions of pc holding tokens in probability chunk q of pass p. */
static uint32_t chunk_parts(const ctx *x, const sched_pass *p, unsigned pc, uint32_t q)
{
    uint32_t k = 0;
    for (uint32_t t = pc * x->g->parts_pc; t < (pc + 1) * x->g->parts_pc; t++)
        k += map_part_tokens(&p->shape, t) > 16 * q;
    return k;
}

static int next_mvgb(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    for (;;) {
        if (x->p_g == x->np)
            return 0;
        const sched_pass *p = &x->ps[x->p_g];
        pstate *s = &x->st[x->p_g];
        uint32_t k = chunk_parts(x, p, x->pc_g, x->q_g);
        if (k) {
            *cmd = mk(x, HBM_MVGB, x->pc_g);
            cmd->n = k * p->rows;
            int slot_free = x->q_g < x->c->ring ? (x->p_g == 0 || x->st[x->p_g - 1].c_end != INF)
                                                 : s->consumed >= 16 * (x->q_g - x->c->ring + 1);
            *ready = s->sfm_done == INF || !slot_free ? INF : s->sfm_done;
            return 1;
        }
        s->chunk_pcs[x->q_g]++; /* nothing to load on this PC */
        if (++x->pc_g == x->hc->pcs && (x->pc_g = 0, ++x->q_g == s->nchunks))
            x->q_g = 0, x->p_g++;
    }
}

static uint32_t partial_bursts(const ctx *x, const sched_pass *p, unsigned pc)
{
    uint32_t banks = 0;
    for (uint32_t t = pc * x->g->parts_pc; t < (pc + 1) * x->g->parts_pc; t++)
        banks += map_part_tokens(&p->shape, t) ? x->g->words : 0;
    return cdiv((uint64_t)banks * p->rows * 16 * x->c->out_bytes, 32);
}

static int next_mvsb_p(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    for (;;) {
        if (x->p_p == x->np)
            return 0;
        const sched_pass *p = &x->ps[x->p_p];
        pstate *s = &x->st[x->p_p];
        uint32_t nb = partial_bursts(x, p, x->pc_p);
        if (nb) {
            *cmd = mk(x, HBM_MVSB, x->pc_p);
            cmd->n = nb;
            /* the last MAC's result, then one beat per query head out of the unit */
            *ready = s->c_end == INF ? INF : s->c_end + x->hc->nMACLAT + p->rows;
            return 1;
        }
        s->p_moves--;
        if (++x->pc_p == x->hc->pcs)
            x->pc_p = 0, x->p_p++;
    }
}

static int next_sfm_merge(ctx *x, hbm_cmd *cmd, uint64_t *ready)
{
    if (x->p_m == x->np)
        return 0;
    uint64_t merge;
    sched_sfm_pass_cycles(x->g, x->c, &x->ps[x->p_m], &merge);
    *cmd = mk(x, HBM_SFM, 0);
    cmd->n = (uint32_t)merge;
    *ready = x->st[x->p_m].p_moves ? INF : max64(x->st[x->p_m].partials_done, x->ps[x->p_m].host_ready);
    return 1;
}

/* ---- what an issued command does ----------------------------------------------------------------------- */

#define HOOK(x, fn, ...) ((x)->hk && (x)->hk->fn && (x)->ps[p].functional ? (x)->hk->fn((x)->hk->ctx, __VA_ARGS__) : 0)

/* Row commands (any source): the sets' state. */
static void issued_row(ctx *x, const hbm_cmd *cmd)
{
    unsigned set = x->nsets == 1 ? 0 : cmd->ba % 2;
    switch (cmd->op) {
    case HBM_PREA:
        for (unsigned k = 0; k < x->nsets; k++)
            x->open_row[k] = -1, x->pre_done[k] = x->act_done[k] = 0;
        break;
    case HBM_PRE:
        if (++x->pre_done[set] == x->g->units) /* every unit's bank of this set */
            x->open_row[set] = -1, x->pre_done[set] = 0;
        break;
    case HBM_REFAB: x->out->refreshes++; break;
    case HBM_ACTAB: x->open_row[0] = cmd->row; break;
    case HBM_ACTBG:
        x->open_row[set] = cmd->row;
        if (++x->act_done[set] == set_bas(x))
            x->act_done[set] = 0;
        break;
    default: break;
    }
}

static int issued_bank(ctx *x, const hbm_cmd *cmd, uint64_t t)
{
    x->last_beat[x->sub] = t; /* the units this command fed */
    if (x->nsets == 2 && ++x->sub < set_bas(x))
        return 0; /* the beat's other bank index */
    x->sub = 0;
    int context;
    size_t p = phase_pass(x, x->kidx, &context);
    const sched_pass *ps = &x->ps[p];
    (void)cmd;
    if (x->col == 0 && x->r == 0)
        x->phase_first = t;
    x->out->mac_cmds++;
    if (HOOK(x, mac, ps, context, x->r, x->col, t))
        return -1;
    pstate *s = &x->st[p];
    x->col++;
    if (context)
        s->consumed = x->r * x->g->cols + x->col;
    if (x->col == row_cols(x, &ps->shape, context, x->r)) {
        if (!context)
            s->s_row_end[x->r] = t;
        x->col = 0;
        if (++x->r == (context ? ps->shape.v_rows : ps->shape.k_rows)) {
            x->r = 0;
            x->kidx++;
            *(context ? &s->c_end : &s->s_end) = t;
            x->out->bank_busy += t + 1 - x->phase_first;
        }
    }
    return 0;
}

static int issued(ctx *x, int src, const hbm_cmd *cmd, uint64_t t)
{
    size_t p;
    pstate *s;
    uint64_t done = t + (uint64_t)cmd->n * x->hc->nBL;
    switch (src) {
    case SRC_BANK:
        return issued_bank(x, cmd, t);
    case SRC_REFRESH:
    case SRC_ROWCTL:
        issued_row(x, cmd);
        return 0;
    case SRC_WRGB: {
        p = x->p_w;
        const sched_pass *ps = &x->ps[p];
        if (HOOK(x, wrgb, ps, x->i_w / x->g->words, x->i_w % x->g->words, t))
            return -1;
        if (++x->i_w == ps->rows * x->g->words) {
            x->st[p].q_done = t + x->hc->nCWL + x->hc->nBL;
            x->i_w = 0, x->p_w++;
        }
        return 0;
    }
    case SRC_MVSB_S:
        s = &x->st[x->p_s];
        s->scores_done = max64(s->scores_done, done);
        s->s_moves--;
        if (++x->pc_s == x->hc->pcs && (x->pc_s = 0, ++x->r_s == x->ps[x->p_s].shape.k_rows))
            x->r_s = 0, x->p_s++;
        return 0;
    case SRC_SFM_ROW:
        p = x->p_r++;
        x->st[p].sfm_done = t + cmd->n;
        x->out->sfm_cycles += cmd->n;
        return HOOK(x, sfm_row, &x->ps[p], t) ? -1 : 0;
    case SRC_MVGB:
        p = x->p_g;
        s = &x->st[p];
        if (HOOK(x, mvgb, &x->ps[p], x->pc_g, x->q_g, t))
            return -1;
        s->chunk_done[x->q_g] = max64(s->chunk_done[x->q_g], done);
        s->chunk_pcs[x->q_g]++;
        if (++x->pc_g == x->hc->pcs && (x->pc_g = 0, ++x->q_g == s->nchunks))
            x->q_g = 0, x->p_g++;
        return 0;
    case SRC_MVSB_P:
        s = &x->st[x->p_p];
        s->partials_done = max64(s->partials_done, done);
        s->p_moves--;
        if (++x->pc_p == x->hc->pcs)
            x->pc_p = 0, x->p_p++;
        return 0;
    default: /* SRC_SFM_MERGE */
        p = x->p_m++;
        x->st[p].merge_done = t + cmd->n;
        x->out->sfm_cycles += cmd->n;
        return HOOK(x, sfm_merge, &x->ps[p], t) ? -1 : 0;
    }
}

static int (*const next_fn[NSRC])(ctx *, hbm_cmd *, uint64_t *) = {
    next_refresh, next_bank, next_rowctl, next_sfm_row, next_sfm_merge, next_mvgb, next_mvsb_s, next_mvsb_p, next_wrgb};

static void free_states(pstate *st, size_t np)
{
    for (size_t i = 0; st && i < np; i++) {
        free(st[i].s_row_end);
        free(st[i].chunk_done);
        free(st[i].chunk_pcs);
    }
    free(st);
}

int sched_channel(hbm *h, const map_geom *g, const sched_cfg *c, const sched_pass *passes, size_t np, uint64_t t0,
                  const sched_hooks *hk, sched_stats *out, char *err, size_t n)
{
    memset(out, 0, sizeof *out);
    out->first = out->end = t0;
    if (np == 0)
        return 0;
    const hbm_cfg *hc = hbm_config(h);
    if (hc->ref_mode == HBM_REF_PERBANK)
        return snprintf(err, n, "refresh.mode per-bank: the all-bank PIM schedule refreshes with REFAB only "
                                "(allowed: all-bank, off)"),
               -1;
    ctx x = {.h = h, .hc = hc, .g = g, .c = c, .ps = passes, .np = np, .hk = hk, .t0 = t0, .now = t0,
             .nph = 2 * np, .out = out};
    x.nsets = g->banks_per_unit;
    for (int k = 0; k < 8; k++)
        x.last_beat[k] = INF;
    for (unsigned k = 0; k < x.nsets; k++) /* each set moves in lock step: all its banks open at one row, or closed */
        x.open_row[k] = hbm_open_row(h, c->st, c->ch, 0, 0, 0, k);
    /* the longest a row of MACs can take with the banks streaming, plus the switch: refreshes are planned
     * this far ahead */
    x.horizon = (uint64_t)g->cols * (hc->nMACpow > hc->nMAC ? hc->nMACpow : hc->nMAC) + hc->nRCDRD + hc->nRTP +
                hc->nRP + hc->nRAS + 2 * act_stagger(hc) + hc->nRFC;
    const unsigned h_pcs = hc->pcs; /* 1..4 (hbm_cfg) */
    uint64_t dp[4] = {0};           /* per PC: data-path cycles of the movers */
    x.st = calloc(np, sizeof *x.st);
    int rc = x.st ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < np; i++) {
        pstate *s = &x.st[i];
        const map_shape *sh = &passes[i].shape;
        s->q_done = s->s_end = s->sfm_done = s->c_end = s->merge_done = INF;
        s->nchunks = cdiv(sh->nt, 16);
        s->s_row_end = malloc(sh->k_rows * sizeof *s->s_row_end);
        s->chunk_done = calloc(s->nchunks, sizeof *s->chunk_done);
        s->chunk_pcs = calloc(s->nchunks, 1);
        if (!s->s_row_end || !s->chunk_done || !s->chunk_pcs) {
            rc = -1;
            break;
        }
        for (uint32_t r = 0; r < sh->k_rows; r++)
            s->s_row_end[r] = INF;
        s->s_moves = sh->k_rows * hc->pcs;
        s->p_moves = hc->pcs;
    }
    if (rc) {
        free_states(x.st, np);
        return snprintf(err, n, "out of memory"), -1;
    }
    /* Each step issues the source whose next command has the smallest earliest legal cycle (the lowest
     * source index on a tie). Issuing a command only ever delays others, so an earliest cycle computed
     * before stays a lower bound while the source's command and readiness are unchanged: a source's
     * bound is made exact only when it is the smallest, which gives the same choice with far fewer
     * engine queries. */
    hbm_cmd cmd[NSRC], prev[NSRC];
    uint64_t ready[NSRC], prev_ready[NSRC], lb[NSRC];
    int have[NSRC], exact[NSRC], cached[NSRC] = {0};
    int first = 1;
    for (;;) {
        int pending = 0;
        for (int k = 0; k < NSRC; k++) {
            have[k] = next_fn[k](&x, &cmd[k], &ready[k]);
            pending |= have[k] && k != SRC_REFRESH;
            exact[k] = 0;
            if (!have[k] || ready[k] == INF)
                continue;
            int same = cached[k] && prev_ready[k] == ready[k] && !memcmp(&prev[k], &cmd[k], sizeof cmd[k]);
            lb[k] = max64(same ? lb[k] : ready[k], x.now);
        }
        if (!pending)
            break;
        int best;
        for (;;) {
            best = -1;
            for (int k = 0; k < NSRC; k++)
                if (have[k] && ready[k] != INF && (best < 0 || lb[k] < lb[best]))
                    best = k;
            if (best < 0 || exact[best])
                break;
            const char *rule = NULL;
            uint64_t t = hbm_earliest(h, &cmd[best], max64(ready[best], x.now), &rule);
            if (t == HBM_NEVER) {
                char buf[160];
                snprintf(err, n, "scheduler bug: %s is illegal in the current state (%s)",
                         hbm_cmd_str(&cmd[best], buf, sizeof buf), rule ? rule : "?");
                rc = -1;
                break;
            }
            lb[best] = t, exact[best] = 1;
            prev[best] = cmd[best], prev_ready[best] = ready[best], cached[best] = 1;
        }
        if (rc)
            break;
        if (best < 0) {
            snprintf(err, n, "scheduler bug: channel %u.%u deadlocked at cycle %llu", c->st, c->ch,
                     (unsigned long long)x.now);
            rc = -1;
            break;
        }
        uint64_t bt = lb[best];
        char why[256];
        if (hbm_issue(h, &cmd[best], bt, why, sizeof why)) {
            snprintf(err, n, "scheduler bug: the engine refused a command at cycle %llu: %s", (unsigned long long)bt, why);
            rc = -1;
            break;
        }
        cached[best] = 0; /* its next command is a new one */
        if (cmd[best].op == HBM_WRGB || cmd[best].op == HBM_MVSB || cmd[best].op == HBM_MVGB)
            for (unsigned pc = 0; pc < h_pcs; pc++)
                if (cmd[best].pc == HBM_PC_ALL || cmd[best].pc == pc)
                    dp[pc] += (uint64_t)(cmd[best].n ? cmd[best].n : 1) * hc->nBL;
        if (first)
            out->first = bt, first = 0;
        x.now = bt;
        if (issued(&x, best, &cmd[best], bt)) {
            snprintf(err, n, "%s", hk && hk->err ? hk->err : "functional model failed");
            rc = -1;
            break;
        }
    }
    for (size_t i = 0; rc == 0 && i < np; i++) {
        out->end = max64(out->end, x.st[i].merge_done);
        if (c->merge_done)
            c->merge_done[i] = x.st[i].merge_done;
    }
    out->last_issue = x.now;
    for (unsigned pc = 0; pc < h_pcs; pc++)
        out->datapath = max64(out->datapath, dp[pc]);
    free_states(x.st, np);
    return rc;
}
