/* mapping.c — level-1 placement and level-2 layout of the KV cache (mapping.h). */
#include "mapping.h"

#include <stdio.h>
#include <stdlib.h>

static uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

int map_geom_init(map_geom *g, unsigned pcs, unsigned banks_pc, unsigned bank_groups, unsigned banks_per_group,
                  unsigned cols, unsigned head_dim, int pingpong, char *err, size_t n)
{
    if (head_dim == 0 || head_dim % 16)
        return snprintf(err, n, "head_dim %u is not a multiple of 16 (one burst = 16 FP16)", head_dim), -1;
    if (pingpong && banks_per_group % 2)
        return snprintf(err, n, "ping-pong pairs banks of a bank group: %u banks per group is odd", banks_per_group), -1;
    g->pcs = pcs;
    g->banks_per_unit = pingpong ? 2 : 1;
    g->bank_groups = bank_groups;
    g->banks_per_group = banks_per_group;
    g->units_pc = banks_pc / g->banks_per_unit;
    g->units = pcs * g->units_pc;
    g->cols = cols;
    g->lanes = 16;
    g->block = 0;
    g->words = head_dim / 16;
    g->parts_pc = g->units_pc / g->words;
    g->parts = g->parts_pc * pcs;
    if (g->parts_pc == 0)
        return snprintf(err, n, "head_dim %u needs %u units per V partition, a pseudo-channel has %u", head_dim,
                        g->words, g->units_pc),
               -1;
    return 0;
}

int map_geom_int8(map_geom *g, unsigned head_dim, unsigned block, char *err, size_t n)
{
    if (head_dim % 32)
        return snprintf(err, n, "head_dim %u is not a multiple of 32 (one INT8 burst = 32 values)", head_dim), -1;
    if (block == 0 || block % 32)
        return snprintf(err, n, "INT8 block of %u tokens: not a positive multiple of 32 (a probability word)", block),
               -1;
    g->lanes = 32;
    g->block = block;
    g->words = head_dim / 32;
    g->parts_pc = g->units_pc / g->words;
    g->parts = g->parts_pc * g->pcs;
    return 0;
}

void map_shape_of(const map_geom *g, uint32_t L, map_shape *s)
{
    s->L = L;
    s->n = ceil_div(L, g->units);
    s->nt = ceil_div(L, g->parts);
    uint32_t kb = s->n * g->words, vb = s->nt; /* K and V bursts in the fullest bank */
    if (g->block) { /* and a scale burst before each block */
        kb += ceil_div(s->n, g->block);
        vb += ceil_div(s->nt, g->block);
    }
    s->k_rows = ceil_div(kb, g->cols);
    s->k_last = kb - (s->k_rows ? s->k_rows - 1 : 0) * g->cols;
    s->v_rows = ceil_div(vb, g->cols);
    s->v_last = vb - (s->v_rows ? s->v_rows - 1 : 0) * g->cols;
    s->k_bank_rows = ceil_div(s->k_rows, g->banks_per_unit);
    s->v_bank_rows = ceil_div(s->v_rows, g->banks_per_unit);
}

unsigned map_unit_bank(const map_geom *g, unsigned u, uint32_t r, unsigned *pc, unsigned *sid, unsigned *bg,
                       unsigned *ba)
{
    unsigned l = u % g->units_pc, per_sid = g->bank_groups * g->banks_per_group / g->banks_per_unit;
    *pc = u / g->units_pc;
    *sid = l / per_sid;
    *bg = (l % per_sid) / (g->banks_per_group / g->banks_per_unit);
    *ba = (l % (g->banks_per_group / g->banks_per_unit)) * g->banks_per_unit + r % g->banks_per_unit;
    return *pc * g->units_pc * g->banks_per_unit + (*sid * g->bank_groups + *bg) * g->banks_per_group + *ba;
}

typedef struct {
    uint64_t work;
    size_t i;
} placed;

static int by_work_desc(const void *a, const void *b)
{
    const placed *x = a, *y = b;
    if (x->work != y->work)
        return x->work < y->work ? 1 : -1;
    return x->i < y->i ? -1 : x->i > y->i; /* stable: request order among equals */
}

/* The least loaded channel for item i: any channel, or for a part of a split item (owner[i] != i) one of its
 * owner's stack that holds no other part of it yet (any of that stack once all do). */
static unsigned pick_channel(size_t i, const uint32_t *owner, unsigned per_stack, const uint32_t *item_ch,
                             const uint64_t *load, unsigned channels)
{
    unsigned c0 = 0, c1 = channels;
    const int part = owner && owner[i] != i;
    if (part) {
        c0 = item_ch[owner[i]] / per_stack * per_stack;
        c1 = c0 + per_stack;
    }
    for (int reuse = !part; reuse < 2; reuse++) {
        unsigned best = UINT32_MAX;
        for (unsigned c = c0; c < c1; c++) {
            int taken = 0; /* an earlier part of the same item (siblings follow their owner; they are few) */
            for (size_t j = part ? owner[i] : i; !reuse && j < i && !taken; j++)
                taken = owner[j] == owner[i] && item_ch[j] == c;
            if (!taken && (best == UINT32_MAX || load[c] < load[best]))
                best = c;
        }
        if (best != UINT32_MAX)
            return best;
    }
    return c0;
}

void map_plan(const map_geom *g, size_t nitems, const uint32_t *L, const uint32_t *passes, unsigned channels,
              uint32_t *item_ch, uint32_t *row0, uint32_t *ch_rows)
{
    map_plan_parts(g, nitems, L, passes, NULL, channels, channels, item_ch, row0, ch_rows);
}

void map_plan_parts(const map_geom *g, size_t nitems, const uint32_t *L, const uint32_t *passes, const uint32_t *owner,
                    unsigned per_stack, unsigned channels, uint32_t *item_ch, uint32_t *row0, uint32_t *ch_rows)
{
    placed *order = malloc((nitems ? nitems : 1) * sizeof *order);
    uint64_t *load = calloc(channels, sizeof *load);
    for (unsigned c = 0; c < channels; c++)
        ch_rows[c] = 0;
    for (size_t r = 0; r < nitems; r++) {
        size_t i = r;
        if (order && load) {
            if (r == 0) { /* longest first onto the least loaded channel */
                for (size_t k = 0; k < nitems; k++)
                    order[k] = (placed){(uint64_t)L[k] * passes[k], k};
                qsort(order, nitems, sizeof *order, by_work_desc);
            }
            i = order[r].i;
            unsigned best = pick_channel(i, owner, per_stack, item_ch, load, channels);
            item_ch[i] = best;
            load[best] += order[r].work;
        } else {
            item_ch[i] = (uint32_t)(i % channels); /* no memory: round robin, still a valid placement */
        }
        /* rows in placement order within each channel: the scheduler streams items in this order too */
        map_shape s;
        map_shape_of(g, L[i], &s);
        row0[i] = ch_rows[item_ch[i]];
        ch_rows[item_ch[i]] += map_rows(&s);
    }
    free(order);
    free(load);
}

void map_k_addr(const map_geom *g, const map_shape *s, uint32_t j, unsigned w, unsigned *bank, uint32_t *row,
                unsigned *col)
{
    *bank = j / s->n;
    uint32_t i = j % s->n, idx = i * g->words + w;
    if (g->block)
        idx = i / g->block * (1 + g->block * g->words) + 1 + i % g->block * g->words + w;
    *row = idx / g->cols;
    *col = idx % g->cols;
}

int64_t map_k_token(const map_geom *g, const map_shape *s, unsigned b, uint32_t idx, unsigned *w)
{
    uint32_t i;
    if (!map_k_burst(g, idx, &i, w) || i >= s->n)
        return -1;
    uint64_t j = (uint64_t)b * s->n + i;
    if (j >= s->L)
        return -1;
    return (int64_t)j;
}

int map_v_part(const map_geom *g, unsigned b, unsigned *w)
{
    unsigned pc = b / g->units_pc, local = b % g->units_pc, t = local / g->words;
    if (t >= g->parts_pc)
        return -1;
    *w = local % g->words;
    return (int)(pc * g->parts_pc + t);
}

void map_v_addr(const map_geom *g, const map_shape *s, uint32_t j, unsigned w, unsigned *bank, uint32_t *row,
                unsigned *col)
{
    uint32_t t = j / s->nt, u = j % s->nt;
    *bank = (t / g->parts_pc) * g->units_pc + (t % g->parts_pc) * g->words + w;
    uint32_t idx = g->block ? u / g->block * (1 + g->block) + 1 + u % g->block : u;
    *row = idx / g->cols;
    *col = idx % g->cols;
}

int64_t map_v_token(const map_geom *g, const map_shape *s, unsigned b, uint32_t idx, unsigned *w, uint32_t *u)
{
    int t = map_v_part(g, b, w);
    if (t < 0 || !map_v_burst(g, idx, u) || *u >= s->nt)
        return -1;
    uint64_t j = (uint64_t)t * s->nt + *u;
    if (j >= s->L)
        return -1;
    return (int64_t)j;
}
