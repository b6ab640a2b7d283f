/* attn.c — a decode step's attention on HBM3-PIM, layer by layer and channel by channel (attn.h). */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chanrun.h"
#include "funcpool.h"
#include "mapping.h"
#include "place.h"
#include "plan.h"

void attn_res_free(attn_res *r)
{
    free(r->layer);
    r->layer = NULL;
}

/* The state of one run, shared by the layer's steps. */
typedef struct run_ctx {
    const attn_cfg *c;
    attn_res *r;
    plan p;
    hbm *h;
    func *f;
    sched_cfg sc;
    sched_hooks hk, hk_pool; /* the functional model's hooks; the recording ones of the worker pool */
    char herr[1024];
    fpool *pool;             /* fast mode with threads: the numbers on workers (funcpool.h) */
    double scale_pj;      /* INT8: the units' FP32 scaling per layer (int8_scale_ops), pJ */
    uint64_t *merge_done; /* per pass, this layer */
    uint64_t *pass_of;    /* per part: the index of its first pass */
    kvdata *data;         /* --data, or NULL */
    backend *be;
    fp32_t **part_store;  /* with worker threads: the split items' parts between their merges */
    unsigned timing_workers; /* threads scheduling channels beside the calling one (chanrun.h) */
    sched_stats *chst;       /* per channel, this layer */
} run_ctx;

/* chan_run's callbacks (chanrun.h): the hooks of a channel with a functional pass, the worker pool's
 * recording around it, progress. */
typedef struct layer_ctx {
    run_ctx *x;
    uint32_t l;
} layer_ctx;

static const sched_hooks *channel_hooks(void *ctx, unsigned ch)
{
    run_ctx *x = ((layer_ctx *)ctx)->x;
    for (size_t k = x->p.ch_first[ch]; k < x->p.ch_first[ch + 1]; k++)
        if (x->p.pass[k].functional)
            return x->pool ? &x->hk_pool : &x->hk;
    return NULL;
}

static void channel_begin(void *ctx, unsigned ch)
{
    layer_ctx *lc = ctx;
    if (lc->x->pool)
        fpool_begin(lc->x->pool, ch, lc->l, &lc->x->hk_pool, lc->x->herr, sizeof lc->x->herr);
    else
        func_begin_channel(lc->x->f, ch, lc->l);
}

static int channel_end(void *ctx, unsigned ch, char *err, size_t n)
{
    (void)ch;
    run_ctx *x = ((layer_ctx *)ctx)->x;
    int sr = x->pool ? fpool_submit(x->pool, err, n) : 0;
    return sr < 0 ? -1 : sr;
}

static void channel_progress(void *ctx, unsigned done)
{
    const layer_ctx *lc = ctx;
    const attn_cfg *c = lc->x->c;
    if (c->progress)
        c->progress(c->progress_ctx, (lc->l + (double)done / (c->hbm.stacks * c->hbm.channels)) / c->layers);
}

/* Every channel's passes of layer l from `start` (chanrun.h); *end, and the layer's counters. 0 or
 * nonzero (err). */
static int schedule_channels(run_ctx *x, uint32_t l, uint64_t start, uint64_t *end, char *err, size_t n)
{
    const hbm_cfg *hc = &x->c->hbm;
    const unsigned channels = hc->stacks * hc->channels;
    attn_layer *ly = &x->r->layer[l];
    for (unsigned ch = 0; ch < channels; ch++)
        for (size_t k = x->p.ch_first[ch]; k < x->p.ch_first[ch + 1]; k++) {
            sched_pass *s = &x->p.pass[k];
            const func_item *it = &x->p.items[s->item];
            s->k_row = x->p.row0[s->item] + l * x->p.ch_rows[ch];
            s->v_row = s->k_row + s->shape.k_bank_rows;
            s->host_ready = it->L_host && it->nparts == 1 ? start + x->r->host_cycles : 0;
        }
    if (x->c->place) /* the hazard checker's placement file (place.h) */
        place_write_layer(x->c->place, x->c, &x->p, &x->sc, l, start, x->r->host_cycles);
    layer_ctx lc = {x, l};
    chan_run cr = {.h = x->h, .g = &x->p.g, .sc = &x->sc, .pass = x->p.pass, .ch_first = x->p.ch_first,
                   .merge_done = x->merge_done, .channels = channels, .per_stack = hc->channels, .start = start,
                   .workers = x->timing_workers, .ctx = &lc, .hooks_of = channel_hooks, .begin = channel_begin,
                   .end = channel_end, .progress = channel_progress};
    int rc = chan_run_layer(&cr, x->chst, err, n);
    if (rc)
        return rc;
    uint64_t busiest = 0, idlest = UINT64_MAX;
    for (unsigned ch = 0; ch < channels; ch++) {
        if (x->p.ch_first[ch + 1] == x->p.ch_first[ch])
            continue;
        const sched_stats *ss = &x->chst[ch];
        *end = ss->end > *end ? ss->end : *end;
        busiest = ss->end - start > busiest ? ss->end - start : busiest;
        idlest = ss->end - start < idlest ? ss->end - start : idlest;
        ly->mac_cmds += ss->mac_cmds;
        ly->refreshes += ss->refreshes;
        ly->sfm_cycles += ss->sfm_cycles;
        ly->bank_busy += ss->bank_busy;
        ly->datapath = ss->datapath > ly->datapath ? ss->datapath : ly->datapath;
    }
    ly->busiest_channel_cycles = busiest;
    ly->idlest_channel_cycles = idlest == UINT64_MAX ? 0 : idlest;
    return 0;
}

typedef struct part_merge {
    uint32_t owner, ch;
    uint64_t ready;
} part_merge;

static int by_channel_ready(const void *a, const void *b)
{
    const part_merge *x = a, *y = b;
    if (x->ch != y->ch)
        return x->ch < y->ch ? -1 : 1;
    return x->ready < y->ready ? -1 : x->ready > y->ready;
}

/* The final merges of the split items (plan.h): on the owner channel's softmax unit, one SFM of
 * G x merge cycles once every part's merge is done (and the host's partial is in), in ready order per
 * channel. *end grows to their completion. 0, 1 (err) or -1 (no memory). */
static int merge_parts(run_ctx *x, uint32_t l, uint64_t start, uint64_t *end, char *err, size_t n)
{
    if (!x->p.nsplit)
        return 0;
    const hbm_cfg *hc = &x->c->hbm;
    const uint32_t G = model_group(&x->c->m), passes = G / (x->c->systolic ? x->c->group : 1);
    part_merge *pm = malloc(x->p.nsplit * sizeof *pm);
    if (!pm)
        return snprintf(err, n, "out of memory"), -1;
    size_t k = 0;
    for (size_t i = 0; i < x->p.nitems; i++) {
        const func_item *it = &x->p.items[i];
        if (it->nparts == 1 || it->part)
            continue;
        uint64_t ready = it->L_host ? start + x->r->host_cycles : 0;
        for (uint32_t j = 0; j < it->nparts; j++)
            for (uint32_t q = 0; q < passes; q++)
                ready = x->merge_done[x->pass_of[i + j] + q] > ready ? x->merge_done[x->pass_of[i + j] + q] : ready;
        pm[k++] = (part_merge){(uint32_t)i, x->p.item_ch[i], ready};
    }
    qsort(pm, k, sizeof *pm, by_channel_ready);
    int rc = 0;
    for (size_t m = 0; m < k && rc == 0; m++) {
        const func_item *it = &x->p.items[pm[m].owner];
        hbm_cmd c = {.op = HBM_SFM, .st = (uint8_t)(pm[m].ch / hc->channels), .ch = (uint8_t)(pm[m].ch % hc->channels)};
        c.n = (uint32_t)(G * sched_sfm_merge_cycles(it->nparts + (it->L_host > 0), x->c->m.head_dim,
                                                    (unsigned)x->c->smu.lanes));
        uint64_t from = pm[m].ready, t = HBM_NEVER, paid;
        /* the channel, idle while it waits, pays its refresh debt up to the merge, which then has room; the
         * merge may wait longer (the softmax unit busy with a long row): then what is owed by when it goes */
        if (sched_refresh_catchup(x->h, c.st, c.ch, from, &paid, err, n)) {
            rc = 1;
            break;
        }
        for (uint64_t owed = 0;;) {
            uint64_t last = hbm_channel_last(x->h, c.st, c.ch);
            t = hbm_earliest(x->h, &c, from > last ? from : last, NULL);
            if (t == HBM_NEVER || t <= owed)
                break;
            if (sched_refresh_owed(x->h, c.st, c.ch, t, &paid, err, n)) {
                rc = 1;
                break;
            }
            owed = t;
        }
        if (rc)
            break;
        if (t == HBM_NEVER || hbm_issue(x->h, &c, t, err, n)) {
            if (t == HBM_NEVER)
                snprintf(err, n, "scheduler bug: the final merge of a split item is refused on channel %u", pm[m].ch);
            rc = 1;
            break;
        }
        *end = t + c.n > *end ? t + c.n : *end;
        x->r->layer[l].sfm_cycles += c.n;
        if (!x->p.pass[x->pass_of[pm[m].owner]].functional)
            continue;
        if (x->pool) {
            if (fpool_part_merge(x->pool, l, pm[m].ch, pm[m].owner, t, err, n))
                rc = -1;
            continue;
        }
        func_begin_channel(x->f, pm[m].ch, l);
        if (func_part_merge(x->f, pm[m].owner, t))
            rc = 1, snprintf(err, n, "%s", x->hk.err);
    }
    free(pm);
    if (rc == 0 && x->pool) { /* after every channel's jobs of the layer, before any of the next */
        int sr = fpool_submit(x->pool, err, n);
        rc = sr < 0 ? -1 : sr;
    }
    return rc;
}

/* Once every channel's attention is done (the xPU's FC layers follow), each channel pays its refresh debt
 * at the layer's end and is kept usable until the next layer starts; paying takes time, so the channels
 * are caught up to the later cycle again until none needs more (a channel that finished early, or idled
 * through the layer, must not pass a deadline while another still refreshes). *resume: in, the layer's
 * end; out, the next layer's start. */
static int refresh_settle(hbm *h, unsigned channels, uint64_t *resume, char *err, size_t n)
{
    const unsigned per_stack = hbm_config(h)->channels;
    for (int round = 0; round < 64; round++) {
        uint64_t next = *resume;
        for (unsigned ch = 0; ch < channels; ch++) {
            uint64_t paid;
            if (sched_refresh_catchup(h, ch / per_stack, ch % per_stack, *resume, &paid, err, n))
                return -1;
            next = paid > next ? paid : next;
        }
        if (next == *resume)
            return 0;
        *resume = next;
    }
    return snprintf(err, n, "scheduler bug: the refresh catch-up between layers does not settle"), -1;
}

/* One layer from `start`: the channels' passes, the split items' merges, then each channel's refresh debt
 * paid (the xPU's FC layers follow). *next = when every channel is free again. 0 or nonzero (err). */
static int run_layer(run_ctx *x, uint32_t l, uint64_t start, uint64_t *next, char *err, size_t n)
{
    const hbm_cfg *hc = &x->c->hbm;
    const unsigned channels = hc->stacks * hc->channels;
    attn_layer *ly = &x->r->layer[l];
    hbm_stats before = *hbm_get_stats(x->h);
    uint64_t end = start;
    int rc = schedule_channels(x, l, start, &end, err, n);
    if (rc == 0)
        rc = merge_parts(x, l, start, &end, err, n);
    uint64_t resume = end; /* when every channel has paid its refresh debt */
    if (rc == 0 && refresh_settle(x->h, channels, &resume, err, n))
        rc = 1;
    ly->start = start;
    ly->cycles = end - start;
    hbm_stats_diff(&before, hbm_get_stats(x->h), &ly->hbm);
    ly->hbm.energy.alu += x->scale_pj;
    if (!x->pool) /* else filled in by fpool_finish */
        func_take_stats(x->f, &ly->num);
    ly->refresh_after = resume > end ? resume - end : 0;
    *next = resume > end ? resume : end;
    return rc;
}


/* The FP32 scalings of a layer's INT8 units: for every query head of every part, each score once (its INT32
 * dot times sq x sb) and each 32-token word of each V partition once per dimension (its INT32 partial times
 * sp x sb, added to the accumulator): csim/gemv.h's applies, counted from the placement. */
static uint64_t int8_scale_ops(const attn_cfg *c, const plan *p)
{
    uint64_t ops = 0;
    for (size_t i = 0; i < p->nitems; i++) {
        const uint32_t L = p->items[i].L;
        map_shape s;
        map_shape_of(&p->g, L, &s);
        uint64_t words = 0;
        for (uint32_t t0 = 0; t0 < L; t0 += s.nt)
            words += ((L - t0 < s.nt ? L - t0 : s.nt) + 31) / 32;
        ops += (uint64_t)model_group(&c->m) * (L + (uint64_t)c->m.head_dim * words);
    }
    return ops;
}

/* The plan's figures into the result. */
static void plan_results(const attn_cfg *c, const plan *p, attn_res *r)
{
    const unsigned channels = c->hbm.stacks * c->hbm.channels;
    r->kv_bytes_layer = p->kv_bytes_layer;
    r->kv_bytes_needed = p->kv_bytes_needed;
    r->kv_bytes_avail = p->kv_bytes_avail;
    r->kv_bytes_host_layer = p->kv_bytes_host_layer;
    r->host_tokens = p->host_tokens;
    if (r->host_tokens) { /* the host's part of a layer: round trip plus its K/V bytes at its bandwidth */
        double ns = c->host_latency_us * 1e3 + (double)r->kv_bytes_host_layer / c->host_gbs;
        r->host_cycles = (uint64_t)(ns * 1000.0 / c->hbm.tck_ps) + 1;
    }
    r->items = (uint32_t)p->nlogical;
    r->parts = (uint32_t)p->nitems;
    r->split_items = (uint32_t)p->nsplit;
    r->passes_per_layer = (uint32_t)p->npass;
    r->channels = channels;
    for (unsigned ch = 0; ch < channels; ch++)
        r->channels_used += p->ch_first[ch + 1] > p->ch_first[ch];
}

/* The functional passes of layer l: the numerics sample (whole items: every part of a sampled item) and
 * everything on a channel with an RTL unit; x->pass_of filled in. */
static void mark_functional(run_ctx *x, uint32_t l)
{
    const attn_cfg *c = x->c;
    plan *p = &x->p;
    const unsigned channels = c->hbm.stacks * c->hbm.channels;
    size_t step = c->numerics && c->numerics < p->nlogical ? (p->nlogical + c->numerics - 1) / c->numerics : 1;
    size_t first = 0;
    if (l > 0 && c->numerics_later) { /* at least one item per layer */
        step = c->numerics_later < p->nlogical ? c->numerics_later : (p->nlogical ? p->nlogical : 1);
        first = l % step;
    }
    for (unsigned ch = 0; ch < channels; ch++)
        for (size_t k = p->ch_first[ch]; k < p->ch_first[ch + 1]; k++) {
            const func_item *it = &p->items[p->pass[k].item];
            size_t logical = (size_t)it->req * c->m.kv_heads + it->kvh;
            p->pass[k].functional = logical % step == first || (c->rtl_channel && c->rtl_channel[ch]);
            if (k == p->ch_first[ch] || p->pass[k - 1].item != p->pass[k].item)
                x->pass_of[p->pass[k].item] = k;
        }
    /* a split item is checked when any of its parts is: all its parts then compute */
    for (size_t k = 0; k < p->npass; k++)
        if (p->pass[k].functional)
            for (size_t j = p->owner[p->pass[k].item]; j < p->nitems && p->owner[j] == p->owner[p->pass[k].item]; j++)
                for (size_t q = x->pass_of[j]; q < p->npass && p->pass[q].item == j; q++)
                    p->pass[q].functional = 1;
}

/* The data file, the timing engine, the units (backend), the functional model and, in fast mode with
 * more than one thread, its worker pool. 0, -1 or 2 (bad --data), with err. */
static int open_units(run_ctx *x, char *err, size_t n)
{
    const attn_cfg *c = x->c;
    plan *p = &x->p;
    backend_cfg bc = {.gemv = {(int)(c->systolic ? c->group : 1), (int)p->g.words, 4, c->acc_fp32, c->kv_fmt},
                      .smu = c->smu,
                      .banks_per_channel = p->g.units,
                      .channels = c->hbm.stacks * c->hbm.channels,
                      .rtl = c->rtl,
                      .rtl_gemv_build = c->rtl_gemv_build,
                      .rtl_smu_build = c->rtl_smu_build,
                      .rtl_bank = c->rtl_bank,
                      .rtl_channel = c->rtl_channel,
                      .seed = c->seed,
                      .wave_path = c->wave_path,
                      .wave_unit = c->wave_unit,
                      .wave_from = c->wave_from,
                      .wave_cycles = c->wave_cycles};
    if (c->data_path) {
        int k = snprintf(err, n, "--data: ");
        if (!(x->data = kvdata_open(c->data_path, c->batch, c->m.kv_heads, c->m.head_dim, model_group(&c->m), c->ctx,
                                    err + k, n - (size_t)k)))
            return 2;
    }
    /* the MACs a burst feeds (energy): gemv_lanes per row, G rows in a systolic unit; an INT8 unit has
     * twice the lanes per burst, and INT8 MACs */
    hbm_cfg hc = c->hbm;
    hc.gemv_lanes *= c->systolic ? c->group : 1;
    if (c->kv_fmt == GEMV_KV_INT8)
        hc.gemv_lanes *= 2, hc.e_mac = hc.e_mac8;
    if (!(x->h = hbm_new(&hc)))
        return snprintf(err, n, "out of memory"), -1;
    if (!(x->be = backend_new(&bc, err, n)))
        return -1;
    func_cfg fc = {.g = &p->g, .items = p->items, .nitems = p->nitems, .head_dim = c->m.head_dim,
                   .group = model_group(&c->m), .acc_fp32 = c->acc_fp32, .kv_fmt = c->kv_fmt, .splitk = c->splitk,
                   .smu = c->smu,
                   .ring = (unsigned)bc.gemv.depth, .seed = c->seed, .logit_scale = c->logit_scale, .be = x->be,
                   .data = x->data, .on_output = c->on_output, .out_ctx = c->out_ctx, .max_rel_l2 = c->max_rel_l2};
    if (!(x->f = func_new(&fc)))
        return snprintf(err, n, "out of memory"), -1;
    /* the numbers on worker threads: fast mode only (rtl units are clocked in issue order) */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = c->threads ? c->threads : ncpu > 1 ? (unsigned)(ncpu < 64 ? ncpu : 64) : 1;
    if (threads > 1 && !c->rtl) {
        fpool_data fd = {c->data_path, c->batch, c->m.kv_heads, c->m.head_dim, model_group(&c->m), c->ctx};
        if (!(x->part_store = calloc(p->nitems, sizeof *x->part_store)))
            return snprintf(err, n, "out of memory"), -1;
        fc.part_store = x->part_store; /* a part's merge and its item's final merge may run on different threads */
        if (!(x->pool = fpool_new(&fc, c->data_path ? &fd : NULL, threads - 1, err, n)))
            return -1;
    }
    if (c->log)
        hbm_set_log(x->h, c->log);
    /* timing threads: none with a command log (one channel after the other, as the log has them) */
    x->timing_workers = c->log ? 0 : threads - 1;
    if (!(x->chst = calloc((size_t)c->hbm.stacks * c->hbm.channels, sizeof *x->chst)))
        return snprintf(err, n, "out of memory"), -1;
    func_hooks(x->f, &x->hk, x->herr, sizeof x->herr);
    x->sc = (sched_cfg){.splitk = c->splitk, .sm_lanes = (unsigned)c->smu.lanes, .score_bytes = c->acc_fp32 ? 4u : 2u,
                        .out_bytes = c->acc_fp32 ? 4u : 2u, .ring = (unsigned)bc.gemv.depth, .head_dim = c->m.head_dim};
    return 0;
}

/* The worker pool's statistics per layer; every job submitted precedes a timing failure, so its error
 * comes first. 0, or nonzero with err. */
static int finish_pool(run_ctx *x, char *err, size_t n)
{
    const uint32_t layers = x->c->layers;
    func_stats *st = calloc(layers, sizeof *st);
    char ferr[1024];
    int rc = 0;
    if (!st)
        rc = -1, snprintf(err, n, "out of memory");
    else if (fpool_finish(x->pool, st, layers, ferr, sizeof ferr))
        rc = 1, snprintf(err, n, "%s", ferr);
    for (uint32_t l = 0; st && l < layers; l++)
        x->r->layer[l].num = st[l];
    free(st);
    return rc;
}

static void close_run(run_ctx *x)
{
    fpool_free(x->pool);
    for (size_t i = 0; x->part_store && i < x->p.nitems; i++)
        free(x->part_store[i]);
    free(x->part_store);
    func_free(x->f);
    backend_free(x->be);
    hbm_free(x->h);
    kvdata_close(x->data);
    free(x->merge_done), free(x->pass_of), free(x->chst);
    plan_free(&x->p);
}

static plan_cfg plan_cfg_of(const attn_cfg *c)
{
    return (plan_cfg){.m = &c->m, .hbm = &c->hbm, .batch = c->batch, .ctx = c->ctx, .systolic = c->systolic,
                      .pingpong = c->pingpong, .group = c->group, .split = c->split, .host_tier = c->host_tier,
                      .kv_fmt = c->kv_fmt, .kv_block = c->kv_block, .fit_hint = c->fit_hint};
}

int attn_fits(const attn_cfg *c, uint64_t *needed, uint64_t *avail, char *err, size_t n)
{
    plan p;
    plan_cfg pc = plan_cfg_of(c);
    int rc = plan_make(&pc, &p, err, n);
    *needed = p.kv_bytes_needed;
    *avail = p.kv_bytes_avail;
    plan_free(&p);
    return rc;
}

int attn_run(const attn_cfg *c, attn_res *r, char *err, size_t n)
{
    memset(r, 0, sizeof *r);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    run_ctx x = {.c = c, .r = r};
    plan_cfg pc = plan_cfg_of(c);
    int rc = plan_make(&pc, &x.p, err, n);
    if (rc == 0) {
        plan_results(c, &x.p, r);
        if (c->kv_fmt == GEMV_KV_INT8)
            x.scale_pj = (double)int8_scale_ops(c, &x.p) * c->hbm.e_scale8;
        x.merge_done = malloc(x.p.npass * sizeof *x.merge_done);
        x.pass_of = malloc(x.p.nitems * sizeof *x.pass_of);
        r->layer = calloc(c->layers, sizeof *r->layer);
        if (!x.merge_done || !x.pass_of || !r->layer)
            rc = -1, snprintf(err, n, "out of memory");
    }
    if (rc == 0) {
        mark_functional(&x, 0);
        rc = open_units(&x, err, n);
    }
    uint64_t start = 0;
    for (uint32_t l = 0; l < c->layers && rc == 0; l++) {
        if (l > 0 && c->numerics_later)
            mark_functional(&x, l);
        rc = run_layer(&x, l, start, &start, err, n);
        r->layers = l + 1;
    }
    if (x.pool) {
        int pr = finish_pool(&x, err, n);
        rc = pr ? pr : rc;
    }
    if (rc == 0 && backend_finish(x.be, err, n))
        rc = 1;
    if (x.h) {
        r->hbm = *hbm_get_stats(x.h);
        r->hbm.energy.alu += x.scale_pj * r->layers;
    }
    if (x.be)
        r->be = *backend_get_stats(x.be);
    close_run(&x);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    r->wall_seconds = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    return rc;
}
