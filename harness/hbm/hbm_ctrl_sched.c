/* hbm_ctrl_sched.c — each bank's request candidate and which one of a channel issues first (hbm_ctrl.h
 * "Scheduling").
 *
 * Every bank holds at most one candidate command (ctrl_candidate); the one that goes is the
 * smallest (earliest cycle by the engine, then priority; every priority is distinct, close-page PREs
 * ordered by bank). A lower-bound model finds it. The controller keeps its own copy of the
 * engine's registers for the rules between the commands it issues for requests (ACT, PRE, RD, WR): per
 * bank, bank group, SID, PC and channel the cycle before which each class of command (ACT, PRE, RD, WR)
 * may not issue, raised by the same distances as the engine's rule table (docs/hbm.md "Timing rules").
 * They are a subset of the engine's rules, so they give a lower bound of hbm_earliest; for the commands
 * the queues issue they are all of them but refresh, so the bound is exact but after a refresh or a
 * MAC. The candidates of a PC are kept in one list per class, by priority: the commands of a class wait
 * for the same PC and channel registers S, so the first of the class is the first by priority whose own
 * bank, bank group and SID part is <= S, or else the smallest own part. A class is looked at again only
 * when a command of its kind (row or column) issued in the channel, or its candidates changed. The
 * winner is asked of the engine (unless its bound was already its answer for the channel's present
 * state); an answer above the bound replaces the candidate's bound and the search goes on. */
#include "hbm_ctrl_priv.h"

#include <stdio.h>
#include <stdlib.h>

int ctrl_sched_alloc(hbm_ctrl *r, ctrl_pc *p)
{
    const hbm_cfg *c = r->c;
    p->inval = calloc(r->words, sizeof *p->inval);
    p->rb = calloc((size_t)r->nbk * NCLS, sizeof *p->rb);
    p->rg = calloc((size_t)c->sids * c->bank_groups * NCLS, sizeof *p->rg);
    p->rs = calloc((size_t)c->sids * NCLS, sizeof *p->rs);
    p->cl = malloc((size_t)r->nbk * sizeof *p->cl);
    int ok = p->inval && p->rb && p->rg && p->rs && p->cl;
    for (int k = 0; k < NLST; k++)
        p->clhead[k] = p->cltail[k] = -1;
    for (int k = 0; k < NCLS; k++)
        p->cbank[k] = -1, p->cdirty[k] = 1;
    for (unsigned b = 0; p->banks && b < r->nbk; b++) {
        p->banks[b].cls = -1;
        p->banks[b].sid = (uint8_t)(b / (c->bank_groups * c->banks));
        p->banks[b].sg = (uint8_t)(b / c->banks);
    }
    return ok ? 0 : -1;
}

void ctrl_sched_free(ctrl_pc *p)
{
    free(p->inval), free(p->rb), free(p->rg), free(p->rs), free(p->cl);
}

#define RAISE(reg, v) ((reg) = (reg) < (v) ? (v) : (reg)) /* v without side effects */

/* The model after c issued at t (every command goes through here, from ctrl_issue). A command it does not
 * follow (the MAC path's, pc = *) only makes the bounds from then on unproven until asked (unmod). */
void ctrl_model_issue(hbm_ctrl *r, unsigned chn, const hbm_cmd *c, uint64_t t)
{
    const hbm_cfg *f = r->c;
    r->nissue[chn]++;
    const unsigned op = c->op;
    if (c->pc == HBM_PC_ALL || (op != HBM_ACT && op != HBM_PRE && op != HBM_RD && op != HBM_WR && op != HBM_PREA &&
                                op != HBM_REFAB && op != HBM_REFPB)) {
        r->unmod[chn] = r->nissue[chn];
        return;
    }
    ctrl_pc *p = ctrl_pcq(r, chn, c->pc);
    const unsigned b = (c->sid * f->bank_groups + c->bg) * f->banks + c->ba, sg = c->sid * f->bank_groups + c->bg;
    uint64_t *rb = p->rb + (size_t)b * NCLS, *rg = p->rg + (size_t)sg * NCLS;
    switch (op) {
    case HBM_ACT:
        RAISE(rb[CLS_ACT], t + f->nRC), RAISE(rb[CLS_RD], t + f->nRCDRD), RAISE(rb[CLS_WR], t + f->nRCDWR);
        RAISE(rb[CLS_PRE], t + f->nRAS);
        RAISE(rg[CLS_ACT], t + f->nRRDL);
        RAISE(p->rp[CLS_ACT], t + f->nRRDS);
        p->faw[p->nact++ % 4] = t;
        if (p->nact >= 4) /* the four-activation window: after the oldest of the last four */
            RAISE(p->rp[CLS_ACT], p->faw[p->nact % 4] + f->nFAW);
        RAISE(r->rrow[chn], t + 2); /* rowbus: 1.5 CK rounded up */
        p->cdirty[CLS_ACT] = 1;
        break;
    case HBM_PRE:
    case HBM_PREA:
        for (unsigned i = op == HBM_PRE ? b : 0; i < (op == HBM_PRE ? b + 1 : r->nbk); i++)
            RAISE(p->rb[(size_t)i * NCLS + CLS_ACT], t + f->nRP);
        RAISE(p->rp[CLS_PRE], t + f->nPPD);
        RAISE(r->rrow[chn], t + 1);
        p->cdirty[CLS_PRE] = 1;
        break;
    case HBM_REFAB:
    case HBM_REFPB:
        if (op == HBM_REFAB)
            RAISE(p->rp[CLS_ACT], t + f->nRFC);
        else
            RAISE(rb[CLS_ACT], t + f->nRFCpb), RAISE(p->rp[CLS_ACT], t + f->nRREFD);
        RAISE(r->rrow[chn], t + 1);
        p->cdirty[CLS_ACT] = 1;
        break;
    default: { /* RD, WR */
        const int wr = op == HBM_WR;
        RAISE(rb[CLS_PRE], wr ? t + f->nCWL + f->nBL + f->nWR : t + f->nRTP);
        RAISE(rg[CLS_RD], t + f->nCCDL), RAISE(rg[CLS_WR], t + f->nCCDL);
        if (wr)
            RAISE(rg[CLS_RD], t + f->nCWL + f->nBL + f->nWTRL);
        for (unsigned s = 0; s < f->sids; s++) {
            uint64_t d = t + (s == c->sid ? f->nCCDS : f->nCCDR);
            RAISE(p->rs[s * NCLS + CLS_RD], d), RAISE(p->rs[s * NCLS + CLS_WR], d);
        }
        if (wr)
            RAISE(p->rp[CLS_WR], t + f->nBL), RAISE(p->rp[CLS_RD], t + f->nCWL + f->nWTRS + f->nBL);
        else
            RAISE(p->rp[CLS_RD], t + f->nBL), RAISE(p->rp[CLS_WR], t + f->nRTW);
        RAISE(r->rcol[chn], t + 1);
        p->cdirty[CLS_RD] = p->cdirty[CLS_WR] = 1;
        break;
    }
    }
}

#define MISS (1ull << 62)
#define CLOSE (3ull << 62) /* close-page PREs: after every request, the lowest bank of the channel first */

static int list_hits(const ctrl_pc *p, int32_t i, int64_t row)
{
    for (; i >= 0; i = p->slots[i].next)
        if ((int64_t)p->slots[i].row == row)
            return 1;
    return 0;
}

/* The candidate command of bank b of PC pc in channel chn (see the file comment and hbm_ctrl.h). */
static void ctrl_candidate(const hbm_ctrl *r, ctrl_pc *p, unsigned pc, unsigned b)
{
    const hbm_cfg *c = r->c;
    ctrl_bank *k = &p->banks[b];
    k->has = 0, k->slot = -1;
    if (p->rstate && (c->ref_mode == HBM_REF_ALLBANK || b == p->rbank))
        return; /* the refresh goes first */
    const int dir = p->wmode;
    int32_t hd = k->head[dir];
    if (c->sched == HBM_SCHED_FCFS && hd >= 0 && (int)b != p->fcfs_bank)
        return;
    k->cmd.row = k->cmd.col = 0; /* the address fields are the bank's, set once (hbm_ctrl_new) */
    int64_t open = p->open[b];
    k->from = 0;
    if (hd < 0) { /* close page: nothing queued hits the open row */
        if (c->page == HBM_PAGE_CLOSE && open >= 0 && !list_hits(p, k->head[!dir], open))
            k->has = 1, k->cmd.op = HBM_PRE, k->prio = CLOSE | (pc * r->nbk + b);
        return;
    }
    int32_t use = -1;
    if ((int64_t)p->slots[hd].row == open)
        use = hd;
    else if (open >= 0 && c->sched != HBM_SCHED_FCFS && (c->sched != HBM_SCHED_CAP || k->bypass < c->cap))
        for (int32_t i = p->slots[hd].next; i >= 0 && use < 0; i = p->slots[i].next)
            if ((int64_t)p->slots[i].row == open)
                use = i;
    k->has = 1;
    if (use >= 0) {
        const ctrl_slot *s = &p->slots[use];
        k->slot = use, k->from = s->arrival, k->prio = s->seq;
        k->cmd.op = s->kind == HBM_REQ_WR ? HBM_WR : HBM_RD, k->cmd.col = s->col;
        return;
    }
    const ctrl_slot *s = &p->slots[hd];
    k->from = s->arrival, k->prio = MISS | s->seq;
    if (open >= 0)
        k->cmd.op = HBM_PRE;
    else
        k->cmd.op = HBM_ACT, k->cmd.row = s->row;
}

static int cls_of(unsigned op) { return op == HBM_ACT ? CLS_ACT : op == HBM_PRE ? CLS_PRE : op == HBM_RD ? CLS_RD : CLS_WR; }

/* The channel part of class k's bound: the channel's order and its row or column bus. */
static uint64_t chan_part(const hbm_ctrl *r, unsigned chn, int k)
{
    return ctrl_max(r->now[chn], k <= CLS_PRE ? r->rrow[chn] : r->rcol[chn]);
}

/* The part of class k's bound in PC p that every candidate of the class waits for (S): the PC and channel
 * registers (cp: the channel parts, chan_part by class; the PC's ACT register holds the four-activation
 * window too). */
static uint64_t cls_floor(const uint64_t *cp, const ctrl_pc *p, int k) { return ctrl_max(p->rp[k], cp[k]); }

/* A column class's list of candidates that wait for their own part (see cls_insert). */
static int wait_list(int k) { return k == CLS_RD ? LST_RDW : LST_WRW; }

/* A removal keeps the class's cached first unless it removes that one. */
static void cls_remove(ctrl_pc *p, unsigned b)
{
    const int k = p->banks[b].cls, li = p->banks[b].lst;
    if (k < 0)
        return;
    const ctrl_clent *e = &p->cl[b];
    *(e->prev >= 0 ? &p->cl[e->prev].next : &p->clhead[li]) = e->next;
    *(e->next >= 0 ? &p->cl[e->next].prev : &p->cltail[li]) = e->prev;
    p->banks[b].cls = -1;
    p->cdirty[k] |= p->cbank[k] == (int)b;
    if (p->clhead[k] < 0 && (k < CLS_RD || p->clhead[wait_list(k)] < 0))
        p->clmask &= (uint8_t)~(1u << k), p->cdirty[k] = 1;
}

static uint64_t sort_key(const ctrl_clent *e, int byown) { return byown ? e->own : e->prio; }

/* An insertion puts the candidate in its class's list by priority, or, for a column command that waits
 * for its own part (an RD after its ACT's nRCDRD), in the class's list by own part: cls_eval finds the
 * first of those without looking at the others. It updates the class's cached first, when that is valid
 * (see best_model), by comparing it with the new candidate alone. */
static void cls_insert(const uint64_t *cp, ctrl_pc *p, unsigned b, int k)
{
    ctrl_clent *l = p->cl;
    ctrl_bank *q = &p->banks[b];
    const uint64_t own = ctrl_max(ctrl_max(q->e, q->from), p->rb[(size_t)b * NCLS + k]);
    const uint64_t s = cls_floor(cp, p, k);
    const int byown = k >= CLS_RD && own > s, li = byown ? wait_list(k) : k;
    const uint64_t key = byown ? own : q->prio;
    /* the new candidate goes after `at` (-1: first). The walk goes from both ends at once: an ACT's place
     * is about evenly spread over a list of a dozen */
    int32_t at = p->cltail[li], hd = p->clhead[li];
    for (;;) {
        if (at < 0 || sort_key(&l[at], byown) <= key) /* equal: own parts only, in any order */
            break;
        if (sort_key(&l[hd], byown) > key) {
            at = l[hd].prev;
            break;
        }
        at = l[at].prev, hd = l[hd].next;
    }
    const int32_t nx = at >= 0 ? l[at].next : p->clhead[li];
    l[b] = (ctrl_clent){.own = own, .prio = q->prio, .next = nx, .prev = at, .sg = q->sg, .sid = q->sid};
    *(at >= 0 ? &l[at].next : &p->clhead[li]) = (int32_t)b;
    *(nx >= 0 ? &l[nx].prev : &p->cltail[li]) = (int32_t)b;
    q->cls = (int8_t)k, q->lst = (int8_t)li;
    p->clmask |= (uint8_t)(1u << k);
    if (p->cdirty[k])
        return;
    if (p->ckey[k] < s) { /* the floor rose past the cached first's bound */
        p->cdirty[k] = 1;
        return;
    }
    uint64_t v = ctrl_max(s, ctrl_max(own, ctrl_max(p->rg[q->sg * NCLS + k], p->rs[q->sid * NCLS + k])));
    const int first = (v < p->ckey[k]) | ((v == p->ckey[k]) & (q->prio < l[p->cbank[k]].prio));
    p->ckey[k] = first ? v : p->ckey[k], p->cbank[k] = first ? (int)b : p->cbank[k];
}

/* Recomputes the candidates of the banks of p marked, keeping the class lists in step. */
static void refresh_candidates(const hbm_ctrl *r, const uint64_t *cp, unsigned pc, ctrl_pc *p)
{
    for (unsigned w = 0; w < r->words; w++) {
        const uint64_t mw = p->inval[w];
        p->inval[w] = 0; /* ctrl_candidate does not invalidate */
        for (uint64_t m = mw; m; m &= m - 1) {
            unsigned b = w * 64 + (unsigned)__builtin_ctzll(m);
            ctrl_bank *k = &p->banks[b];
            const hbm_cmd old = k->cmd;
            const uint64_t from = k->from, e = k->e, stamp = k->stamp, prio = k->prio;
            const int had = k->cls >= 0;
            ctrl_candidate(r, p, pc, b);
            const int same = had && k->has && old.op == k->cmd.op && old.row == k->cmd.row && old.col == k->cmd.col &&
                             from == k->from;
            if (same && prio == k->prio) { /* the same entry (a younger request came): its bound may only rise */
                const int kc = k->cls;
                const uint64_t own = ctrl_max(ctrl_max(e, from), p->rb[(size_t)b * NCLS + kc]);
                if (own == p->cl[b].own)
                    continue;
                if (k->lst == kc) { /* a list by priority */
                    p->cl[b].own = own, p->cdirty[kc] |= p->cbank[kc] == (int)b;
                    continue;
                }
            }
            cls_remove(p, b);
            if (!k->has)
                continue;
            k->e = same ? e : 0, k->stamp = same ? stamp : 0;
            cls_insert(cp, p, b, cls_of(k->cmd.op));
        }
    }
    p->anyinval = 0;
}

/* Class k of PC p: its first candidate by (lower bound, priority) into p->ckey/cbank. In the list by
 * priority, the first whose part is <= S goes first; then, for a column class, its list by own part is
 * looked at up to the first own part past the best bound found. */
static void cls_eval(const uint64_t *cp, ctrl_pc *p, int k)
{
    const uint64_t s = cls_floor(cp, p, k);
    uint64_t best = HBM_NEVER;
    int bb = -1;
    const ctrl_clent *l = p->cl;
    const uint64_t *rg = p->rg + k, *rs = p->rs + k;
    for (int32_t i = p->clhead[k]; i >= 0; i = l[i].next) {
        uint64_t v = ctrl_max(l[i].own, ctrl_max(rg[l[i].sg * NCLS], rs[l[i].sid * NCLS]));
        if (v <= s) { /* every earlier one is later than s, every later one has a larger priority */
            best = s, bb = i;
            break;
        }
        const int lower = v < best; /* a conditional move */
        best = lower ? v : best, bb = lower ? i : bb;
    }
    if (k >= CLS_RD) {
        uint64_t bp = bb >= 0 ? l[bb].prio : UINT64_MAX;
        for (int32_t i = p->clhead[wait_list(k)]; i >= 0 && l[i].own <= best; i = l[i].next) {
            const uint64_t v = ctrl_max(s, ctrl_max(l[i].own, ctrl_max(rg[l[i].sg * NCLS], rs[l[i].sid * NCLS])));
            const int lower = (v < best) | ((v == best) & (l[i].prio < bp));
            best = lower ? v : best, bp = lower ? l[i].prio : bp, bb = lower ? i : bb;
        }
    }
    p->ckey[k] = best, p->cbank[k] = bb, p->cdirty[k] = 0;
}

static int best_model(hbm_ctrl *r, unsigned chn, uint64_t *te, ctrl_pc **pp, char *err, size_t n)
{
    const unsigned npc = r->npc;
    ctrl_pc *const p0 = ctrl_pcq(r, chn, 0);
    /* the channel parts of the row (ACT, PRE) and column (RD, WR) classes: nothing issues in here */
    const uint64_t cp[NCLS] = {chan_part(r, chn, CLS_ACT), chan_part(r, chn, CLS_PRE), chan_part(r, chn, CLS_RD),
                               chan_part(r, chn, CLS_WR)};
    for (;;) {
        uint64_t key = HBM_NEVER, prio = 0;
        int bb = -1;
        ctrl_pc *bp = NULL;
        for (unsigned pc = 0; pc < npc; pc++) {
            ctrl_pc *p = &p0[pc];
            if (p->anyinval) /* on the first pass: a PC's candidates are its own */
                refresh_candidates(r, cp, pc, p);
            for (unsigned m = p->clmask; m; m &= m - 1) {
                const int k = __builtin_ctz(m);
                /* a rise of the channel part up to the cached first's bound does not change the class's first */
                if (p->cdirty[k] || p->ckey[k] < cp[k])
                    cls_eval(cp, p, k);
                /* without branches: which class goes first is data, not a pattern the CPU can predict */
                const uint64_t ck = p->ckey[k], kp = p->cl[p->cbank[k]].prio;
                const int better = (ck < key) | ((ck == key) & (kp < prio));
                key = better ? ck : key, prio = better ? kp : prio;
                bb = better ? p->cbank[k] : bb, bp = better ? p : bp;
            }
        }
        if (bb < 0)
            return *te = HBM_NEVER, -1;
        *pp = bp;
        ctrl_bank *k = &bp->banks[bb];
        /* the bound is the engine's answer when every command since the candidate's (or, never asked, since
         * the start) is one the model follows */
        const int exact = k->stamp >= r->unmod[chn];
#ifndef HBM_CTRL_CHECK_MODEL
        if (exact)
            return *te = key, bb;
#endif
        uint64_t e = hbm_earliest(r->h, &k->cmd, ctrl_max(r->now[chn], k->from), NULL);
        if (e < key || (exact && e != key)) {
            char buf[128];
            return snprintf(err, n, "controller: %s: bound %llu%s but the engine's earliest is %llu (a bug)",
                            hbm_cmd_str(&k->cmd, buf, sizeof buf), (unsigned long long)key, exact ? " exact" : "",
                            (unsigned long long)e),
                   -2;
        }
        k->e = e, k->stamp = r->nissue[chn];
        if (e == key)
            return *te = e, bb;
        const int kc = k->cls;
        if (k->lst != kc) { /* a list by own part: its place moves */
            cls_remove(bp, (unsigned)bb);
            cls_insert(cp, bp, (unsigned)bb, kc);
        } else
            bp->cl[bb].own = ctrl_max(bp->cl[bb].own, e);
        bp->cdirty[kc] = 1;
    }
}

/* The request candidate of channel chn that issues first (cycle *te): its bank, its PC in *pp; -1 when
 * none (*te = HBM_NEVER), -2 with err on a controller bug. */
int ctrl_best(hbm_ctrl *r, unsigned chn, uint64_t *te, ctrl_pc **pp, char *err, size_t n)
{
    return best_model(r, chn, te, pp, err, n);
}
