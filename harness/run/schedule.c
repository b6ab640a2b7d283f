/* schedule.c — one channel's decode-attention schedule (schedule.h): the main loop, which at every step
 * issues the command of the source that can go first (the sources: schedule_src.c), and the refresh
 * catch-up between layers. */
#include "schedule.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule_src.h"

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

/* Refreshes of channel (st, ch) from its last command on until no PC's deadline is before until + slack. */
static int pay_refresh(hbm *h, unsigned st, unsigned ch, uint64_t until, uint64_t slack, uint64_t *end, char *err,
                       size_t n)
{
    const hbm_cfg *hc = hbm_config(h);
    uint64_t from = hbm_channel_last(h, st, ch);
    *end = until;
    for (int pc; (pc = sched_due_pc(h, st, ch, until, slack)) >= 0;) {
        hbm_cmd c = {.op = HBM_REFAB, .st = (uint8_t)st, .ch = (uint8_t)ch, .pc = (uint8_t)pc};
        if (channel_open(h, st, ch)) { /* any bank of any PC: the sets move in lock step over the PCs */
            c.op = HBM_PREA;
            c.pc = HBM_PC_ALL;
        }
        uint64_t t = hbm_earliest(h, &c, from, NULL);
        char why[256] = "illegal in this state";
        if (t == HBM_NEVER || hbm_issue(h, &c, t, why, sizeof why)) {
            snprintf(err, n, "scheduler bug: refresh catch-up of channel %u.%u refused at cycle %llu: %s", st, ch,
                     (unsigned long long)t, why);
            return -1;
        }
        from = t;
        *end = sched_max64(*end, t + (c.op == HBM_REFAB ? hc->nRFC : hc->nRP));
    }
    return 0;
}

int sched_refresh_catchup(hbm *h, unsigned st, unsigned ch, uint64_t until, uint64_t *end, char *err, size_t n)
{
    const hbm_cfg *hc = hbm_config(h);
    /* a PC is done once it owes nothing at `until` (its deadline more than max_postpone intervals later)
     * and a schedule starting at `until` has the refresh lead before its deadline */
    const uint64_t slack = sched_max64((uint64_t)hc->max_postpone * hc->nREFI, lead_of(hc)) + 1;
    return pay_refresh(h, st, ch, until, slack, end, err, n);
}

int sched_refresh_owed(hbm *h, unsigned st, unsigned ch, uint64_t t, uint64_t *end, char *err, size_t n)
{
    return pay_refresh(h, st, ch, t, 0, end, err, n); /* a deadline before t: what the engine would refuse at t */
}

/* ---- the main loop ----------------------------------------------------------------------------------------- */

/* A command source (schedule_src.h). */
typedef struct sched_source {
    int (*next)(sched_ctx *x, hbm_cmd *cmd, uint64_t *ready);
    int (*issued)(sched_ctx *x, const hbm_cmd *cmd, uint64_t t);
} sched_source;

static const sched_source sources[NSRC] = {
    [SRC_REFRESH] = {sched_next_refresh, sched_rows_issued},
    [SRC_MACS] = {sched_next_macs, sched_macs_issued},
    [SRC_ROWCTL] = {sched_next_rowctl, sched_rows_issued},
    [SRC_SFM_ROWS] = {sched_next_sfm_rows, sched_sfm_rows_issued},
    [SRC_MERGES] = {sched_next_merges, sched_merges_issued},
    [SRC_PROB_MOVES] = {sched_next_prob_moves, sched_prob_moves_issued},
    [SRC_SCORE_MOVES] = {sched_next_score_moves, sched_score_moves_issued},
    [SRC_PARTIAL_MOVES] = {sched_next_partial_moves, sched_partial_moves_issued},
    [SRC_QUERIES] = {sched_next_queries, sched_queries_issued},
};

/* Each source's next command in this step, and what the loop knows of the earliest cycle it may issue.
 * Issuing a command only ever delays others, so an earliest cycle the engine gave before stays a lower
 * bound while the source's command and readiness are unchanged: a source's bound is made exact only when
 * it is the smallest, which gives the same choice with far fewer engine queries. */
typedef struct candidates {
    int have[NSRC]; /* the source has a command left */
    hbm_cmd cmd[NSRC];
    uint64_t ready[NSRC]; /* its inputs ready (SCHED_INF: waiting) */
    uint64_t lb[NSRC];    /* a lower bound of its earliest legal cycle, the engine's answer when exact */
    int exact[NSRC];
    int cached[NSRC];     /* lb was the engine's answer for prev at prev_ready; the source has not issued since */
    hbm_cmd prev[NSRC];
    uint64_t prev_ready[NSRC];
} candidates;

#define SRC_ALL ((1u << NSRC) - 1)
/* What a source's next command and readiness depend on changes only when some source issues: a source
 * not in `stale` would give what it gave in the step before (and a call then has no side effect: a
 * cursor steps past empty positions only right after it moved), so collect() keeps that. Every step
 * asks the sources that look at the cycle of the last issue (the MACs and row control, through the
 * refresh deadline); a MAC that does not end a row changes only the MAC cursor and the context tokens
 * consumed (the probability ring); any other command may change anything (and see run()). */
static unsigned stale_after(const sched_ctx *x, int issued)
{
    const unsigned always = 1u << SRC_MACS | 1u << SRC_ROWCTL;
    if (issued == SRC_MACS && x->macs.col != 0)
        return always | 1u << SRC_PROB_MOVES;
    return SRC_ALL;
}

/* Every stale source's next command and a lower bound of every source's cycle; 1 while a source other
 * than the refresh backstop has work (the backstop alone would refresh for ever). */
static int collect(sched_ctx *x, candidates *cd, unsigned stale)
{
    int pending = 0;
    for (int k = 0; k < NSRC; k++) {
        if (stale >> k & 1)
            cd->have[k] = sources[k].next(x, &cd->cmd[k], &cd->ready[k]);
#ifdef SCHED_VERIFY_STALE /* a build that checks stale_after: every kept answer is what a call gives */
        else {
            hbm_cmd c;
            uint64_t r = 0;
            int h = sources[k].next(x, &c, &r);
            const hbm_cmd *o = &cd->cmd[k];
            int same = c.op == o->op && c.st == o->st && c.ch == o->ch && c.pc == o->pc && c.sid == o->sid &&
                       c.bg == o->bg && c.ba == o->ba && c.row == o->row && c.col == o->col && c.n == o->n;
            if (h != cd->have[k] || (h && (r != cd->ready[k] || !same))) {
                char b1[128], b2[128];
                fprintf(stderr, "STALE src %d stale %x have %d/%d ready %llu/%llu cmd %s / %s now %llu\n", k, stale, h,
                        cd->have[k], (unsigned long long)r, (unsigned long long)cd->ready[k], hbm_cmd_str(&c, b1, 128),
                        hbm_cmd_str(&cd->cmd[k], b2, 128), (unsigned long long)x->now);
                abort();
            }
        }
#endif
        pending |= cd->have[k] && k != SRC_REFRESH;
        cd->exact[k] = 0;
        if (!cd->have[k] || cd->ready[k] == SCHED_INF)
            continue;
        int same = cd->cached[k] && cd->prev_ready[k] == cd->ready[k] &&
                   !memcmp(&cd->prev[k], &cd->cmd[k], sizeof cd->cmd[k]);
        cd->lb[k] = sched_max64(same ? cd->lb[k] : cd->ready[k], x->now);
    }
    return pending;
}

/* *best = the ready source whose command can go first (the lowest index on a tie), its lb made exact;
 * -1 when no source is ready. 0, or -1 with err when the engine finds a command illegal. */
static int choose(sched_ctx *x, candidates *cd, int *best, char *err, size_t n)
{
    for (;;) {
        int b = -1;
        for (int k = 0; k < NSRC; k++)
            if (cd->have[k] && cd->ready[k] != SCHED_INF && (b < 0 || cd->lb[k] < cd->lb[b]))
                b = k;
        *best = b;
        if (b < 0 || cd->exact[b])
            return 0;
        const char *rule = NULL;
        uint64_t t = hbm_earliest(x->h, &cd->cmd[b], sched_max64(cd->ready[b], x->now), NULL);
        if (t == HBM_NEVER) {
            (void)hbm_earliest(x->h, &cd->cmd[b], sched_max64(cd->ready[b], x->now), &rule);
            char buf[160];
            snprintf(err, n, "scheduler bug: %s is illegal in the current state (%s)",
                     hbm_cmd_str(&cd->cmd[b], buf, sizeof buf), rule ? rule : "?");
            return -1;
        }
        cd->lb[b] = t;
        cd->exact[b] = 1;
        cd->prev[b] = cd->cmd[b];
        cd->prev_ready[b] = cd->ready[b];
        cd->cached[b] = 1;
    }
}

/* Adds a mover's data-path cycles (n x nBL) to every PC it occupies. */
static void count_datapath(const sched_ctx *x, const hbm_cmd *cmd, uint64_t datapath[4])
{
    if (cmd->op != HBM_WRGB && cmd->op != HBM_MVSB && cmd->op != HBM_MVGB)
        return;
    for (unsigned pc = 0; pc < x->hc->pcs; pc++)
        if (cmd->pc == HBM_PC_ALL || cmd->pc == pc)
            datapath[pc] += (uint64_t)(cmd->n ? cmd->n : 1) * x->hc->nBL;
}

/* Steps until every source but the backstop is done. datapath[pc]: the movers' cycles per PC. 0, or -1
 * with err. */
static int run(sched_ctx *x, uint64_t datapath[4], char *err, size_t n)
{
    candidates cd = {0};
    int first = 1;
    unsigned stale = SRC_ALL;
    int all_before = 1;
    while (collect(x, &cd, stale)) {
        int best;
        if (choose(x, &cd, &best, err, n))
            return -1;
        if (best < 0) {
            snprintf(err, n, "scheduler bug: channel %u.%u deadlocked at cycle %llu", x->c->st, x->c->ch,
                     (unsigned long long)x->now);
            return -1;
        }
        const hbm_cmd *cmd = &cd.cmd[best];
        uint64_t t = cd.lb[best];
        char why[256];
        if (hbm_issue(x->h, cmd, t, why, sizeof why)) {
            snprintf(err, n, "scheduler bug: the engine refused a command at cycle %llu: %s", (unsigned long long)t,
                     why);
            return -1;
        }
        cd.cached[best] = 0; /* its next command is a new one */
        count_datapath(x, cmd, datapath);
        if (first) {
            x->out->first = t;
            first = 0;
        }
        x->now = t;
        if (sources[best].issued(x, cmd, t)) {
            snprintf(err, n, "%s", x->hk && x->hk->err ? x->hk->err : "functional model failed");
            return -1;
        }
        /* a count a source made while stepping past empty positions reaches the sources before it one
         * step later: the step after one that asked every source asks every source again */
        unsigned next = stale_after(x, best);
        stale = next | (all_before ? SRC_ALL : 0);
        all_before = next == SRC_ALL;
    }
    return 0;
}

/* ---- setup ------------------------------------------------------------------------------------------------- */

/* Every pass before its first command: nothing ready, every move still to issue. 0, or -1 (no memory). */
static int pass_states_new(sched_ctx *x)
{
    x->st = calloc(x->np, sizeof *x->st);
    if (!x->st)
        return -1;
    for (size_t i = 0; i < x->np; i++) {
        pass_state *s = &x->st[i];
        const map_shape *sh = &x->ps[i].shape;
        s->q_done = s->s_end = s->sfm_done = s->c_end = s->merge_done = SCHED_INF;
        s->nchunks = sched_cdiv(sh->nt, x->g->lanes);
        s->s_row_end = malloc(sh->k_rows * sizeof *s->s_row_end);
        s->chunk_done = calloc(s->nchunks, sizeof *s->chunk_done);
        s->chunk_pcs = calloc(s->nchunks, 1);
        if (!s->s_row_end || !s->chunk_done || !s->chunk_pcs)
            return -1;
        for (uint32_t r = 0; r < sh->k_rows; r++)
            s->s_row_end[r] = SCHED_INF;
        s->s_moves = sh->k_rows * x->hc->pcs;
        s->p_moves = x->hc->pcs;
        uint64_t merge, rows = sched_sfm_pass_cycles(x->g, x->c, &x->ps[i], &merge);
        s->sfm_rows = (uint32_t)rows, s->sfm_merge = (uint32_t)merge;
    }
    return 0;
}

static void pass_states_free(sched_ctx *x)
{
    for (size_t i = 0; x->st && i < x->np; i++) {
        free(x->st[i].s_row_end);
        free(x->st[i].chunk_done);
        free(x->st[i].chunk_pcs);
    }
    free(x->st);
    x->st = NULL;
}

/* The sources before the first command: every cursor at the first pass (zero), the sets as the engine
 * has them (the layer before may have left a row open). */
static void sources_init(sched_ctx *x)
{
    const hbm_cfg *hc = x->hc;
    x->refresh.lead = lead_of(hc);
    /* the longest a row of MACs can take with the banks streaming, plus the switch: refreshes are planned
     * this far ahead */
    x->refresh.horizon = (uint64_t)x->g->cols * (hc->nMACpow > hc->nMAC ? hc->nMACpow : hc->nMAC) + hc->nRCDRD +
                         hc->nRTP + hc->nRP + hc->nRAS + 2 * act_stagger(hc) + hc->nRFC;
    x->macs.nphases = 2 * x->np;
    for (int k = 0; k < 8; k++)
        x->macs.last_beat[k] = SCHED_INF;
    x->rows.nsets = x->g->banks_per_unit;
    for (unsigned k = 0; k < x->rows.nsets; k++)
        x->rows.set[k].open_row = hbm_open_row(x->h, x->c->st, x->c->ch, 0, 0, 0, k);
    sched_refresh_note(x);
}

int sched_channel(hbm *h, const map_geom *g, const sched_cfg *c, const sched_pass *passes, size_t np, uint64_t t0,
                  const sched_hooks *hk, sched_stats *out, char *err, size_t n)
{
    memset(out, 0, sizeof *out);
    out->first = out->end = t0;
    if (np == 0)
        return 0;
    const hbm_cfg *hc = hbm_config(h);
    if (hc->ref_mode == HBM_REF_PERBANK) {
        snprintf(err, n, "refresh.mode per-bank: the all-bank PIM schedule refreshes with REFAB only "
                         "(allowed: all-bank, off)");
        return -1;
    }
    sched_ctx x = {.h = h, .hc = hc, .g = g, .c = c, .ps = passes, .np = np, .hk = hk, .out = out, .t0 = t0,
                   .now = t0};
    sources_init(&x);
    if (pass_states_new(&x)) {
        pass_states_free(&x);
        snprintf(err, n, "out of memory");
        return -1;
    }
    uint64_t datapath[4] = {0}; /* per PC (1..4, hbm_cfg) */
    int rc = run(&x, datapath, err, n);
    for (size_t i = 0; rc == 0 && i < np; i++) {
        out->end = sched_max64(out->end, x.st[i].merge_done);
        if (c->merge_done)
            c->merge_done[i] = x.st[i].merge_done;
    }
    out->last_issue = x.now;
    for (unsigned pc = 0; pc < hc->pcs; pc++)
        out->datapath = sched_max64(out->datapath, datapath[pc]);
    pass_states_free(&x);
    return rc;
}
