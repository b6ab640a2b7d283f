/* hbm_run.c — in-order open-page controller with eager refresh (hbm_run.h). */
#include "hbm_run.h"

#include <stdlib.h>

struct hbm_run {
    hbm *h;
    uint64_t *now; /* per channel */
    uint8_t *used; /* per channel: a request went there */
    uint64_t first, last;
    int any;
    hbm_stats idle;    /* what hbm_run_finish spent refreshing channels no request used */
    unsigned nused;
};

hbm_run *hbm_run_new(hbm *h)
{
    const hbm_cfg *c = hbm_config(h);
    hbm_run *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->h = h;
    r->now = calloc((size_t)c->stacks * c->channels, sizeof *r->now);
    r->used = calloc((size_t)c->stacks * c->channels, 1);
    if (!r->now || !r->used) {
        hbm_run_free(r);
        return NULL;
    }
    return r;
}

void hbm_run_free(hbm_run *r)
{
    if (r)
        free(r->now), free(r->used), free(r);
}

/* Issues c at its earliest cycle >= max(channel now, from). */
static int go(hbm_run *r, const hbm_cmd *c, uint64_t from, char *err, size_t n)
{
    uint64_t *now = &r->now[(size_t)c->st * hbm_config(r->h)->channels + c->ch];
    uint64_t t = hbm_earliest(r->h, c, from > *now ? from : *now, NULL);
    if (t == HBM_NEVER) { /* illegal in this state: a controller bug; hbm_issue refuses it and says why */
        (void)hbm_issue(r->h, c, *now, err, n);
        return -1;
    }
    if (hbm_issue(r->h, c, t, err, n))
        return -1;
    *now = t;
    return 0;
}

static int pc_any_open(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    const hbm_cfg *c = hbm_config(h);
    for (unsigned s = 0; s < c->sids; s++)
        for (unsigned g = 0; g < c->bank_groups; g++)
            for (unsigned b = 0; b < c->banks; b++)
                if (hbm_open_row(h, st, ch, pc, s, g, b) >= 0)
                    return 1;
    return 0;
}

/* Refreshes every PC of the channel that owes a refresh at cycle t (eager: no postponement used). */
static int refresh_due(hbm_run *r, unsigned st, unsigned ch, uint64_t t, char *err, size_t n)
{
    const hbm_cfg *c = hbm_config(r->h);
    if (c->ref_mode == HBM_REF_OFF)
        return 0;
    uint64_t slack = (uint64_t)c->max_postpone * (c->ref_mode == HBM_REF_PERBANK ? hbm_cfg_nrefipb(c) : c->nREFI);
    for (;;) {
        /* the PC closest to its deadline first, so no PC falls behind while another catches up; a PC owes a
         * refresh (eager policy) once its deadline is within max_postpone intervals of t */
        unsigned p = 0;
        for (unsigned i = 1; i < c->pcs; i++)
            if (hbm_refresh_deadline(r->h, st, ch, i) < hbm_refresh_deadline(r->h, st, ch, p))
                p = i;
        if (hbm_refresh_deadline(r->h, st, ch, p) >= t + slack)
            break;
        hbm_cmd x = {.st = (uint8_t)st, .ch = (uint8_t)ch, .pc = (uint8_t)p};
        if (c->ref_mode == HBM_REF_ALLBANK) {
            if (pc_any_open(r->h, st, ch, p)) {
                x.op = HBM_PREA;
                if (go(r, &x, 0, err, n))
                    return -1;
            }
            x.op = HBM_REFAB;
        } else {
            unsigned i = hbm_refresh_next_bank(r->h, st, ch, p);
            x.sid = (uint8_t)(i / (c->bank_groups * c->banks));
            x.bg = (uint8_t)(i / c->banks % c->bank_groups);
            x.ba = (uint8_t)(i % c->banks);
            if (hbm_open_row(r->h, st, ch, p, x.sid, x.bg, x.ba) >= 0) {
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

static int mac_row_ready(const hbm *h, const hbm_req *q)
{
    const hbm_cfg *c = hbm_config(h);
    unsigned p0 = q->pc == HBM_PC_ALL ? 0 : q->pc, p1 = q->pc == HBM_PC_ALL ? c->pcs - 1 : q->pc;
    for (unsigned p = p0; p <= p1; p++)
        for (unsigned s = 0; s < c->sids; s++)
            for (unsigned g = 0; g < c->bank_groups; g++)
                for (unsigned b = 0; b < c->banks; b++)
                    if (hbm_open_row(h, q->st, q->ch, p, s, g, b) != (int64_t)q->row)
                        return 0;
    return 1;
}

int hbm_run_req(hbm_run *r, const hbm_req *q, char *err, size_t n)
{
    const size_t chn = (size_t)q->st * hbm_config(r->h)->channels + q->ch;
    uint64_t *now = &r->now[chn];
    r->nused += !r->used[chn];
    r->used[chn] = 1;
    uint64_t from = q->arrival > *now ? q->arrival : *now;
    if (refresh_due(r, q->st, q->ch, from, err, n))
        return -1;
    hbm_cmd c = {.st = q->st, .ch = q->ch, .pc = q->pc, .sid = q->sid, .bg = q->bg, .ba = q->ba, .row = q->row,
                 .col = q->col};
    if (q->kind == HBM_REQ_MAC) {
        if (!mac_row_ready(r->h, q)) {
            unsigned p0 = q->pc == HBM_PC_ALL ? 0 : q->pc, p1 = q->pc == HBM_PC_ALL ? hbm_config(r->h)->pcs - 1 : q->pc;
            int open = 0;
            for (unsigned p = p0; p <= p1; p++)
                open |= pc_any_open(r->h, q->st, q->ch, p);
            c.op = HBM_PREA;
            if (open && go(r, &c, from, err, n))
                return -1;
            c.op = HBM_ACTAB;
            if (go(r, &c, from, err, n))
                return -1;
        }
        c.op = HBM_MACAB;
    } else {
        int64_t open = hbm_open_row(r->h, q->st, q->ch, q->pc, q->sid, q->bg, q->ba);
        if (open >= 0 && open != (int64_t)q->row) {
            c.op = HBM_PRE;
            if (go(r, &c, from, err, n))
                return -1;
        }
        if (open != (int64_t)q->row) {
            c.op = HBM_ACT;
            if (go(r, &c, from, err, n))
                return -1;
        }
        c.op = q->kind == HBM_REQ_RD ? HBM_RD : HBM_WR;
    }
    if (go(r, &c, from, err, n))
        return -1;
    if (!r->any)
        r->first = *now, r->any = 1;
    r->last = *now;
    return 0;
}

uint64_t hbm_run_now(const hbm_run *r)
{
    const hbm_cfg *c = hbm_config(r->h);
    uint64_t m = 0;
    for (size_t i = 0; i < (size_t)c->stacks * c->channels; i++)
        if (r->now[i] > m)
            m = r->now[i];
    return m;
}

int hbm_run_finish(hbm_run *r, char *err, size_t n)
{
    const hbm_cfg *c = hbm_config(r->h);
    uint64_t end = hbm_run_now(r);
    /* the used channels first, then the idle ones, whose refresh is counted apart (hbm_run_idle) */
    for (int pass = 0; pass < 2; pass++) {
        hbm_stats before = *hbm_get_stats(r->h);
        for (unsigned s = 0; s < c->stacks; s++)
            for (unsigned ch = 0; ch < c->channels; ch++)
                if (r->used[(size_t)s * c->channels + ch] == !pass && refresh_due(r, s, ch, end, err, n))
                    return -1;
        if (pass)
            hbm_stats_diff(&before, hbm_get_stats(r->h), &r->idle);
    }
    return 0;
}

unsigned hbm_run_channels_used(const hbm_run *r) { return r->nused; }
const hbm_stats *hbm_run_idle(const hbm_run *r) { return &r->idle; }

uint64_t hbm_run_first_data(const hbm_run *r) { return r->first; }
uint64_t hbm_run_last_data(const hbm_run *r) { return r->last; }
