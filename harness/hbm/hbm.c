/* hbm.c — HBM3-PIM timing engine (hbm.h). Each rule of docs/hbm.md becomes a "not before" register at
 * the scope where it applies; issuing a command raises the registers of everything it constrains, and the
 * earliest legal cycle of a command is the maximum of the registers it reads. */
#include "hbm.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define MACRING 256 /* > nMACpow (<= 255): the MACs that can fall in one power window */

typedef struct {
    int64_t row;      /* open row or -1 */
    uint8_t accessed; /* a burst has used the open row */
    uint32_t refs;    /* REFPBs received */
    /* not-before registers, one per rule (docs/hbm.md), so the binding rule can be named */
    uint64_t t_rc, t_rp, t_rfcpb;     /* ACT after ACT, PRE (REF too), REFPB (REFPB too) */
    uint64_t t_rcdrd, t_rcdwr;        /* RD/MAC, WR after ACT */
    uint64_t t_ras, t_rtp, t_wrr;     /* PRE after ACT, RD/MAC, WR */
    uint64_t t_mac;                   /* MAC after MAC */
} bank_t;

typedef struct {
    uint64_t t_cas;     /* CAS after CAS or MAC: nCCDL */
    uint64_t t_mac_cas; /* MAC after CAS: nCCDL */
    uint64_t t_wtrl, t_rrdl;
} bg_t;

typedef struct {
    uint64_t t_ccds, t_ccdr;
} sid_t;

typedef struct {
    uint64_t t_rdd, t_wrd; /* next read-/write-direction data-path command */
    uint64_t t_rrds, t_ppd, t_rfc, t_rrefd;
    uint64_t t_after_big; /* any ACT after an all-bank/bank-group ACT (actwin) */
    uint64_t t_big;       /* an all-bank/bank-group ACT after any ACT (actwin) */
    uint64_t faw[4];      /* last four single ACTs, ring */
    unsigned faw_n;
    uint64_t refs;
} pc_t;

typedef struct {
    uint64_t t_row, t_col, t_sfm, t_done, t_last;
    uint64_t mac_t[MACRING];
    uint32_t mac_k[MACRING];
    unsigned mac_head, mac_n;
} ch_t;

struct hbm {
    hbm_cfg cfg;
    unsigned nbpc; /* banks per PC */
    bank_t *bank;
    bg_t *bg;
    sid_t *sid;
    pc_t *pc;
    ch_t *ch;
    hbm_stats st;
    FILE *log;
};

#define OP_NAME(x) #x,
static const char *const op_names[HBM_NOPS] = {HBM_OPS(OP_NAME)};
const char *hbm_op_name(unsigned op) { return op < HBM_NOPS ? op_names[op] : "?"; }

/* Address fields each command carries (docs/hbm.md command table). */
enum { F_PC = 1, F_SID = 2, F_BG = 4, F_BA = 8, F_ROW = 16, F_COL = 32, F_N = 64, F_PCALL = 128 };
static const uint8_t op_fields[HBM_NOPS] = {
    [HBM_ACT] = F_PC | F_SID | F_BG | F_BA | F_ROW,
    [HBM_PRE] = F_PC | F_SID | F_BG | F_BA,
    [HBM_PREA] = F_PC | F_PCALL,
    [HBM_RD] = F_PC | F_SID | F_BG | F_BA | F_COL,
    [HBM_WR] = F_PC | F_SID | F_BG | F_BA | F_COL,
    [HBM_REFAB] = F_PC,
    [HBM_REFPB] = F_PC | F_SID | F_BG | F_BA,
    [HBM_ACTAB] = F_PC | F_PCALL | F_ROW,
    [HBM_ACTBG] = F_PC | F_PCALL | F_BA | F_ROW,
    [HBM_MACAB] = F_PC | F_PCALL | F_COL,
    [HBM_MACBG] = F_PC | F_PCALL | F_BA | F_COL,
    [HBM_MACSB] = F_PC | F_SID | F_BG | F_BA | F_COL,
    [HBM_WRGB] = F_PC | F_PCALL,
    [HBM_MVSB] = F_PC | F_PCALL | F_N,
    [HBM_MVGB] = F_PC | F_PCALL | F_N,
    [HBM_SFM] = F_N,
    [HBM_BARRIER] = 0,
};

static int is_act(unsigned op) { return op == HBM_ACT || op == HBM_ACTAB || op == HBM_ACTBG; }
static int is_mac(unsigned op) { return op == HBM_MACAB || op == HBM_MACBG || op == HBM_MACSB; }
static int is_pre(unsigned op) { return op == HBM_PRE || op == HBM_PREA; }
static int is_cas(unsigned op) { return op == HBM_RD || op == HBM_WR; }
static int is_rowbus(unsigned op) { return is_act(op) || is_pre(op) || op == HBM_REFAB || op == HBM_REFPB; }
static int is_rdir(unsigned op) { return op == HBM_RD || op == HBM_MVSB; }
static int is_wdir(unsigned op) { return op == HBM_WR || op == HBM_WRGB || op == HBM_MVGB; }

const char *hbm_cmd_str(const hbm_cmd *c, char *buf, size_t n)
{
    uint8_t f = c->op < HBM_NOPS ? op_fields[c->op] : 0;
    int k = snprintf(buf, n, "%s st=%u ch=%u", hbm_op_name(c->op), c->st, c->ch);
#define ADD(...)                                                                                              \
    do {                                                                                                      \
        if (k >= 0 && (size_t)k < n)                                                                          \
            k += snprintf(buf + k, n - (size_t)k, __VA_ARGS__);                                               \
    } while (0)
    if (f & F_PC) {
        if (c->pc == HBM_PC_ALL)
            ADD(" pc=*");
        else
            ADD(" pc=%u", c->pc);
    }
    if (f & F_SID)
        ADD(" sid=%u", c->sid);
    if (f & F_BG)
        ADD(" bg=%u", c->bg);
    if (f & F_BA)
        ADD(" ba=%u", c->ba);
    if (f & F_ROW)
        ADD(" row=%" PRIu32, c->row);
    if (f & F_COL)
        ADD(" col=%" PRIu32, c->col);
    if (f & F_N)
        ADD(" n=%" PRIu32, c->n);
#undef ADD
    return buf;
}

hbm *hbm_new(const hbm_cfg *cfg)
{
    hbm *h = calloc(1, sizeof *h);
    if (!h)
        return NULL;
    h->cfg = *cfg;
    h->nbpc = hbm_cfg_banks_per_pc(cfg);
    size_t npc = hbm_cfg_pcs_total(cfg), nch = (size_t)cfg->stacks * cfg->channels;
    h->bank = calloc(npc * h->nbpc, sizeof *h->bank);
    h->bg = calloc(npc * cfg->sids * cfg->bank_groups, sizeof *h->bg);
    h->sid = calloc(npc * cfg->sids, sizeof *h->sid);
    h->pc = calloc(npc, sizeof *h->pc);
    h->ch = calloc(nch, sizeof *h->ch);
    if (!h->bank || !h->bg || !h->sid || !h->pc || !h->ch) {
        hbm_free(h);
        return NULL;
    }
    for (size_t i = 0; i < npc * h->nbpc; i++)
        h->bank[i].row = -1;
    return h;
}

void hbm_free(hbm *h)
{
    if (!h)
        return;
    free(h->bank);
    free(h->bg);
    free(h->sid);
    free(h->pc);
    free(h->ch);
    free(h);
}

const hbm_cfg *hbm_config(const hbm *h) { return &h->cfg; }
const hbm_stats *hbm_get_stats(const hbm *h) { return &h->st; }
void hbm_set_log(hbm *h, FILE *f)
{
    h->log = f;
    if (f)
        fprintf(f, "# pimattn hbm command log v1\n# preset %s\n", h->cfg.name);
}

double hbm_energy_total(const hbm_energy *e)
{
    double s = 0;
#define E_ADD(x) s += e->x;
    HBM_ENERGY(E_ADD)
#undef E_ADD
    return s;
}

/* ---- addressing ---------------------------------------------------------------------------------- */

static size_t ch_index(const hbm *h, unsigned st, unsigned ch) { return (size_t)st * h->cfg.channels + ch; }
static size_t pc_index(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    return ch_index(h, st, ch) * h->cfg.pcs + pc;
}

/* The banks a command touches: PCs [p0, p1], and within each PC the sid/bg/ba ranges. */
typedef struct {
    unsigned p0, p1, s0, s1, g0, g1, b0, b1, has_banks;
} bankset;

static bankset banks_of(const hbm *h, const hbm_cmd *c)
{
    const hbm_cfg *k = &h->cfg;
    bankset b = {0};
    uint8_t f = op_fields[c->op];
    if (f & F_PC) {
        b.p0 = c->pc == HBM_PC_ALL ? 0 : c->pc;
        b.p1 = c->pc == HBM_PC_ALL ? k->pcs - 1 : c->pc;
    }
    b.has_banks = !(c->op == HBM_WRGB || c->op == HBM_MVSB || c->op == HBM_MVGB || c->op == HBM_SFM ||
                    c->op == HBM_BARRIER);
    b.s0 = 0, b.s1 = k->sids - 1, b.g0 = 0, b.g1 = k->bank_groups - 1, b.b0 = 0, b.b1 = k->banks - 1;
    if (f & F_SID)
        b.s0 = b.s1 = c->sid;
    if (f & F_BG)
        b.g0 = b.g1 = c->bg;
    if (f & F_BA)
        b.b0 = b.b1 = c->ba;
    return b;
}

#define FOR_BANKS(h, c, bs, P, S, G, B)                                                                       \
    for (unsigned P = (bs).p0; P <= (bs).p1; P++)                                                             \
        for (unsigned S = (bs).s0; S <= (bs).s1; S++)                                                         \
            for (unsigned G = (bs).g0; G <= (bs).g1; G++)                                                     \
                for (unsigned B = (bs).b0; B <= (bs).b1; B++)

static size_t sid_index(const hbm *h, const hbm_cmd *c, unsigned p, unsigned s)
{
    return pc_index(h, c->st, c->ch, p) * h->cfg.sids + s;
}
static size_t bg_index(const hbm *h, const hbm_cmd *c, unsigned p, unsigned s, unsigned g)
{
    return sid_index(h, c, p, s) * h->cfg.bank_groups + g;
}
static size_t bank_index(const hbm *h, const hbm_cmd *c, unsigned p, unsigned s, unsigned g, unsigned b)
{
    return bg_index(h, c, p, s, g) * h->cfg.banks + b;
}

/* Banks of one PC the command touches (k in docs/hbm.md). */
static unsigned k_of(const bankset *b)
{
    return (b->s1 - b->s0 + 1) * (b->g1 - b->g0 + 1) * (b->b1 - b->b0 + 1);
}
static int is_big_act(unsigned op) { return op == HBM_ACTAB || op == HBM_ACTBG; }
static uint64_t stagger(const hbm *h, unsigned op, unsigned k)
{
    if (!h->cfg.ab_act_faw || !is_big_act(op) || k <= 4)
        return 0;
    return (uint64_t)((k + 3) / 4 - 1) * h->cfg.nFAW;
}
static uint64_t dur(const hbm *h, const hbm_cmd *c)
{
    return (c->op == HBM_MVSB || c->op == HBM_MVGB) ? (uint64_t)c->n * h->cfg.nBL : h->cfg.nBL;
}

static uint64_t done_after(const hbm *h, const hbm_cmd *c, unsigned k)
{
    const hbm_cfg *f = &h->cfg;
    switch (c->op) {
    case HBM_RD: return f->nCL + f->nBL;
    case HBM_WR:
    case HBM_WRGB: return f->nCWL + f->nBL;
    case HBM_MVSB:
    case HBM_MVGB: return dur(h, c);
    case HBM_MACAB:
    case HBM_MACBG:
    case HBM_MACSB: return f->nMACLAT;
    case HBM_SFM: return c->n;
    case HBM_ACT:
    case HBM_ACTAB:
    case HBM_ACTBG: return f->nRCDRD + stagger(h, c->op, k);
    case HBM_PRE:
    case HBM_PREA: return f->nRP;
    case HBM_REFAB: return f->nRFC;
    case HBM_REFPB: return f->nRFCpb;
    default: return 0;
    }
}

/* ---- legality ------------------------------------------------------------------------------------ */

static uint64_t ref_interval(const hbm *h)
{
    return h->cfg.ref_mode == HBM_REF_PERBANK ? hbm_cfg_nrefipb(&h->cfg) : h->cfg.nREFI;
}

/* State and address checks; returns NULL when legal, else what is wrong. */
static const char *state_error(const hbm *h, const hbm_cmd *c)
{
    const hbm_cfg *f = &h->cfg;
    if (c->op >= HBM_NOPS)
        return "unknown command";
    uint8_t fl = op_fields[c->op];
    if (c->st >= f->stacks || c->ch >= f->channels)
        return "stack or channel out of range";
    if ((fl & F_PC) && c->pc >= f->pcs && !(c->pc == HBM_PC_ALL && (fl & F_PCALL)))
        return "pseudo-channel out of range";
    if (((fl & F_SID) && c->sid >= f->sids) || ((fl & F_BG) && c->bg >= f->bank_groups) ||
        ((fl & F_BA) && c->ba >= f->banks))
        return "bank address out of range";
    if (((fl & F_ROW) && c->row >= f->rows) || ((fl & F_COL) && c->col >= f->columns))
        return "row or column out of range";
    if ((fl & F_N) && c->n == 0)
        return "n must be at least 1";
    if (c->op == HBM_REFAB && f->ref_mode != HBM_REF_ALLBANK)
        return "REFAB needs refresh mode all-bank";
    if (c->op == HBM_REFPB && f->ref_mode != HBM_REF_PERBANK)
        return "REFPB needs refresh mode per-bank";
    bankset bs = banks_of(h, c);
    if (!bs.has_banks)
        return NULL;
    FOR_BANKS(h, c, bs, p, s, g, b)
    {
        const bank_t *k = &h->bank[bank_index(h, c, p, s, g, b)];
        if ((is_act(c->op) || c->op == HBM_REFAB || c->op == HBM_REFPB) && k->row >= 0)
            return "bank is open";
        if ((c->op == HBM_PRE || is_cas(c->op) || is_mac(c->op)) && k->row < 0)
            return "bank is closed";
    }
    if (c->op == HBM_REFPB) {
        size_t first = pc_index(h, c->st, c->ch, c->pc) * h->nbpc;
        uint32_t mine = h->bank[bank_index(h, c, c->pc, c->sid, c->bg, c->ba)].refs;
        for (unsigned i = 0; i < h->nbpc; i++)
            if (h->bank[first + i].refs < mine)
                return "another bank of the PC is owed a refresh first";
    }
    return NULL;
}

#define NEED(v, name)                                                                                         \
    do {                                                                                                      \
        uint64_t v_ = (v);                                                                                    \
        if (v_ > t) {                                                                                         \
            t = v_;                                                                                           \
            why = (name);                                                                                     \
        }                                                                                                     \
    } while (0)

/* The timing part of hbm_earliest, for a command already known to be legal in the current state. */
static uint64_t earliest(const hbm *h, const hbm_cmd *c, uint64_t from, const char **rule)
{
    const hbm_cfg *f = &h->cfg;
    const char *why = "from";
    uint64_t t = from;
    unsigned op = c->op;
    const ch_t *ch = &h->ch[ch_index(h, c->st, c->ch)];
    NEED(ch->t_last, "order");
    if (is_rowbus(op))
        NEED(ch->t_row, "rowbus");
    else
        NEED(ch->t_col, "colbus");
    if (op == HBM_SFM)
        NEED(ch->t_sfm, "sfm");
    if (op == HBM_BARRIER)
        NEED(ch->t_done, "barrier");
    bankset bs = banks_of(h, c);
    unsigned k = k_of(&bs);
    if (op_fields[op] & F_PC) {
        for (unsigned p = bs.p0; p <= bs.p1; p++) {
            const pc_t *q = &h->pc[pc_index(h, c->st, c->ch, p)];
            if (is_rdir(op))
                NEED(q->t_rdd, "data");
            if (is_wdir(op))
                NEED(q->t_wrd, "data");
            if (is_act(op)) {
                NEED(q->t_rrds, "nRRDS");
                NEED(q->t_rfc, "nRFC");
                NEED(q->t_rrefd, "nRREFD");
                if (f->ab_act_faw) {
                    NEED(q->t_after_big, "actwin");
                    if (is_big_act(op))
                        NEED(q->t_big, "actwin");
                }
                if (op == HBM_ACT && q->faw_n >= 4)
                    NEED(q->faw[q->faw_n % 4] + f->nFAW, "FAW");
            }
            if (is_pre(op))
                NEED(q->t_ppd, "nPPD");
            if (op == HBM_REFAB || op == HBM_REFPB) {
                NEED(q->t_rfc, "nRFC");
                if (op == HBM_REFPB)
                    NEED(q->t_rrefd, "nRREFD");
                /* pull-in limit: at most max_postpone refreshes ahead of the current interval's (refresh k
                 * belongs to [(k-1) I, k I)): refs + 1 <= floor(t / I) + 1 + max_postpone */
                if (q->refs > f->max_postpone)
                    NEED((q->refs - f->max_postpone) * ref_interval(h), "refresh");
            }
        }
    }
    if (is_mac(op) && f->power_limit) {
        /* macpow: banks of MACs in (t - nMACpow, t] <= banks of the channel; move t past the oldest MAC
         * in the window until the sum fits (a later t only shrinks the window's sum) */
        uint32_t cap = f->pcs * h->nbpc, need = k * (bs.p1 - bs.p0 + 1);
        for (;;) {
            uint32_t sum = need;
            int oldest = -1;
            for (unsigned i = 0; i < ch->mac_n; i++) {
                unsigned j = (ch->mac_head + i) % MACRING;
                if (ch->mac_t[j] + f->nMACpow > t) {
                    sum += ch->mac_k[j];
                    if (oldest < 0)
                        oldest = (int)j;
                }
            }
            if (sum <= cap || oldest < 0)
                break;
            NEED(ch->mac_t[oldest] + f->nMACpow, "macpow");
        }
    }
    if (!bs.has_banks)
        goto done;
    for (unsigned p = bs.p0; p <= bs.p1; p++)
        for (unsigned s = bs.s0; s <= bs.s1; s++) {
            const sid_t *sd = &h->sid[sid_index(h, c, p, s)];
            if (is_cas(op)) {
                NEED(sd->t_ccds, "nCCDS");
                NEED(sd->t_ccdr, "nCCDR");
            }
            for (unsigned g = bs.g0; g <= bs.g1; g++) {
                const bg_t *gp = &h->bg[bg_index(h, c, p, s, g)];
                if (is_cas(op))
                    NEED(gp->t_cas, "nCCDL");
                if (is_mac(op))
                    NEED(gp->t_mac_cas, "nCCDL");
                if (op == HBM_RD)
                    NEED(gp->t_wtrl, "nWTRL");
                if (is_act(op))
                    NEED(gp->t_rrdl, "nRRDL");
                for (unsigned b = bs.b0; b <= bs.b1; b++) {
                    const bank_t *bk = &h->bank[bank_index(h, c, p, s, g, b)];
                    if (is_act(op)) {
                        NEED(bk->t_rc, "nRC");
                        NEED(bk->t_rp, "nRP");
                        NEED(bk->t_rfcpb, "nRFCpb");
                    }
                    if (op == HBM_RD || is_mac(op))
                        NEED(bk->t_rcdrd, "nRCDRD");
                    if (op == HBM_WR)
                        NEED(bk->t_rcdwr, "nRCDWR");
                    if (is_pre(op)) {
                        NEED(bk->t_ras, "nRAS");
                        NEED(bk->t_rtp, "nRTP");
                        NEED(bk->t_wrr, "nWR");
                    }
                    if (is_mac(op))
                        NEED(bk->t_mac, "nMAC");
                    if (op == HBM_REFAB || op == HBM_REFPB)
                        NEED(bk->t_rp, "nRP");
                    if (op == HBM_REFPB)
                        NEED(bk->t_rfcpb, "nRFCpb");
                }
            }
        }
done:
    *rule = why;
    return t;
}

uint64_t hbm_earliest(const hbm *h, const hbm_cmd *c, uint64_t from, const char **rule)
{
    const char *why;
    if (state_error(h, c)) {
        why = "state";
        from = HBM_NEVER;
    } else
        from = earliest(h, c, from, &why);
    if (rule)
        *rule = why;
    return from;
}

/* ---- issue --------------------------------------------------------------------------------------- */

#define RAISE(reg, v)                                                                                         \
    do {                                                                                                      \
        uint64_t v_ = (v);                                                                                    \
        if (v_ > (reg))                                                                                       \
            (reg) = v_;                                                                                       \
    } while (0)

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

int hbm_issue(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n)
{
    const hbm_cfg *f = &h->cfg;
    char buf[128];
    const char *rule;
    const char *bad = state_error(h, c);
    if (bad) {
        snprintf(err, n, "state: %s at cycle %" PRIu64 ": %s", hbm_cmd_str(c, buf, sizeof buf), t, bad);
        return -1;
    }
    uint64_t e = earliest(h, c, t, &rule);
    if (e != t) {
        snprintf(err, n, "%s: %s at cycle %" PRIu64 " needs cycle >= %" PRIu64, rule, hbm_cmd_str(c, buf, sizeof buf),
                 t, e);
        return -1;
    }
    /* refresh deadlines of every PC of the channel, counting this command's refresh */
    if (f->ref_mode != HBM_REF_OFF) {
        uint64_t owed_by = t / ref_interval(h);
        for (unsigned p = 0; p < f->pcs; p++) {
            uint64_t refs = h->pc[pc_index(h, c->st, c->ch, p)].refs;
            if ((c->op == HBM_REFAB || c->op == HBM_REFPB) && c->pc == p)
                refs++;
            if (refs + f->max_postpone < owed_by) {
                snprintf(err, n, "refresh: %s at cycle %" PRIu64 ": PC %u has %" PRIu64 " refreshes, owes %" PRIu64
                         " (max_postpone %u)", hbm_cmd_str(c, buf, sizeof buf), t, p, refs, owed_by, f->max_postpone);
                return -1;
            }
        }
    }
    if (h->log)
        fprintf(h->log, "%" PRIu64 " %s\n", t, hbm_cmd_str(c, buf, sizeof buf));

    unsigned op = c->op;
    bankset bs = banks_of(h, c);
    unsigned k = k_of(&bs), npc = bs.p1 - bs.p0 + 1;
    uint64_t stg = stagger(h, op, k);
    ch_t *ch = &h->ch[ch_index(h, c->st, c->ch)];
    ch->t_last = t;
    if (is_rowbus(op))
        RAISE(ch->t_row, t + (is_act(op) ? 2 : 1));
    else
        RAISE(ch->t_col, t + 1);
    if (op == HBM_SFM)
        RAISE(ch->t_sfm, t + c->n);
    uint64_t done = t + done_after(h, c, k);
    RAISE(ch->t_done, done);
    if (is_mac(op)) {
        while (ch->mac_n && ch->mac_t[ch->mac_head] + f->nMACpow <= t)
            ch->mac_head = (ch->mac_head + 1) % MACRING, ch->mac_n--;
        unsigned j = (ch->mac_head + ch->mac_n) % MACRING;
        ch->mac_t[j] = t, ch->mac_k[j] = k * npc, ch->mac_n++;
    }
    if (op_fields[op] & F_PC)
        for (unsigned p = bs.p0; p <= bs.p1; p++) {
            pc_t *q = &h->pc[pc_index(h, c->st, c->ch, p)];
            uint64_t d = dur(h, c);
            if (is_rdir(op)) {
                RAISE(q->t_rdd, t + d);
                RAISE(q->t_wrd, t + f->nRTW + d - f->nBL);
                h->st.data_busy += d;
            }
            if (is_wdir(op)) {
                RAISE(q->t_wrd, t + d);
                RAISE(q->t_rdd, t + f->nCWL + d + f->nWTRS);
                h->st.data_busy += d;
            }
            if (is_act(op)) {
                RAISE(q->t_rrds, t + f->nRRDS);
                if (op == HBM_ACT)
                    q->faw[q->faw_n++ % 4] = t;
                if (is_big_act(op))
                    RAISE(q->t_after_big, t + (uint64_t)((k + 3) / 4) * f->nFAW);
                RAISE(q->t_big, t + f->nFAW);
            }
            if (is_pre(op))
                RAISE(q->t_ppd, t + f->nPPD);
            if (op == HBM_REFAB) {
                RAISE(q->t_rfc, t + f->nRFC);
                q->refs++;
                h->st.refresh_cycles += f->nRFC;
            }
            if (op == HBM_REFPB) {
                RAISE(q->t_rrefd, t + f->nRREFD);
                q->refs++;
                h->st.refresh_cycles += (double)f->nRFCpb / h->nbpc;
            }
        }
    if (bs.has_banks)
        for (unsigned p = bs.p0; p <= bs.p1; p++)
            for (unsigned s = bs.s0; s <= bs.s1; s++) {
                if (is_cas(op))
                    for (unsigned s2 = 0; s2 < f->sids; s2++) {
                        sid_t *sd = &h->sid[sid_index(h, c, p, s2)];
                        if (s2 == s)
                            RAISE(sd->t_ccds, t + f->nCCDS);
                        else
                            RAISE(sd->t_ccdr, t + f->nCCDR);
                    }
                for (unsigned g = bs.g0; g <= bs.g1; g++) {
                    bg_t *gp = &h->bg[bg_index(h, c, p, s, g)];
                    if (is_cas(op) || is_mac(op))
                        RAISE(gp->t_cas, t + f->nCCDL);
                    if (is_cas(op))
                        RAISE(gp->t_mac_cas, t + f->nCCDL);
                    if (op == HBM_WR)
                        RAISE(gp->t_wtrl, t + f->nCWL + f->nBL + f->nWTRL);
                    if (is_act(op))
                        RAISE(gp->t_rrdl, t + f->nRRDL);
                    for (unsigned b = bs.b0; b <= bs.b1; b++) {
                        bank_t *bk = &h->bank[bank_index(h, c, p, s, g, b)];
                        if (is_act(op)) {
                            RAISE(bk->t_rc, t + f->nRC + stg);
                            RAISE(bk->t_rcdrd, t + f->nRCDRD + stg);
                            RAISE(bk->t_rcdwr, t + f->nRCDWR + stg);
                            RAISE(bk->t_ras, t + f->nRAS + stg);
                            bk->row = c->row, bk->accessed = 0;
                        }
                        if (is_pre(op)) {
                            RAISE(bk->t_rp, t + f->nRP);
                            bk->row = -1;
                        }
                        if (op == HBM_RD || is_mac(op))
                            RAISE(bk->t_rtp, t + f->nRTP);
                        if (op == HBM_WR)
                            RAISE(bk->t_wrr, t + f->nCWL + f->nBL + f->nWR);
                        if (is_mac(op))
                            RAISE(bk->t_mac, t + f->nMAC);
                        if (op == HBM_REFPB) {
                            RAISE(bk->t_rfcpb, t + f->nRFCpb);
                            bk->refs++;
                        }
                        if (is_cas(op) || is_mac(op)) {
                            if (bk->accessed)
                                h->st.row_hits++;
                            else
                                h->st.row_misses++;
                            bk->accessed = 1;
                        }
                    }
                }
            }
    hbm_stats *st = &h->st;
    st->cmds[op]++;
    if (is_cas(op))
        st->ext_bytes += f->burst_bytes;
    if (is_mac(op))
        st->pim_bytes += (uint64_t)f->burst_bytes * k * npc;
    if (t > st->last_cycle)
        st->last_cycle = t;
    if (done > st->done_cycle)
        st->done_cycle = done;
    add_energy(h, c, k, npc);
    return 0;
}

uint64_t hbm_channel_last(const hbm *h, unsigned st, unsigned ch) { return h->ch[ch_index(h, st, ch)].t_last; }

int64_t hbm_open_row(const hbm *h, unsigned st, unsigned ch, unsigned pc, unsigned sid, unsigned bg, unsigned ba)
{
    hbm_cmd c = {.st = (uint8_t)st, .ch = (uint8_t)ch};
    return h->bank[bank_index(h, &c, pc, sid, bg, ba)].row;
}

uint64_t hbm_refresh_deadline(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    if (h->cfg.ref_mode == HBM_REF_OFF)
        return UINT64_MAX;
    uint64_t refs = h->pc[pc_index(h, st, ch, pc)].refs;
    return (refs + h->cfg.max_postpone + 1) * ref_interval(h) - 1;
}

unsigned hbm_refresh_next_bank(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    size_t first = pc_index(h, st, ch, pc) * h->nbpc;
    unsigned best = 0;
    for (unsigned i = 1; i < h->nbpc; i++)
        if (h->bank[first + i].refs < h->bank[first + best].refs)
            best = i;
    return best;
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
