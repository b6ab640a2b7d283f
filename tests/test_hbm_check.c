/* test_hbm_check — the independent protocol checker (harness/hbm/check/hbm_check.c) on its own, without the timing
 * engine. Mutation tests: for every rule of docs/hbm.md (the timing table, state, refresh, order) hand-built
 * traces place X exactly at the rule's distance after Y, computed here from the configuration fields and the
 * spec's formulas (accepted), and one cycle earlier (rejected on X's line, naming exactly that rule and the
 * limit as the needed cycle); for both presets and with the options (allbank_act_faw, power_limit, refresh
 * mode) on and off. State rules and some refresh rules have no distance: there the mutant changes a setup
 * command. Also a check that every rule name of the spec (one list, compared with docs/hbm.md's table) has a
 * case. Whole streams (malformed lines, long greedy streams, the refresh bound at every command):
 * test_hbm_check_stream.c. */
#include "tb_check.h"

/* Every rule name the checker reports: the timing table of docs/hbm.md, then state, refresh, order. */
static const char *const spec_rules[] = {"nRC",   "nRCDRD", "nRCDWR", "nRAS",  "nRP",    "nRTP",   "nWR",   "nMAC",
                                         "nRFCpb", "nCCDL", "nWTRL",  "nRRDL", "nCCDS",  "nCCDR",  "nRRDS", "data",
                                         "nRTW",  "nWTRS",  "nPPD",   "nRFC",  "nRREFD", "FAW",    "actwin", "rowbus",
                                         "colbus", "macpow", "sfm",   "barrier", "state", "refresh", "order"};
#define NSPEC (sizeof spec_rules / sizeof spec_rules[0])
#define NTABLE 28 /* the first NTABLE names are the timing table's rows */



/* ---- mutation cases ---------------------------------------------------------------------------------- */

/* gen writes the setup lines (Y among them) into t and X (without its cycle) into x, and returns X's limit
 * cycle. dir -1: X one cycle earlier must be rejected; +1: one cycle later (refresh owed at the end); 0: the
 * mutant (gen called with m = 1) breaks a state rule with X at the same cycle. */
typedef struct {
    const char *rule, *what;
    void (*cfg)(hbm_cfg *c);
    uint64_t (*gen)(const hbm_cfg *c, trace *t, char *x, int m);
    int dir;
} mcase;
#define XN 256
#define X(...) snprintf(x, XN, __VA_ARGS__)
#define GEN(name) static uint64_t name(const hbm_cfg *c, trace *t, char *x, int m)
#define UNUSED (void)c, (void)t, (void)m

static void ab_on(hbm_cfg *c) { c->ab_act_faw = 1; }
static void ab_off(hbm_cfg *c) { c->ab_act_faw = 0; }
static void pow_on(hbm_cfg *c) { c->power_limit = 1; }
static void pow_off(hbm_cfg *c) { c->power_limit = 0; }
static void ref_ab(hbm_cfg *c) { c->ref_mode = HBM_REF_ALLBANK; }
static void ref_pb(hbm_cfg *c) { c->ref_mode = HBM_REF_PERBANK; }
static void ref_pb_1ch(hbm_cfg *c) { ref_pb(c), c->channels = 1; } /* long traces: no other channel owes any */
/* max_postpone 0: one refresh per interval, in it; one channel, as the others would owe theirs by I */
static void ref_ab_mp0(hbm_cfg *c) { ref_ab(c), c->max_postpone = 0, c->channels = 1; }
static void ref_pb_mp0(hbm_cfg *c) { ref_pb(c), c->max_postpone = 0, c->channels = 1; }
/* attacc-hbm3-5200 has nRAS + nRP > nRC, so an ACT-PRE-ACT sequence is always bound by nRP there; nRC is
 * raised to nRAS + nRP + 1 (still a valid configuration) only where that is so. */
static void nrc_visible(hbm_cfg *c)
{
    if (c->nRAS + c->nRP >= c->nRC)
        c->nRC = c->nRAS + c->nRP + 1;
}
static void nrc_visible_ab(hbm_cfg *c) { nrc_visible(c), ab_on(c); }
static void nrc_visible_ref(hbm_cfg *c) { nrc_visible(c), ref_ab(c); }

GEN(g_nRC)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "PRE " A);
    X("ACT " A " row=2");
    return c->nRC;
}
GEN(g_nRC_ab)
{
    UNUSED;
    uint64_t s = stagger(c, k_ab(c));
    add(t, 0, "ACTAB " P0 " row=1");
    add(t, c->nRAS + s, "PREA " P0);
    X("ACTAB " P0 " row=2");
    return c->nRC + s;
}
/* ACT -> refresh of the same bank (Ramulator 2 and JEDEC controllers: ACT to REFab nRC) */
GEN(g_nRC_ref)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "PRE " A);
    X("REFAB " P0);
    return c->nRC;
}
GEN(g_nRCDRD) { UNUSED; add(t, 0, "ACT " A " row=1"); X("RD " A " col=3"); return c->nRCDRD; }
GEN(g_nRCDRD_ab)
{
    UNUSED;
    add(t, 0, "ACTAB " PS " row=1");
    X("MACAB " P1 " col=0");
    return c->nRCDRD + stagger(c, k_ab(c));
}
GEN(g_nRCDRD_bg)
{
    UNUSED;
    add(t, 0, "ACTBG " P0 " ba=2 row=1");
    X("MACBG " P0 " ba=2 col=5");
    return c->nRCDRD + stagger(c, k_bg(c));
}
GEN(g_nRCDWR) { UNUSED; add(t, 0, "ACT " A " row=1"); X("WR " A " col=3"); return c->nRCDWR; }
GEN(g_nRAS) { UNUSED; add(t, 0, "ACT " A " row=1"); X("PRE " A); return c->nRAS; }
GEN(g_nRAS_bg)
{
    UNUSED;
    add(t, 0, "ACTBG " P0 " ba=1 row=1");
    X("PREA " PS);
    return c->nRAS + stagger(c, k_bg(c));
}
GEN(g_nRP) { UNUSED; add(t, 10, "PREA " P0); X("ACT " A " row=1"); return 10 + c->nRP; }
GEN(g_nRP_ref) /* the PRE late enough that the ACT's nRC is over when nRP is */
{
    UNUSED;
    uint64_t pre = max64(c->nRAS, c->nRC > c->nRP ? c->nRC - c->nRP : 0);
    add(t, 0, "ACT " A " row=1");
    add(t, pre, "PRE " A);
    X("REFAB " P0);
    return pre + c->nRP;
}
GEN(g_nRTP)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "RD " A " col=0");
    X("PRE " A);
    return c->nRAS + c->nRTP;
}
GEN(g_nRTP_mac)
{
    UNUSED;
    uint64_t y = c->nRAS + stagger(c, k_ab(c));
    add(t, 0, "ACTAB " P0 " row=1");
    add(t, y, "MACAB " P0 " col=0");
    X("PREA " P0);
    return y + c->nRTP;
}
GEN(g_nWR)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "WR " A " col=0");
    X("PRE " A);
    return c->nRAS + c->nCWL + c->nBL + c->nWR;
}
GEN(g_nMAC)
{
    UNUSED;
    uint64_t y = c->nRCDRD + stagger(c, k_ab(c));
    add(t, 0, "ACTAB " P0 " row=1");
    add(t, y, "MACAB " P0 " col=0");
    X("MACAB " P0 " col=1");
    return y + c->nMAC;
}
GEN(g_nMAC_sb)
{
    UNUSED;
    add(t, 0, "ACT " D " row=1");
    add(t, c->nRCDRD, "MACSB " D " col=0");
    X("MACSB " D " col=1");
    return c->nRCDRD + c->nMAC;
}
GEN(g_nMAC_pow)
{
    UNUSED;
    uint64_t y = c->nRCDRD + stagger(c, k_ab(c));
    add(t, 0, "ACTAB " PS " row=1");
    add(t, y, "MACAB " PS " col=0");
    X("MACAB " PS " col=1");
    return y + c->nMAC;
}
GEN(g_nRFCpb) { UNUSED; add(t, 0, "REFPB " A); X("ACT " A " row=1"); return c->nRFCpb; }
/* A and the bank b open, both ready for column commands at the returned cycle */
static uint64_t open2(const hbm_cfg *c, trace *t, const char *b)
{
    add(t, 0, "ACT " A " row=1");
    add(t, 100, "ACT %s row=1", b);
    return 100 + max64(c->nRCDRD, c->nRCDWR);
}
#define CAS2(name, bank, y_cmd, x_cmd, dist)                                                                    \
    GEN(name)                                                                                                  \
    {                                                                                                          \
        UNUSED;                                                                                                \
        uint64_t y = open2(c, t, bank);                                                                        \
        add(t, y, y_cmd " " A " col=0");                                                                        \
        X(x_cmd " %s col=1", bank);                                                                            \
        return y + (dist);                                                                                     \
    }
CAS2(g_nCCDL_rr, B, "RD", "RD", c->nCCDL)
CAS2(g_nCCDL_ww, B, "WR", "WR", c->nCCDL)
CAS2(g_nCCDL_mr, B, "MACSB", "RD", c->nCCDL)
CAS2(g_nCCDL_rm, B, "RD", "MACSB", c->nCCDL)
CAS2(g_nWTRL, B, "WR", "RD", c->nCWL + c->nBL + c->nWTRL)
CAS2(g_nCCDS, C, "RD", "RD", c->nCCDS)
CAS2(g_nCCDR_rr, D, "RD", "RD", c->nCCDR)
CAS2(g_nCCDR_ww, D, "WR", "WR", c->nCCDR)
CAS2(g_nWTRS_wr, C, "WR", "RD", c->nCWL + c->nBL + c->nWTRS)
GEN(g_nRRDL) { UNUSED; add(t, 0, "ACT " A " row=1"); X("ACT " B " row=1"); return c->nRRDL; }
GEN(g_nRRDL_bg) { UNUSED; add(t, 0, "ACTBG " P0 " ba=0 row=1"); X("ACT " B " row=1"); return c->nRRDL; }
GEN(g_nRRDS) { UNUSED; add(t, 0, "ACT " A " row=1"); X("ACT " C " row=1"); return c->nRRDS; }
GEN(g_data_mv) /* an old command first: whatever is out of reach must not hide Y */
{
    UNUSED;
    add(t, 0, "WRGB " P1);
    add(t, 5000, "MVSB " P0 " n=3");
    X("MVSB " P0 " n=1");
    return 5000 + 3 * c->nBL;
}
GEN(g_data_gb) { UNUSED; add(t, 100, "MVGB " PS " n=3"); X("WRGB " P1); return 100 + 3 * c->nBL; }
GEN(g_data_wr) { UNUSED; add(t, 100, "WRGB " P0); X("WRGB " PS); return 100 + c->nBL; }
GEN(g_nRTW)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, 100, "RD " A " col=0");
    X("WRGB " P0);
    return 100 + c->nRTW;
}
GEN(g_nRTW_mv) { UNUSED; add(t, 100, "MVSB " P1 " n=4"); X("MVGB " PS " n=2"); return 100 + c->nRTW + 4 * c->nBL - c->nBL; }
GEN(g_nWTRS) { UNUSED; add(t, 100, "WRGB " P0); X("MVSB " P0 " n=1"); return 100 + c->nCWL + c->nBL + c->nWTRS; }
GEN(g_nPPD)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, 50, "ACT " C " row=1");
    add(t, 200, "PRE " A);
    X("PRE " C);
    return 200 + c->nPPD;
}
GEN(g_nPPD_a) { UNUSED; add(t, 100, "PREA " P0); X("PREA " PS); return 100 + c->nPPD; }
GEN(g_nRFC) { UNUSED; add(t, 0, "REFAB " P0); X("ACT " A " row=1"); return c->nRFC; }
GEN(g_nRFC_rr) { UNUSED; add(t, 0, "REFAB " P0); X("REFAB " P0); return c->nRFC; }
GEN(g_nRREFD) { UNUSED; add(t, 0, "REFPB " A); X("REFPB " B); return c->nRREFD; }
GEN(g_nRREFD_a) { UNUSED; add(t, 0, "REFPB " A); X("ACT " D " row=1"); return c->nRREFD; }
GEN(g_FAW)
{
    UNUSED;
    uint64_t s = max64(c->nRRDS, 2);
    for (unsigned g = 0; g < 4; g++)
        add(t, g * s, "ACT st=0 ch=0 pc=0 sid=0 bg=%u ba=0 row=1", g);
    X("ACT " D " row=1");
    assert_true(4 * s < c->nFAW); /* every other rule has long passed at nFAW - 1 */
    return c->nFAW;
}
GEN(g_actwin_bg) { UNUSED; add(t, 0, "ACTBG " P0 " ba=0 row=1"); X("ACT " B " row=1"); return actwin(c, k_bg(c)); }
GEN(g_actwin_a) { UNUSED; add(t, 0, "ACT " A " row=1"); X("ACTBG " P0 " ba=3 row=1"); return actwin(c, 1); }
GEN(g_actwin_bb)
{
    UNUSED;
    add(t, 0, "ACTBG " PS " ba=0 row=1");
    X("ACTBG " P1 " ba=2 row=1");
    return actwin(c, k_bg(c));
}
GEN(g_rowbus_a) { UNUSED; add(t, 10, "ACT " A " row=1"); X("ACT " E " row=1"); return 12; }
GEN(g_rowbus_p)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, 2, "ACT " E " row=1");
    add(t, 100, "PRE " A);
    X("PRE " E);
    return 101;
}
GEN(g_colbus) { UNUSED; add(t, 10, "WRGB " P0); X("WRGB " P1); return 11; }
GEN(g_colbus_rd)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, 2, "ACT " E " row=1");
    add(t, 100, "RD " A " col=0");
    X("RD " E " col=0");
    return 101;
}
GEN(g_macpow)
{
    UNUSED;
    uint64_t y = c->nRCDRD + stagger(c, k_ab(c));
    add(t, 0, "ACTAB " PS " row=1");
    add(t, y, "MACAB " PS " col=0");
    X("MACAB " PS " col=1");
    return y + c->nMACpow;
}
GEN(g_macpow_3)
{
    UNUSED;
    uint64_t y = c->nRCDRD + stagger(c, k_ab(c));
    add(t, 0, "ACTAB " PS " row=1");
    add(t, y, "MACAB " P0 " col=0");
    add(t, y + 1, "MACAB " P1 " col=0");
    X("MACAB " P0 " col=1"); /* 3 PCs' worth in the window unless the first has left it */
    return y + c->nMACpow;
}
GEN(g_nMAC_3)
{
    UNUSED;
    uint64_t y = c->nRCDRD + stagger(c, k_ab(c));
    add(t, 0, "ACTAB " PS " row=1");
    add(t, y, "MACAB " P0 " col=0");
    add(t, y + 1, "MACAB " P1 " col=0");
    X("MACAB " P0 " col=1");
    return y + c->nMAC;
}
GEN(g_sfm) { UNUSED; add(t, 10, "SFM " CH0 " n=50"); X("SFM " CH0 " n=1"); return 60; }
GEN(g_barrier) { UNUSED; add(t, 10, "SFM " CH0 " n=40"); X("BARRIER " CH0); return 50; }
GEN(g_barrier_rd)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    add(t, 100, "RD " A " col=0");
    X("BARRIER " CH0);
    return 100 + c->nCL + c->nBL;
}
GEN(g_barrier_ab) { UNUSED; add(t, 0, "ACTAB " PS " row=1"); X("BARRIER " CH0); return c->nRCDRD + stagger(c, k_ab(c)); }
/* order: X in another PC, on the other bus, may share Y's cycle but not precede it */
GEN(g_order) { UNUSED; add(t, 10, "WRGB " P0); X("ACT " E " row=1"); return 10; }
/* refresh: at most max_postpone refreshes ahead of the current interval's: in [0, I) a PC may take
 * max_postpone + 1, the (max_postpone + 2)-th needs cycle I (the other PC's one refresh keeps it from
 * owing any at I, also with max_postpone 0) */
GEN(g_ref_pull)
{
    UNUSED;
    add(t, 0, "REFAB " P0);
    for (unsigned i = 0; i <= c->max_postpone; i++)
        add(t, 1 + (uint64_t)i * c->nRFC, "REFAB " P1);
    assert_true(1 + (uint64_t)(c->max_postpone + 1) * c->nRFC < ival(c));
    X("REFAB " P1);
    return ival(c);
}
GEN(g_ref_pull_pb)
{
    UNUSED;
    add(t, 0, "REFPB st=0 ch=0 pc=1 sid=0 bg=0 ba=0");
    for (unsigned i = 0; i <= c->max_postpone; i++)
        add(t, 1 + (uint64_t)i * c->nRREFD, "REFPB st=0 ch=0 pc=0 sid=0 bg=%u ba=%u", i / c->banks % c->bank_groups,
            i % c->banks);
    unsigned i = c->max_postpone + 1;
    assert_true(1 + (uint64_t)i * c->nRREFD < ival(c));
    X("REFPB st=0 ch=0 pc=0 sid=0 bg=%u ba=%u", i / c->banks % c->bank_groups, i % c->banks);
    return ival(c);
}
/* at most max_postpone owed: with no refresh at all, the last legal cycle of the log is (max_postpone + 1) I - 1 */
GEN(g_ref_owed)
{
    UNUSED;
    add(t, 5, "WRGB " P0);
    X("WRGB " P1);
    return (uint64_t)(c->max_postpone + 1) * ival(c) - 1;
}
/* both PCs of the channel take their refresh in the same interval (one row bus: on different cycles), so
 * neither owes one until 2 I; a command at 2 I - 1 is the last the log may end with */
GEN(g_ref_both)
{
    UNUSED;
    add(t, ival(c) - 3, "REFAB " P0);
    add(t, ival(c) - 2, "REFAB " P1);
    X("WRGB " P0);
    return (uint64_t)(c->max_postpone + 2) * ival(c) - 1;
}
GEN(g_ref_rr)
{
    UNUSED;
    add(t, 0, "REFPB " A);
    X(m ? "REFPB " A : "REFPB " B); /* round robin: A again before B is refused */
    return c->nRFCpb;
}
/* a full round of REFPBs in each PC (one per refresh interval, any order) lets bank A be refreshed again; the
 * mutant leaves one bank of PC 0 out of the round */
GEN(g_ref_round)
{
    UNUSED;
    uint32_t nb = k_ab(c);
    for (uint32_t j = 0; j < nb; j++) {
        uint32_t b = (j * 5 + 3) % nb; /* a permutation of the banks (nb is a power of two) */
        for (unsigned p = 0; p < c->pcs; p++)
            if (!(m && p == 0 && b == nb / 2))
                add(t, (uint64_t)j * ival(c) + p, "REFPB st=0 ch=0 pc=%u sid=%u bg=%u ba=%u", p,
                    b / (c->bank_groups * c->banks), b / c->banks % c->bank_groups, b % c->banks);
    }
    X("REFPB " A);
    return (uint64_t)nb * ival(c);
}
GEN(g_ref_mode) { UNUSED; X(m ? "REFAB " P0 : "REFPB " A); return 10; } /* per-bank mode: REFPB only */
GEN(g_ref_off) { UNUSED; X(m ? "REFAB " P0 : "WRGB " P0); return 10; }   /* refresh off: none at all */
/* state: the mutant drops or changes a setup command so that X meets a bank in the wrong state */
GEN(g_st_rd)
{
    UNUSED;
    add(t, 0, m ? "ACT " B " row=1" : "ACT " A " row=1");
    X("RD " A " col=0");
    return 100;
}
GEN(g_st_act)
{
    UNUSED;
    add(t, 0, "ACT " A " row=1");
    if (!m)
        add(t, 100, "PRE " A);
    X("ACT " A " row=2");
    return 200;
}
GEN(g_st_pre) { UNUSED; add(t, 0, m ? "ACT " B " row=1" : "ACT " A " row=1"); X("PRE " A); return 100; }
GEN(g_st_mac) { UNUSED; add(t, 0, m ? "ACTAB " P0 " row=1" : "ACTAB " PS " row=1"); X("MACAB " PS " col=0"); return 300; }
GEN(g_st_macbg) { UNUSED; add(t, 0, "ACTBG " P0 " ba=%d row=1", m ? 1 : 2); X("MACBG " P0 " ba=2 col=0"); return 300; }
GEN(g_st_actab)
{
    UNUSED;
    add(t, 0, "ACT " D " row=1");
    if (!m)
        add(t, 100, "PREA " PS);
    X("ACTAB " PS " row=2");
    return 200;
}
GEN(g_st_refab)
{
    UNUSED;
    add(t, 0, "ACT " E " row=1");
    X(m ? "REFAB " P1 : "REFAB " P0);
    return 100;
}
GEN(g_st_refpb) { UNUSED; add(t, 0, "ACT " A " row=1"); X(m ? "REFPB " A : "REFPB " B); return 100; }

static const mcase cases[] = {
    {"nRC", "ACT, PRE, ACT of one bank", nrc_visible, g_nRC, -1},
    {"nRC", "ACTAB, PREA, ACTAB, allbank_act_faw on (stagger)", nrc_visible_ab, g_nRC_ab, -1},
    {"nRC", "ACT, PRE, REFAB of its PC", nrc_visible_ref, g_nRC_ref, -1},
    {"nRCDRD", "ACT -> RD", NULL, g_nRCDRD, -1},
    {"nRCDRD", "ACTAB pc=* -> MACAB, allbank_act_faw on (stagger)", ab_on, g_nRCDRD_ab, -1},
    {"nRCDRD", "ACTAB pc=* -> MACAB, allbank_act_faw off", ab_off, g_nRCDRD_ab, -1},
    {"nRCDRD", "ACTBG -> MACBG (preset window setting)", NULL, g_nRCDRD_bg, -1},
    {"nRCDWR", "ACT -> WR", NULL, g_nRCDWR, -1},
    {"nRAS", "ACT -> PRE", NULL, g_nRAS, -1},
    {"nRAS", "ACTBG -> PREA pc=*, allbank_act_faw on (stagger)", ab_on, g_nRAS_bg, -1},
    {"nRP", "PREA (banks closed) -> ACT", NULL, g_nRP, -1},
    {"nRP", "PRE -> REFAB, refresh all-bank", ref_ab, g_nRP_ref, -1},
    {"nRTP", "RD -> PRE", NULL, g_nRTP, -1},
    {"nRTP", "MACAB -> PREA", NULL, g_nRTP_mac, -1},
    {"nWR", "WR -> PRE", NULL, g_nWR, -1},
    {"nMAC", "MACAB -> MACAB of one PC", NULL, g_nMAC, -1},
    {"nMAC", "MACSB -> MACSB", NULL, g_nMAC_sb, -1},
    {"nMAC", "MACAB pc=* pair, power_limit off (no macpow)", pow_off, g_nMAC_pow, -1},
    {"nRFCpb", "REFPB -> ACT, refresh per-bank", ref_pb, g_nRFCpb, -1},
    {"nCCDL", "RD -> RD, same bank group", NULL, g_nCCDL_rr, -1},
    {"nCCDL", "WR -> WR, same bank group", NULL, g_nCCDL_ww, -1},
    {"nCCDL", "MACSB -> RD, same bank group", NULL, g_nCCDL_mr, -1},
    {"nCCDL", "RD -> MACSB, same bank group", NULL, g_nCCDL_rm, -1},
    {"nWTRL", "WR -> RD, same bank group", NULL, g_nWTRL, -1},
    {"nRRDL", "ACT -> ACT, same bank group", NULL, g_nRRDL, -1},
    {"nRRDL", "ACTBG -> ACT, allbank_act_faw off (no actwin)", ab_off, g_nRRDL_bg, -1},
    {"nCCDS", "RD -> RD, other bank group (ties with data)", NULL, g_nCCDS, -1},
    {"nCCDR", "RD -> RD, other SID", NULL, g_nCCDR_rr, -1},
    {"nCCDR", "WR -> WR, other SID", NULL, g_nCCDR_ww, -1},
    {"nRRDS", "ACT -> ACT, other bank group", NULL, g_nRRDS, -1},
    {"data", "MVSB n=3 -> MVSB", NULL, g_data_mv, -1},
    {"data", "MVGB pc=* n=3 -> WRGB", NULL, g_data_gb, -1},
    {"data", "WRGB -> WRGB pc=*", NULL, g_data_wr, -1},
    {"nRTW", "RD -> WRGB", NULL, g_nRTW, -1},
    {"nRTW", "MVSB n=4 -> MVGB pc=*", NULL, g_nRTW_mv, -1},
    {"nWTRS", "WRGB -> MVSB", NULL, g_nWTRS, -1},
    {"nWTRS", "WR -> RD, other bank group", NULL, g_nWTRS_wr, -1},
    {"nPPD", "PRE -> PRE", NULL, g_nPPD, -1},
    {"nPPD", "PREA -> PREA pc=*", NULL, g_nPPD_a, -1},
    {"nRFC", "REFAB -> ACT", ref_ab, g_nRFC, -1},
    {"nRFC", "REFAB -> REFAB", ref_ab, g_nRFC_rr, -1},
    {"nRREFD", "REFPB -> REFPB, other bank", ref_pb, g_nRREFD, -1},
    {"nRREFD", "REFPB -> ACT, other bank", ref_pb, g_nRREFD_a, -1},
    {"FAW", "5th ACT of a PC", NULL, g_FAW, -1},
    {"actwin", "ACTBG -> ACT, allbank_act_faw on", ab_on, g_actwin_bg, -1},
    {"actwin", "ACT -> ACTBG, allbank_act_faw on", ab_on, g_actwin_a, -1},
    {"actwin", "ACTBG pc=* -> ACTBG, allbank_act_faw on", ab_on, g_actwin_bb, -1},
    {"rowbus", "ACT -> ACT, other PC", NULL, g_rowbus_a, -1},
    {"rowbus", "PRE -> PRE, other PC", NULL, g_rowbus_p, -1},
    {"colbus", "WRGB -> WRGB, other PC", NULL, g_colbus, -1},
    {"colbus", "RD -> RD, other PC", NULL, g_colbus_rd, -1},
    {"macpow", "MACAB pc=* pair, power_limit on", pow_on, g_macpow, -1},
    {"macpow", "MACAB pc=0, pc=1, pc=0, power_limit on", pow_on, g_macpow_3, -1},
    {"nMAC", "MACAB pc=0, pc=1, pc=0, power_limit off", pow_off, g_nMAC_3, -1},
    {"sfm", "SFM n=50 -> SFM", NULL, g_sfm, -1},
    {"barrier", "SFM n=40 -> BARRIER", NULL, g_barrier, -1},
    {"barrier", "RD -> BARRIER", NULL, g_barrier_rd, -1},
    {"barrier", "ACTAB pc=* -> BARRIER, allbank_act_faw on", ab_on, g_barrier_ab, -1},
    {"order", "cycles never decrease within a channel", NULL, g_order, -1},
    {"refresh", "all-bank: max_postpone refreshes ahead at most", ref_ab, g_ref_pull, -1},
    {"refresh", "per-bank: max_postpone refreshes ahead at most", ref_pb, g_ref_pull_pb, -1},
    {"refresh", "all-bank: max_postpone refreshes owed at most (end of log)", ref_ab, g_ref_owed, +1},
    {"refresh", "all-bank, max_postpone 0: the current interval's refresh, none ahead", ref_ab_mp0, g_ref_pull, -1},
    {"refresh", "per-bank, max_postpone 0: the current interval's refresh, none ahead", ref_pb_mp0, g_ref_pull_pb, -1},
    {"refresh", "all-bank, max_postpone 0: none owed (end of log)", ref_ab_mp0, g_ref_owed, +1},
    {"refresh", "all-bank, max_postpone 0: both PCs refreshed in the interval", ref_ab_mp0, g_ref_both, +1},
    {"refresh", "per-bank: max_postpone refreshes owed at most (end of log)", ref_pb, g_ref_owed, +1},
    {"refresh", "per-bank round robin", ref_pb, g_ref_rr, 0},
    {"refresh", "per-bank round robin: a full round, then again", ref_pb_1ch, g_ref_round, 0},
    {"refresh", "per-bank mode: no REFAB", ref_pb, g_ref_mode, 0},
    {"refresh", "refresh off: no REFAB", NULL, g_ref_off, 0},
    {"state", "RD of a closed bank", NULL, g_st_rd, 0},
    {"state", "ACT of an open bank", NULL, g_st_act, 0},
    {"state", "PRE of a closed bank", NULL, g_st_pre, 0},
    {"state", "MACAB pc=* with one PC closed", NULL, g_st_mac, 0},
    {"state", "MACBG of a closed bank index", NULL, g_st_macbg, 0},
    {"state", "ACTAB with a bank open", NULL, g_st_actab, 0},
    {"state", "REFAB with a bank open", ref_ab, g_st_refab, 0},
    {"state", "REFPB of an open bank", ref_pb, g_st_refpb, 0},
};
#define NCASES (sizeof cases / sizeof cases[0])
static const char *const presets[] = {"hbm3-6400", "attacc-hbm3-5200"};

/* err is "trace:LINE: RULE: ..."; true if LINE and RULE are as wanted */
static int names(const char *err, unsigned line, const char *rule)
{
    char want[64];
    snprintf(want, sizeof want, "trace:%u: %s: ", line, rule);
    return !strncmp(err, want, strlen(want));
}

static void test_mutations(void **state)
{
    (void)state;
    char err[1024], x[XN];
    unsigned runs = 0;
    for (size_t p = 0; p < 2; p++)
        for (size_t i = 0; i < NCASES; i++) {
            const mcase *mc = &cases[i];
            hbm_cfg c;
            assert_int_equal(hbm_cfg_preset(presets[p], &c), 0);
            c.ref_mode = HBM_REF_OFF; /* refresh bounds only where the case asks for a mode */
            if (mc->cfg)
                mc->cfg(&c);
            trace ok = {.len = 0}, bad = {.len = 0};
            uint64_t lim = mc->gen(&c, &ok, x, 0);
            add(&ok, lim, "%s", x);
            assert_int_equal(mc->gen(&c, &bad, x, mc->dir == 0), lim);
            assert_true(lim >= 1);
            add(&bad, lim + (uint64_t)(int64_t)mc->dir, "%s", x);
            if (check(&c, &ok, err, sizeof err))
                fail_msg("%s, %s: %s: X at its limit (cycle %" PRIu64 ") rejected: %s\n%s", presets[p], mc->rule,
                         mc->what, lim, err, ok.text);
            int rc = check(&c, &bad, err, sizeof err);
            char need[64];
            snprintf(need, sizeof need, "needs cycle >= %" PRIu64 " ", lim);
            if (rc != 1 || !names(err, bad.lines, mc->rule) || (mc->dir < 0 && !strstr(err, need)))
                fail_msg("%s, %s: %s: mutant gave rc %d '%s' (want 1, line %u, rule %s%s%s)\n%s", presets[p], mc->rule,
                         mc->what, rc, err, bad.lines, mc->rule, mc->dir < 0 ? ", " : "", mc->dir < 0 ? need : "",
                         bad.text);
            runs++;
        }
    printf("  %u mutation runs (%zu cases x 2 presets): at the limit accepted, mutant rejected naming the rule\n", runs,
           NCASES);
}

/* The coverage table: every rule name has at least one case (and every case names a rule of the list). */
static void test_coverage(void **state)
{
    (void)state;
    printf("  %-8s cases\n", "rule");
    for (size_t r = 0; r < NSPEC; r++) {
        unsigned n = 0;
        for (size_t i = 0; i < NCASES; i++)
            n += !strcmp(cases[i].rule, spec_rules[r]);
        printf("  %-8s %u\n", spec_rules[r], n);
        if (!n)
            fail_msg("rule %s has no mutation case", spec_rules[r]);
    }
    for (size_t i = 0; i < NCASES; i++) {
        int known = 0;
        for (size_t r = 0; r < NSPEC; r++)
            known |= !strcmp(cases[i].rule, spec_rules[r]);
        if (!known)
            fail_msg("case '%s' names rule %s, which is not in the list", cases[i].what, cases[i].rule);
    }
    /* the list's first NTABLE names are exactly the rows of docs/hbm.md's timing-rule table, in order */
    FILE *f = fopen("docs/hbm.md", "r");
    if (!f) {
        printf("  (docs/hbm.md not found from here: run from the repository root to compare with the spec)\n");
        return;
    }
    char line[512];
    int in = 0;
    size_t row = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3))
            in = !strncmp(line, "## Timing rules", 15);
        if (!in || strncmp(line, "| `", 3))
            continue;
        size_t l = strcspn(line + 3, "`");
        if (row >= NTABLE || strlen(spec_rules[row]) != l || strncmp(line + 3, spec_rules[row], l))
            fail_msg("docs/hbm.md timing rule %zu is '%.*s', the list has '%s'", row + 1, (int)l, line + 3,
                     row < NTABLE ? spec_rules[row] : "(nothing)");
        row++;
    }
    fclose(f);
    assert_int_equal(row, NTABLE);
    printf("  the %d timing rules of docs/hbm.md + state, refresh, order: every one has a case\n", NTABLE);
}

/* The lower refresh bound holds at every command of the channel, counting the refreshes at cycles <= t (so
 * it is checked once the channel moves past t, and at the end): a command at the cycle where a PC owes one
 * refresh too many is caught at the next command. L = (max_postpone + 1) x nREFI. */
int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mutations), cmocka_unit_test(test_coverage)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
