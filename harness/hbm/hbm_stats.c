/* hbm_stats.c — the timing engine's statistics and energy (hbm.h hbm_stats, docs/hbm.md "Energy"): what
 * each issued command adds, and the difference of two snapshots. */
#include "hbm_priv.h"

#include <string.h>

/* The sum of every channel's tally in channel order, with the energies and refresh time from the counts. */
const hbm_stats *hbm_get_stats(const hbm *h)
{
    const hbm_cfg *f = &h->cfg;
    hbm_tally t = {0};
    for (size_t i = 0; i < (size_t)f->stacks * f->channels; i++) {
        const hbm_tally *c = &h->tally[i];
        for (int op = 0; op < HBM_NOPS; op++)
            t.cmds[op] += c->cmds[op];
        t.ext_bytes += c->ext_bytes, t.pim_bytes += c->pim_bytes, t.row_hits += c->row_hits;
        t.row_misses += c->row_misses, t.data_busy += c->data_busy;
        t.last_cycle = c->last_cycle > t.last_cycle ? c->last_cycle : t.last_cycle;
        t.done_cycle = c->done_cycle > t.done_cycle ? c->done_cycle : t.done_cycle;
        t.act_banks += c->act_banks, t.cell_bursts += c->cell_bursts, t.col_bursts += c->col_bursts;
        t.io_bursts += c->io_bursts, t.mac_banks += c->mac_banks, t.ref_banks += c->ref_banks;
        t.refab += c->refab, t.refpb += c->refpb;
    }
    /* what every RD, WR and ACT adds, which hbm_stats_add leaves to here */
    const uint64_t cas = t.cmds[HBM_RD] + t.cmds[HBM_WR];
    t.ext_bytes += cas * f->burst_bytes, t.data_busy += cas * f->nBL;
    t.cell_bursts += cas, t.col_bursts += cas, t.io_bursts += cas;
    t.act_banks += t.cmds[HBM_ACT] * h->k[HBM_ACT];
    hbm_stats *s = h->sum;
    memcpy(s->cmds, t.cmds, sizeof s->cmds);
    s->ext_bytes = t.ext_bytes, s->pim_bytes = t.pim_bytes, s->row_hits = t.row_hits, s->row_misses = t.row_misses;
    s->data_busy = t.data_busy, s->last_cycle = t.last_cycle, s->done_cycle = t.done_cycle;
    s->refresh_cycles = (double)t.refab * f->nRFC + (double)t.refpb * f->nRFCpb / h->nbpc;
    double bits = 8.0 * f->burst_bytes, row_bits = 8.0 * hbm_cfg_row_bytes(f);
    hbm_energy *e = &s->energy;
    e->act = f->e_act * row_bits * (double)t.act_banks;
    e->cell = f->e_cell * bits * (double)t.cell_bursts;
    e->column = f->e_col * bits * (double)t.col_bursts;
    e->global_io = f->e_gio * bits * (double)t.col_bursts;
    e->tsv = f->e_tsv * bits * (double)t.col_bursts;
    e->io = f->e_io * bits * (double)t.io_bursts;
    e->alu = f->e_mac * f->gemv_lanes * (double)t.mac_banks;
    e->refresh = f->e_act * row_bits * f->rows_per_ref * (double)t.ref_banks;
    return s;
}

double hbm_energy_total(const hbm_energy *e)
{
    double s = 0;
#define E_ADD(x) s += e->x;
    HBM_ENERGY(E_ADD)
#undef E_ADD
    return s;
}

/* What issuing c adds (k banks per PC, npc PCs), as counts (docs/hbm.md "Energy": per command, the bits
 * each component moves): ACTs every bank's row; RD/WR one burst through every component; a MAC each
 * bank's burst from its cells to the unit beside it (no column path, no global I/O) and gemv_lanes MACs;
 * WRGB one burst per PC from the I/O to the buffers (no cells); MVSB/MVGB n bursts per PC between the
 * buffers and the buffer die (no cells, no interposer I/O); a refresh every bank it refreshes. Those of
 * an RD, a WR and a one-bank ACT are the same for every one: hbm_get_stats adds them per command count. */
void hbm_stats_add(hbm *h, const hbm_cmd *c, uint64_t t, unsigned npc)
{
    const hbm_cfg *f = &h->cfg;
    hbm_tally *st = &h->tally[hbm_ch_index(h, c->st, c->ch)];
    unsigned op = c->op, k = h->k[op];
    uint64_t nb = (uint64_t)k * npc;
    st->cmds[op]++;
    const uint64_t done = t + hbm_done_after(h, c);
    st->last_cycle = t > st->last_cycle ? t : st->last_cycle;
    st->done_cycle = done > st->done_cycle ? done : st->done_cycle;
    if (op == HBM_RD || op == HBM_WR || op == HBM_ACT)
        return; /* the rest: by hbm_get_stats, from the command counts */
    if ((hbm_op_fields[op] & F_PC) && (hbm_is_rdir(op) || hbm_is_wdir(op)))
        st->data_busy += hbm_dur(h, c) * npc;
    switch (op) {
    case HBM_ACTAB:
    case HBM_ACTBG: st->act_banks += nb; break;
    case HBM_MACAB:
    case HBM_MACBG:
    case HBM_MACSB:
        st->pim_bytes += (uint64_t)f->burst_bytes * nb;
        st->cell_bursts += nb, st->mac_banks += nb;
        break;
    case HBM_WRGB: st->col_bursts += npc, st->io_bursts += npc; break;
    case HBM_MVSB:
    case HBM_MVGB: st->col_bursts += (uint64_t)c->n * npc; break;
    case HBM_REFAB: st->ref_banks += h->nbpc * npc, st->refab += npc; break;
    case HBM_REFPB: st->ref_banks += npc, st->refpb += npc; break;
    default: break;
    }
}

void hbm_stats_diff(const hbm_stats *a, const hbm_stats *b, hbm_stats *o)
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
