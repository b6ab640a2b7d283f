/* hbm_stats.c — the timing engine's statistics and energy (hbm.h hbm_stats, docs/hbm.md "Energy"): what
 * each issued command adds, and the difference of two snapshots. */
#include "hbm_priv.h"

const hbm_stats *hbm_get_stats(const hbm *h) { return &h->st; }

double hbm_energy_total(const hbm_energy *e)
{
    double s = 0;
#define E_ADD(x) s += e->x;
    HBM_ENERGY(E_ADD)
#undef E_ADD
    return s;
}

static void add_energy(hbm *h, const hbm_cmd *c, unsigned k, unsigned npc)
{
    const hbm_cfg *f = &h->cfg;
    hbm_energy *e = &h->st.energy;
    double bits = 8.0 * f->burst_bytes, row_bits = 8.0 * hbm_cfg_row_bytes(f), nb = (double)k * npc;
    switch (c->op) {
    case HBM_ACT:
    case HBM_ACTAB:
    case HBM_ACTBG: e->act += f->e_act * row_bits * nb; break;
    case HBM_RD:
    case HBM_WR:
        e->cell += f->e_cell * bits, e->column += f->e_col * bits, e->global_io += f->e_gio * bits;
        e->tsv += f->e_tsv * bits, e->io += f->e_io * bits;
        break;
    case HBM_MACAB: /* every bank's burst goes from its sense amplifiers to the GEMV unit beside it (one */
    case HBM_MACBG: /* unit per bank, or per two banks with ping-pong): no column path to the bank-group */
    case HBM_MACSB: /* mux, no global I/O (docs/hbm.md "Energy") */
        e->cell += f->e_cell * bits * nb;
        e->alu += f->e_mac * f->gemv_lanes * nb;
        break;
    case HBM_WRGB:
        e->io += f->e_io * bits * npc, e->tsv += f->e_tsv * bits * npc;
        e->global_io += f->e_gio * bits * npc, e->column += f->e_col * bits * npc;
        break;
    case HBM_MVSB:
    case HBM_MVGB:
        e->column += f->e_col * bits * c->n * npc, e->global_io += f->e_gio * bits * c->n * npc;
        e->tsv += f->e_tsv * bits * c->n * npc;
        break;
    case HBM_REFAB: e->refresh += f->e_act * row_bits * f->rows_per_ref * h->nbpc; break;
    case HBM_REFPB: e->refresh += f->e_act * row_bits * f->rows_per_ref; break;
    default: break;
    }
}

void hbm_stats_add(hbm *h, const hbm_cmd *c, uint64_t t, unsigned npc)
{
    const hbm_cfg *f = &h->cfg;
    hbm_stats *st = &h->st;
    unsigned op = c->op, k = h->k[op];
    if ((hbm_op_fields[op] & F_PC) && (hbm_is_rdir(op) || hbm_is_wdir(op)))
        st->data_busy += hbm_dur(h, c) * npc;
    for (unsigned p = 0; p < npc && hbm_is_ref(op); p++) /* PC-cycles spent refreshing */
        st->refresh_cycles += op == HBM_REFAB ? (double)f->nRFC : (double)f->nRFCpb / h->nbpc;
    st->cmds[op]++;
    if (hbm_is_cas(op))
        st->ext_bytes += f->burst_bytes;
    if (hbm_is_mac(op))
        st->pim_bytes += (uint64_t)f->burst_bytes * k * npc;
    uint64_t done = t + hbm_done_after(h, c);
    if (t > st->last_cycle)
        st->last_cycle = t;
    if (done > st->done_cycle)
        st->done_cycle = done;
    add_energy(h, c, k, npc);
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
