/* hbm_ctrl_ref.c — the controller's refresh policies, its in-order MAC requests, finishing and summary
 * (hbm_ctrl.h). The MAC path is the in-order controller that came before the queues (so the PIM stream of
 * `pimattn hbm --synthetic macab` is unchanged): refresh at the request's start when due, then each command
 * of the request at its earliest, refreshing first whenever that command would come too close to a
 * deadline. */
#include "hbm_ctrl_priv.h"

#include <stdio.h>
#include <stdlib.h>

/* How close to a refresh deadline a request's command may still issue: the bank it opens or uses must
 * be closed again (nRAS plus an all-bank ACT's activation stagger, nRTP, or the write recovery) and
 * precharged (nRP; and nRC after its ACT, should the engine ever charge ACT -> REF), and the refresh must
 * get past the PC's last REFPB (nRREFD) and the row bus. */
static uint64_t refresh_guard(const hbm_cfg *c)
{
    unsigned k = hbm_cfg_banks_per_pc(c);
    uint64_t stg = c->ab_act_faw && k > 4 ? (uint64_t)((k + 3) / 4 - 1) * c->nFAW : 0;
    uint64_t close = c->nRAS + stg, wr = (uint64_t)c->nCWL + c->nBL + c->nWR;
    close = ctrl_max(close, wr);
    close = ctrl_max(close, c->nRTP) + c->nRP;
    close = ctrl_max(close, c->nRC + stg);
    return close + c->nRREFD + 2ull * c->pcs;
}

void ctrl_ref_init(hbm_ctrl *r)
{
    const hbm_cfg *c = r->c;
    r->ref_i = c->ref_mode == HBM_REF_PERBANK ? hbm_cfg_nrefipb(c) : c->nREFI;
    r->guard = refresh_guard(c);
    /* eager: a PC's refresh is due once its deadline is within max(max_postpone, 1) intervals, i.e. once
     * its interval has ended, or with max_postpone 0 (where that is already too late) once it begins */
    r->slack = (uint64_t)(c->max_postpone ? c->max_postpone : 1) * r->ref_i;
}

/* The cycle from which PC pc of channel chn must refresh (HBM_NEVER with refresh off). */
uint64_t ctrl_ref_pending(const hbm_ctrl *r, unsigned chn, unsigned pc)
{
    const hbm_cfg *c = r->c;
    uint64_t d = ctrl_pcc(r, chn, pc)->dl;
    if (d == UINT64_MAX)
        return HBM_NEVER;
    uint64_t due = d + 1 - r->slack, forced = d + 1 > r->guard ? d + 1 - r->guard : 0;
    if (c->ref_policy == HBM_REFPOL_EAGER)
        return due < forced ? due : forced;
    uint64_t late = due + (uint64_t)c->postpone * r->ref_i;
    forced = forced < late ? forced : late;
    const ctrl_pc *p = &r->pcs[(size_t)chn * c->pcs + pc];
    if (p->nq[0] || p->nq[1])
        return forced;
    due = ctrl_max(due, p->empty_since);
    return due < forced ? due : forced;
}

/* No PC of channel chn has its refresh due before this (HBM_NEVER with refresh off): ctrl_ref_pending is
 * at least min(due, forced) of its deadline, both rising with it, and no deadline is below the smallest. */
uint64_t ctrl_ref_floor(const hbm_ctrl *r, unsigned chn)
{
    uint64_t d = r->dmin[chn];
    if (d == UINT64_MAX)
        return HBM_NEVER;
    uint64_t due = d + 1 - r->slack, forced = d + 1 > r->guard ? d + 1 - r->guard : 0;
    return due < forced ? due : forced;
}

/* The next command of PC pc's due refresh: PREA or REFAB; PRE or REFPB of the bank due. Returns 0. */
int ctrl_ref_cmd(const hbm_ctrl *r, unsigned chn, unsigned pc, hbm_cmd *x)
{
    const hbm_cfg *c = r->c;
    const unsigned st = chn / c->channels, ch = chn % c->channels;
    *x = (hbm_cmd){.st = (uint8_t)st, .ch = (uint8_t)ch, .pc = (uint8_t)pc};
    if (c->ref_mode == HBM_REF_ALLBANK) {
        x->op = ctrl_pc_any_open(r, chn, pc) ? HBM_PREA : HBM_REFAB;
        return 0;
    }
    unsigned i = r->pcs[(size_t)chn * c->pcs + pc].rbank;
    x->sid = (uint8_t)(i / (c->bank_groups * c->banks));
    x->bg = (uint8_t)(i / c->banks % c->bank_groups);
    x->ba = (uint8_t)(i % c->banks);
    x->op = ctrl_open_row(r, chn, pc, i) >= 0 ? HBM_PRE : HBM_REFPB;
    return 0;
}

/* ---- the in-order path (MAC requests, the final refresh) ----------------------------------------------- */

/* Issues c at its earliest cycle >= max(channel now, from). */
static int go(hbm_ctrl *r, const hbm_cmd *c, uint64_t from, char *err, size_t n)
{
    uint64_t now = r->now[ctrl_chn(r, c->st, c->ch)];
    uint64_t t = hbm_earliest(r->h, c, ctrl_max(from, now), NULL);
    if (t == HBM_NEVER) { /* illegal in this state: a controller bug; hbm_issue refuses it and says why */
        (void)hbm_issue(r->h, c, now, err, n);
        return -1;
    }
    return ctrl_issue(r, c, t, 0, err, n);
}

/* The PC of the channel nearest its refresh deadline (the first of those), if that is less than `slack`
 * after t, else -1. */
static int owing_pc(const hbm_ctrl *r, unsigned st, unsigned ch, uint64_t t, uint64_t slack)
{
    const unsigned chn = ctrl_chn(r, st, ch);
    return r->dmin[chn] < t + slack ? (int)r->dpc[chn] : -1;
}

/* Refreshes every PC of the channel whose deadline is less than `slack` after cycle t, the PC nearest its
 * deadline first so that none falls behind while another catches up; each at its earliest cycle. */
static int refresh_due(hbm_ctrl *r, unsigned st, unsigned ch, uint64_t t, uint64_t slack, char *err, size_t n)
{
    const hbm_cfg *c = r->c;
    for (int p; (p = owing_pc(r, st, ch, t, slack)) >= 0;) {
        hbm_cmd x = {.st = (uint8_t)st, .ch = (uint8_t)ch, .pc = (uint8_t)p};
        if (c->ref_mode == HBM_REF_ALLBANK) {
            if (ctrl_pc_any_open(r, ctrl_chn(r, st, ch), (unsigned)p)) {
                x.op = HBM_PREA;
                if (go(r, &x, 0, err, n))
                    return -1;
            }
            x.op = HBM_REFAB;
        } else {
            unsigned i = hbm_refresh_next_bank(r->h, st, ch, (unsigned)p);
            x.sid = (uint8_t)(i / (c->bank_groups * c->banks));
            x.bg = (uint8_t)(i / c->banks % c->bank_groups);
            x.ba = (uint8_t)(i % c->banks);
            if (ctrl_open_row(r, ctrl_chn(r, st, ch), (unsigned)p, i) >= 0) {
                x.op = HBM_PRE;
                if (go(r, &x, 0, err, n))
                    return -1;
            }
            x.op = HBM_REFPB;
        }
        if (go(r, &x, 0, err, n))
            return -1;
    }
    return 0;
}

static int mac_row_ready(const hbm_ctrl *r, const hbm_req *q)
{
    const unsigned chn = ctrl_chn(r, q->st, q->ch);
    if (q->pc == HBM_PC_ALL)
        return r->chrow[chn] == (int64_t)q->row;
    return ctrl_pcc(r, chn, q->pc)->allrow == (int64_t)q->row;
}

/* The MAC request's next command: PREA, ACTAB, then MACAB; returns 1 when it is the MACAB. */
static int mac_next(const hbm_ctrl *r, const hbm_req *q, hbm_cmd *c)
{
    *c = (hbm_cmd){.st = q->st, .ch = q->ch, .pc = q->pc, .row = q->row, .col = q->col};
    if (mac_row_ready(r, q))
        return c->op = HBM_MACAB, 1;
    unsigned p0 = q->pc == HBM_PC_ALL ? 0 : q->pc, p1 = q->pc == HBM_PC_ALL ? r->c->pcs - 1 : q->pc;
    int open = 0;
    for (unsigned p = p0; p <= p1; p++)
        open |= ctrl_pc_any_open(r, ctrl_chn(r, q->st, q->ch), p);
    c->op = open ? HBM_PREA : HBM_ACTAB;
    return 0;
}

/* Refresh rounds one request may need before it can issue: more means no command of it ever fits
 * between the refreshes the configuration demands (e.g. an ACTAB waiting nRFCpb after each REFPB). */
#define MAX_REFRESH_ROUNDS 64

int ctrl_mac(hbm_ctrl *r, const hbm_req *q, uint64_t from, char *err, size_t n)
{
    const hbm_cfg *cfg = r->c;
    const unsigned chn = ctrl_chn(r, q->st, q->ch);
    from = ctrl_max(from, r->now[chn]);
    /* at the start: eager refreshes what is due; postpone N lets N intervals be owed (the MAC is waiting) */
    uint64_t start = r->slack, pp = (uint64_t)cfg->postpone * r->ref_i;
    if (cfg->ref_policy == HBM_REFPOL_POSTPONE)
        start = ctrl_max(r->slack > pp ? r->slack - pp : 0, r->guard);
    uint64_t slack = ctrl_max(r->slack, r->guard);
    if (refresh_due(r, q->st, q->ch, from, start, err, n))
        return -1;
    int rounds = 0;
    for (int data = 0; !data;) {
        /* each command is also checked against the refresh deadlines at the cycle it would issue: a
         * request that waits (nRFC, nRFCpb, nRAS ...) may carry the channel up to the next one. A refresh
         * may close the request's row, so the request goes on from the banks' new state. */
        hbm_cmd c;
        data = mac_next(r, q, &c);
        uint64_t t = hbm_earliest(r->h, &c, ctrl_max(from, r->now[chn]), NULL);
        if (t != HBM_NEVER && owing_pc(r, q->st, q->ch, t, r->guard) >= 0) {
            if (++rounds > MAX_REFRESH_ROUNDS)
                return snprintf(err, n, "%s at cycle %llu cannot issue between the refreshes this configuration "
                                        "needs (refresh.max_postpone %u too small for its nRFC/nRFCpb)",
                                hbm_op_name(c.op), (unsigned long long)t, cfg->max_postpone),
                       -1;
            if (refresh_due(r, q->st, q->ch, t, slack, err, n))
                return -1;
            data = 0;
            continue;
        }
        if (t == HBM_NEVER ? go(r, &c, from, err, n) : ctrl_issue(r, &c, t, 0, err, n)) /* go: says why */
            return -1;
    }
    return 0;
}

int hbm_ctrl_finish(hbm_ctrl *r, char *err, size_t n)
{
    const hbm_cfg *c = r->c;
    if (hbm_ctrl_drain(r, err, n))
        return -1;
    uint64_t end = hbm_ctrl_now(r);
    /* the used channels first, then the idle ones, whose refresh is counted apart (hbm_ctrl_idle) */
    for (int pass = 0; pass < 2; pass++) {
        hbm_stats before = *hbm_get_stats(r->h);
        for (unsigned s = 0; s < c->stacks; s++)
            for (unsigned ch = 0; ch < c->channels; ch++)
                if (r->chused[ctrl_chn(r, s, ch)] == !pass && refresh_due(r, s, ch, end, r->slack, err, n))
                    return -1;
        if (pass)
            hbm_stats_diff(&before, hbm_get_stats(r->h), &r->idle);
    }
    return 0;
}

const hbm_stats *hbm_ctrl_idle(const hbm_ctrl *r) { return &r->idle; }

void hbm_ctrl_summarize(const hbm_ctrl *r, hbm_ctrl_summary *s)
{
    const hbm_cfg *c = r->c;
    *s = (hbm_ctrl_summary){.reads = r->reads, .writes = r->writes, .macs = r->macs, .first_data = r->first,
                            .last_data = r->last, .now = hbm_ctrl_now(r), .stall_cycles = r->stall,
                            .lat_max = r->lat_max, .turnarounds = r->turns};
    for (unsigned i = 0; i < r->nch; i++)
        s->channels_used += r->chused[i];
    double occ[2] = {0, 0};
    for (size_t i = 0; i < (size_t)r->nch * c->pcs; i++) {
        const ctrl_pc *p = &r->pcs[i];
        if (!p->used)
            continue;
        s->pcs_used++;
        for (int d = 0; d < 2; d++) {
            occ[d] += p->occ[d] + (double)p->nq[d] * (double)(s->now > p->occ_t ? s->now - p->occ_t : 0);
        }
        s->rq_max = p->occ_max[0] > s->rq_max ? p->occ_max[0] : s->rq_max;
        s->wq_max = p->occ_max[1] > s->wq_max ? p->occ_max[1] : s->wq_max;
    }
    double span = (double)(s->now ? s->now : 1) * (s->pcs_used ? s->pcs_used : 1);
    s->rq_avg = occ[0] / span, s->wq_avg = occ[1] / span;
    s->lat_avg = r->lat_n ? r->lat_sum / (double)r->lat_n : 0;
    uint64_t want = r->lat_n - r->lat_n / 100, seen = 0; /* the smallest latency at or above 99 % of reads */
    s->lat_p99 = r->lat_n ? LAT_BUCKETS : 0;
    for (uint64_t l = 0; r->lat_n && l < LAT_BUCKETS; l++)
        if ((seen += r->lat[l]) >= want && want) {
            s->lat_p99 = l;
            break;
        }
}
