/* place.c — the placement file beside the command log (place.h, docs/hazards.md). */
#include "place.h"

#include <inttypes.h>

static void header(FILE *f, const attn_cfg *c, const plan *p, const sched_cfg *sc)
{
    const map_geom *g = &p->g;
    const hbm_cfg *h = &c->hbm;
    fprintf(f, "# pimattn placement v1\n");
    if (g->block) /* the INT8 layout (docs/hazards.md) */
        fprintf(f, "kv lanes=%u block=%u\n", g->lanes, g->block);
    fprintf(f, "geom stacks=%u channels=%u pcs=%u banks_pc=%u bank_groups=%u banks_per_group=%u rows=%u cols=%u "
               "banks_per_unit=%u units=%u units_pc=%u words=%u parts_pc=%u parts=%u\n",
            h->stacks, h->channels, g->pcs, g->units_pc * g->banks_per_unit, g->bank_groups, g->banks_per_group,
            h->rows, g->cols, g->banks_per_unit, g->units, g->units_pc, g->words, g->parts_pc, g->parts);
    fprintf(f, "sched splitk=%d lanes=%u score_bytes=%u out_bytes=%u ring=%u head_dim=%u group=%u layers=%u\n",
            sc->splitk ? 1 : 0, sc->sm_lanes, sc->score_bytes, sc->out_bytes, sc->ring, sc->head_dim,
            model_group(&c->m), c->layers);
    fprintf(f, "timing nBL=%u nCWL=%u nMACLAT=%u\n", h->nBL, h->nCWL, h->nMACLAT);
}

void place_write_layer(FILE *f, const attn_cfg *c, const plan *p, const sched_cfg *sc, uint32_t l, uint64_t start,
                       uint64_t host_cycles)
{
    const unsigned per_stack = c->hbm.channels, channels = c->hbm.stacks * per_stack;
    if (l == 0)
        header(f, c, p, sc);
    for (unsigned ch = 0; ch < channels; ch++)
        for (size_t k = p->ch_first[ch]; k < p->ch_first[ch + 1]; k++) {
            const sched_pass *s = &p->pass[k];
            const func_item *it = &p->items[s->item];
            const map_shape *m = &s->shape;
            fprintf(f,
                    "pass layer=%u st=%u ch=%u item=%u req=%u kvh=%u part=%u nparts=%u h0=%u rows=%u L=%u n=%u "
                    "nt=%u k_row=%u k_rows=%u k_last=%u v_row=%u v_rows=%u v_last=%u host_ready=%" PRIu64 "\n",
                    l, ch / per_stack, ch % per_stack, s->item, it->req, it->kvh, it->part, it->nparts, s->h0,
                    s->rows, m->L, m->n, m->nt, s->k_row, m->k_rows, m->k_last, s->v_row, m->v_rows, m->v_last,
                    s->host_ready);
        }
    /* the split items' final merges, on their first part's channel (attn.c, merge_parts) */
    for (size_t i = 0; i < p->nitems; i++) {
        const func_item *it = &p->items[i];
        if (it->nparts == 1 || it->part)
            continue;
        unsigned ch = p->item_ch[i];
        fprintf(f, "merge layer=%u st=%u ch=%u item=%zu nparts=%u host_ready=%" PRIu64 "\n", l, ch / per_stack,
                ch % per_stack, i, it->nparts, it->L_host ? start + host_cycles : 0);
    }
}
