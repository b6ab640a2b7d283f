/* slo.c — the largest batch under a per-token latency SLO (system.h). */
#include "system.h"

#include <stdlib.h>
#include <string.h>

/* One generation at `batch` (lin cyclic): its point, kept in out; 0 or sys_gen's status. */
static int point(const sys_gen_cfg *c, const uint32_t *lin0, uint32_t nlin, uint32_t batch, sys_slo *out, char *err,
                 size_t n)
{
    for (uint32_t i = 0; i < out->npt; i++)
        if (out->pt[i].batch == batch)
            return 0;
    uint32_t *lin = malloc(batch * sizeof *lin);
    if (!lin)
        return snprintf(err, n, "out of memory"), -1;
    for (uint32_t b = 0; b < batch; b++)
        lin[b] = lin0[b % nlin];
    sys_gen_cfg t = *c;
    t.batch = batch;
    t.lin = lin;
    t.progress = NULL;
    sys_gen_res r;
    int rc = sys_gen(&t, &r, err, n);
    if (rc == 0) {
        sys_slo_point p = {batch, r.tpot_s, r.tokens_per_s_decode, r.joules_per_token};
        if (out->npt < sizeof out->pt / sizeof out->pt[0])
            out->pt[out->npt++] = p;
    }
    sys_gen_res_free(&r);
    free(lin);
    return rc;
}

static const sys_slo_point *find(const sys_slo *s, uint32_t batch)
{
    for (uint32_t i = 0; i < s->npt; i++)
        if (s->pt[i].batch == batch)
            return &s->pt[i];
    return NULL;
}

int sys_slo_search(const sys_gen_cfg *c, const uint32_t *lin, uint32_t nlin, double slo_s, sys_slo *out, char *err,
                   size_t n)
{
    memset(out, 0, sizeof *out);
    out->slo_s = slo_s;
    out->next_tpot_s = -1;
    out->max_batch = sys_max_batch(c, lin, nlin);
    uint32_t lo = 0, hi = out->max_batch + 1; /* lo meets the SLO (0: trivially), hi does not (or cannot run) */
    int rc = 0;
    if (out->max_batch && (rc = point(c, lin, nlin, out->max_batch, out, err, n)) == 0 &&
        find(out, out->max_batch)->tpot_s <= slo_s)
        lo = out->max_batch;
    while (rc == 0 && hi - lo > 1) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((rc = point(c, lin, nlin, mid, out, err, n)) == 0)
            *(find(out, mid)->tpot_s <= slo_s ? &lo : &hi) = mid;
    }
    if (rc || !lo)
        return rc;
    out->batch = lo;
    const sys_slo_point *p = find(out, lo);
    out->tpot_s = p->tpot_s;
    out->tokens_per_s = p->tokens_per_s;
    out->joules_per_token = p->joules_per_token;
    if (lo < out->max_batch && (rc = point(c, lin, nlin, lo + 1, out, err, n)) == 0)
        out->next_tpot_s = find(out, lo + 1)->tpot_s;
    return rc;
}
