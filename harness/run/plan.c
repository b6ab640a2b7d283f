/* plan.c — work items, their parts and their placement (plan.h). */
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per item: all its tokens (a sliding window keeps the newest), those in the stacks, and its parts. */
typedef struct item_split {
    uint32_t L_all, L_pim, k;
} item_split;

void plan_free(plan *p)
{
    free(p->items);
    free(p->owner);
    free(p->item_ch);
    free(p->row0);
    free(p->ch_rows);
    free(p->pass);
    free(p->ch_first);
    memset(p, 0, sizeof *p);
}

static uint32_t cdiv32(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

/* Parts of ceil(L_pim / k) tokens, none empty. */
static uint32_t parts_of(const item_split *s) { return cdiv32(s->L_pim, cdiv32(s->L_pim, s->k)); }

/* The parts of every item (arrays sized for `cap` parts); 0 or -1 (no memory). */
static int build_parts(const plan_cfg *c, plan *p, const item_split *s, uint32_t **L, uint32_t **np)
{
    const uint32_t G = model_group(c->m), passes = G / (c->systolic ? c->group : 1);
    size_t total = 0;
    for (size_t i = 0; i < p->nlogical; i++)
        total += parts_of(&s[i]);
    if (total != p->nitems || !p->items) {
        free(p->items), free(p->owner), free(p->item_ch), free(p->row0), free(*L), free(*np);
        p->items = malloc(total * sizeof *p->items);
        p->owner = malloc(total * sizeof *p->owner);
        p->item_ch = malloc(total * sizeof *p->item_ch);
        p->row0 = malloc(total * sizeof *p->row0);
        *L = malloc(total * sizeof **L);
        *np = malloc(total * sizeof **np);
        p->nitems = total;
        if (!p->items || !p->owner || !p->item_ch || !p->row0 || !*L || !*np)
            return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < p->nlogical; i++) {
        const uint32_t chunk = cdiv32(s[i].L_pim, s[i].k), first = (uint32_t)k, parts = parts_of(&s[i]);
        for (uint32_t j = 0; j < parts; j++, k++) {
            uint32_t t0 = j * chunk, len = s[i].L_pim - t0 < chunk ? s[i].L_pim - t0 : chunk;
            p->items[k] = (func_item){(uint32_t)(i / c->m->kv_heads), (uint32_t)(i % c->m->kv_heads), len,
                                      s[i].L_all - s[i].L_pim, t0, s[i].L_pim, (uint16_t)j, (uint16_t)parts};
            p->owner[k] = first;
            (*L)[k] = len;
            (*np)[k] = passes;
        }
    }
    return 0;
}

/* The bytes of K and V of len tokens of an item: 2 bytes a value, or INT8's 1 and an FP16 scale per block
 * of each (the host tier's cache is in the run's format too). */
static uint64_t kv_bytes(const plan_cfg *c, uint32_t len)
{
    return c->kv_fmt == GEMV_KV_INT8 ? 2ull * ((uint64_t)len * c->m->head_dim + 2ull * cdiv32(len, c->kv_block))
                                     : 2ull * len * c->m->head_dim * 2;
}

/* The parts of every item with `share` of each item's tokens in the stacks (at least one; the rest on the
 * host), placed; the most rows per bank any channel needs for all layers (*wch: that channel), or
 * UINT64_MAX on no memory. */
static uint64_t place(const plan_cfg *c, plan *p, item_split *s, double share, uint32_t **L, uint32_t **np,
                      unsigned *wch)
{
    const hbm_cfg *hc = c->hbm;
    const unsigned channels = hc->stacks * hc->channels;
    p->kv_bytes_host_layer = p->host_tokens = 0;
    for (size_t i = 0; i < p->nlogical; i++) {
        uint32_t in = share >= 1.0 ? s[i].L_all : (uint32_t)(s[i].L_all * share);
        s[i].L_pim = in ? in : 1;
        if (s[i].k > s[i].L_pim)
            s[i].k = s[i].L_pim;
        p->host_tokens += s[i].L_all - s[i].L_pim;
        p->kv_bytes_host_layer += kv_bytes(c, s[i].L_all - s[i].L_pim);
    }
    if (build_parts(c, p, s, L, np))
        return UINT64_MAX;
    map_plan_parts(&p->g, p->nitems, *L, *np, p->owner, hc->channels, channels, p->item_ch, p->row0, p->ch_rows);
    uint64_t worst = 0;
    for (unsigned ch = 0; ch < channels; ch++)
        if ((uint64_t)p->ch_rows[ch] * c->m->layers > worst)
            worst = (uint64_t)p->ch_rows[ch] * c->m->layers, *wch = ch;
    return worst;
}

/* One more part for every item with a part on a channel that overflows (up to a stack's channels, and
 * while parts keep at least one token); 1 if any item changed. */
static int split_more(const plan_cfg *c, const plan *p, item_split *s)
{
    const hbm_cfg *hc = c->hbm;
    int changed = 0;
    uint8_t *mark = calloc(p->nlogical, 1);
    if (!mark)
        return 0;
    for (size_t i = 0; i < p->nitems; i++)
        if ((uint64_t)p->ch_rows[p->item_ch[i]] * c->m->layers > hc->rows)
            mark[p->items[i].req * (size_t)c->m->kv_heads + p->items[i].kvh] = 1;
    for (size_t i = 0; i < p->nlogical; i++)
        if (mark[i] && parts_of(&s[i]) < hc->channels && parts_of(&s[i]) < s[i].L_pim) {
            uint32_t was = parts_of(&s[i]);
            while (parts_of(&s[i]) == was) /* ceil rounding: k + 1 parts may still be `was` parts */
                s[i].k++;
            changed = 1;
        }
    free(mark);
    return changed;
}

/* Balance: long items in as many parts as spread the tokens over every channel (at least PLAN_MIN_PART
 * tokens a part, at most a stack's channels). */
static void balance(const plan_cfg *c, plan *p, item_split *s)
{
    const unsigned channels = c->hbm->stacks * c->hbm->channels;
    uint64_t total = 0;
    for (size_t i = 0; i < p->nlogical; i++)
        total += s[i].L_all;
    uint64_t per_ch = total / channels > PLAN_MIN_PART ? total / channels : PLAN_MIN_PART;
    for (size_t i = 0; i < p->nlogical; i++) {
        uint64_t k = (s[i].L_all + per_ch - 1) / per_ch;
        s[i].k = (uint32_t)(k < 1 ? 1 : k > c->hbm->channels ? c->hbm->channels : k);
    }
}

typedef struct placed_part {
    uint32_t ch, row0;
    size_t i;
} placed_part;

static int by_channel_row(const void *a, const void *b)
{
    const placed_part *x = a, *y = b;
    if (x->ch != y->ch)
        return x->ch < y->ch ? -1 : 1;
    return x->row0 < y->row0 ? -1 : x->row0 > y->row0;
}

/* Each channel's passes, parts in the order their rows were placed (row0 increasing). */
static int list_passes(const plan_cfg *c, plan *p)
{
    const unsigned channels = c->hbm->stacks * c->hbm->channels;
    const uint32_t G = model_group(c->m), per_pass = c->systolic ? c->group : 1, passes = G / per_pass;
    p->npass = p->nitems * passes;
    p->pass = malloc(p->npass * sizeof *p->pass);
    p->ch_first = calloc((size_t)channels + 1, sizeof *p->ch_first);
    placed_part *ord = malloc(p->nitems * sizeof *ord);
    if (!p->pass || !p->ch_first || !ord)
        return free(ord), -1;
    for (size_t i = 0; i < p->nitems; i++)
        ord[i] = (placed_part){p->item_ch[i], p->row0[i], i};
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

static int no_fit(const plan_cfg *c, const plan *p, uint64_t worst, unsigned wch, char *err, size_t n)
{
    const hbm_cfg *hc = c->hbm;
    const char *allowed = c->fit_hint ? c->fit_hint : c->split == PLAN_SPLIT_OFF ? "(allowed: more --stacks, a smaller --batch or --ctx, --split fit, "
                                                       "or --host-tier with --softmax splitk)"
                                                     : "(allowed: more --stacks, a smaller --batch or --ctx, or --host-tier "
                                                       "with --softmax splitk)";
    if (p->kv_bytes_needed > p->kv_bytes_avail)
        return snprintf(err, n, "the KV cache does not fit: %llu bytes needed (%u layers), %llu available in %u stack(s) %s",
                        (unsigned long long)p->kv_bytes_needed, c->m->layers, (unsigned long long)p->kv_bytes_avail,
                        hc->stacks, allowed),
               2;
    return snprintf(err, n,
                    "the KV cache fits in total (%llu of %llu bytes in %u stack(s), %u layers) but not as placed: "
                    "K and V live in whole 1 KB rows, an item's parts on at most the %u channels of one stack, and "
                    "channel %u would need %llu rows per bank where a bank has %u %s",
                    (unsigned long long)p->kv_bytes_needed, (unsigned long long)p->kv_bytes_avail, hc->stacks,
                    c->m->layers, hc->channels, wch, (unsigned long long)worst, hc->rows, allowed),
           2;
}

int plan_make(const plan_cfg *c, plan *p, char *err, size_t n)
{
    const model *m = c->m;
    const hbm_cfg *hc = c->hbm;
    const unsigned channels = hc->stacks * hc->channels;
    memset(p, 0, sizeof *p);
    const int int8 = c->kv_fmt == GEMV_KV_INT8;
    if (map_geom_init(&p->g, hc->pcs, hbm_cfg_banks_per_pc(hc), hc->bank_groups, hc->banks, hc->columns, m->head_dim,
                      c->pingpong, err, n) ||
        (int8 && map_geom_int8(&p->g, m->head_dim, c->kv_block, err, n)))
        return 2;
    p->nlogical = (size_t)c->batch * m->kv_heads;
    item_split *s = malloc(p->nlogical * sizeof *s);
    uint32_t *L = NULL, *np = NULL;
    p->ch_rows = malloc(channels * sizeof *p->ch_rows);
    int rc = -1;
    if (!s || !p->ch_rows)
        goto out;
    for (size_t i = 0; i < p->nlogical; i++) {
        uint32_t len = c->ctx[i / m->kv_heads];
        if (m->window && len > m->window) /* a rolling KV cache keeps the window's tokens only */
            len = m->window;
        s[i] = (item_split){len, len, 1};
        p->kv_bytes_layer += kv_bytes(c, len);
    }
    p->kv_bytes_needed = p->kv_bytes_layer * m->layers;
    p->kv_bytes_avail = (uint64_t)channels * hc->pcs * hbm_cfg_banks_per_pc(hc) * hc->rows * hbm_cfg_row_bytes(hc);
    if (c->split == PLAN_SPLIT_BALANCE)
        balance(c, p, s);
    unsigned wch = 0;
    uint64_t worst = place(c, p, s, 1.0, &L, &np, &wch);
    while (worst != UINT64_MAX && worst > hc->rows && c->split != PLAN_SPLIT_OFF && split_more(c, p, s))
        worst = place(c, p, s, 1.0, &L, &np, &wch);
    if (worst != UINT64_MAX && worst > hc->rows && c->host_tier) {
        double lo = 0.0, hi = 1.0; /* share lo fits (at least 1 token per item), hi does not */
        for (int k = 0; k < 20 && worst != UINT64_MAX; k++) {
            double mid = (lo + hi) / 2;
            worst = place(c, p, s, mid, &L, &np, &wch);
            *(worst <= hc->rows ? &lo : &hi) = mid;
        }
        if (worst != UINT64_MAX)
            worst = place(c, p, s, lo, &L, &np, &wch);
    }
    if (worst == UINT64_MAX)
        goto out;
    if (worst > hc->rows) {
        rc = no_fit(c, p, worst, wch, err, n);
        goto out;
    }
    for (size_t i = 0; i < p->nlogical; i++)
        p->nsplit += parts_of(&s[i]) > 1;
    rc = list_passes(c, p) ? -1 : 0;
out:
    if (rc < 0)
        snprintf(err, n, "out of memory");
    free(s), free(L), free(np);
    return rc;
}
