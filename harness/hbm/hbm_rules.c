/* hbm_rules.c — the timing engine's rule table (hbm_rules.h) and the two things it drives: the timing part
 * of hbm_earliest (a command X waits for every row with X in its `x` set) and the register updates of
 * hbm_issue (a command Y raises every row with Y in its `y` set).
 *
 * hbm_rules_build turns the table into one plan per command for the configuration: each enabled row gets
 * a register slot in its scope (nth + 1 slots for a windowed row: a ring and a count), or shares an
 * earlier row's when their distances after every Y differ by a constant (nRC, nRCDRD, nRCDWR and nRAS
 * after an ACT: one register raised, each row reads it less its part below the largest), and each command
 * gets the list of registers it reads (with the row's name, to report the binding rule) and the list it
 * raises (with the distance, all of it but the n-dependent part precomputed), both ordered by scope from
 * the channel down and by the table within a scope. The query is then the maximum of the registers read
 * over the instances the command touches, the update raises each to t + distance there. The rule named
 * is the first register in the order channel, PC, then SID, bank group and bank nested, that reaches the
 * maximum: what a running maximum over the rules in that order reports. */
#include "hbm_priv.h"

#include <stdlib.h>
#include <string.h>

#define OP(x) (1u << HBM_##x)
#define ACTS (OP(ACT) | OP(ACTAB) | OP(ACTBG))
#define BIGACTS (OP(ACTAB) | OP(ACTBG))
#define PRES (OP(PRE) | OP(PREA))
#define REFS (OP(REFAB) | OP(REFPB))
#define MACS (OP(MACAB) | OP(MACBG) | OP(MACSB))
#define CAS (OP(RD) | OP(WR))
#define RDIR (OP(RD) | OP(MVSB))
#define WDIR (OP(WR) | OP(WRGB) | OP(MVGB))
#define ANY ((1u << HBM_NOPS) - 1)
#define ROWCMDS (ACTS | PRES | REFS)
#define COLCMDS (ANY & ~ROWCMDS)
#define P(field) ((uint16_t)offsetof(hbm_cfg, field))
#define MAX64(a, b) ((a) > (b) ? (a) : (b))
/* A register less a row's offset (hbm_plan_ent), 0 for a register never raised. */
#define LESS(v, off) (MAX64((v), (off)) - (off))

/* Each rule of docs/hbm.md "Timing rules" that is a distance from Y to X, declared once (hbm_rules.h has
 * the meaning of the fields). The docs table lists the same rules; the order here (within a scope) decides
 * which rule is named when two bind at the same cycle. */
#define R(nm, sc, rl, ys, xs) .name = nm, .scope = HBM_SC_##sc, .rel = HBM_REL_##rl, .y = (ys), .x = (xs)
const hbm_rule hbm_rules[] = {
    /* share a bank */
    {R("nRC", BANK, SAME, ACTS, ACTS | REFS), .add = {P(nRC)}, .extra = HBM_EX_STAGGER},
    {R("nRCDRD", BANK, SAME, ACTS, OP(RD) | MACS), .add = {P(nRCDRD)}, .extra = HBM_EX_STAGGER},
    {R("nRCDWR", BANK, SAME, ACTS, OP(WR)), .add = {P(nRCDWR)}, .extra = HBM_EX_STAGGER},
    {R("nRAS", BANK, SAME, ACTS, PRES), .add = {P(nRAS)}, .extra = HBM_EX_STAGGER},
    {R("nRP", BANK, SAME, PRES, ACTS | REFS), .add = {P(nRP)}},
    {R("nRTP", BANK, SAME, OP(RD) | MACS, PRES), .add = {P(nRTP)}},
    {R("nWR", BANK, SAME, OP(WR), PRES), .add = {P(nCWL), P(nBL), P(nWR)}},
    {R("nMAC", BANK, SAME, MACS, MACS), .add = {P(nMAC)}},
    {R("nRFCpb", BANK, SAME, OP(REFPB), ACTS | OP(REFPB)), .add = {P(nRFCpb)}},
    /* share a bank group (nCCDL: not MAC -> MAC, which nMAC governs; as two rows, one for each of RD and WR
     * to raise; nRRDL: the same bank too, where nRC is the longer) */
    {R("nCCDL", BG, SAME, CAS, CAS | MACS), .add = {P(nCCDL)}},
    {R("nCCDL", BG, SAME, MACS, CAS), .add = {P(nCCDL)}},
    {R("nWTRL", BG, SAME, OP(WR), OP(RD)), .add = {P(nCWL), P(nBL), P(nWTRL)}},
    {R("nRRDL", BG, SAME, ACTS, ACTS), .add = {P(nRRDL)}},
    /* same SID (other bank groups: the same one has the longer nCCDL); other SIDs of the PC */
    {R("nCCDS", SID, SAME, CAS, CAS), .add = {P(nCCDS)}},
    {R("nCCDR", SID, OTHER, CAS, CAS), .add = {P(nCCDR)}},
    /* same PC (nRRDS, nRREFD: different banks or not, the same bank has the longer nRC, nRFCpb) */
    {R("data", PC, SAME, RDIR, RDIR), .extra = HBM_EX_DUR},
    {R("data", PC, SAME, WDIR, WDIR), .extra = HBM_EX_DUR},
    {R("nRTW", PC, SAME, RDIR, WDIR), .add = {P(nRTW)}, .sub = P(nBL), .extra = HBM_EX_DUR},
    {R("nWTRS", PC, SAME, WDIR, RDIR), .add = {P(nCWL), P(nWTRS)}, .extra = HBM_EX_DUR},
    {R("nRRDS", PC, SAME, ACTS, ACTS), .add = {P(nRRDS)}},
    {R("nRFC", PC, SAME, OP(REFAB), ACTS | REFS), .add = {P(nRFC)}},
    {R("nRREFD", PC, SAME, OP(REFPB), ACTS | OP(REFPB)), .add = {P(nRREFD)}},
    {R("actwin", PC, SAME, BIGACTS, ACTS), .extra = HBM_EX_KFAW, .cond = HBM_IF_AB_ACT_FAW},
    {R("actwin", PC, SAME, ACTS, BIGACTS), .extra = HBM_EX_KFAW, .cond = HBM_IF_AB_ACT_FAW},
    {R("FAW", PC, SAME, OP(ACT), OP(ACT)), .add = {P(nFAW)}, .nth = 4},
    {R("nPPD", PC, SAME, PRES, PRES), .add = {P(nPPD)}},
    /* same channel */
    {R("rowbus", CH, SAME, ACTS, ROWCMDS), .cst = 2}, /* 1.5 CK rounded up */
    {R("rowbus", CH, SAME, PRES | REFS, ROWCMDS), .cst = 1},
    {R("colbus", CH, SAME, COLCMDS, COLCMDS), .cst = 1},
    {R("sfm", CH, SAME, OP(SFM), OP(SFM)), .extra = HBM_EX_N},
    {R("barrier", CH, SAME, ANY, OP(BARRIER)), .extra = HBM_EX_DONE},
};
#undef R
const unsigned hbm_nrules = sizeof hbm_rules / sizeof hbm_rules[0];

/* ---- plans ----------------------------------------------------------------------------------------- */

static uint32_t field(const hbm_cfg *f, uint16_t off)
{
    uint32_t v;
    memcpy(&v, (const char *)f + off, sizeof v);
    return v;
}

static int has_n(unsigned op) { return (hbm_op_fields[op] & F_N) != 0; }
static int is_mv(unsigned op) { return op == HBM_MVSB || op == HBM_MVGB; }

/* The distance of row r after command op, as base + mult x (n - 1). */
static void distance(const hbm *h, const hbm_rule *r, unsigned op, uint64_t *base, uint32_t *mult)
{
    const hbm_cfg *f = &h->cfg;
    uint64_t b = r->cst;
    uint32_t m = 0;
    for (unsigned i = 0; i < 3; i++)
        if (r->add[i])
            b += field(f, r->add[i]);
    switch (r->extra) {
    case HBM_EX_STAGGER: b += hbm_stagger(f, op, h->k[op]); break;
    case HBM_EX_DUR: b += f->nBL, m = is_mv(op) ? f->nBL : 0; break;
    case HBM_EX_N: b += 1, m = has_n(op) ? 1 : 0; break;
    case HBM_EX_KFAW: b += (uint64_t)((h->k[op] + 3) / 4) * f->nFAW; break;
    case HBM_EX_DONE: {
        hbm_cmd one = {.op = (uint8_t)op, .n = 1};
        b += hbm_done_after(h, &one), m = is_mv(op) ? f->nBL : op == HBM_SFM ? 1 : 0;
        break;
    }
    default: break;
    }
    if (r->sub) /* every row subtracting a field adds at least as much of it (nRTW: dur(Y) - nBL) */
        b -= field(f, r->sub);
    *base = b, *mult = m;
}

static int enabled(const hbm_cfg *f, const hbm_rule *r) { return r->cond != HBM_IF_AB_ACT_FAW || f->ab_act_faw; }

/* h->shape: the count and stride of each command's span at each scope (hbm_at_of), for pc=* and not;
 * -1 if one is not an arithmetic progression. */
static int build_shapes(hbm *h)
{
    const hbm_cfg *f = &h->cfg;
    for (unsigned op = 0; op < HBM_NOPS; op++)
        for (int all = 0; all < 2; all++) {
            uint8_t fl = hbm_op_fields[op];
            uint32_t np = all && (fl & F_PCALL) ? f->pcs : 1, ns = fl & F_SID ? 1 : f->sids;
            uint32_t ng = fl & F_BG ? 1 : f->bank_groups, nb = fl & F_BA ? 1 : f->banks;
            int all_sg = ns == f->sids && ng == f->bank_groups, one = np * ns * ng * nb == 1;
            hbm_shape *shp = h->shape[op][all];
            shp[HBM_SC_CH] = (hbm_shape){1, 1, 0};
            shp[HBM_SC_PC] = (hbm_shape){np, 1, 0};
            shp[HBM_SC_SID] = (hbm_shape){ns == f->sids || np * ns == 1 ? np * ns : 0, 1, 0};
            shp[HBM_SC_BG] = (hbm_shape){all_sg || np * ns * ng == 1 ? np * ns * ng : 0, 1, 0};
            shp[HBM_SC_BANK] = one                          ? (hbm_shape){1, 1, 0}
                               : all_sg && nb == f->banks ? (hbm_shape){np * ns * ng * nb, 1, 0}
                               : all_sg && nb == 1        ? (hbm_shape){np * ns * ng, f->banks, 0}
                                                          : (hbm_shape){0, 1, 0};
            for (unsigned sc = 0; sc < HBM_NSCOPES; sc++) {
                if (!shp[sc].count)
                    return -1;
                shp[sc].whole = sc > HBM_SC_PC && shp[sc].stride == 1 && shp[sc].count == np * h->per_pc[sc];
            }
        }
    return 0;
}

/* Rows i and j can share a register: the same scope, rel, Y set and switch, no window, and for every Y the
 * same n-dependent part and distances a constant apart (such as nRC and nRCDRD after any ACT). */
static int can_share(const hbm *h, const hbm_rule *a, const hbm_rule *b)
{
    if (a->scope != b->scope || a->rel != b->rel || a->y != b->y || a->cond != b->cond || a->nth || b->nth)
        return 0;
    int first = 1;
    uint64_t diff = 0;
    for (unsigned op = 0; op < HBM_NOPS; op++) {
        if (!(a->y & (1u << op)))
            continue;
        uint64_t ba, bb;
        uint32_t ma, mb;
        distance(h, a, op, &ba, &ma);
        distance(h, b, op, &bb, &mb);
        if (ma != mb || (!first && ba - bb != diff))
            return 0;
        diff = ba - bb, first = 0;
    }
    return 1;
}

/* Gives each enabled row its register slots in its scope (nth + 1 for a windowed row), or the register of
 * an earlier row it can share (lead[i], the group's first row; can_share); -1 if a row is of a kind the
 * query and update do not handle. */
static int number_slots(hbm *h, uint8_t *slot, uint8_t *lead)
{
    memset(h->slots, 0, sizeof h->slots);
    for (unsigned i = 0; i < hbm_nrules; i++) {
        const hbm_rule *r = &hbm_rules[i];
        if (!enabled(&h->cfg, r))
            continue;
        lead[i] = (uint8_t)i;
        for (unsigned j = 0; j < i && lead[i] == i; j++)
            if (enabled(&h->cfg, &hbm_rules[j]) && lead[j] == j && can_share(h, &hbm_rules[j], r))
                lead[i] = (uint8_t)j, slot[i] = slot[j];
        if (lead[i] != i)
            continue;
        if (r->scope >= HBM_NSCOPES || (r->nth && (r->rel != HBM_REL_SAME || r->scope > HBM_SC_PC)) ||
            (r->scope == HBM_SC_CH && r->rel != HBM_REL_SAME) || h->slots[r->scope] + r->nth + 1 > 255)
            return -1;
        for (unsigned op = 0; op < HBM_NOPS; op++) /* a command in y or x has instances of the scope */
            if (((r->x | r->y) & (1u << op)) && ((r->scope == HBM_SC_PC && !(hbm_op_fields[op] & F_PC)) ||
                                                  (r->scope > HBM_SC_PC && !hbm_has_banks(op))))
                return -1;
        slot[i] = (uint8_t)h->slots[r->scope];
        h->slots[r->scope] += r->nth ? r->nth + 1u : 1u;
    }
    return 0;
}

/* A group of rows sharing a register (lead: its first row) holds t + the largest distance of its rows;
 * off[i]: how far row i's distance is below that, the same after every Y (can_share). */
static void group_offsets(const hbm *h, const uint8_t *lead, uint64_t *off)
{
    for (unsigned i = 0; i < hbm_nrules; i++) {
        if (!enabled(&h->cfg, &hbm_rules[i]))
            continue;
        const unsigned y0 = (unsigned)__builtin_ctz(hbm_rules[i].y);
        uint64_t own, b, m = 0;
        uint32_t mult;
        distance(h, &hbm_rules[i], y0, &own, &mult);
        for (unsigned j = lead[i]; j < hbm_nrules; j++)
            if (enabled(&h->cfg, &hbm_rules[j]) && lead[j] == lead[i]) {
                distance(h, &hbm_rules[j], y0, &b, &mult);
                m = MAX64(m, b);
            }
        off[i] = m - own;
    }
}

int hbm_rules_build(hbm *h)
{
    uint8_t slot[sizeof hbm_rules / sizeof hbm_rules[0]], lead[sizeof hbm_rules / sizeof hbm_rules[0]];
    uint64_t off[sizeof hbm_rules / sizeof hbm_rules[0]];
    memset(h->plan, 0, sizeof h->plan);
    const hbm_cfg *f = &h->cfg;
    h->per_pc[HBM_SC_SID] = f->sids;
    h->per_pc[HBM_SC_BG] = f->sids * f->bank_groups;
    h->per_pc[HBM_SC_BANK] = h->nbpc;
    if (build_shapes(h) || number_slots(h, slot, lead))
        return -1;
    group_offsets(h, lead, off);
    const size_t npc = h->ninst[HBM_SC_PC];
    if (!(h->agstale = calloc(npc, 1)))
        return -1;
    for (unsigned sc = 0; sc < HBM_NSCOPES; sc++) {
        if (!(h->reg[sc] = calloc(h->ninst[sc] * h->slots[sc] + 1, sizeof *h->reg[sc])))
            return -1;
        if (sc > HBM_SC_PC && (!(h->floor[sc] = calloc(npc * h->slots[sc] + 1, sizeof *h->floor[sc])) ||
                               !(h->agg[sc] = calloc(npc * h->slots[sc] + 1, sizeof *h->agg[sc]))))
            return -1;
    }
    for (unsigned sc = 0; sc < HBM_NSCOPES; sc++) /* by scope, then in table order */
        for (unsigned i = 0; i < hbm_nrules; i++) {
            const hbm_rule *r = &hbm_rules[i];
            if (r->scope != sc || !enabled(&h->cfg, r))
                continue;
            for (unsigned op = 0; op < HBM_NOPS; op++) {
                hbm_plan *pl = &h->plan[op];
                hbm_plan_ent e = {.r = h->reg[sc] + slot[i] * h->ninst[sc], .name = r->name, .sc = (uint8_t)sc,
                                  .rel = r->rel, .nth = r->nth, .off = off[i]};
                if (sc > HBM_SC_PC)
                    e.fl = h->floor[sc] + slot[i] * npc, e.ag = h->agg[sc] + slot[i] * npc;
                if ((r->x & (1u << op)) && pl->nq == HBM_PLAN_MAX)
                    return -1;
                if (r->x & (1u << op)) /* the group's register less the row's offset */
                    pl->q[pl->nq++] = e;
                if ((r->y & (1u << op)) && pl->nu == HBM_PLAN_MAX)
                    return -1;
                if ((r->y & (1u << op)) && lead[i] == i) { /* one update for the group, by its largest distance */
                    distance(h, r, op, &e.base, &e.mult);
                    e.base += off[i];
                    pl->u[pl->nu++] = e;
                }
            }
            for (unsigned op = 0; op < HBM_NOPS; op++)
                for (unsigned s2 = sc + 1; s2 <= HBM_NSCOPES; s2++)
                    h->plan[op].q_at[s2] = h->plan[op].nq;
        }
    for (unsigned op = 0; op < HBM_NOPS; op++)
        for (int all = 0; all < 2; all++) {
            hbm_plan *pl = &h->plan[op];
            for (unsigned i = 0; i < pl->nu; i++) {
                const hbm_plan_ent *e = &pl->u[i];
                if (h->shape[op][all][e->sc].count == 1 && !e->rel && !e->nth) {
                    pl->one[all][pl->none[all]++] = (hbm_plan_one){.r = e->r, .base = e->base, .mult = e->mult,
                                                                    .sc = e->sc};
                    pl->below[all] |= e->sc > HBM_SC_PC;
                } else
                    pl->span[all][pl->nspan[all]++] = (uint8_t)i;
            }
        }
    return 0;
}

/* ---- query ----------------------------------------------------------------------------------------- */

#define NEED(v, name)                                                                                         \
    do {                                                                                                      \
        uint64_t v_ = (v);                                                                                    \
        if (v_ > t) {                                                                                         \
            t = v_;                                                                                           \
            why = (name);                                                                                     \
        }                                                                                                     \
    } while (0)

/* Channel and PC scope: the latest of the registers of instance i that the entries e[0..n) read, running
 * from t (each later one that exceeds it names the rule). */
static inline uint64_t need(const hbm *h, size_t i, const hbm_plan_ent *e, unsigned n, uint64_t t, const char **why)
{
    for (unsigned k = 0; k < n; k++) {
        uint64_t v;
        if (e[k].nth) { /* the nth-latest Y: the oldest of the ring once it is full */
            size_t ni = h->ninst[e[k].sc];
            uint64_t cnt = e[k].r[e[k].nth * ni + i];
            if (cnt < e[k].nth)
                continue;
            const uint64_t nth = e[k].nth;
            v = e[k].r[((nth & (nth - 1)) ? cnt % nth : cnt & (nth - 1)) * ni + i];
        } else
            v = LESS(e[k].r[i], e[k].off);
        if (v > t)
            t = v, *why = e[k].name;
    }
    return t;
}

/* PC p's aggregates, stale after a raise of one instance's register (struct hbm): the largest register
 * of the PC's instances, per scope below the PC and slot. The floors stay out of them (a whole PC's value
 * is the larger of the two). They are the PC's own state (hbm.h, Threads), a cache the query may fill. */
static void fresh_aggregates(const hbm *h, size_t p)
{
    const size_t npc = h->ninst[HBM_SC_PC];
    for (unsigned sc = HBM_SC_SID; sc < HBM_NSCOPES; sc++) {
        const size_t per = h->per_pc[sc];
        for (size_t j = 0; j < h->slots[sc]; j++) {
            const uint64_t *r = h->reg[sc] + j * h->ninst[sc] + p * per;
            uint64_t m = 0;
            for (size_t i = 0; i < per; i++)
                m = MAX64(m, r[i]);
            h->agg[sc][j * npc + p] = m;
        }
    }
    h->agstale[p] = 0;
}

/* The value of instance i of entry e (a scope below the PC): its register or its PC's floor. */
static inline uint64_t eff(const hbm *h, const hbm_plan_ent *e, size_t i)
{
    uint64_t f = e->fl[i / h->per_pc[e->sc]];
    return LESS(MAX64(e->r[i], f), e->off);
}

/* SID, bank group and bank scopes, first pass: the latest of the values the entries e[0..n) read over
 * the command's spans, in any order: per PC the aggregate and the floor when a span is whole PCs. */
static uint64_t nest_max(const hbm *h, const hbm_at *at, const hbm_plan_ent *e, unsigned n)
{
    uint64_t m = 0;
    const size_t p0 = at->start[HBM_SC_PC], np = at->shape[HBM_SC_PC].count; /* the PCs: no division */
    if (at->shape[HBM_SC_BANK].count == 1) { /* one bank, so one SID, one bank group and one PC */
        for (unsigned k = 0; k < n; k++)
            m = MAX64(m, LESS(MAX64(e[k].r[at->start[e[k].sc]], e[k].fl[p0]), e[k].off));
        return m;
    }
    if (at->shape[HBM_SC_SID].whole | at->shape[HBM_SC_BG].whole | at->shape[HBM_SC_BANK].whole)
        for (size_t p = p0; p < p0 + np; p++)
            if (h->agstale[p])
                fresh_aggregates(h, p);
    for (unsigned k = 0; k < n; k++) {
        hbm_span sp = hbm_span_of(at, e[k].sc);
        if (at->shape[e[k].sc].whole) {
            for (size_t p = p0; p < p0 + np; p++)
                m = MAX64(m, LESS(MAX64(e[k].ag[p], e[k].fl[p]), e[k].off));
        } else
            for (size_t i = 0; i < sp.count; i++)
                m = MAX64(m, eff(h, &e[k], sp.start + i * sp.stride));
    }
    return m;
}

/* Second pass, when that maximum m binds: the rule named is the first register equal to m in the order
 * SID (its rules), bank group (its rules), bank (its rules) nested in that order, as a running maximum
 * would find it. */
static const char *first_at(const hbm *h, const hbm_cmd *c, const hbm_at *at, const hbm_plan *pl, uint64_t m)
{
    const hbm_plan_ent *q = pl->q;
    const uint8_t *qa = pl->q_at;
    if (at->shape[HBM_SC_BANK].count == 1)
        for (unsigned k = qa[HBM_SC_SID]; k < qa[HBM_NSCOPES]; k++)
            if (eff(h, &q[k], at->start[q[k].sc]) == m)
                return q[k].name;
    hbm_bankset bs = hbm_banks_of(h, c);
    for (unsigned p = bs.p0; p <= bs.p1; p++)
        for (unsigned s = bs.s0; s <= bs.s1; s++) {
            size_t si = hbm_sid_index(h, c, p, s);
            for (unsigned k = qa[HBM_SC_SID]; k < qa[HBM_SC_BG]; k++)
                if (eff(h, &q[k], si) == m)
                    return q[k].name;
            for (unsigned g = bs.g0; g <= bs.g1; g++) {
                size_t gi = hbm_bg_index(h, c, p, s, g);
                for (unsigned k = qa[HBM_SC_BG]; k < qa[HBM_SC_BANK]; k++)
                    if (eff(h, &q[k], gi) == m)
                        return q[k].name;
                for (unsigned b = bs.b0; b <= bs.b1; b++)
                    for (unsigned k = qa[HBM_SC_BANK]; k < qa[HBM_NSCOPES]; k++)
                        if (eff(h, &q[k], gi * h->cfg.banks + b) == m)
                            return q[k].name;
            }
        }
    return "?"; /* not reached: m is one of these registers */
}

uint64_t hbm_rules_earliest(const hbm *h, const hbm_cmd *c, uint64_t from, const char **rule)
{
    const hbm_plan *pl = &h->plan[c->op];
    const uint8_t *qa = pl->q_at;
    const char *why = "from";
    uint64_t t = from;
    hbm_at at = hbm_at_of(h, c);
    NEED(h->ch[at.start[HBM_SC_CH]].t_last, "order");
    t = need(h, at.start[HBM_SC_CH], pl->q, qa[HBM_SC_PC], t, &why);
    for (size_t pi = at.start[HBM_SC_PC]; pi < at.start[HBM_SC_PC] + at.shape[HBM_SC_PC].count; pi++) {
        t = need(h, pi, pl->q + qa[HBM_SC_PC], qa[HBM_SC_SID] - qa[HBM_SC_PC], t, &why);
        if (hbm_is_ref(c->op))
            NEED(hbm_refresh_pullin(h, pi), "refresh");
    }
    if (hbm_is_mac(c->op) && h->cfg.power_limit)
        NEED(hbm_macpow_earliest(h, c, t), "macpow");
    if (qa[HBM_SC_SID] < qa[HBM_NSCOPES]) {
        uint64_t m = nest_max(h, &at, pl->q + qa[HBM_SC_SID], qa[HBM_NSCOPES] - qa[HBM_SC_SID]);
        if (m > t) /* the rule's name only when asked: finding it is a second pass over the registers */
            t = m, why = rule ? first_at(h, c, &at, pl, m) : NULL;
    }
    if (rule)
        *rule = why;
    return t;
}

/* ---- update ---------------------------------------------------------------------------------------- */

static size_t siblings(const hbm *h, unsigned sc)
{
    const hbm_cfg *f = &h->cfg;
    return sc == HBM_SC_PC ? f->pcs : sc == HBM_SC_SID ? f->sids : sc == HBM_SC_BG ? f->bank_groups : f->banks;
}

/* Raises the registers of entry e over the span to v: those of the instances themselves (rel SAME), or
 * of the other instances of each one's parent (rel OTHER); a windowed entry records v in its ring. Below
 * the PC a span of whole PCs raises their floors, any other instance its register, which makes its PC's
 * aggregates stale. */
static void raise_span(const hbm *h, const hbm_at *at, const hbm_plan_ent *e, uint64_t v)
{
    const hbm_span sp = hbm_span_of(at, e->sc);
    const int whole = at->shape[e->sc].whole;
    uint64_t *r = e->r;
    const size_t per = e->sc > HBM_SC_PC ? h->per_pc[e->sc] : 0;
    if (e->rel == HBM_REL_OTHER) { /* below the channel (hbm_rules_build): the siblings share a PC */
        const size_t nsib = siblings(h, e->sc);
        for (size_t i = 0; i < sp.count; i++) {
            const size_t self = sp.start + i * sp.stride;
            /* one instance: its parent's is at->start[sc - 1] (no division on the common path) */
            const size_t first = sp.count == 1 ? at->start[e->sc - 1] * nsib : self - self % nsib;
            const size_t pc = !per ? 0 : sp.count == 1 ? at->start[HBM_SC_PC] : self / per;
            for (size_t j = first; j < first + nsib; j++)
                if (j != self && v > r[j]) {
                    r[j] = v;
                    if (per)
                        h->agstale[pc] = 1;
                }
        }
    } else if (e->nth) {
        const size_t ni = h->ninst[e->sc], nth = e->nth;
        for (size_t i = 0; i < sp.count; i++) {
            size_t self = sp.start + i * sp.stride;
            uint64_t *cnt = &r[nth * ni + self];
            r[((nth & (nth - 1)) ? *cnt % nth : *cnt & (nth - 1)) * ni + self] = v;
            ++*cnt;
        }
    } else if (per && whole) {
        for (size_t p = at->start[HBM_SC_PC]; p < at->start[HBM_SC_PC] + at->shape[HBM_SC_PC].count; p++)
            e->fl[p] = MAX64(v, e->fl[p]);
    } else if (per) {
        for (size_t i = 0; i < sp.count; i++) {
            size_t x = sp.start + i * sp.stride;
            r[x] = MAX64(v, r[x]);
            h->agstale[x / per] = 1;
        }
    } else if (sp.stride == 1) {
        for (size_t i = sp.start; i < sp.start + sp.count; i++)
            r[i] = MAX64(v, r[i]);
    } else
        for (size_t i = 0; i < sp.count; i++) {
            uint64_t *x = &r[sp.start + i * sp.stride];
            *x = MAX64(v, *x);
        }
}

void hbm_rules_issue(hbm *h, const hbm_cmd *c, const hbm_at *atp, uint64_t t)
{
    const hbm_plan *pl = &h->plan[c->op];
    uint64_t n1 = has_n(c->op) ? (uint64_t)c->n - 1 : 0;
    const int all = c->pc == HBM_PC_ALL;
    /* read from *atp, not a copy: a copy's wide loads of the narrow stores just made stall the CPU */
    for (unsigned j = 0, n = pl->none[all]; j < n; j++) {
        const hbm_plan_one *e = &pl->one[all][j];
        const uint64_t v = t + e->base + e->mult * n1;
        const size_t i = atp->start[e->sc];
        e->r[i] = MAX64(v, e->r[i]);
    }
    if (pl->below[all]) /* the entries of one instance: one PC */
        h->agstale[atp->start[HBM_SC_PC]] = 1;
    for (unsigned j = 0, n = pl->nspan[all]; j < n; j++) {
        const hbm_plan_ent *e = &pl->u[pl->span[all][j]];
        raise_span(h, atp, e, t + e->base + e->mult * n1);
    }
}
