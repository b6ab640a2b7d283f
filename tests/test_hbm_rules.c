/* test_hbm_rules — a directed test for every row of the timing engine's rule table (hbm_rules[] in
 * harness/hbm/hbm_rules.c): one cmocka test per row, so a row with no scenario here fails.
 *
 * A scenario names a rule and a pair Y -> X of commands; a row runs every scenario of its name whose Y and
 * X are in the row's classes, on four configurations (hbm3-6400 and attacc-hbm3-5200, each with
 * pim.allbank_act_faw on and off; refresh off unless Y or X is a refresh; the MAC power limit off, as
 * macpow is not a row). From a fresh engine, set-up ACTs open the banks Y and X need (done by cycle
 * AT / 2, longer ago than any distance), Y issues at cycle AT, and when X needs banks closed that Y
 * opened, a PRE or PREA closes them at its earliest. Then:
 *  - in scope (X where docs/hbm.md "Timing rules" applies the rule, and no deeper than it must be):
 *    hbm_earliest(X, AT) is AT + the distance expect() computes from the configuration's fields by the
 *    docs' formula (not the engine's code) and names the rule; hbm_issue refuses X one cycle earlier,
 *    naming the rule, and takes it at the earliest;
 *  - out of scope (X moved to the nearest place outside the relation: another bank, bank group, SID, PC
 *    or channel; for nCCDR, the same SID): the rule is not named, and X waits no longer than the distance
 *    or exactly another rule's distance from Y;
 *  - where another rule necessarily binds at least as long in a configuration (a scenario's dom(), each
 *    explained where it is defined), only earliest >= AT + distance; a tweak() of the configuration then
 *    isolates the rule where neither preset does;
 *  - actwin with allbank_act_faw off does not bind; FAW with three ACTs in the window does not bind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hbm.h"
#include "hbm_rules.h"
#include "tb_util.h"

#define AT 1000 /* Y's issue cycle */

/* Where X goes relative to Y (Y is at pc 0 (1 when Y is pc=*), sid 0, bg 0, ba 0 of channel 0): the same
 * bank; the same bank group, another bank; the same SID, another bank group; the same PC, another SID;
 * another PC of the channel; another channel. */
enum { P_BANK, P_BG, P_SID, P_PC, P_CH, P_OUT };
enum { YALL = 1, XALL = 2, WINDOW = 4 }; /* Y pc=*, X pc=*, three more ACTs after Y (the FAW window) */

typedef struct {
    const char *rule;
    uint8_t y, x, flags;
    int (*dom)(const hbm_cfg *f);
    void (*tweak)(hbm_cfg *f);
} scen;

/* docs/hbm.md "Timing rules", relation column: the scope of each rule; other: the other SIDs of the PC;
 * faw: only with pim.allbank_act_faw. */
typedef struct {
    const char *name;
    uint8_t scope, other, faw;
} spec;

static const spec specs[] = {
    {"nRC", HBM_SC_BANK, 0, 0},    {"nRCDRD", HBM_SC_BANK, 0, 0}, {"nRCDWR", HBM_SC_BANK, 0, 0},
    {"nRAS", HBM_SC_BANK, 0, 0},   {"nRP", HBM_SC_BANK, 0, 0},    {"nRTP", HBM_SC_BANK, 0, 0},
    {"nWR", HBM_SC_BANK, 0, 0},    {"nMAC", HBM_SC_BANK, 0, 0},   {"nRFCpb", HBM_SC_BANK, 0, 0},
    {"nCCDL", HBM_SC_BG, 0, 0},    {"nWTRL", HBM_SC_BG, 0, 0},    {"nRRDL", HBM_SC_BG, 0, 0},
    {"nCCDS", HBM_SC_SID, 0, 0},   {"nCCDR", HBM_SC_SID, 1, 0},   {"nRRDS", HBM_SC_PC, 0, 0},
    {"data", HBM_SC_PC, 0, 0},     {"nRTW", HBM_SC_PC, 0, 0},     {"nWTRS", HBM_SC_PC, 0, 0},
    {"nPPD", HBM_SC_PC, 0, 0},     {"nRFC", HBM_SC_PC, 0, 0},     {"nRREFD", HBM_SC_PC, 0, 0},
    {"FAW", HBM_SC_PC, 0, 0},      {"actwin", HBM_SC_PC, 0, 1},   {"rowbus", HBM_SC_CH, 0, 0},
    {"colbus", HBM_SC_CH, 0, 0},   {"sfm", HBM_SC_CH, 0, 0},      {"barrier", HBM_SC_CH, 0, 0},
};

/* ---- the docs' formulas ------------------------------------------------------------------------------ */

static int is_act(unsigned op) { return op == HBM_ACT || op == HBM_ACTAB || op == HBM_ACTBG; }

/* k(Y): banks of one PC that Y touches */
static unsigned k_of(const hbm_cfg *f, unsigned op)
{
    return op == HBM_ACTAB ? f->sids * f->bank_groups * f->banks : op == HBM_ACTBG ? f->sids * f->bank_groups : 1;
}

static uint64_t stagger(const hbm_cfg *f, unsigned op)
{
    unsigned k = k_of(f, op);
    return f->ab_act_faw && (op == HBM_ACTAB || op == HBM_ACTBG) && k > 4 ? (uint64_t)((k + 3) / 4 - 1) * f->nFAW : 0;
}

static uint64_t dur(const hbm_cfg *f, const hbm_cmd *y)
{
    return y->op == HBM_MVSB || y->op == HBM_MVGB ? (uint64_t)y->n * f->nBL : f->nBL;
}

static uint64_t done(const hbm_cfg *f, const hbm_cmd *y)
{
    switch (y->op) {
    case HBM_RD: return f->nCL + f->nBL;
    case HBM_WR: case HBM_WRGB: return f->nCWL + f->nBL;
    case HBM_MVSB: case HBM_MVGB: return dur(f, y);
    case HBM_MACAB: case HBM_MACBG: case HBM_MACSB: return f->nMACLAT;
    case HBM_SFM: return y->n;
    case HBM_ACT: case HBM_ACTAB: case HBM_ACTBG: return f->nRCDRD + stagger(f, y->op);
    case HBM_PRE: case HBM_PREA: return f->nRP;
    case HBM_REFAB: return f->nRFC;
    case HBM_REFPB: return f->nRFCpb;
    default: return 0;
    }
}

/* The distance of `rule` after Y (docs/hbm.md "Timing rules", distance column). */
static uint64_t expect(const char *rule, const hbm_cfg *f, const hbm_cmd *y)
{
    uint64_t st = stagger(f, y->op);
#define IS(name) (!strcmp(rule, name))
    if (IS("nRC")) return f->nRC + st;
    if (IS("nRCDRD")) return f->nRCDRD + st;
    if (IS("nRCDWR")) return f->nRCDWR + st;
    if (IS("nRAS")) return f->nRAS + st;
    if (IS("nRP")) return f->nRP;
    if (IS("nRTP")) return f->nRTP;
    if (IS("nWR")) return f->nCWL + f->nBL + f->nWR;
    if (IS("nMAC")) return f->nMAC;
    if (IS("nRFCpb")) return f->nRFCpb;
    if (IS("nCCDL")) return f->nCCDL;
    if (IS("nWTRL")) return f->nCWL + f->nBL + f->nWTRL;
    if (IS("nRRDL")) return f->nRRDL;
    if (IS("nCCDS")) return f->nCCDS;
    if (IS("nCCDR")) return f->nCCDR;
    if (IS("nRRDS")) return f->nRRDS;
    if (IS("data")) return dur(f, y);
    if (IS("nRTW")) return f->nRTW + dur(f, y) - f->nBL;
    if (IS("nWTRS")) return f->nCWL + dur(f, y) + f->nWTRS;
    if (IS("nPPD")) return f->nPPD;
    if (IS("nRFC")) return f->nRFC;
    if (IS("nRREFD")) return f->nRREFD;
    if (IS("FAW")) return f->nFAW; /* Y is the 4th-latest ACT before X */
    if (IS("actwin")) return (uint64_t)((k_of(f, y->op) + 3) / 4) * f->nFAW;
    if (IS("rowbus")) return is_act(y->op) ? 2 : 1;
    if (IS("colbus")) return 1;
    if (IS("sfm")) return y->n;
    if (IS("barrier")) return done(f, y);
#undef IS
    fail_msg("no distance for rule '%s' in tests/test_hbm_rules.c (docs/hbm.md \"Timing rules\")", rule);
    return 0;
}

/* The FAW window's ACTs are this far apart: nRRDS, and the row bus's 2 after an ACT. */
static unsigned win_step(const hbm_cfg *f) { return f->nRRDS > 2 ? f->nRRDS : 2; }

/* ---- when another rule binds at least as long ------------------------------------------------------- */

/* nRC: X reuses Y's bank, so a PRE closes it first, no earlier than nRAS + stagger after Y, and X waits
 * nRP after that: nRC binds only when nRC > nRAS + nRP (hbm3-6400 72 > 71; attacc-hbm3-5200 63 <= 64). */
static int dom_nrc(const hbm_cfg *f) { return f->nRC <= f->nRAS + f->nRP; }
/* nRRDL next to an ACTBG: with the activation window on, actwin (ceil(k/4) x nFAW) is longer. */
static int dom_faw(const hbm_cfg *f) { return f->ab_act_faw; }
/* nCCDS: two CAS of one PC also wait data (nBL), nRTW or nWTRS, never less than nBL, and both presets
 * have nCCDS = nBL; the tweak raises nCCDS to nBL + 1 (validation: nBL <= nCCDS <= nCCDL). */
static int dom_ccds(const hbm_cfg *f) { return f->nCCDS <= f->nBL; }
static void tw_ccds(hbm_cfg *f) { f->nCCDS = f->nBL + 1; }
/* nRRDS: the row bus holds 2 cycles after an ACT (attacc-hbm3-5200: nRRDS = 2); the tweak makes it 3. */
static int dom_rrds(const hbm_cfg *f) { return f->nRRDS <= 2; }
static void tw_rrds(hbm_cfg *f) { f->nRRDS = f->nRRDS > 3 ? f->nRRDS : 3; }
/* nRTW from RD to a WR of another SID: nCCDR too (attacc-hbm3-5200: nRTW = nCCDR = 3). */
static int dom_rtw(const hbm_cfg *f) { return f->nRTW <= f->nCCDR; }
/* FAW: X also waits win_step after the 4th ACT of the window. */
static int dom_win(const hbm_cfg *f) { return 4 * win_step(f) >= f->nFAW; }

/* Not here, as no scenario isolates them: REFPB -> REFPB of the same bank (nRFCpb; round robin puts a
 * REFPB to each of the 31 other banks in between, and the refresh pull-in limit), RD -> RD and WR -> WR of
 * one PC for data (nCCDS, nCCDR or nCCDL are longer), ACTAB -> ACT of its PC for nRRDS, nRRDL and actwin
 * (the PRE that must come between waits nRAS), BARRIER -> BARRIER (done is 0: colbus binds). */
#define S(r, y, x, fl, d, t) {r, HBM_##y, HBM_##x, fl, d, t}
static const scen scens[] = {
    S("nRC", ACT, ACT, 0, dom_nrc, 0), S("nRC", ACTAB, ACTAB, 0, dom_nrc, 0), S("nRC", ACTBG, ACT, 0, dom_nrc, 0),
    S("nRC", ACT, ACTAB, 0, dom_nrc, 0), S("nRC", ACTAB, ACT, YALL, dom_nrc, 0),
    S("nRC", ACT, REFAB, 0, dom_nrc, 0), S("nRC", ACTAB, REFAB, 0, dom_nrc, 0), S("nRC", ACT, REFPB, 0, dom_nrc, 0),
    S("nRC", ACTBG, REFAB, 0, dom_nrc, 0),
    S("nRCDRD", ACT, RD, 0, 0, 0), S("nRCDRD", ACT, MACSB, 0, 0, 0), S("nRCDRD", ACTAB, MACAB, 0, 0, 0),
    S("nRCDRD", ACTBG, MACBG, 0, 0, 0), S("nRCDRD", ACT, MACAB, 0, 0, 0), S("nRCDRD", ACTBG, RD, 0, 0, 0),
    S("nRCDRD", ACTAB, MACAB, YALL | XALL, 0, 0),
    S("nRCDWR", ACT, WR, 0, 0, 0), S("nRCDWR", ACTAB, WR, 0, 0, 0),
    S("nRAS", ACT, PRE, 0, 0, 0), S("nRAS", ACTAB, PREA, 0, 0, 0), S("nRAS", ACTBG, PRE, 0, 0, 0),
    S("nRAS", ACT, PREA, 0, 0, 0), S("nRAS", ACTAB, PREA, YALL | XALL, 0, 0),
    S("nRP", PRE, ACT, 0, 0, 0), S("nRP", PREA, ACTAB, 0, 0, 0), S("nRP", PREA, ACT, YALL, 0, 0),
    S("nRP", PRE, REFAB, 0, 0, 0), S("nRP", PRE, REFPB, 0, 0, 0), S("nRP", PREA, ACTBG, 0, 0, 0),
    S("nRTP", RD, PRE, 0, 0, 0), S("nRTP", MACAB, PREA, 0, 0, 0), S("nRTP", MACSB, PRE, 0, 0, 0),
    S("nRTP", MACBG, PRE, 0, 0, 0), S("nRTP", MACAB, PRE, YALL, 0, 0),
    S("nWR", WR, PRE, 0, 0, 0), S("nWR", WR, PREA, 0, 0, 0),
    S("nMAC", MACSB, MACSB, 0, 0, 0), S("nMAC", MACAB, MACAB, 0, 0, 0), S("nMAC", MACBG, MACAB, 0, 0, 0),
    S("nMAC", MACAB, MACBG, 0, 0, 0), S("nMAC", MACAB, MACSB, YALL, 0, 0),
    S("nRFCpb", REFPB, ACT, 0, 0, 0), S("nRFCpb", REFPB, ACTAB, 0, 0, 0), S("nRFCpb", REFPB, ACTBG, 0, 0, 0),
    S("nCCDL", RD, RD, 0, 0, 0), S("nCCDL", WR, WR, 0, 0, 0), S("nCCDL", MACAB, RD, 0, 0, 0),
    S("nCCDL", MACSB, WR, 0, 0, 0), S("nCCDL", MACBG, RD, 0, 0, 0), S("nCCDL", RD, MACSB, 0, 0, 0),
    S("nCCDL", WR, MACAB, 0, 0, 0), S("nCCDL", RD, MACBG, 0, 0, 0),
    S("nWTRL", WR, RD, 0, 0, 0),
    S("nRRDL", ACT, ACT, 0, 0, 0), S("nRRDL", ACTBG, ACT, 0, dom_faw, 0), S("nRRDL", ACT, ACTBG, 0, dom_faw, 0),
    S("nCCDS", RD, RD, 0, dom_ccds, tw_ccds), S("nCCDS", WR, WR, 0, dom_ccds, tw_ccds),
    S("nCCDR", RD, RD, 0, 0, 0), S("nCCDR", WR, WR, 0, 0, 0),
    S("nRRDS", ACT, ACT, 0, dom_rrds, tw_rrds),
    S("data", MVSB, RD, 0, 0, 0), S("data", RD, MVSB, 0, 0, 0), S("data", MVSB, MVSB, 0, 0, 0),
    S("data", MVSB, RD, YALL, 0, 0), S("data", WR, WRGB, 0, 0, 0), S("data", WRGB, WR, 0, 0, 0),
    S("data", MVGB, WR, 0, 0, 0), S("data", MVGB, MVGB, 0, 0, 0), S("data", WRGB, MVGB, YALL, 0, 0),
    S("nRTW", RD, MVGB, 0, 0, 0), S("nRTW", MVSB, WRGB, 0, 0, 0), S("nRTW", MVSB, WR, 0, 0, 0),
    S("nRTW", RD, WR, 0, dom_rtw, 0),
    S("nWTRS", WR, RD, 0, 0, 0), S("nWTRS", WRGB, MVSB, 0, 0, 0), S("nWTRS", MVGB, RD, 0, 0, 0),
    S("nWTRS", MVGB, MVSB, 0, 0, 0),
    S("nRFC", REFAB, ACT, 0, 0, 0), S("nRFC", REFAB, ACTAB, 0, 0, 0), S("nRFC", REFAB, REFAB, 0, 0, 0),
    S("nRFC", REFAB, ACTBG, 0, 0, 0),
    S("nRREFD", REFPB, REFPB, 0, 0, 0), S("nRREFD", REFPB, ACT, 0, 0, 0),
    S("actwin", ACTBG, ACT, 0, 0, 0), S("actwin", ACTBG, ACTBG, 0, 0, 0), S("actwin", ACT, ACTBG, 0, 0, 0),
    S("actwin", ACTBG, ACTBG, YALL | XALL, 0, 0), S("actwin", ACT, ACTBG, XALL, 0, 0),
    S("FAW", ACT, ACT, WINDOW, dom_win, 0),
    S("nPPD", PRE, PRE, 0, 0, 0), S("nPPD", PRE, PREA, 0, 0, 0),
    S("rowbus", ACT, ACT, 0, 0, 0), S("rowbus", ACT, PRE, 0, 0, 0), S("rowbus", ACT, REFAB, 0, 0, 0),
    S("rowbus", ACTAB, ACTAB, 0, 0, 0), S("rowbus", ACTBG, PREA, 0, 0, 0), S("rowbus", ACT, REFPB, 0, 0, 0),
    S("rowbus", PRE, ACT, 0, 0, 0), S("rowbus", PREA, PRE, 0, 0, 0), S("rowbus", REFAB, ACT, 0, 0, 0),
    S("rowbus", REFPB, REFPB, 0, 0, 0), S("rowbus", PRE, PRE, 0, 0, 0), S("rowbus", REFAB, REFAB, 0, 0, 0),
    S("colbus", RD, RD, 0, 0, 0), S("colbus", WR, MACAB, 0, 0, 0), S("colbus", WRGB, MVSB, 0, 0, 0),
    S("colbus", SFM, RD, 0, 0, 0), S("colbus", BARRIER, MVGB, 0, 0, 0), S("colbus", MACSB, WR, 0, 0, 0),
    S("colbus", MVSB, SFM, 0, 0, 0),
    S("sfm", SFM, SFM, 0, 0, 0),
    S("barrier", RD, BARRIER, 0, 0, 0), S("barrier", WR, BARRIER, 0, 0, 0), S("barrier", WRGB, BARRIER, 0, 0, 0),
    S("barrier", MVSB, BARRIER, 0, 0, 0), S("barrier", MVGB, BARRIER, 0, 0, 0), S("barrier", MACAB, BARRIER, 0, 0, 0),
    S("barrier", MACBG, BARRIER, 0, 0, 0), S("barrier", MACSB, BARRIER, 0, 0, 0), S("barrier", SFM, BARRIER, 0, 0, 0),
    S("barrier", ACT, BARRIER, 0, 0, 0), S("barrier", ACTAB, BARRIER, 0, 0, 0), S("barrier", ACTBG, BARRIER, 0, 0, 0),
    S("barrier", PRE, BARRIER, 0, 0, 0), S("barrier", PREA, BARRIER, 0, 0, 0), S("barrier", REFAB, BARRIER, 0, 0, 0),
    S("barrier", REFPB, BARRIER, 0, 0, 0), S("barrier", ACTAB, BARRIER, YALL, 0, 0),
};
#undef S
#define NSCENS (sizeof scens / sizeof scens[0])

/* ---- what a command touches (docs/hbm.md "Commands") ------------------------------------------------ */

static unsigned nbpc(const hbm_cfg *f) { return f->sids * f->bank_groups * f->banks; }

/* The channel, the PCs (bit p) and the banks (bit p x nbpc + (sid x bank_groups + bg) x banks + ba). */
typedef struct {
    unsigned ch;
    uint32_t pcs;
    uint64_t banks;
} foot;

static foot foot_of(const hbm_cfg *f, const hbm_cmd *c)
{
    foot r = {c->ch, 0, 0};
    if (c->op == HBM_SFM || c->op == HBM_BARRIER)
        return r;
    r.pcs = c->pc == HBM_PC_ALL ? (1u << f->pcs) - 1 : 1u << c->pc;
    for (unsigned p = 0; p < f->pcs; p++)
        for (unsigned i = 0; i < nbpc(f) && (r.pcs >> p & 1); i++) {
            unsigned s = i / (f->bank_groups * f->banks), g = i / f->banks % f->bank_groups, b = i % f->banks;
            int in = 0;
            switch (c->op) {
            case HBM_ACT: case HBM_PRE: case HBM_RD: case HBM_WR: case HBM_REFPB: case HBM_MACSB:
                in = s == c->sid && g == c->bg && b == c->ba;
                break;
            case HBM_PREA: case HBM_ACTAB: case HBM_MACAB: case HBM_REFAB: in = 1; break;
            case HBM_ACTBG: case HBM_MACBG: in = b == c->ba; break;
            default: break;
            }
            if (in)
                r.banks |= 1ull << (p * nbpc(f) + i);
        }
    return r;
}

/* Y and X stand in the relation of a rule of that scope (other: X in another SID of a PC of Y). */
static int shares(const hbm_cfg *f, unsigned scope, int other, const foot *a, const foot *b)
{
    if (a->ch != b->ch)
        return 0;
    if (scope == HBM_SC_CH)
        return 1;
    if (scope == HBM_SC_PC)
        return (a->pcs & b->pcs) != 0;
    unsigned div = scope == HBM_SC_BANK ? 1 : scope == HBM_SC_BG ? f->banks : f->bank_groups * f->banks;
    for (unsigned i = 0; i < 64; i++)
        for (unsigned j = 0; j < 64 && (a->banks >> i & 1); j++)
            if ((b->banks >> j & 1) && (other ? i / nbpc(f) == j / nbpc(f) && i / div != j / div : i / div == j / div))
                return 1;
    return 0;
}

/* State rules: X needs every bank it touches open (PRE, CAS, MACs) or closed (ACTs, REFs); the set-up
 * also opens the banks of a PREA, so that it closes something. */
static int needs_open(unsigned op)
{
    return op == HBM_PRE || op == HBM_RD || op == HBM_WR || op == HBM_MACAB || op == HBM_MACBG || op == HBM_MACSB;
}
static int needs_closed(unsigned op) { return is_act(op) || op == HBM_REFAB || op == HBM_REFPB; }

static hbm_cmd place(unsigned op, unsigned where, unsigned pc0, int all, uint32_t n)
{
    hbm_cmd c = {.op = (uint8_t)op, .ch = where == P_OUT, .pc = (uint8_t)(where == P_CH ? !pc0 : pc0),
                 .sid = where == P_PC, .bg = where >= P_SID && where <= P_PC, .ba = where >= P_BG && where <= P_PC,
                 .row = 7, .col = 1, .n = n};
    if (all)
        c.pc = HBM_PC_ALL;
    return c;
}

/* ---- an engine and the banks it has open ------------------------------------------------------------ */

typedef struct {
    hbm_cfg f;
    hbm *h;
    uint64_t open[2], now; /* open banks of channels 0 and 1; the last issue cycle */
    char ctx[200];         /* the scenario, for messages */
} rig;

static void put(rig *g, const hbm_cmd *c, uint64_t t, const char *what)
{
    char err[512];
    if (hbm_issue(g->h, c, t, err, sizeof err))
        fail_msg("%s: %s refused: %s", g->ctx, what, err);
    foot ft = foot_of(&g->f, c);
    if (is_act(c->op))
        g->open[c->ch] |= ft.banks;
    if (c->op == HBM_PRE || c->op == HBM_PREA)
        g->open[c->ch] &= ~ft.banks;
    g->now = t;
}

/* A set-up command at its earliest (the engine's answer: these are not under test). */
static void put_early(rig *g, const hbm_cmd *c, const char *what)
{
    const char *why;
    uint64_t t = hbm_earliest(g->h, c, g->now, &why);
    if (t == HBM_NEVER)
        fail_msg("%s: %s %s is illegal", g->ctx, what, hbm_op_name(c->op));
    put(g, c, t, what);
}

/* Opens the banks of channel ch in `want`: an ACTAB for a PC wholly wanted and closed, else ACTs. */
static void open_banks(rig *g, unsigned ch, uint64_t want)
{
    const hbm_cfg *f = &g->f;
    unsigned nb = nbpc(f);
    uint64_t todo = want & ~g->open[ch];
    for (unsigned p = 0; p < f->pcs; p++) {
        uint64_t pcb = (nb == 64 ? ~0ull : (1ull << nb) - 1) << (p * nb);
        hbm_cmd c = {.op = HBM_ACTAB, .ch = (uint8_t)ch, .pc = (uint8_t)p, .row = 3};
        if ((todo & pcb) == pcb && !(g->open[ch] & pcb)) {
            put_early(g, &c, "set-up");
            continue;
        }
        c.op = HBM_ACT;
        for (unsigned i = 0; i < nb; i++)
            if (todo >> (p * nb + i) & 1) {
                c.sid = (uint8_t)(i / (f->bank_groups * f->banks));
                c.bg = (uint8_t)(i / f->banks % f->bank_groups), c.ba = (uint8_t)(i % f->banks);
                put_early(g, &c, "set-up");
            }
    }
}

/* Closes the banks of channel ch in `which`: a PRE for one bank of a PC, else a PREA. */
static void close_banks(rig *g, unsigned ch, uint64_t which)
{
    const hbm_cfg *f = &g->f;
    unsigned nb = nbpc(f);
    for (unsigned p = 0; p < f->pcs; p++) {
        uint64_t m = which >> (p * nb) & (nb == 64 ? ~0ull : (1ull << nb) - 1);
        if (!m)
            continue;
        unsigned i = (unsigned)__builtin_ctzll(m);
        hbm_cmd c = {.op = m & (m - 1) ? HBM_PREA : HBM_PRE, .ch = (uint8_t)ch, .pc = (uint8_t)p,
                     .sid = (uint8_t)(i / (f->bank_groups * f->banks)), .bg = (uint8_t)(i / f->banks % f->bank_groups),
                     .ba = (uint8_t)(i % f->banks)};
        put_early(g, &c, "closing");
    }
}

/* From a fresh engine: the set-up, Y at AT (with nwin more ACTs after it, bank groups 1.., win_step
 * apart), X's banks closed if Y opened them; returns X's earliest from AT and its rule. */
static uint64_t stage(rig *g, const hbm_cmd *y, const hbm_cmd *x, unsigned nwin, const char **why)
{
    const hbm_cfg *f = &g->f;
    uint64_t want[2] = {0, 0};
    g->h = hbm_new(f);
    assert_non_null(g->h);
    g->open[0] = g->open[1] = g->now = 0;
    foot fy = foot_of(f, y), fx = foot_of(f, x);
    if (needs_open(y->op) || y->op == HBM_PREA)
        want[fy.ch] |= fy.banks;
    if (needs_open(x->op) || x->op == HBM_PREA)
        want[fx.ch] |= fx.banks & ~(is_act(y->op) && fx.ch == fy.ch ? fy.banks : 0);
    for (unsigned ch = 0; ch < 2; ch++)
        open_banks(g, ch, want[ch]);
    if (g->now > AT / 2)
        fail_msg("%s: the set-up ends at cycle %" PRIu64 ", after %u", g->ctx, g->now, AT / 2);
    if (needs_closed(y->op) && (g->open[fy.ch] & fy.banks))
        fail_msg("%s: cannot build (Y's banks are open)", g->ctx);
    put(g, y, AT, "Y");
    for (unsigned i = 1; i <= nwin; i++) {
        hbm_cmd a = *y;
        a.bg = (uint8_t)i;
        put(g, &a, AT + i * win_step(f), "a window ACT");
    }
    if (needs_open(x->op) && (fx.banks & ~g->open[fx.ch]))
        fail_msg("%s: cannot build (X's banks are closed)", g->ctx);
    if (needs_closed(x->op))
        close_banks(g, fx.ch, fx.banks & g->open[fx.ch]);
    return hbm_earliest(g->h, x, AT, why);
}

/* ---- one scenario on one configuration -------------------------------------------------------------- */

/* X at its place in scope: exactly AT + d and the rule named, refused one cycle earlier, taken then;
 * returns 1 when that exact check ran (not dominated, not switched off). */
static int in_scope(rig *g, const scen *s, const spec *sp, const hbm_cmd *y, const hbm_cmd *x, uint64_t d)
{
    const char *why;
    uint64_t e = stage(g, y, x, s->flags & WINDOW ? 3 : 0, &why);
    int named = !strcmp(why, sp->name);
    if (sp->faw && !g->f.ab_act_faw) {
        if (named || e > AT + d)
            fail_msg("%s: binds without allbank_act_faw (earliest AT + %" PRIu64 ", %s)", g->ctx, e - AT, why);
    } else if (s->dom && s->dom(&g->f)) {
        if (e < AT + d)
            fail_msg("%s: earliest AT + %" PRIu64 " (%s) < AT + %" PRIu64, g->ctx, e - AT, why, d);
    } else {
        char err[512];
        if (e != AT + d || !named)
            fail_msg("%s: earliest AT + %" PRIu64 " (%s), expected AT + %" PRIu64 " (%s)", g->ctx, e - AT, why, d,
                     sp->name);
        if (e - 1 < g->now)
            fail_msg("%s: a set-up command issued after X's earliest - 1", g->ctx);
        if (hbm_issue(g->h, x, e - 1, err, sizeof err) == 0)
            fail_msg("%s: X one cycle before its earliest was accepted", g->ctx);
        size_t n = strlen(sp->name);
        if (strncmp(err, sp->name, n) || err[n] != ':')
            fail_msg("%s: X one cycle early refused for another rule: %s", g->ctx, err);
        put(g, x, e, "X at its earliest");
    }
    hbm_free(g->h);
    return !(sp->faw && !g->f.ab_act_faw) && !(s->dom && s->dom(&g->f));
}

/* X at the nearest place out of scope: the rule is not named, and X waits at most d or another rule's. */
static void out_of_scope(rig *g, const scen *s, const spec *sp, const hbm_cmd *y, unsigned in, uint64_t d)
{
    const hbm_cfg *f = &g->f;
    foot fy = foot_of(f, y);
    hbm_cmd x;
    unsigned p = sp->other ? P_SID : in + 1;
    for (;; p++) {
        x = place(s->x, p, (s->flags & YALL) != 0, s->flags & XALL, 1);
        foot fx = foot_of(f, &x);
        if (sp->other ? shares(f, HBM_SC_SID, 0, &fy, &fx) && !shares(f, HBM_SC_SID, 1, &fy, &fx)
                      : !shares(f, sp->scope, 0, &fy, &fx))
            break;
    }
    const char *why;
    size_t n = strlen(g->ctx);
    static const char *const where[] = {"same bank", "other bank of the bank group", "other bank group of the SID",
                                         "other SID of the PC", "other PC", "other channel"};
    snprintf(g->ctx + n, sizeof g->ctx - n, ", out of scope (%s)", where[p]);
    uint64_t e = stage(g, y, &x, s->flags & WINDOW ? 3 : 0, &why);
    /* a longer wait must be another rule's own distance (nCCDS: X in another SID waits nCCDR) */
    if (!strcmp(why, sp->name) || (e > AT + d && e != AT + expect(why, f, y)))
        fail_msg("%s: earliest AT + %" PRIu64 " (%s), expected <= AT + %" PRIu64 " or another rule's distance",
                 g->ctx, e - AT, why, d);
    hbm_free(g->h);
    g->ctx[n] = 0;
}

static int check(const scen *s, const spec *sp, const hbm_cfg *base, const char *tweaked)
{
    hbm_cfg f = *base;
    char err[256];
    int ref_ab = s->y == HBM_REFAB || s->x == HBM_REFAB, ref_pb = s->y == HBM_REFPB || s->x == HBM_REFPB;
    f.ref_mode = ref_ab ? HBM_REF_ALLBANK : ref_pb ? HBM_REF_PERBANK : HBM_REF_OFF;
    f.max_postpone = 16; /* the refresh pull-in limit stays out of the way */
    f.power_limit = 0;
    if (hbm_cfg_validate(&f, err, sizeof err))
        fail_msg("%s%s: %s", f.name, tweaked, err);
    assert_true(f.pcs * nbpc(&f) <= 64 && f.bank_groups >= 4 && f.sids >= 2 && f.banks >= 2);
    int yall = (s->flags & YALL) != 0;
    hbm_cmd y = place(s->y, P_BANK, 0, yall, s->y == HBM_SFM ? 5 : 3);
    y.row = 5, y.col = 0;
    static const unsigned at_scope[HBM_NSCOPES] = {[HBM_SC_CH] = P_CH, [HBM_SC_PC] = P_PC, [HBM_SC_SID] = P_SID,
                                                  [HBM_SC_BG] = P_BG, [HBM_SC_BANK] = P_BANK};
    unsigned in = sp->other ? P_PC : at_scope[sp->scope];
    hbm_cmd x = place(s->x, in, yall, s->flags & XALL, 1);
    rig g = {.f = f};
    snprintf(g.ctx, sizeof g.ctx, "%s: %s%s -> %s%s on %s%s, allbank_act_faw %d", sp->name, hbm_op_name(s->y),
             yall ? " pc=*" : "", hbm_op_name(s->x), s->flags & XALL ? " pc=*" : "", f.name, tweaked, f.ab_act_faw);
    foot fy = foot_of(&f, &y), fx = foot_of(&f, &x);
    if (!shares(&f, sp->scope, sp->other, &fy, &fx))
        fail_msg("%s: X is not in the rule's scope (a test bug)", g.ctx);
    uint64_t d = expect(sp->name, &f, &y);
    int exact = in_scope(&g, s, sp, &y, &x, d);
    out_of_scope(&g, s, sp, &y, in, d);
    if (s->flags & WINDOW) { /* three ACTs in the window: FAW does not bind */
        const char *why;
        uint64_t e = stage(&g, &y, &x, 2, &why);
        if (!strcmp(why, sp->name))
            fail_msg("%s: binds with three ACTs in the window (AT + %" PRIu64 ")", g.ctx, e - AT);
        hbm_free(g.h);
    }
    return exact;
}

/* ---- the tests ------------------------------------------------------------------------------------- */

static const spec *spec_of(const char *name)
{
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
        if (!strcmp(specs[i].name, name))
            return &specs[i];
    return NULL;
}

static int in_row(const hbm_rule *r, const scen *s)
{
    return !strcmp(r->name, s->rule) && (r->y >> s->y & 1) && (r->x >> s->x & 1);
}

/* One row: its scope as docs/hbm.md gives it, and each of its scenarios on the four configurations. */
static void test_row(void **state)
{
    const hbm_rule *r = *state;
    const spec *sp = spec_of(r->name);
    if (!sp)
        fail_msg("row %s: not a rule of docs/hbm.md \"Timing rules\" known to this test", r->name);
    if (r->scope != sp->scope || r->rel != (sp->other ? HBM_REL_OTHER : HBM_REL_SAME) ||
        (r->cond == HBM_IF_AB_ACT_FAW) != sp->faw)
        fail_msg("row %s: scope, relation or condition differs from docs/hbm.md", r->name);
    static const char *const presets[] = {"hbm3-6400", "attacc-hbm3-5200"};
    unsigned n = 0, exact = 0;
    for (size_t i = 0; i < NSCENS; i++) {
        if (!in_row(r, &scens[i]))
            continue;
        n++;
        for (int p = 0; p < 2; p++)
            for (int faw = 0; faw < 2; faw++) {
                hbm_cfg f;
                assert_int_equal(hbm_cfg_preset(presets[p], &f), 0);
                f.ab_act_faw = faw;
                exact += (unsigned)check(&scens[i], sp, &f, "");
                if (scens[i].tweak) {
                    scens[i].tweak(&f);
                    exact += (unsigned)check(&scens[i], sp, &f, " (tweaked)");
                }
            }
    }
    if (!n)
        fail_msg("row %s (%#x -> %#x): no directed test in tests/test_hbm_rules.c", r->name, r->y, r->x);
    if (!exact)
        fail_msg("row %s: no scenario isolates it in any configuration", r->name);
    printf("  %-8s %2u scenario(s) x 4 configurations, %3u exact\n", r->name, n, exact);
}

/* Every scenario belongs to a row: a row changed or removed leaves none behind. */
static void test_scenarios_in_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < NSCENS; i++) {
        unsigned rows = 0;
        for (unsigned j = 0; j < hbm_nrules; j++)
            rows += (unsigned)in_row(&hbm_rules[j], &scens[i]);
        if (!rows)
            fail_msg("scenario %s: %s -> %s is in no row of that name", scens[i].rule, hbm_op_name(scens[i].y),
                     hbm_op_name(scens[i].x));
    }
}

int main(void)
{
    enum { CAP = 64 };
    struct CMUnitTest tests[CAP + 1];
    char names[CAP][32];
    size_t k = 0;
    if (hbm_nrules > CAP)
        return fprintf(stderr, "test_hbm_rules: %u rows, room for %d\n", hbm_nrules, CAP), 1;
    for (unsigned i = 0; i < hbm_nrules; i++) {
        snprintf(names[i], sizeof names[i], "row %02u %s", i, hbm_rules[i].name);
        tb_add(tests, &k, CAP + 1, test_row, names[i], (void *)(uintptr_t)&hbm_rules[i]);
    }
    tb_add(tests, &k, CAP + 1, test_scenarios_in_table, "scenarios_in_table", NULL);
    return _cmocka_run_group_tests("test_hbm_rules", tests, k, NULL, NULL);
}
