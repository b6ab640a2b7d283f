/* hbm_check.c — the independent protocol checker (hbm_check.h), written from docs/hbm.md alone.
 * Every command becomes a bank-set pattern (pc, sid, bg, ba: one value or ANY), so the spec's relations
 * (share a bank, same SID other bank group, ...) are field comparisons. Each channel keeps a ring of its
 * recent commands covering the largest rule distance; a new command X is compared with every earlier Y in
 * reach by dist() (every rule of the table; the latest needed cycle is the binding one), FAW and macpow are
 * counted in the same scan, BARRIER uses a running maximum of done(). MVSB/MVGB/SFM with n > 1 reach
 * further than the static window and sit in a short side list instead. State is kept per bank (open row)
 * with per-PC and per-(PC, bank index) open counts, so all-bank commands check in O(1). */
#include "hbm_check_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- the rule table ------------------------------------------------------------------------------------ */

enum { RL_PC = 1, RL_BANK = 2, RL_BG = 4, RL_BGDIFF = 8, RL_SIDBG = 16, RL_SID = 32, RL_PCDIFF = 64, RL_ALL = 127 };
static inline int meet(unsigned a, unsigned b) { return a == ANY || b == ANY || a == b; }
static inline int differ(unsigned a, unsigned b, unsigned cnt) { return cnt > 1 && (a == ANY || b == ANY || a != b); }

/* Which relations of docs/hbm.md some bank (or PC) of y and some of x stand in. */
static inline unsigned relate(const hbm_checker *k, const ent *y, const ent *x)
{
    if (!meet(y->pc, x->pc))
        return 0;
    if (!(op_cls[y->op] & op_cls[x->op] & C_BANK))
        return RL_PC;
    unsigned r = RL_PC;
    int sm = meet(y->sid, x->sid), gm = meet(y->bg, x->bg), sd = differ(y->sid, x->sid, k->c.sids);
    int gd = differ(y->bg, x->bg, k->c.bank_groups), bd = differ(y->ba, x->ba, k->c.banks);
    if (sm && gm)
        r |= RL_BG | (meet(y->ba, x->ba) ? RL_BANK : 0) | (bd ? RL_BGDIFF : 0);
    if (sm && gd)
        r |= RL_SIDBG;
    if (sd)
        r |= RL_SID;
    if (sd || gd || bd) /* a multi-bank pattern has an ANY level, which differs from any value */
        r |= RL_PCDIFF;
    return r;
}

typedef struct { uint64_t d; int rule; } need; /* a distance and the rule that requires it */
#define RULE(cond, dist, id) if ((cond) && (uint64_t)(dist) > r.d) r.d = (uint64_t)(dist), r.rule = (id)

/* The largest distance any rule requires from y to x given their relations; ties go to the table's order. */
static need dist(const hbm_checker *k, const ent *y, const ent *x, unsigned rel)
{
    const hbm_cfg *c = &k->c;
    unsigned Y = y->op, X = x->op, cy = op_cls[Y], cx = op_cls[X], ya = cy & C_ACTS, xa = cx & C_ACTS;
    uint64_t stg = k->stg[Y], dur = (Y == MVSB || Y == MVGB) ? (uint64_t)y->n * c->nBL : c->nBL;
    need r = {0, -1};
    if (rel & RL_BANK) {
        RULE(ya && (xa || X == REFAB || X == REFPB), c->nRC + stg, R_nRC);
        RULE(ya && (X == RD || (cx & C_MACS)), c->nRCDRD + stg, R_nRCDRD);
        RULE(ya && X == WR, c->nRCDWR + stg, R_nRCDWR);
        RULE(ya && (cx & C_PRES), c->nRAS + stg, R_nRAS);
        RULE((cy & C_PRES) && (xa || X == REFPB || X == REFAB), c->nRP, R_nRP);
        RULE((Y == RD || (cy & C_MACS)) && (cx & C_PRES), c->nRTP, R_nRTP);
        RULE(Y == WR && (cx & C_PRES), c->nCWL + c->nBL + c->nWR, R_nWR);
        RULE(cy & cx & C_MACS, c->nMAC, R_nMAC);
        RULE(Y == REFPB && (xa || X == REFPB), c->nRFCpb, R_nRFCpb);
    }
    if (rel & RL_BG) {
        RULE((cy & (C_CAS | C_MACS)) && (cx & (C_CAS | C_MACS)) && ((cy | cx) & C_CAS), c->nCCDL, R_nCCDL);
        RULE(Y == WR && X == RD, c->nCWL + c->nBL + c->nWTRL, R_nWTRL);
    }
    RULE((rel & RL_BGDIFF) && ya && xa, c->nRRDL, R_nRRDL);
    RULE((rel & RL_SIDBG) && (cy & cx & C_CAS), c->nCCDS, R_nCCDS);
    RULE((rel & RL_SID) && (cy & cx & C_CAS), c->nCCDR, R_nCCDR);
    RULE((rel & RL_PCDIFF) && ya && xa, c->nRRDS, R_nRRDS);
    if (rel & RL_PC) {
        RULE((cy & cx & C_RDIR) || (cy & cx & C_WDIR), dur, R_data);
        RULE((cy & C_RDIR) && (cx & C_WDIR), c->nRTW + dur - c->nBL, R_nRTW);
        RULE((cy & C_WDIR) && (cx & C_RDIR), c->nCWL + dur + c->nWTRS, R_nWTRS);
        RULE(cy & cx & C_PRES, c->nPPD, R_nPPD);
        RULE(Y == REFAB && (xa || X == REFAB || X == REFPB), c->nRFC, R_nRFC);
    }
    RULE((rel & RL_PCDIFF) && Y == REFPB && (X == REFPB || xa), c->nRREFD, R_nRREFD);
    RULE((rel & RL_PC) && c->ab_act_faw && ya && xa && ((cy | cx) & C_BIG), (uint64_t)((k->kop[Y] + 3) / 4) * c->nFAW,
         R_actwin);
    RULE(cy & cx & C_ROW, ya ? 2 : 1, R_rowbus);
    RULE(!((cy | cx) & C_ROW), 1, R_colbus);
    RULE(Y == SFM && X == SFM, y->n, R_sfm);
    return r;
}

static uint64_t done_of(const hbm_checker *k, const ent *y)
{
    const hbm_cfg *c = &k->c;
    unsigned o = y->op, cl = op_cls[o];
    return o == RD ? c->nCL + c->nBL : o == WR || o == WRGB ? c->nCWL + c->nBL
         : o == MVSB || o == MVGB ? (uint64_t)y->n * c->nBL : (cl & C_MACS) ? c->nMACLAT : o == SFM ? y->n
         : (cl & C_ACTS) ? c->nRCDRD + k->stg[o] : (cl & C_PRES) ? c->nRP : o == REFAB ? c->nRFC
         : o == REFPB ? c->nRFCpb : 0;
}

/* The distance of a violated rule in words, e.g. "nRCDRD 31 + stagger 168" or "nCWL + nBL + nWR = 45". */
static void describe(const hbm_checker *k, int rule, const ent *y, uint64_t d, char *b, size_t n)
{
    static const char *const expr[NRULES] = {
        [R_nWR] = "nCWL + nBL + nWR", [R_nWTRL] = "nCWL + nBL + nWTRL", [R_data] = "data path busy dur(Y)",
        [R_nRTW] = "nRTW + dur(Y) - nBL", [R_nWTRS] = "nCWL + dur(Y) + nWTRS", [R_rowbus] = "row bus busy",
        [R_colbus] = "column bus busy", [R_sfm] = "softmax unit busy n(Y)", [R_barrier] = "done(Y)"};
    uint32_t s = k->stg[y->op];
    if (rule <= R_nRAS && s)
        snprintf(b, n, "%s %" PRIu64 " + stagger %u", rule_name[rule], d - s, s);
    else if (rule == R_FAW)
        snprintf(b, n, "the 4th-latest ACT of the PC: nFAW %" PRIu64, d);
    else if (rule == R_actwin)
        snprintf(b, n, "ceil(k/4) x nFAW = %" PRIu64 " with k = %u", d, k->kop[y->op]);
    else if (rule == R_macpow)
        snprintf(b, n, "nMACpow %" PRIu64 ": MACs in the window would touch more than the %u banks of the channel", d,
                 k->c.pcs * k->bpc);
    else if (expr[rule])
        snprintf(b, n, "%s = %" PRIu64, expr[rule], d);
    else
        snprintf(b, n, "%s %" PRIu64, rule_name[rule], d);
}

/* ---- construction -------------------------------------------------------------------------------------- */

hbm_checker *hbm_checker_new(const hbm_cfg *cfg)
{
    hbm_checker *k = calloc(1, sizeof *k);
    if (!k)
        return NULL;
    k->c = *cfg;
    k->bgsid = cfg->sids * cfg->bank_groups;
    k->bpc = k->bgsid * cfg->banks;
    k->nch = cfg->stacks * cfg->channels;
    k->npcs = k->nch * cfg->pcs;
    size_t nb = (size_t)k->npcs * k->bpc, np = k->npcs;
    k->ch = calloc(k->nch, sizeof *k->ch);
    k->refs = calloc(np, sizeof *k->refs);
    k->row = calloc(2 * nb + np * (3 + cfg->banks), sizeof *k->row);
    if (!k->ch || !k->refs || !k->row) {
        hbm_checker_free(k);
        return NULL;
    }
    k->brefs = k->row + nb, k->nopen = k->brefs + nb, k->rmin = k->nopen + np, k->nmin = k->rmin + np;
    k->nopen_ba = k->nmin + np;
    for (size_t p = 0; p < np; p++)
        k->nmin[p] = k->bpc;
    k->ival = cfg->ref_mode == HBM_REF_PERBANK ? cfg->nREFI / k->bpc : cfg->nREFI;
    if (!k->ival)
        k->ival = 1;
    for (unsigned o = 0; o < NOPS; o++) {
        k->kop[o] = !(op_cls[o] & C_BANK) ? 0 : o == ACTBG || o == MACBG ? k->bgsid
                    : o == PREA || o == REFAB || o == ACTAB || o == MACAB ? k->bpc : 1;
        if (cfg->ab_act_faw && (op_cls[o] & C_BIG) && k->kop[o] > 4)
            k->stg[o] = ((k->kop[o] + 3) / 4 - 1) * cfg->nFAW;
    }
    /* dmax[Y][X]: the largest distance any rule can require between the kinds (n = 1), every relation on;
     * reach[X]: how far back X must look (FAW and macpow windows included); win: the ring's span */
    for (unsigned y = 0; y < NOPS; y++)
        for (unsigned x = 0; x < NOPS; x++) {
            ent Y = {.op = (uint8_t)y, .n = 1, .k = (uint16_t)k->kop[y]}, X = {.op = (uint8_t)x, .n = 1};
            uint32_t d = (uint32_t)dist(k, &Y, &X, RL_ALL).d;
            k->dmax[y][x] = d;
            k->ymax[y] = d > k->ymax[y] ? d : k->ymax[y];
            k->reach[x] = d > k->reach[x] ? d : k->reach[x];
        }
    if (cfg->nFAW > k->reach[ACT])
        k->reach[ACT] = cfg->nFAW;
    for (unsigned x = MACAB; cfg->power_limit && x <= MACSB; x++)
        if (cfg->nMACpow > k->reach[x])
            k->reach[x] = cfg->nMACpow;
    for (unsigned x = 0; x < NOPS; x++)
        k->win = k->reach[x] > k->win ? k->reach[x] : k->win;
    return k;
}

void hbm_checker_free(hbm_checker *k)
{
    if (!k)
        return;
    for (unsigned i = 0; k->ch && i < k->nch; i++)
        free(k->ch[i].ring), free(k->ch[i].far);
    free(k->ch);
    free(k->row);
    free(k->refs);
    free(k);
}

uint64_t hbm_checker_commands(const hbm_checker *k) { return k->cmds; }

/* ---- state and refresh ------------------------------------------------------------------------------------ */

static char *where(const hbm_checker *k, size_t pi, char *b) /* "st S ch C pc P" of PC index pi */
{
    snprintf(b, 64, "st %u ch %u pc %u", (unsigned)(pi / k->c.pcs / k->c.channels),
             (unsigned)(pi / k->c.pcs % k->c.channels), (unsigned)(pi % k->c.pcs));
    return b;
}

/* Whether every bank of PC pi that x touches is open (want 1) or closed (want 0) — from the counts; when
 * not, why names a bank that is not. */
static int banks_are(const hbm_checker *k, size_t pi, const ent *x, int want, char *why, size_t n)
{
    const hbm_cfg *c = &k->c;
    const uint32_t *row = k->row + pi * k->bpc;
    if (x->k == 1 ? (row[((size_t)x->sid * c->bank_groups + x->bg) * c->banks + x->ba] != 0) == want
                  : (x->ba == ANY ? k->nopen[pi] : k->nopen_ba[pi * c->banks + x->ba]) == (want ? x->k : 0u))
        return 1;
    for (unsigned s = 0; s < c->sids; s++)
        for (unsigned g = 0; g < c->bank_groups; g++)
            for (unsigned b = 0; b < c->banks; b++) {
                uint32_t r = row[((size_t)s * c->bank_groups + g) * c->banks + b];
                if (meet(x->sid, s) && meet(x->bg, g) && meet(x->ba, b) && (r != 0) != want) {
                    char at[64], open[32];
                    snprintf(open, sizeof open, "open (row %u)", r - 1);
                    snprintf(why, n, "bank %s sid %u bg %u ba %u is %s; %s needs %s %s", where(k, pi, at), s, g, b,
                             r ? open : "closed", op_name[x->op], x->k > 1 ? "every bank it touches" : "it",
                             want ? "open" : "closed");
                    return 0;
                }
            }
    return 1;
}

/* Opens (row1 = row + 1) or closes (row1 = 0) the banks of PC pi that x touches. */
static void set_banks(hbm_checker *k, size_t pi, const ent *x, uint32_t row1)
{
    const hbm_cfg *c = &k->c;
    uint32_t *row = k->row + pi * k->bpc, *nba = k->nopen_ba + pi * c->banks;
    if (!row1 && !k->nopen[pi])
        return;
    unsigned s0 = x->sid == ANY ? 0 : x->sid, s1 = x->sid == ANY ? c->sids : s0 + 1;
    unsigned g0 = x->bg == ANY ? 0 : x->bg, g1 = x->bg == ANY ? c->bank_groups : g0 + 1;
    unsigned b0 = x->ba == ANY ? 0 : x->ba, b1 = x->ba == ANY ? c->banks : b0 + 1;
    for (unsigned s = s0; s < s1; s++)
        for (unsigned g = g0; g < g1; g++)
            for (unsigned b = b0; b < b1; b++) {
                uint32_t *r = &row[((size_t)s * c->bank_groups + g) * c->banks + b];
                if (!*r != !row1)
                    k->nopen[pi] += row1 ? 1 : -1u, nba[b] += row1 ? 1 : -1u;
                *r = row1;
            }
}

/* The refresh lower bound of the PCs of channel chn at cycle t (docs/hbm.md "Refresh"), checked before the
 * command x of a later cycle, or at the end of the log (x NULL); 1 with err. */
static int refresh_owed(const hbm_checker *k, unsigned chn, uint64_t t, const ent *x, char *err, size_t n)
{
    const hbm_cfg *c = &k->c;
    for (size_t pi = (size_t)chn * c->pcs; c->ref_mode != HBM_REF_OFF && pi < (size_t)(chn + 1) * c->pcs; pi++) {
        uint64_t got = k->refs[pi], due = (got + c->max_postpone + 1) * k->ival;
        if (t < due)
            continue;
        char at[64], when[80];
        if (x)
            snprintf(when, sizeof when, "before the %s at cycle %" PRIu64 " (line %" PRIu64 ")", op_name[x->op], x->t,
                     x->line);
        else
            snprintf(when, sizeof when, "end of log (last cycle %" PRIu64 ")", t);
        snprintf(err, n, "refresh: %s: PC %s has %" PRIu64 " refreshes at cycle %" PRIu64 ", at least floor(t / %s %"
                 PRIu64 ") - max_postpone %u = %" PRIu64 " needed (refresh %" PRIu64 " was due by cycle %" PRIu64 ")",
                 when, where(k, pi, at), got, t, c->ref_mode == HBM_REF_PERBANK ? "nREFIpb" : "nREFI", k->ival,
                 c->max_postpone, t / k->ival - c->max_postpone, got + 1, due);
        return 1;
    }
    return 0;
}

/* ---- checking ---------------------------------------------------------------------------------------------- */

/* Pairwise search: the latest cycle any rule with an earlier command of the channel requires for x. */
static int timing(const hbm_checker *k, const chan *ch, const ent *x, char *err, size_t n)
{
    const hbm_cfg *c = &k->c;
    unsigned xop = x->op, faw = 0;
    uint64_t t = x->t, best = t, rch = k->reach[xop];
    int rule = -1, macpow = c->power_limit && (op_cls[xop] & C_MACS);
    uint32_t macs = macpow ? x->k * x->npc : 0, limit = c->pcs * k->bpc;
    const ent *by = NULL;
    for (size_t i = ch->len + ch->nfar; i-- > 0;) {
        const ent *y = i < ch->nfar ? &ch->far[i] : &ch->ring[(ch->head + i - ch->nfar) & ch->mask];
        uint64_t dt = t - y->t;
        if (i >= ch->nfar && dt >= rch) { /* the rest of the ring is out of reach */
            i = ch->nfar;
            continue;
        }
        if (dt < (uint64_t)k->dmax[y->op][xop] + y->extra) {
            need d = dist(k, y, x, relate(k, y, x));
            if (d.d > dt && y->t + d.d > best)
                best = y->t + d.d, rule = d.rule, by = y;
        }
        if (xop == ACT && y->op == ACT && y->pc == x->pc && dt < c->nFAW && ++faw == 4 && y->t + c->nFAW > best)
            best = y->t + c->nFAW, rule = R_FAW, by = y;
        if (macpow && (op_cls[y->op] & C_MACS) && dt < c->nMACpow) {
            macs += y->k * y->npc;
            if (macs > limit && macs - y->k * y->npc <= limit && y->t + c->nMACpow > best)
                best = y->t + c->nMACpow, rule = R_macpow, by = y;
        }
    }
    if (xop == BARRIER && ch->used && ch->done_t > best)
        best = ch->done_t, rule = R_barrier, by = &ch->done_y;
    if (rule < 0)
        return 0;
    char why[160];
    describe(k, rule, by, best - by->t, why, sizeof why);
    snprintf(err, n, "%s: %s at cycle %" PRIu64 " needs cycle >= %" PRIu64 " (%s at cycle %" PRIu64 ", line %" PRIu64
             ": %s)", rule_name[rule], op_name[xop], t, best, op_name[by->op], by->t, by->line, why);
    return 1;
}

/* Appends x to the channel's history (the ring, or the far list), dropping what no rule can reach. */
static int remember(const hbm_checker *k, chan *ch, const ent *x)
{
    uint64_t t = x->t;
    if (x->extra) {
        size_t j = 0;
        for (size_t i = 0; i < ch->nfar; i++)
            if (t - ch->far[i].t < (uint64_t)k->ymax[ch->far[i].op] + ch->far[i].extra)
                ch->far[j++] = ch->far[i];
        ch->nfar = j;
        if (ch->nfar == ch->capfar) {
            ent *f = realloc(ch->far, (ch->capfar ? 2 * ch->capfar : 8) * sizeof *f);
            if (!f)
                return -1;
            ch->far = f, ch->capfar = ch->capfar ? 2 * ch->capfar : 8;
        }
        ch->far[ch->nfar++] = *x;
        return 0;
    }
    while (ch->len && t - ch->ring[ch->head].t >= k->win)
        ch->head = (ch->head + 1) & ch->mask, ch->len--;
    if (!ch->ring || ch->len == ch->mask + 1) {
        size_t nc = ch->ring ? 2 * (ch->mask + 1) : 64;
        ent *r = malloc(nc * sizeof *r);
        if (!r)
            return -1;
        for (size_t i = 0; i < ch->len; i++)
            r[i] = ch->ring[(ch->head + i) & ch->mask];
        free(ch->ring);
        ch->ring = r, ch->head = 0, ch->mask = nc - 1;
    }
    ch->ring[(ch->head + ch->len++) & ch->mask] = *x;
    return 0;
}

int hbm_checker_line(hbm_checker *k, const char *line, char *err, size_t n)
{
    const hbm_cfg *c = &k->c;
    cmdl L;
    k->line++;
    int pr = chk_parse(k, line, &L, err, n);
    if (pr <= 0)
        return pr;
    unsigned op = L.op, keys = op_keys[op], chn = L.v[K_ST] * c->channels + L.v[K_CH];
    chan *ch = &k->ch[chn];
    ent x = {.t = L.t, .line = k->line, .op = (uint8_t)op, .n = (keys & KB(N)) ? L.v[K_N] : 1,
             .k = (uint16_t)k->kop[op], .pc = (keys & KB(PC)) ? (uint8_t)L.v[K_PC] : ANY,
             .sid = (keys & KB(SID)) ? (uint8_t)L.v[K_SID] : ANY, .bg = (keys & KB(BG)) ? (uint8_t)L.v[K_BG] : ANY,
             .ba = (keys & KB(BA)) ? (uint8_t)L.v[K_BA] : ANY};
    x.npc = x.pc == ANY ? (uint8_t)c->pcs : 1;
    x.extra = op == MVSB || op == MVGB ? (x.n - 1) * c->nBL : op == SFM ? x.n - 1 : 0;
    uint64_t t = x.t;
    size_t p0 = (size_t)chn * c->pcs + (x.pc == ANY ? 0 : x.pc), p1 = p0 + x.npc;
    size_t bi = x.k == 1 ? ((size_t)x.sid * c->bank_groups + x.bg) * c->banks + x.ba : 0;
    char at[64], why[200];
    if (ch->used && t < ch->last) {
        snprintf(err, n, "order: %s at cycle %" PRIu64 " needs cycle >= %" PRIu64 " (line %" PRIu64 " of st %u ch %u "
                 "was at cycle %" PRIu64 ": cycles never decrease within a channel)", op_name[op], t, ch->last,
                 ch->last_line, L.v[K_ST], L.v[K_CH], ch->last);
        return 1;
    }
    /* the lower refresh bound at the channel's previous cycle, now that every command of that cycle is in */
    if (ch->used && t > ch->last && refresh_owed(k, chn, ch->last, &x, err, n))
        return 1;
    if ((op == REFAB && c->ref_mode != HBM_REF_ALLBANK) || (op == REFPB && c->ref_mode != HBM_REF_PERBANK)) {
        snprintf(err, n, "refresh: %s at cycle %" PRIu64 ": refresh mode is %s (REFAB only in all-bank mode, REFPB "
                 "only in per-bank mode, none when off)", op_name[op], t, hbm_cfg_ref_modes[c->ref_mode]);
        return 1;
    }
    if (op == REFPB && k->brefs[p0 * k->bpc + bi] != k->rmin[p0]) {
        snprintf(err, n, "refresh: REFPB at cycle %" PRIu64 ": bank %s sid %u bg %u ba %u has had %u refreshes, "
                 "another bank of the PC only %u (round robin: no bank may get ahead of another)", t,
                 where(k, p0, at), x.sid, x.bg, x.ba, k->brefs[p0 * k->bpc + bi], k->rmin[p0]);
        return 1;
    }
    int want = (op_cls[op] & C_ACTS) || op == REFAB || op == REFPB ? 0 : op == PREA || !(op_cls[op] & C_BANK) ? -1 : 1;
    for (size_t p = p0; want >= 0 && p < p1; p++)
        if (!banks_are(k, p, &x, want, why, sizeof why)) {
            snprintf(err, n, "state: %s at cycle %" PRIu64 ": %s", op_name[op], t, why);
            return 1;
        }
    if (timing(k, ch, &x, err, n))
        return 1;
    /* the upper refresh bound: the current interval's refresh and max_postpone more */
    if ((op == REFAB || op == REFPB) && k->refs[p0] + 1 > t / k->ival + 1 + c->max_postpone) {
        snprintf(err, n, "refresh: %s at cycle %" PRIu64 " needs cycle >= %" PRIu64 " (PC %s would have %" PRIu64
                 " refreshes, at most floor(t / %s %" PRIu64 ") + 1 + max_postpone %u = %" PRIu64 ")", op_name[op], t,
                 (k->refs[p0] - c->max_postpone) * k->ival, where(k, p0, at), k->refs[p0] + 1,
                 op == REFPB ? "nREFIpb" : "nREFI", k->ival, c->max_postpone, t / k->ival + 1 + c->max_postpone);
        return 1;
    }
    if (remember(k, ch, &x)) {
        snprintf(err, n, "out of memory");
        return -1;
    }
    /* accepted: bank state, refresh counts, done() */
    for (size_t p = p0; p < p1 && (op_cls[op] & (C_ACTS | C_PRES)); p++)
        set_banks(k, p, &x, (op_cls[op] & C_ACTS) ? L.v[K_ROW] + 1 : 0);
    if (op == REFAB || op == REFPB)
        k->refs[p0]++;
    if (op == REFPB && ++k->brefs[p0 * k->bpc + bi] && --k->nmin[p0] == 0)
        k->rmin[p0]++, k->nmin[p0] = k->bpc;
    uint64_t done = t + done_of(k, &x);
    if (!ch->used || done > ch->done_t)
        ch->done_t = done, ch->done_y = x;
    ch->last = t, ch->last_line = x.line, ch->used = 1;
    k->tmax = t > k->tmax ? t : k->tmax;
    k->cmds++;
    return 0;
}

int hbm_checker_finish(hbm_checker *k, char *err, size_t n)
{
    for (unsigned chn = 0; chn < k->nch; chn++)
        if (refresh_owed(k, chn, k->tmax, NULL, err, n))
            return 1;
    return 0;
}

int hbm_check_stream(const hbm_cfg *cfg, FILE *f, const char *name, char *err, size_t n, uint64_t *ncmds,
                     void (*tick)(void *ctx, uint64_t lines), void *tick_ctx)
{
    hbm_checker *k = hbm_checker_new(cfg);
    char msg[600], *line = NULL;
    size_t cap = 0;
    int rc = 0;
    *ncmds = 0;
    if (!k) {
        snprintf(err, n, "%s: out of memory", name);
        return 2;
    }
    for (ssize_t len; !rc && (errno = 0, len = getline(&line, &cap, f)) >= 0;) {
        if (memchr(line, '\0', (size_t)len)) { /* a NUL would end the line early without a word */
            k->line++;
            snprintf(msg, sizeof msg, "the line holds a NUL byte (allowed: text)");
            rc = 2;
        } else if ((rc = hbm_checker_line(k, line, msg, sizeof msg)) < 0) {
            rc = 2;
        }
        if (tick && k->line % 65536 == 0)
            tick(tick_ctx, k->line);
    }
    if (!rc && ferror(f)) { /* a read error is not the end of the log */
        snprintf(msg, sizeof msg, "read error: %s", strerror(errno ? errno : EIO));
        k->line++;
        rc = 2;
    }
    int empty = !rc && k->cmds == 0;
    if (empty) {
        snprintf(msg, sizeof msg, "no commands in %" PRIu64 " line(s) (allowed: a command log of format v1 with at least "
                 "one command)", k->line);
        rc = 2;
    }
    if (!rc)
        rc = hbm_checker_finish(k, msg, sizeof msg);
    if (rc && empty)
        snprintf(err, n, "%s: %s", name, msg);
    else if (rc)
        snprintf(err, n, "%s:%" PRIu64 ": %s", name, k->line, msg);
    if (rc && k->log_preset[0] && strcmp(k->log_preset, cfg->name)) /* a likely cause, worth a word */
        snprintf(err + strlen(err), n - strlen(err), " [the log names preset '%s'; checked with '%s']", k->log_preset,
                 cfg->name);
    *ncmds = k->cmds;
    free(line);
    hbm_checker_free(k);
    return rc;
}
