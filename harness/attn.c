/* attn.c — a decode step's attention on HBM3-PIM, layer by layer and channel by channel (attn.h). */
#include "attn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "funcpool.h"
#include "mapping.h"

void attn_stats_diff(const hbm_stats *a, const hbm_stats *b, hbm_stats *o)
{
    for (int i = 0; i < HBM_NOPS; i++)
        o->cmds[i] = b->cmds[i] - a->cmds[i];
    o->ext_bytes = b->ext_bytes - a->ext_bytes;
    o->pim_bytes = b->pim_bytes - a->pim_bytes;
    o->row_hits = b->row_hits - a->row_hits;
    o->row_misses = b->row_misses - a->row_misses;
    o->refresh_cycles = b->refresh_cycles - a->refresh_cycles;
    o->data_busy = b->data_busy - a->data_busy;
    o->last_cycle = b->last_cycle;
    o->done_cycle = b->done_cycle;
#define DIFF_E(x) o->energy.x = b->energy.x - a->energy.x;
    HBM_ENERGY(DIFF_E)
#undef DIFF_E
}

void attn_res_free(attn_res *r)
{
    free(r->layer);
    r->layer = NULL;
}

typedef struct plan {
    map_geom g;
    size_t nitems, npass;
    func_item *items;
    uint32_t *item_ch, *row0, *ch_rows;
    sched_pass *pass; /* grouped by channel, in placement order */
    size_t *ch_first; /* first pass of each channel; ch_first[channels] = npass */
} plan;

static void plan_free(plan *p)
{
    free(p->items);
    free(p->item_ch);
    free(p->row0);
    free(p->ch_rows);
    free(p->pass);
    free(p->ch_first);
}

typedef struct placed_item {
    uint32_t ch, row0;
    size_t i;
} placed_item;

static int by_channel_row(const void *a, const void *b)
{
    const placed_item *x = a, *y = b;
    if (x->ch != y->ch)
        return x->ch < y->ch ? -1 : 1;
    return x->row0 < y->row0 ? -1 : x->row0 > y->row0;
}

/* Level 1 with `share` of every item's tokens in the stacks (the rest on the host, at least one token
 * stays); returns the most rows per bank any channel needs for all layers, *wch that channel. */
static uint64_t place(const attn_cfg *c, plan *p, uint32_t *L, const uint32_t *np, unsigned channels, double share,
                      attn_res *r, unsigned *wch)
{
    r->kv_bytes_host_layer = r->host_tokens = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        uint32_t full = p->items[i].L + p->items[i].L_host;
        uint32_t in = share >= 1.0 ? full : (uint32_t)(full * share);
        p->items[i].L = L[i] = in ? in : 1;
        p->items[i].L_host = full - p->items[i].L;
        r->host_tokens += p->items[i].L_host;
        r->kv_bytes_host_layer += 2ull * p->items[i].L_host * c->m.head_dim * 2;
    }
    map_plan(&p->g, p->nitems, L, np, channels, p->item_ch, p->row0, p->ch_rows);
    uint64_t worst = 0;
    for (unsigned ch = 0; ch < channels; ch++)
        if ((uint64_t)p->ch_rows[ch] * c->m.layers > worst)
            worst = (uint64_t)p->ch_rows[ch] * c->m.layers, *wch = ch;
    return worst;
}

/* Places the items, checks capacity, and lists each channel's passes. Returns 0, 2 (does not fit) or -1. */
static int make_plan(const attn_cfg *c, unsigned channels, plan *p, attn_res *r, char *err, size_t n)
{
    const model *m = &c->m;
    const uint32_t G = model_group(m), per_pass = c->systolic ? c->group : 1, passes = G / per_pass;
    p->nitems = (size_t)c->batch * m->kv_heads;
    p->items = malloc(p->nitems * sizeof *p->items);
    p->item_ch = malloc(p->nitems * sizeof *p->item_ch);
    p->row0 = malloc(p->nitems * sizeof *p->row0);
    p->ch_rows = malloc(channels * sizeof *p->ch_rows);
    uint32_t *L = malloc(p->nitems * sizeof *L), *np = malloc(p->nitems * sizeof *np); /* PIM tokens, passes */
    p->npass = p->nitems * passes;
    p->pass = malloc(p->npass * sizeof *p->pass);
    p->ch_first = calloc((size_t)channels + 1, sizeof *p->ch_first);
    if (!p->items || !p->item_ch || !p->row0 || !p->ch_rows || !L || !np || !p->pass || !p->ch_first) {
        free(L), free(np);
        return snprintf(err, n, "out of memory"), -1;
    }
    for (size_t i = 0; i < p->nitems; i++) {
        uint32_t req = (uint32_t)(i / m->kv_heads), len = c->ctx[req];
        if (m->window && len > m->window) /* a rolling KV cache keeps the window's tokens only */
            len = m->window;
        p->items[i] = (func_item){req, (uint32_t)(i % m->kv_heads), len, 0};
        np[i] = passes;
        r->kv_bytes_layer += 2ull * len * m->head_dim * 2;
    }
    const hbm_cfg *hc = &c->hbm;
    r->kv_bytes_needed = r->kv_bytes_layer * m->layers;
    r->kv_bytes_avail = (uint64_t)channels * hc->pcs * hbm_cfg_banks_per_pc(hc) * hc->rows * hbm_cfg_row_bytes(hc);
    /* place; with a host tier, the largest share of every item's tokens in the stacks that fits */
    unsigned wch = 0;
    uint64_t worst = place(c, p, L, np, channels, 1.0, r, &wch);
    if (worst > hc->rows && c->host_tier) {
        double lo = 0.0, hi = 1.0; /* share lo fits (at least 1 token per item), hi does not */
        for (int k = 0; k < 20; k++) {
            double mid = (lo + hi) / 2;
            if (place(c, p, L, np, channels, mid, r, &wch) <= hc->rows)
                lo = mid;
            else
                hi = mid;
        }
        worst = place(c, p, L, np, channels, lo, r, &wch);
    }
    if (worst > hc->rows) {
        free(L), free(np);
        return snprintf(err, n,
                        "the KV cache does not fit: %llu bytes needed (%u layers), %llu available in %u stack(s); "
                        "channel %u needs %llu rows per bank, a bank has %u (allowed: more --stacks, a smaller "
                        "--batch or --ctx, or --host-tier)",
                        (unsigned long long)r->kv_bytes_needed, m->layers, (unsigned long long)r->kv_bytes_avail,
                        hc->stacks, wch, (unsigned long long)worst, hc->rows),
               2;
    }
    free(L), free(np);
    /* passes grouped by channel, items in the order their rows were placed (row0 increasing) */
    placed_item *ord = malloc(p->nitems * sizeof *ord);
    if (!ord)
        return snprintf(err, n, "out of memory"), -1;
    for (size_t i = 0; i < p->nitems; i++)
        ord[i] = (placed_item){p->item_ch[i], p->row0[i], i};
    qsort(ord, p->nitems, sizeof *ord, by_channel_row);
    size_t k = 0;
    for (size_t o = 0; o < p->nitems; o++) {
        size_t i = ord[o].i;
        p->ch_first[ord[o].ch + 1] += passes;
        for (uint32_t h = 0; h < passes; h++, k++) {
            p->pass[k] = (sched_pass){.item = (uint32_t)i, .h0 = h * per_pass, .rows = per_pass};
            map_shape_of(&p->g, p->items[i].L, &p->pass[k].shape);
        }
    }
    for (unsigned ch = 0; ch < channels; ch++)
        p->ch_first[ch + 1] += p->ch_first[ch];
    free(ord);
    return 0;
}

int attn_run(const attn_cfg *c, attn_res *r, char *err, size_t n)
{
    memset(r, 0, sizeof *r);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    const hbm_cfg *hc = &c->hbm;
    const unsigned channels = hc->stacks * hc->channels;
    plan p;
    memset(&p, 0, sizeof p);
    if (map_geom_init(&p.g, hc->pcs, hbm_cfg_banks_per_pc(hc), hc->bank_groups, hc->banks, hc->columns, c->m.head_dim,
                      c->pingpong, err, n))
        return 2;
    int rc = make_plan(c, channels, &p, r, err, n);
    if (rc) {
        plan_free(&p);
        return rc;
    }
    if (r->host_tokens) { /* the host's part of a layer: round trip plus its K/V bytes at its bandwidth */
        double ns = c->host_latency_us * 1e3 + (double)r->kv_bytes_host_layer / c->host_gbs;
        r->host_cycles = (uint64_t)(ns * 1000.0 / hc->tck_ps) + 1;
    }
    r->items = (uint32_t)p.nitems;
    r->passes_per_layer = (uint32_t)p.npass;
    r->channels = channels;
    for (unsigned ch = 0; ch < channels; ch++)
        r->channels_used += p.ch_first[ch + 1] > p.ch_first[ch];
    /* functional passes: the numerics sample and everything on a channel with an RTL unit */
    size_t step = c->numerics && c->numerics < p.nitems ? (p.nitems + c->numerics - 1) / c->numerics : 1;
    for (unsigned ch = 0; ch < channels; ch++)
        for (size_t k = p.ch_first[ch]; k < p.ch_first[ch + 1]; k++)
            p.pass[k].functional = p.pass[k].item % step == 0 || (c->rtl_channel && c->rtl_channel[ch]);

    backend_cfg bc = {.gemv = {(int)(c->systolic ? c->group : 1), (int)p.g.words, 4, c->acc_fp32},
                      .smu = c->smu,
                      .banks_per_channel = p.g.units,
                      .channels = channels,
                      .rtl_gemv = c->rtl_gemv,
                      .rtl_smu = c->rtl_smu,
                      .rtl_bank = c->rtl_bank,
                      .rtl_channel = c->rtl_channel,
                      .seed = c->seed,
                      .wave_path = c->wave_path,
                      .wave_unit = c->wave_unit,
                      .wave_from = c->wave_from,
                      .wave_cycles = c->wave_cycles};
    if (c->rtl_gemv)
        bc.gemv = c->rtl_gemv->cfg;
    kvdata *data = NULL;
    if (c->data_path && !(data = kvdata_open(c->data_path, c->batch, c->m.kv_heads, c->m.head_dim, model_group(&c->m),
                                             c->ctx, err, n))) {
        plan_free(&p);
        return 2;
    }
    hbm *h = hbm_new(hc);
    backend *be = h ? backend_new(&bc, err, n) : NULL;
    fpool *pool = NULL;
    sched_hooks hk_pool;
    func_cfg fc = {.g = &p.g, .items = p.items, .head_dim = c->m.head_dim, .group = model_group(&c->m),
                   .acc_fp32 = c->acc_fp32, .splitk = c->splitk, .smu = c->smu, .ring = (unsigned)bc.gemv.depth,
                   .seed = c->seed, .logit_scale = c->logit_scale, .be = be, .data = data, .on_output = c->on_output,
                   .out_ctx = c->out_ctx};
    func *f = be ? func_new(&fc) : NULL;
    r->layer = calloc(c->layers, sizeof *r->layer);
    if (!h || !be || !f || !r->layer) {
        if (h && be)
            snprintf(err, n, "out of memory");
        rc = -1;
        goto out;
    }
    /* the numbers on worker threads: fast mode only (rtl units are clocked in issue order) */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = c->threads ? c->threads : ncpu > 1 ? (unsigned)(ncpu < 64 ? ncpu : 64) : 1;
    if (threads > 1 && !c->rtl_gemv && !c->rtl_smu) {
        fpool_data fd = {c->data_path, c->batch, c->m.kv_heads, c->m.head_dim, model_group(&c->m), c->ctx};
        if (!(pool = fpool_new(&fc, c->data_path ? &fd : NULL, threads - 1, err, n))) {
            rc = -1;
            goto out;
        }
    }
    if (c->log)
        hbm_set_log(h, c->log);
    char herr[1024];
    sched_hooks hk, *use = &hk;
    func_hooks(f, &hk, herr, sizeof herr);
    sched_cfg sc = {.splitk = c->splitk, .sm_lanes = (unsigned)c->smu.lanes, .score_bytes = c->acc_fp32 ? 4u : 2u,
                    .out_bytes = c->acc_fp32 ? 4u : 2u, .ring = (unsigned)bc.gemv.depth, .head_dim = c->m.head_dim};
    uint64_t start = 0;
    for (uint32_t l = 0; l < c->layers && rc == 0; l++) {
        attn_layer *ly = &r->layer[l];
        hbm_stats before = *hbm_get_stats(h);
        uint64_t end = start, busiest = 0, idlest = UINT64_MAX;
        uint64_t resume = start; /* when every channel has paid its refresh debt */
        for (unsigned ch = 0; ch < channels && rc == 0; ch++) {
            size_t k0 = p.ch_first[ch], np = p.ch_first[ch + 1] - k0;
            uint64_t ch_last = start; /* the channel's last command: its refresh debt is paid from there */
            sc.st = ch / hc->channels;
            sc.ch = ch % hc->channels;
            if (np) {
                for (size_t k = k0; k < k0 + np; k++) {
                    sched_pass *s = &p.pass[k];
                    s->k_row = p.row0[s->item] + l * p.ch_rows[ch];
                    s->v_row = s->k_row + s->shape.k_bank_rows;
                    s->host_ready = p.items[s->item].L_host ? start + r->host_cycles : 0;
                }
                if (pool)
                    fpool_begin(pool, ch, l, use = &hk_pool, herr, sizeof herr);
                else
                    func_begin_channel(f, ch, l);
                sched_stats ss;
                if (sched_channel(h, &p.g, &sc, &p.pass[k0], np, start, use, &ss, err, n)) {
                    rc = 1;
                    break;
                }
                int sr = pool ? fpool_submit(pool, err, n) : 0;
                if (sr) {
                    rc = sr < 0 ? -1 : 1;
                    break;
                }
                ch_last = ss.last_issue;
                end = ss.end > end ? ss.end : end;
                busiest = ss.end - start > busiest ? ss.end - start : busiest;
                idlest = ss.end - start < idlest ? ss.end - start : idlest;
                ly->mac_cmds += ss.mac_cmds;
                ly->refreshes += ss.refreshes;
                ly->sfm_cycles += ss.sfm_cycles;
                ly->bank_busy += ss.bank_busy;
                ly->datapath = ss.datapath > ly->datapath ? ss.datapath : ly->datapath;
            }
            /* the refresh debt is paid once the channel's attention is done (the xPU's FC layers follow) */
            uint64_t paid;
            if (sched_refresh_catchup(h, sc.st, sc.ch, ch_last, &paid, err, n)) {
                rc = 1;
                break;
            }
            resume = paid > resume ? paid : resume;
            if (c->progress)
                c->progress(c->progress_ctx, (l + (ch + 1.0) / channels) / c->layers);
        }
        ly->start = start;
        ly->cycles = end - start;
        ly->busiest_channel_cycles = busiest;
        ly->idlest_channel_cycles = idlest == UINT64_MAX ? 0 : idlest;
        attn_stats_diff(&before, hbm_get_stats(h), &ly->hbm);
        if (!pool) /* else filled in by fpool_finish */
            func_take_stats(f, &ly->num);
        ly->refresh_after = resume > end ? resume - end : 0;
        start = resume > end ? resume : end;
        r->layers = l + 1;
    }
    if (pool) { /* every job submitted precedes a timing failure: its error comes first */
        func_stats *st = calloc(c->layers, sizeof *st);
        char ferr[1024];
        if (!st)
            rc = -1, snprintf(err, n, "out of memory");
        else if (fpool_finish(pool, st, c->layers, ferr, sizeof ferr))
            rc = 1, snprintf(err, n, "%s", ferr);
        for (uint32_t l = 0; st && l < c->layers; l++)
            r->layer[l].num = st[l];
        free(st);
    }
    if (rc == 0 && backend_finish(be, err, n))
        rc = 1;
    r->hbm = *hbm_get_stats(h);
    r->be = *backend_get_stats(be);
out:
    fpool_free(pool);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    func_free(f);
    backend_free(be);
    hbm_free(h);
    kvdata_close(data);
    plan_free(&p);
    return rc;
}
