/* hbm_ctrl.c — the controller's queues and steps (hbm_ctrl.h).
 *
 * Each bank holds at most one candidate command, recomputed (hbm_ctrl_sched.c) only when a command, a
 * request or a mode change touched its bank (ctrl_invalidate); which candidate goes first is
 * hbm_ctrl_sched.c's too. */
#include "hbm_ctrl_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


void ctrl_set_deadline(hbm_ctrl *r, unsigned chn, unsigned pc, uint64_t dl)
{
    ctrl_pcq(r, chn, pc)->dl = dl;
    unsigned best = 0;
    for (unsigned i = 1; i < r->c->pcs; i++)
        if (ctrl_pcq(r, chn, i)->dl < ctrl_pcq(r, chn, best)->dl)
            best = i;
    r->dpc[chn] = best, r->dmin[chn] = ctrl_pcq(r, chn, best)->dl;
    r->rfl[chn] = ctrl_ref_floor(r, chn);
}

/* The row every bank of every PC of channel chn holds open, or -1. */
static void chan_row(hbm_ctrl *r, unsigned chn)
{
    int64_t row = ctrl_pcq(r, chn, 0)->allrow;
    for (unsigned pc = 1; pc < r->c->pcs && row >= 0; pc++)
        if (ctrl_pcq(r, chn, pc)->allrow != row)
            row = -1;
    r->chrow[chn] = row;
}

/* The mirror of PC pc of channel chn (open rows, refresh deadline) from the engine. */
static void sync_pc(hbm_ctrl *r, unsigned chn, unsigned pc)
{
    const hbm_cfg *c = r->c;
    ctrl_pc *p = ctrl_pcq(r, chn, pc);
    const unsigned st = chn / c->channels, ch = chn % c->channels;
    p->nopen = 0;
    for (unsigned b = 0; b < r->nbk; b++) {
        p->open[b] = hbm_open_row(r->h, st, ch, pc, b / (c->bank_groups * c->banks), b / c->banks % c->bank_groups,
                                  b % c->banks);
        p->nopen += p->open[b] >= 0;
    }
    p->allrow = p->open[0];
    for (unsigned b = 1; b < r->nbk; b++)
        if (p->open[b] != p->allrow)
            p->allrow = -1;
    ctrl_set_deadline(r, chn, pc, hbm_refresh_deadline(r->h, st, ch, pc));
    chan_row(r, chn);
}

hbm_ctrl *hbm_ctrl_new(hbm *h)
{
    const hbm_cfg *c = hbm_config(h);
    hbm_ctrl *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->h = h, r->c = c;
    r->nbk = hbm_cfg_banks_per_pc(c);
    r->words = (r->nbk + 63) / 64;
    r->nch = c->stacks * c->channels;
    r->npc = c->pcs;
    r->pcs = calloc((size_t)r->nch * c->pcs, sizeof *r->pcs);
    r->now = calloc(r->nch, sizeof *r->now);
    r->chused = calloc(r->nch, 1);
    r->lat = calloc(LAT_BUCKETS, sizeof *r->lat);
    r->nissue = calloc(r->nch, sizeof *r->nissue);
    r->rrow = calloc(r->nch, sizeof *r->rrow);
    r->rcol = calloc(r->nch, sizeof *r->rcol);
    r->unmod = calloc(r->nch, sizeof *r->unmod);
    r->dmin = calloc(r->nch, sizeof *r->dmin);
    r->rfl = calloc(r->nch, sizeof *r->rfl);
    r->dpc = calloc(r->nch, sizeof *r->dpc);
    r->nref = calloc(r->nch, sizeof *r->nref);
    r->nqch = calloc(r->nch, sizeof *r->nqch);
    r->chrow = calloc(r->nch, sizeof *r->chrow);
    if (!r->pcs || !r->now || !r->chused || !r->lat || !r->nissue || !r->rrow || !r->rcol || !r->unmod || !r->dmin ||
        !r->rfl || !r->dpc || !r->nref || !r->nqch || !r->chrow) {
        hbm_ctrl_free(r);
        return NULL;
    }
    const unsigned cap = c->read_queue + c->write_queue;
    for (size_t i = 0; i < (size_t)r->nch * c->pcs; i++) {
        ctrl_pc *p = &r->pcs[i];
        p->slots = malloc(cap * sizeof *p->slots);
        p->banks = calloc(r->nbk, sizeof *p->banks);
        p->open = malloc(r->nbk * sizeof *p->open);
        if (!p->slots || !p->banks || !p->open || ctrl_sched_alloc(r, p)) {
            hbm_ctrl_free(r);
            return NULL;
        }
        for (unsigned s = 0; s < cap; s++)
            p->slots[s].next = s + 1 < cap ? (int32_t)s + 1 : -1;
        const unsigned chn = (unsigned)(i / c->pcs), pc = (unsigned)(i % c->pcs);
        for (unsigned b = 0; b < r->nbk; b++) {
            ctrl_bank *k = &p->banks[b];
            k->head[0] = k->head[1] = k->tail[0] = k->tail[1] = -1;
            k->cmd = (hbm_cmd){.st = (uint8_t)(chn / c->channels), .ch = (uint8_t)(chn % c->channels),
                               .pc = (uint8_t)pc, .sid = (uint8_t)(b / (c->bank_groups * c->banks)),
                               .bg = (uint8_t)(b / c->banks % c->bank_groups), .ba = (uint8_t)(b % c->banks)};
        }
        p->fcfs_bank = p->last_dir = -1;
        sync_pc(r, chn, pc);
        ctrl_invalidate_pc(r, p);
    }
    /* the open-page scheduler's model follows the commands from here: an engine that issued any before
     * has registers it does not know (hbm_ctrl_sched.c) */
    uint64_t issued = 0;
    for (unsigned op = 0; op < HBM_NOPS; op++)
        issued += hbm_get_stats(h)->cmds[op];
    for (unsigned i = 0; i < r->nch; i++)
        r->nissue[i] = 1, r->unmod[i] = issued ? 1 : 0;
    ctrl_ref_init(r);
    for (unsigned i = 0; i < r->nch; i++) /* with the refresh settings now known */
        r->rfl[i] = ctrl_ref_floor(r, i);
    return r;
}

void hbm_ctrl_free(hbm_ctrl *r)
{
    if (!r)
        return;
    if (r->pcs)
        for (size_t i = 0; i < (size_t)r->nch * r->c->pcs; i++)
            free(r->pcs[i].slots), free(r->pcs[i].banks), free(r->pcs[i].open),
                ctrl_sched_free(&r->pcs[i]);
    free(r->pcs), free(r->now), free(r->chused), free(r->lat), free(r->nissue), free(r->rrow),
        free(r->rcol), free(r->unmod), free(r->dmin), free(r->rfl), free(r->dpc), free(r->nref), free(r->nqch),
        free(r->chrow), free(r);
}

void ctrl_invalidate(ctrl_pc *p, unsigned b)
{
    p->inval[b / 64] |= 1ull << (b % 64);
    p->anyinval = 1;
}

void ctrl_invalidate_pc(hbm_ctrl *r, ctrl_pc *p)
{
    if (!p->nq[0] && !p->nq[1] && r->c->page == HBM_PAGE_OPEN) { /* no candidate until a request comes */
        for (unsigned b = 0; b < r->nbk; b++)
            if (p->banks[b].cls >= 0) /* the scheduler drops it */
                ctrl_invalidate(p, b);
        return;
    }
    for (unsigned b = 0; b < r->nbk; b++)
        ctrl_invalidate(p, b);
}

/* Occupancy integral of p up to cycle t. */
static void occupancy(ctrl_pc *p, uint64_t t)
{
    if (t > p->occ_t) {
        p->occ[0] += (double)p->nq[0] * (double)(t - p->occ_t);
        p->occ[1] += (double)p->nq[1] * (double)(t - p->occ_t);
        p->occ_t = t;
    }
}

/* fcfs: the bank of the oldest request of the active queue. */
static void fcfs_update(hbm_ctrl *r, ctrl_pc *p)
{
    if (r->c->sched != HBM_SCHED_FCFS)
        return;
    int best = -1;
    uint64_t seq = UINT64_MAX;
    for (unsigned b = 0; b < r->nbk; b++) {
        int32_t h = p->banks[b].head[p->wmode];
        if (h >= 0 && p->slots[h].seq < seq)
            seq = p->slots[h].seq, best = (int)b;
    }
    if (best != p->fcfs_bank) {
        if (p->fcfs_bank >= 0)
            ctrl_invalidate(p, (unsigned)p->fcfs_bank);
        if (best >= 0)
            ctrl_invalidate(p, (unsigned)best);
        p->fcfs_bank = best;
    }
}

/* Write drain: enter at write_high or when no read waits; leave at write_low (with reads waiting) or empty. */
static void mode_update(hbm_ctrl *r, ctrl_pc *p)
{
    const hbm_cfg *c = r->c;
    int w = p->wmode;
    if (!w && p->nq[1] && (p->nq[1] >= c->write_high || !p->nq[0]))
        w = 1;
    else if (w && (!p->nq[1] || (p->nq[1] <= c->write_low && p->nq[0])))
        w = 0;
    if (w != p->wmode) {
        p->wmode = w;
        ctrl_invalidate_pc(r, p);
    }
    fcfs_update(r, p);
}

/* A data command issued at t served request `s` of bank b of PC p of channel chn. */
static void dequeue(hbm_ctrl *r, unsigned chn, ctrl_pc *p, unsigned b, int32_t s, uint64_t t)
{
    ctrl_bank *k = &p->banks[b];
    ctrl_slot *q = &p->slots[s];
    const int dir = q->kind == HBM_REQ_WR;
    occupancy(p, t);
    if (k->head[dir] == s) {
        k->head[dir] = q->next, k->bypass = 0;
        if (k->head[dir] < 0)
            k->tail[dir] = -1;
    } else {
        int32_t i = k->head[dir];
        while (p->slots[i].next != s)
            i = p->slots[i].next;
        p->slots[i].next = q->next;
        if (k->tail[dir] == s)
            k->tail[dir] = i;
        k->bypass++;
    }
    q->next = p->free, p->free = s;
    p->nq[dir]--, r->nqch[chn]--;
    if (!p->nq[0] && !p->nq[1])
        p->empty_since = t;
    if (dir == 0) {
        uint64_t lat = t + r->c->nCL + r->c->nBL - q->arrival;
        r->lat_sum += (double)lat, r->lat_n++;
        if (lat < LAT_BUCKETS)
            r->lat[lat]++;
        else
            r->lat_over++;
        if (lat > r->lat_max)
            r->lat_max = lat;
        r->reads++;
    } else
        r->writes++;
    r->turns += p->last_dir >= 0 && p->last_dir != dir;
    p->last_dir = dir;
    ctrl_invalidate(p, b);
    mode_update(r, p);
}

/* The first and last data command's cycles. */
static void done_data(hbm_ctrl *r, unsigned op, uint64_t t)
{
    if (op == HBM_RD || op == HBM_WR || op == HBM_MACAB) {
        if (!r->any)
            r->first = t, r->any = 1;
        r->last = t;
    }
}

/* Issues c at t through the engine and keeps the candidates in step with the banks it touched; `proven`:
 * t is the scheduler's exact bound or the engine's last answer for c (hbm_issue_proven). */
int ctrl_issue(hbm_ctrl *r, const hbm_cmd *c, uint64_t t, int proven, char *err, size_t n)
{
    if ((proven ? hbm_issue_proven : hbm_issue)(r->h, c, t, err, n))
        return -1;
    const unsigned chn = ctrl_chn(r, c->st, c->ch);
    r->now[chn] = t;
    ctrl_model_issue(r, chn, c, t);
    const unsigned op = c->op;
    /* the other commands (MACs and the like) change nothing here but a due refresh's bound */
    const int mine = op == HBM_REFAB || op == HBM_REFPB || op == HBM_ACT || op == HBM_PRE || op == HBM_RD ||
                     op == HBM_WR || op == HBM_PREA || op == HBM_ACTAB || op == HBM_ACTBG;
    if (!mine && !r->nref[chn])
        return done_data(r, op, t), 0;
    const unsigned p0 = c->pc == HBM_PC_ALL ? 0 : c->pc, p1 = c->pc == HBM_PC_ALL ? r->c->pcs - 1 : c->pc;
    int rows = 0; /* a PC's allrow changed */
    for (unsigned pc = p0; pc <= p1; pc++) {
        ctrl_pc *p = ctrl_pcq(r, chn, pc);
        unsigned b = (c->sid * r->c->bank_groups + c->bg) * r->c->banks + c->ba;
        if (op != HBM_RD && op != HBM_WR &&
            !(r->c->ref_mode == HBM_REF_PERBANK && (op == HBM_ACT || op == HBM_PRE) && b != p->rbank))
            p->rlb = 0; /* the due refresh's next command may have changed */
        const int64_t allrow = p->allrow;
        switch (op) {
        case HBM_REFAB:
        case HBM_REFPB:
            r->nref[chn] -= p->rstate != 0;
            p->rstate = 0;
            ctrl_set_deadline(r, chn, pc, hbm_refresh_deadline(r->h, c->st, c->ch, pc));
            if (op == HBM_REFAB)
                ctrl_invalidate_pc(r, p);
            else
                ctrl_invalidate(p, b);
            break;
        case HBM_ACT:
            p->nopen += p->open[b] < 0, p->open[b] = c->row;
            p->allrow = r->nbk == 1 ? (int64_t)c->row : -1;
            ctrl_invalidate(p, b);
            break;
        case HBM_PRE:
            p->nopen -= p->open[b] >= 0, p->open[b] = -1;
            p->allrow = -1;
            ctrl_invalidate(p, b);
            break;
        case HBM_RD: case HBM_WR:
            ctrl_invalidate(p, b);
            break;
        case HBM_PREA: case HBM_ACTAB:
            for (unsigned i = 0; i < r->nbk; i++)
                p->open[i] = op == HBM_PREA ? -1 : (int64_t)c->row;
            p->nopen = op == HBM_PREA ? 0 : r->nbk;
            p->allrow = op == HBM_PREA ? -1 : (int64_t)c->row;
            ctrl_invalidate_pc(r, p);
            break;
        case HBM_ACTBG:
            sync_pc(r, chn, pc);
            ctrl_invalidate_pc(r, p);
            break;
        default:
            break;
        }
        rows |= p->allrow != allrow;
    }
    if (rows)
        chan_row(r, chn);
    done_data(r, op, t);
    return 0;
}

/* Issues the next command of channel chn if it goes before `limit`: returns 1, 0 (none before limit) or -1. */
int ctrl_step(hbm_ctrl *r, unsigned chn, uint64_t limit, char *err, size_t n)
{
    const hbm_cfg *c = r->c;
    ctrl_pc *const p0 = ctrl_pcq(r, chn, 0);
    for (;;) {
        uint64_t te;
        ctrl_pc *bp = NULL;
        int bi = ctrl_best(r, chn, &te, &bp, err, n);
        if (bi < -1)
            return -1;
        int changed = 0;
        /* the refreshes due by the next request command, or, with none, by the next arrival (limit). With
         * neither (back-pressure or a drain, every candidate waiting for a due refresh) only those due now:
         * a later one marked now would hold its PC's requests back until it issues, up to an interval */
        const uint64_t horizon = bi >= 0 ? te : limit != HBM_NEVER ? HBM_NEVER : r->now[chn];
        const uint64_t lo = r->rfl[chn]; /* no PC's refresh is due before it */
        if (lo < limit && lo <= horizon)
            for (unsigned pc = 0; pc < c->pcs; pc++) {
                ctrl_pc *p = &p0[pc];
                if (p->rstate)
                    continue;
                uint64_t due = ctrl_ref_pending(r, chn, pc);
                if (due < limit && due <= horizon) {
                    p->rstate = 1, p->rfrom = due, p->rlb = 0, changed = 1, r->nref[chn]++;
                    if (c->ref_mode == HBM_REF_PERBANK) {
                        p->rbank = hbm_refresh_next_bank(r->h, chn / c->channels, chn % c->channels, pc);
                        ctrl_invalidate(p, p->rbank);
                    } else
                        ctrl_invalidate_pc(r, p);
                }
            }
        if (changed)
            continue;
        uint64_t dmin = r->dmin[chn];
        int ok = bi >= 0 && (dmin == HBM_NEVER || te + r->guard <= dmin);
        /* each due refresh command's engine answer stays a lower bound while it is the same command: the
         * engine is asked only when one of them might go first */
        int ask = 0;
        for (unsigned pc = 0; r->nref[chn] && pc < c->pcs && !ask; pc++)
            ask = p0[pc].rstate && (!ok || ctrl_max(p0[pc].rlb, ctrl_max(r->now[chn], p0[pc].rfrom)) <= te);
        if (ask) {
            uint64_t tr = HBM_NEVER;
            hbm_cmd rc = {0};
            for (unsigned pc = 0; pc < c->pcs; pc++) {
                ctrl_pc *p = &p0[pc];
                hbm_cmd x;
                if (!p->rstate || ctrl_ref_cmd(r, chn, pc, &x))
                    continue;
                uint64_t e = hbm_earliest(r->h, &x, ctrl_max(r->now[chn], p->rfrom), NULL);
                p->rlb = e;
                if (e < tr)
                    tr = e, rc = x;
            }
            if (tr != HBM_NEVER && (tr <= te || !ok)) {
                if (tr >= limit)
                    return 0;
                return ctrl_issue(r, &rc, tr, 0, err, n) ? -1 : 1;
            }
        }
        if (bi < 0 || te >= limit)
            return 0;
        if (!ok)
            return snprintf(err, n, "controller: %s at cycle %llu is too close to a refresh deadline and no refresh "
                                    "is due (a bug)", hbm_op_name(bp->banks[bi].cmd.op),
                            (unsigned long long)te), -1;
        ctrl_bank *k = &bp->banks[bi];
        hbm_cmd x = k->cmd;
        int32_t s = k->slot;
        if (ctrl_issue(r, &x, te, 1, err, n)) /* te: ctrl_best's exact bound or the engine's answer */
            return -1;
        if (s >= 0)
            dequeue(r, chn, bp, (unsigned)bi, s, te);
        return 1;
    }
}

/* Issues commands of channel chn until the PCs p0..p1 have no request queued. */
static int drain(hbm_ctrl *r, unsigned chn, unsigned p0, unsigned p1, char *err, size_t n)
{
    for (unsigned pc = p0; pc <= p1 && r->nqch[chn]; pc++)
        while (ctrl_pcq(r, chn, pc)->nq[0] || ctrl_pcq(r, chn, pc)->nq[1]) {
            int k = ctrl_step(r, chn, HBM_NEVER, err, n);
            if (k < 0)
                return -1;
            if (k == 0)
                return snprintf(err, n, "controller: requests queued but no command can issue (a bug)"), -1;
        }
    return 0;
}

int hbm_ctrl_add(hbm_ctrl *r, const hbm_req *q, char *err, size_t n)
{
    const hbm_cfg *c = r->c;
    const unsigned chn = ctrl_chn(r, q->st, q->ch);
    uint64_t a = ctrl_max(q->arrival, r->clock);
    /* the commands that go before the arrival; none when it is not after the channel's last command (every
     * command issues at or after it). A refresh that became due before it is then found by the next step,
     * with the same start (its `due`), before any command of the new request. */
    for (int k; a > r->now[chn] && (k = ctrl_step(r, chn, a, err, n)) != 0;)
        if (k < 0)
            return -1;
    r->chused[chn] = 1;
    if (q->kind == HBM_REQ_MAC) {
        const unsigned p0 = q->pc == HBM_PC_ALL ? 0 : q->pc, p1 = q->pc == HBM_PC_ALL ? c->pcs - 1 : q->pc;
        for (unsigned pc = p0; pc <= p1; pc++)
            ctrl_pcq(r, chn, pc)->used = 1;
        if (drain(r, chn, p0, p1, err, n) || ctrl_mac(r, q, a, err, n))
            return -1;
        r->clock = a, r->macs++;
        return 0;
    }
    ctrl_pc *p = ctrl_pcq(r, chn, q->pc);
    const int dir = q->kind == HBM_REQ_WR;
    const unsigned cap = dir ? c->write_queue : c->read_queue;
    p->used = 1;
    while (p->nq[dir] >= cap) { /* back-pressure: wait for an entry */
        int k = ctrl_step(r, chn, HBM_NEVER, err, n);
        if (k < 0)
            return -1;
        if (k == 0)
            return snprintf(err, n, "controller: queue full but no command can issue (a bug)"), -1;
        if (p->nq[dir] < cap && r->now[chn] > a)
            r->stall += r->now[chn] - a, a = r->now[chn];
    }
    r->clock = a;
    occupancy(p, a);
    const unsigned b = ((unsigned)q->sid * c->bank_groups + q->bg) * c->banks + q->ba;
    int32_t s = p->free;
    ctrl_slot *sl = &p->slots[s];
    p->free = sl->next;
    *sl = (ctrl_slot){.arrival = a, .seq = r->seq++, .row = q->row, .col = q->col, .next = -1, .bank = (uint16_t)b,
                      .kind = q->kind};
    ctrl_bank *k = &p->banks[b];
    if (k->tail[dir] >= 0)
        p->slots[k->tail[dir]].next = s;
    else
        k->head[dir] = s;
    k->tail[dir] = s;
    p->nq[dir]++, r->nqch[chn]++;
    if (p->nq[dir] > p->occ_max[dir])
        p->occ_max[dir] = p->nq[dir];
    ctrl_invalidate(p, b);
    mode_update(r, p);
    return 0;
}

int hbm_ctrl_drain(hbm_ctrl *r, char *err, size_t n)
{
    for (unsigned chn = 0; chn < r->nch; chn++)
        if (drain(r, chn, 0, r->c->pcs - 1, err, n))
            return -1;
    return 0;
}

uint64_t hbm_ctrl_last_data(const hbm_ctrl *r) { return r->last; }

uint64_t hbm_ctrl_now(const hbm_ctrl *r)
{
    uint64_t m = 0;
    for (unsigned i = 0; i < r->nch; i++)
        m = ctrl_max(m, r->now[i]);
    return m;
}
