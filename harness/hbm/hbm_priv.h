/* hbm_priv.h — the timing engine's internals, shared by hbm.c (state, refresh window, power limit, energy,
 * statistics, the public entry points) and hbm_rules.c (the rule table and the query and update it
 * drives). Not for use outside harness/hbm/ (tests/test_hbm_rules.c reads the table, see hbm_rules.h).
 *
 * Layout: per-bank state (open row, refresh count) and per-PC and per-channel state of the non-rule parts
 * sit in the structs below; every timing rule's "not before" registers sit in one flat array per scope
 * (channel, PC, SID, bank group, bank), rule-major: slot j of instance i at reg[scope][j * ninst + i], so
 * that a rule's registers over the banks an all-bank command touches are contiguous. */
#ifndef PIMATTN_HBM_PRIV_H
#define PIMATTN_HBM_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "hbm.h"
#include "hbm_rules.h"

#define MACRING 256 /* > nMACpow (<= 255): the MACs that can fall in one power window */

typedef struct {
    int64_t row;      /* open row or -1 */
    uint8_t accessed; /* a burst has used the open row */
    uint32_t refs;    /* REFPBs received */
} bank_t;

typedef struct {
    uint64_t refs;     /* refreshes received (REFAB, or REFPB to any of its banks) */
    uint32_t open;     /* banks open */
    uint32_t accessed; /* open banks whose row a burst has used */
} pc_t;

/* What one channel's commands added to the statistics, in whole units, so that a sum over channels is
 * exact and independent of the order the channels ran in (hbm_get_stats turns it into hbm_stats; the
 * energies are these counts times the configuration's energy per unit, docs/hbm.md "Energy"). */
typedef struct {
    uint64_t cmds[HBM_NOPS];
    uint64_t ext_bytes, pim_bytes, row_hits, row_misses, data_busy, last_cycle, done_cycle;
    uint64_t act_banks;   /* banks activated (act) */
    uint64_t cell_bursts; /* bursts through the cells: RD, WR, each bank of a MAC (cell) */
    uint64_t col_bursts;  /* bursts through column path, global I/O and TSV: RD, WR, WRGB x PCs, MVs x n x PCs */
    uint64_t io_bursts;   /* bursts through the interposer I/O: RD, WR, WRGB x PCs */
    uint64_t mac_banks;   /* banks of MACs (alu: gemv_lanes FP16 MACs each) */
    uint64_t ref_banks;   /* banks refreshed (refresh) */
    uint64_t refab, refpb; /* PC refreshes, for the PC-cycles spent refreshing */
} hbm_tally;

typedef struct {
    uint64_t t_last;         /* issue cycle of the channel's last command (order) */
    uint64_t ref_ok;         /* below this cycle no PC of the channel owes a refresh (refresh_error); kept at
                              * each refresh: min over its PCs of (refs + max_postpone + 1) x interval */
    /* the channel's last hbm_earliest answer: the command, its cycle, and the channel's issue count then;
     * hbm_issue of that command at that cycle, nothing issued since, needs no second look */
    hbm_cmd memo_cmd;
    uint64_t memo_t, memo_gen, gen;
    uint64_t mac_t[MACRING]; /* MACs of the power window (macpow), ring */
    uint32_t mac_k[MACRING];
    unsigned mac_head, mac_n;
} ch_t;

/* One rule of a command's plan: the registers it reads (query) or raises (update), r[i] for instance i of
 * the rule's scope sc. For an update the value is t + base + mult x (n - 1) (n of the issuing command;
 * mult is 0 for commands without n). nth > 0: r[j * ninst + i] (j < nth) are a ring of instance i's last
 * nth values and r[nth * ninst + i] their count. Rows whose distances differ by a constant share a
 * register, raised by the largest (hbm_rules.c, can_share); a query reads it less off, its row's part
 * below that (0 if the register was never raised). */
typedef struct {
    uint64_t *r;
    uint64_t *fl, *ag; /* scopes below the PC: per PC, this row's floor and aggregate (struct hbm) */
    const char *name;
    uint64_t base, off;
    uint32_t mult;
    uint8_t sc, rel, nth;
} hbm_plan_ent;

#define HBM_PLAN_MAX 32 /* rules in one command's plan */

/* An update entry that raises one register of one instance, copied out of the plan's u[] so that the
 * issue loop reads one small record per entry (hbm_rules_issue). */
typedef struct {
    uint64_t *r;
    uint64_t base;
    uint32_t mult;
    uint8_t sc;
} hbm_plan_one;

/* Per command: the rules it must wait for (q, as X; those of scope sc are q[q_at[sc]] up to q[q_at[sc + 1]])
 * and the rules it starts (u, as Y), by scope from the channel down, in table order within a scope. The
 * update entries split by the command's pc field (all: pc = *): those that raise one register of one
 * instance (one[all][0..none[all]), copies) and the others (u[span[all][..]]: several instances, rel OTHER or
 * a ring). */
typedef struct {
    uint8_t nq, nu, q_at[HBM_NSCOPES + 1];
    hbm_plan_ent q[HBM_PLAN_MAX], u[HBM_PLAN_MAX];
    uint8_t none[2], nspan[2], span[2][HBM_PLAN_MAX];
    uint8_t below[2]; /* some entry of one[all] is of a scope below the PC (its aggregates go stale) */
    hbm_plan_one one[2][HBM_PLAN_MAX];
} hbm_plan;

/* The instances of one scope a command touches: start, start + stride, ... (count of them); a shape is
 * the count and stride, which depend on the command alone. */
typedef struct {
    size_t start;
    uint32_t count, stride;
} hbm_span;
typedef struct {
    uint32_t count, stride;
    uint8_t whole; /* the span is every instance of the PCs the command touches */
} hbm_shape;

struct hbm {
    hbm_cfg cfg;
    unsigned nbpc;        /* banks per PC */
    unsigned k[HBM_NOPS]; /* banks of one PC each command touches (k in docs/hbm.md) */
    uint64_t done_b[HBM_NOPS]; /* hbm_done_after of a command: done_b + done_n x n */
    uint32_t done_n[HBM_NOPS];
    bank_t *bank;
    pc_t *pc;
    ch_t *ch;
    unsigned slots[HBM_NSCOPES]; /* registers per instance of each scope */
    size_t ninst[HBM_NSCOPES];   /* instances of each scope */
    uint64_t *reg[HBM_NSCOPES];  /* rule-major: slot j of instance i at reg[s][j * ninst[s] + i] */
    /* Scopes below the PC (SID, bank group, bank): per slot and PC, a floor, the largest value raised over
     * every instance of the PC at once (all-bank commands), and an aggregate, the largest register of
     * its instances. An instance's value is the larger of its register and its PC's floor; the largest over
     * a whole PC is the larger of the aggregate and the floor. So all-bank commands read and raise one
     * value per PC instead of one per bank. floor[s][j * npc + p], agg[s][j * npc + p]. A raise of one
     * instance's register only marks its PC's aggregates stale (agstale[p]): a query of a whole PC, which
     * only all-bank commands make, recomputes them first (hbm_rules.c, nest_max). */
    uint64_t *floor[HBM_NSCOPES], *agg[HBM_NSCOPES];
    uint8_t *agstale;
    unsigned per_pc[HBM_NSCOPES]; /* instances of each scope in one PC (scopes below the PC) */
    hbm_plan plan[HBM_NOPS];
    hbm_shape shape[HBM_NOPS][2][HBM_NSCOPES]; /* spans' counts and strides, by command and pc=* */
    hbm_tally *tally; /* per channel: commands of different channels touch no common state (hbm.h, Threads) */
    hbm_stats *sum;   /* hbm_get_stats's answer */
    FILE *log;
};

/* Address fields each command carries (docs/hbm.md command table). */
enum { F_PC = 1, F_SID = 2, F_BG = 4, F_BA = 8, F_ROW = 16, F_COL = 32, F_N = 64, F_PCALL = 128 };
extern const uint8_t hbm_op_fields[HBM_NOPS];

static inline int hbm_is_act(unsigned op) { return op == HBM_ACT || op == HBM_ACTAB || op == HBM_ACTBG; }
static inline int hbm_is_big_act(unsigned op) { return op == HBM_ACTAB || op == HBM_ACTBG; }
static inline int hbm_is_mac(unsigned op) { return op == HBM_MACAB || op == HBM_MACBG || op == HBM_MACSB; }
static inline int hbm_is_pre(unsigned op) { return op == HBM_PRE || op == HBM_PREA; }
static inline int hbm_is_cas(unsigned op) { return op == HBM_RD || op == HBM_WR; }
static inline int hbm_is_ref(unsigned op) { return op == HBM_REFAB || op == HBM_REFPB; }
static inline int hbm_is_rdir(unsigned op) { return op == HBM_RD || op == HBM_MVSB; }
static inline int hbm_is_wdir(unsigned op) { return op == HBM_WR || op == HBM_WRGB || op == HBM_MVGB; }
static inline int hbm_has_banks(unsigned op)
{
    return !(op == HBM_WRGB || op == HBM_MVSB || op == HBM_MVGB || op == HBM_SFM || op == HBM_BARRIER);
}

/* ---- addressing: instance indices of each scope ---------------------------------------------------- */

static inline size_t hbm_ch_index(const hbm *h, unsigned st, unsigned ch) { return (size_t)st * h->cfg.channels + ch; }
static inline size_t hbm_pc_index(const hbm *h, unsigned st, unsigned ch, unsigned pc)
{
    return hbm_ch_index(h, st, ch) * h->cfg.pcs + pc;
}
static inline size_t hbm_sid_index(const hbm *h, const hbm_cmd *c, unsigned p, unsigned s)
{
    return hbm_pc_index(h, c->st, c->ch, p) * h->cfg.sids + s;
}
static inline size_t hbm_bg_index(const hbm *h, const hbm_cmd *c, unsigned p, unsigned s, unsigned g)
{
    return hbm_sid_index(h, c, p, s) * h->cfg.bank_groups + g;
}
static inline size_t hbm_bank_index(const hbm *h, const hbm_cmd *c, unsigned p, unsigned s, unsigned g, unsigned b)
{
    return hbm_bg_index(h, c, p, s, g) * h->cfg.banks + b;
}

/* The banks a command touches: PCs [p0, p1], and within each PC the sid/bg/ba ranges. */
typedef struct {
    unsigned p0, p1, s0, s1, g0, g1, b0, b1, has_banks;
} hbm_bankset;

static inline hbm_bankset hbm_banks_of(const hbm *h, const hbm_cmd *c)
{
    const hbm_cfg *k = &h->cfg;
    hbm_bankset b = {0};
    uint8_t f = hbm_op_fields[c->op];
    if (f & F_PC) {
        b.p0 = c->pc == HBM_PC_ALL ? 0 : c->pc;
        b.p1 = c->pc == HBM_PC_ALL ? k->pcs - 1 : c->pc;
    }
    b.has_banks = hbm_has_banks(c->op);
    b.s0 = 0, b.s1 = k->sids - 1, b.g0 = 0, b.g1 = k->bank_groups - 1, b.b0 = 0, b.b1 = k->banks - 1;
    if (f & F_SID)
        b.s0 = b.s1 = c->sid;
    if (f & F_BG)
        b.g0 = b.g1 = c->bg;
    if (f & F_BA)
        b.b0 = b.b1 = c->ba;
    return b;
}

/* The instances of every scope that c touches: for every command an arithmetic progression (one instance,
 * all those of its PCs, or for ACTBG/MACBG one bank index of every bank group), which starts at start[sc]
 * and has the shape h->shape[op][pc=*][sc] (hbm_rules_build, which rejects any other shape). */
typedef struct {
    size_t start[HBM_NSCOPES];
    const hbm_shape *shape;
} hbm_at;

static inline hbm_at hbm_at_of(const hbm *h, const hbm_cmd *c)
{
    const hbm_cfg *f = &h->cfg;
    uint8_t fl = hbm_op_fields[c->op];
    int all = c->pc == HBM_PC_ALL;
    hbm_at a;
    size_t i = (size_t)c->st * f->channels + c->ch;
    a.start[HBM_SC_CH] = i;
    a.start[HBM_SC_PC] = i = i * f->pcs + ((fl & F_PC) && !all ? c->pc : 0);
    a.start[HBM_SC_SID] = i = i * f->sids + (fl & F_SID ? c->sid : 0);
    a.start[HBM_SC_BG] = i = i * f->bank_groups + (fl & F_BG ? c->bg : 0);
    a.start[HBM_SC_BANK] = i * f->banks + (fl & F_BA ? c->ba : 0);
    a.shape = h->shape[c->op][all];
    return a;
}

static inline hbm_span hbm_span_of(const hbm_at *a, unsigned sc)
{
    return (hbm_span){a->start[sc], a->shape[sc].count, a->shape[sc].stride};
}

/* docs/hbm.md: stagger(Y) of a command op touching k banks of a PC; done(Y); dur(Y). */
uint64_t hbm_stagger(const hbm_cfg *f, unsigned op, unsigned k);
static inline uint64_t hbm_done_after(const hbm *h, const hbm_cmd *c)
{
    return h->done_b[c->op] + (uint64_t)h->done_n[c->op] * c->n;
}
static inline uint64_t hbm_dur(const hbm *h, const hbm_cmd *c) /* nBL, n x nBL for MVSB/MVGB */
{
    return (c->op == HBM_MVSB || c->op == HBM_MVGB) ? (uint64_t)c->n * h->cfg.nBL : h->cfg.nBL;
}

/* hbm_stats.c: adds issuing c at t (touching npc PCs) to the statistics and energy. */
void hbm_stats_add(hbm *h, const hbm_cmd *c, uint64_t t, unsigned npc);

/* hbm_rules.c. hbm_rules_build: h->shape, h->slots, h->reg (allocated; h->ninst set before) and h->plan
 * from the table for h->cfg; 0, or -1 on no memory or a table the plans cannot hold. hbm_rules_earliest:
 * the timing part of hbm_earliest, for a command legal in the current state (*rule named only when rule
 * is not NULL). hbm_rules_issue: the register updates of issuing c at t. */
int hbm_rules_build(hbm *h);
uint64_t hbm_rules_earliest(const hbm *h, const hbm_cmd *c, uint64_t from, const char **rule);
void hbm_rules_issue(hbm *h, const hbm_cmd *c, const hbm_at *at, uint64_t t); /* at: hbm_at_of(h, c) */

/* hbm.c: the refresh pull-in limit of a REFAB/REFPB of PC p (0 when none), and the earliest cycle >= t at
 * which the MAC power window takes c (power limit on). */
uint64_t hbm_refresh_pullin(const hbm *h, size_t p);
uint64_t hbm_macpow_earliest(const hbm *h, const hbm_cmd *c, uint64_t t);

#endif
