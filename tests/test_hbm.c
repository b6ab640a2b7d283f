/* test_hbm — the HBM3-PIM timing engine (harness/hbm/hbm.c) and its controller (hbm_ctrl.c), one request at a time:
 *  - closed forms: open-row read streams at the tCCD limit, the cost of a row miss, all-bank MAC streams
 *    at 16x the I/O bandwidth (and the power-limited and row-switch-aware fractions), refresh stealing
 *    tRFC/tREFI, energy per byte against the reference figures;
 *  - refusals: state errors and timing violations name their rule;
 *  - the refresh window (docs/hbm.md "Refresh") for max_postpone 0, 1 and 8, and the controller's eager
 *    refresh on a seeded random request stream with idle gaps for the same values (its log checked);
 *  - every command log produced here passes the independent checker (harness/hbm/check/hbm_check.c), and a random
 *    command stream issued at the engine's earliest cycles passes it while each command moved one cycle
 *    earlier than the engine allowed is rejected (differential test, seeded).
 * Expected values are computed from the configuration fields with the formulas of docs/hbm.md. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hbm_check.h"
#include "hbm.h"
#include "hbm_ctrl.h"
#include "tb_util.h"
#include "tb_hbm.h"

static uint64_t seed;

static const char *const presets[] = {"attacc-hbm3-5200", "hbm3-6400"};

static hbm_cfg preset(const char *name)
{
    hbm_cfg c;
    assert_int_equal(hbm_cfg_preset(name, &c), 0);
    c.ref_mode = HBM_REF_OFF;
    return c;
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* An engine with its controller and its log checked by hbm_check_stream at the end (tb_hbm.h). */
typedef tb_hbm rig;
static void rig_open(rig *g, const hbm_cfg *c) { tb_hbm_open(g, c); }
static void rig_close(rig *g) { tb_hbm_close(g, 0, g->cfg.name); }

/* Issues one request (alone in the queues: in order) and returns the cycle of its data command. */
static uint64_t req(rig *g, hbm_req q)
{
    char err[512];
    if (hbm_ctrl_add(g->r, &q, err, sizeof err) || hbm_ctrl_drain(g->r, err, sizeof err))
        fail_msg("%s: %s", g->cfg.name, err);
    return hbm_ctrl_last_data(g->r);
}

static hbm_req rd(unsigned bg, unsigned ba, unsigned row, unsigned col)
{
    return (hbm_req){.kind = HBM_REQ_RD, .bg = (uint8_t)bg, .ba = (uint8_t)ba, .row = row, .col = col};
}

/* Reads in one open row: one burst per max(nCCDL, nBL) in one bank group, per max(nCCDS, nBL) across
 * bank groups (the full I/O bandwidth of the PC). */
static void test_read_streams(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        rig g;
        rig_open(&g, &c);
        const unsigned n = 256;
        uint64_t t0 = req(&g, rd(0, 0, 5, 0)), t = t0;
        for (unsigned i = 1; i < n; i++)
            t = req(&g, rd(0, 0, 5, i % c.columns));
        uint64_t same = max64(c.nCCDL, c.nBL);
        assert_int_equal(t - t0, (uint64_t)(n - 1) * same);
        for (unsigned b = 1; b < c.bank_groups; b++) /* open the row in the other bank groups */
            req(&g, rd(b, 0, 5, 0));
        t0 = req(&g, rd(0, 0, 5, 1));
        for (unsigned i = 1; i < n; i++)
            t = req(&g, rd(i % c.bank_groups, 0, 5, i % c.columns));
        uint64_t across = max64(c.nCCDS, c.nBL);
        assert_int_equal(t - t0, (uint64_t)(n - 1) * across);
        printf("  %-17s read stream: %.2f B/CK in one bank group (32/nCCDL), %.2f B/CK across groups (I/O peak "
               "%.2f per PC)\n", c.name, (double)c.burst_bytes / same, (double)c.burst_bytes / across,
               (double)c.burst_bytes / c.nBL);
        rig_close(&g);
    }
}

/* A row miss after a run of hits: RD -> PRE (nRTP) -> ACT (nRP) -> RD (nRCDRD). */
static void test_row_miss(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        rig g;
        rig_open(&g, &c);
        uint64_t first = req(&g, rd(1, 2, 7, 0)), act = first - c.nRCDRD, last = first;
        for (unsigned i = 1; i < 16; i++)
            last = req(&g, rd(1, 2, 7, i));
        uint64_t miss = req(&g, rd(1, 2, 9, 0));
        uint64_t pre = max64(last + c.nRTP, act + c.nRAS);
        uint64_t want = max64(pre + c.nRP, act + c.nRC) + c.nRCDRD;
        assert_int_equal(miss, want);
        assert_true(last + c.nRTP >= act + c.nRAS); /* the closed form below holds for these presets */
        assert_int_equal(miss - last, c.nRTP + c.nRP + c.nRCDRD);
        printf("  %-17s row miss: %" PRIu64 " CK after the last hit (nRTP %u + nRP %u + nRCDRD %u), a hit %u\n",
               c.name, miss - last, c.nRTP, c.nRP, c.nRCDRD, c.nCCDL);
        rig_close(&g);
    }
}

/* Channel-wide MACAB rows on channel 0: returns cycles from the first to the last MAC. */
static uint64_t mac_rows(rig *g, unsigned rows)
{
    uint64_t t0 = 0, t = 0;
    for (unsigned r = 0; r < rows; r++)
        for (unsigned col = 0; col < g->cfg.columns; col++) {
            t = req(g, (hbm_req){.kind = HBM_REQ_MAC, .pc = HBM_PC_ALL, .row = r, .col = col});
            if (r == 0 && col == 0)
                t0 = t;
        }
    return t - t0;
}

/* MAC spacing within a row: nMAC, or nMACpow with the power limit (channel-wide MACs fill the window). */
static uint64_t mac_spacing(const hbm_cfg *c) { return c->power_limit ? max64(c->nMAC, c->nMACpow) : c->nMAC; }

/* Row period of an all-bank MAC stream (docs/hbm.md rules): ACTAB, 32 MACs, PREA, next ACTAB. */
static uint64_t mac_row_period(const hbm_cfg *c)
{
    unsigned k = hbm_cfg_banks_per_pc(c);
    uint64_t stg = c->ab_act_faw && k > 4 ? (uint64_t)((k + 3) / 4 - 1) * c->nFAW : 0;
    uint64_t last = c->nRCDRD + stg + (uint64_t)(c->columns - 1) * mac_spacing(c);
    uint64_t pre = max64(last + c->nRTP, c->nRAS + stg);
    uint64_t act = max64(pre + c->nRP, c->nRC + stg);
    if (c->ab_act_faw)
        act = max64(act, (uint64_t)((k + 3) / 4) * c->nFAW);
    return act;
}

static void test_mac_streams(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++)
        for (int pow = 0; pow < 2; pow++) {
            hbm_cfg c = preset(presets[p]);
            c.power_limit = pow;
            rig g;
            rig_open(&g, &c);
            const unsigned rows = 20;
            uint64_t span = mac_rows(&g, rows), s = mac_spacing(&c), period = mac_row_period(&c);
            assert_int_equal(span, (rows - 1) * period + (c.columns - 1) * s);
            /* bandwidth: channel-wide MAC bytes per CK over the channel's I/O peak (pcs bursts per nBL) */
            double bpc = (double)c.pcs * hbm_cfg_banks_per_pc(&c) * c.burst_bytes;
            double io = (double)c.pcs * c.burst_bytes / c.nBL;
            double in_row = bpc / s / io, with_rows = bpc * c.columns / period / io;
            if (!pow && c.nMAC == 4 && c.nBL == 2)
                assert_true(in_row == 16.0);
            printf("  %-17s MACAB %s power limit: %u CK apart = %.2fx the I/O bandwidth in a row; row period %"
                   PRIu64 " CK = %.2fx (%.1f %% of the MAC bound)\n", c.name, pow ? "with   " : "without", (unsigned)s,
                   in_row, period, with_rows, 100.0 * with_rows / in_row);
            rig_close(&g);
        }
}

/* All-bank refresh takes nRFC of every nREFI; the controller also closes and reopens the row around it. */
static void test_refresh_steal(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        rig g, h;
        rig_open(&g, &c);
        unsigned rows = (unsigned)(40 * c.nREFI / mac_row_period(&c));
        uint64_t off = mac_rows(&g, rows);
        rig_close(&g);
        c.ref_mode = HBM_REF_ALLBANK;
        rig_open(&h, &c);
        uint64_t on = mac_rows(&h, rows);
        double refs = (double)hbm_get_stats(h.h)->cmds[HBM_REFAB] / c.pcs, loss = (double)(on - off) / on;
        double lo = (double)c.nRFC / c.nREFI;
        /* at most: close the row (nRTP, or nRAS when the refresh falls just after an ACTAB), nRP, nRFC, and
         * reopen it (nRCDRD plus the activation stagger) */
        unsigned k = hbm_cfg_banks_per_pc(&c);
        uint64_t stg = c.ab_act_faw && k > 4 ? (uint64_t)((k + 3) / 4 - 1) * c.nFAW : 0;
        double hi = (double)(c.nRFC + max64(c.nRTP, c.nRAS) + c.nRP + c.nRCDRD + stg) / c.nREFI;
        rig_close(&h);
        assert_true(refs >= (double)on / c.nREFI - 1 && refs <= (double)on / c.nREFI + 1);
        if (!(loss >= lo && loss <= hi))
            fail_msg("%s: refresh loss %.4f outside [%.4f, %.4f]", c.name, loss, lo, hi);
        printf("  %-17s all-bank refresh: %.0f REFAB per PC, time lost %.2f %% (bounds: nRFC/nREFI %.2f %%, "
               "with closing and reopening the row %.2f %%)\n", c.name, refs, 100 * loss, 100 * lo, 100 * hi);
    }
}

/* Issues c at its earliest cycle >= from (it must be legal in the current state); returns that cycle. */
static uint64_t put(rig *g, hbm_cmd c, uint64_t from)
{
    char err[512];
    uint64_t t = hbm_earliest(g->h, &c, from, NULL);
    if (t == HBM_NEVER || hbm_issue(g->h, &c, t, err, sizeof err))
        fail_msg("%s: %s refused: %s", g->cfg.name, hbm_op_name(c.op), t == HBM_NEVER ? "state" : err);
    return t;
}

/* Whole rows through MACBG, as the ping-pong units read them: per row ACTBG of bank index ba (one bank per
 * bank group and SID, both PCs), a MACBG per column, then PRE of each of those banks. */
static void macbg_rows(rig *g, unsigned rows)
{
    const hbm_cfg *c = &g->cfg;
    uint64_t t = 0;
    for (unsigned r = 0; r < rows; r++) {
        unsigned ba = r % c->banks;
        t = put(g, (hbm_cmd){.op = HBM_ACTBG, .pc = HBM_PC_ALL, .ba = (uint8_t)ba, .row = r}, t);
        for (unsigned col = 0; col < c->columns; col++)
            t = put(g, (hbm_cmd){.op = HBM_MACBG, .pc = HBM_PC_ALL, .ba = (uint8_t)ba, .col = col}, t);
        for (unsigned p = 0; p < c->pcs; p++)
            for (unsigned s = 0; s < c->sids; s++)
                for (unsigned b = 0; b < c->bank_groups; b++)
                    t = put(g, (hbm_cmd){.op = HBM_PRE, .pc = (uint8_t)p, .sid = (uint8_t)s, .bg = (uint8_t)b,
                                         .ba = (uint8_t)ba}, t);
    }
}

/* Energy per byte with whole rows consumed: I/O reads 28.72 pJ/B, bank PIM 4.4 pJ/B + ALU, through MACAB
 * (every bank) and through MACBG (one bank per bank group, the ping-pong units' command) alike: in both
 * the burst goes from the bank's sense amplifiers to the GEMV unit beside the bank, so neither crosses the
 * column path to the bank-group mux (docs/hbm.md "Energy"). */
static void test_energy(void **state)
{
    (void)state;
    hbm_cfg c = preset("attacc-hbm3-5200");
    rig g;
    rig_open(&g, &c);
    mac_rows(&g, 4);
    const hbm_stats *s = hbm_get_stats(g.h);
    double pj = hbm_energy_total(&s->energy) / s->pim_bytes;
    double alu = c.e_mac * c.gemv_lanes / c.burst_bytes;
    assert_float_equal(pj, 8 * (c.e_act + c.e_cell) + alu, 1e-9);
    assert_float_equal(8 * (c.e_act + c.e_cell), 4.4, 1e-9);
    rig_close(&g);
    rig_open(&g, &c);
    macbg_rows(&g, 8);
    s = hbm_get_stats(g.h);
    assert_int_equal(s->pim_bytes, 8ull * c.sids * c.bank_groups * c.pcs * c.columns * c.burst_bytes);
    double bg = hbm_energy_total(&s->energy) / s->pim_bytes;
    if (fabs(bg - (8 * (c.e_act + c.e_cell) + alu)) > 1e-9)
        fail_msg("MACBG rows: %.4f pJ/B, want %.4f (bank-level PIM + ALU, as MACAB); column path %.3f pJ/B", bg,
                 8 * (c.e_act + c.e_cell) + alu, s->energy.column / s->pim_bytes);
    rig_close(&g);
    rig_open(&g, &c);
    for (unsigned r = 0; r < 3; r++)
        for (unsigned col = 0; col < c.columns; col++)
            req(&g, rd(0, 0, r, col));
    s = hbm_get_stats(g.h);
    pj = hbm_energy_total(&s->energy) / s->ext_bytes;
    assert_float_equal(pj, 28.72, 1e-9);
    printf("  energy: I/O read %.2f pJ/B, bank-level PIM %.2f pJ/B + %.2f pJ/B ALU (reference 28.72, 4.4), MACBG "
           "rows %.2f pJ/B with the ALU\n", pj, 8 * (c.e_act + c.e_cell), alu, bg);
    rig_close(&g);
}

static void expect_refusal(hbm *h, hbm_cmd c, uint64_t t, const char *rule)
{
    char err[512];
    if (hbm_issue(h, &c, t, err, sizeof err) == 0)
        fail_msg("%s at %" PRIu64 " was accepted, expected a '%s' refusal", hbm_op_name(c.op), t, rule);
    if (strncmp(err, rule, strlen(rule)) || err[strlen(rule)] != ':')
        fail_msg("expected rule '%s', got: %s", rule, err);
}

static void test_refusals(void **state)
{
    (void)state;
    hbm_cfg c = preset("hbm3-6400");
    c.ref_mode = HBM_REF_ALLBANK;
    hbm *h = hbm_new(&c);
    char err[512];
    hbm_cmd act = {.op = HBM_ACT, .row = 3}, rdc = {.op = HBM_RD}, refpb = {.op = HBM_REFPB};
    expect_refusal(h, rdc, 0, "state");   /* closed bank */
    expect_refusal(h, refpb, 0, "state"); /* per-bank refresh in all-bank mode */
    assert_int_equal(hbm_issue(h, &act, 10, err, sizeof err), 0);
    expect_refusal(h, act, 100, "state"); /* bank already open */
    expect_refusal(h, rdc, 10 + c.nRCDRD - 1, "nRCDRD");
    const char *rule;
    assert_int_equal(hbm_earliest(h, &rdc, 0, &rule), 10 + c.nRCDRD);
    assert_string_equal(rule, "nRCDRD");
    hbm_cmd rdo = rdc;
    rdo.ch = 1; /* another channel: no constraint, but its refresh is owed much later */
    expect_refusal(h, rdo, 0, "state");
    hbm_cmd pre = {.op = HBM_PRE};
    expect_refusal(h, pre, 10 + c.nRAS - 1, "nRAS");
    assert_int_equal(hbm_issue(h, &pre, 10 + c.nRAS, err, sizeof err), 0);
    /* no refresh for more than max_postpone intervals */
    hbm_cmd act2 = act;
    expect_refusal(h, act2, (uint64_t)(c.max_postpone + 1) * c.nREFI + 1000, "refresh");
    hbm_free(h);
}

/* docs/hbm.md "Refresh": refresh k belongs to the interval [(k-1) I, k I); it may be pulled in by up to
 * max_postpone intervals and postponed by up to max_postpone. So a PC may take max_postpone + 1 refreshes
 * before cycle I (the current interval's and max_postpone ahead), the next one not before I, and its
 * deadline after c refreshes is (c + max_postpone + 1) I - 1. With max_postpone 0 both PCs of a channel
 * can be refreshed in the same interval (before, the only legal cycle of refresh k of either PC was k I,
 * and one row bus cannot carry both). */
static void test_refresh_window(void **state)
{
    (void)state;
    static const unsigned postpone[] = {0, 1, 8};
    char err[512];
    for (int p = 0; p < 2; p++)
        for (size_t v = 0; v < 3; v++) {
            hbm_cfg c = preset(presets[p]);
            c.ref_mode = HBM_REF_ALLBANK, c.channels = 1, c.max_postpone = postpone[v];
            const uint64_t I = c.nREFI, N = c.max_postpone;
            assert_true((N + 1) * c.nRFC + 1 < I); /* the refreshes below fit in the first interval */
            hbm *h = hbm_new(&c);
            for (unsigned pc = 0; pc < c.pcs; pc++)
                assert_int_equal(hbm_refresh_deadline(h, 0, 0, pc), (N + 1) * I - 1);
            for (uint64_t k = 0; k <= N; k++)
                for (unsigned pc = 0; pc < c.pcs; pc++) {
                    hbm_cmd ref = {.op = HBM_REFAB, .pc = (uint8_t)pc};
                    uint64_t t = k * c.nRFC + pc;
                    if (hbm_issue(h, &ref, t, err, sizeof err))
                        fail_msg("%s, max_postpone %u: refresh %" PRIu64 " of PC %u at cycle %" PRIu64 " (before %"
                                 PRIu64 ") refused: %s", c.name, c.max_postpone, k + 1, pc, t, I, err);
                    assert_int_equal(hbm_refresh_deadline(h, 0, 0, pc), (k + 1 + N + 1) * I - 1);
                }
            hbm_cmd ref = {.op = HBM_REFAB, .pc = 0};
            expect_refusal(h, ref, I - 1, "refresh"); /* max_postpone + 2 before I: one too many ahead */
            const char *rule;
            assert_int_equal(hbm_earliest(h, &ref, (N + 1) * c.nRFC, &rule), I);
            assert_string_equal(rule, "refresh");
            hbm_free(h);
        }
}

/* The controller of `pimattn hbm` (eager refresh) on a seeded random request stream with idle gaps of up
 * to a few refresh intervals, for max_postpone 0, 1 and 8, all-bank refresh (reads, writes, all-bank MACs)
 * and per-bank refresh (reads and writes: there a request may wait nRFCpb, longer than nREFIpb, behind a
 * refresh of its bank). It must not fail, must refresh at least as the lower bound of docs/hbm.md demands,
 * and its log must pass the independent checker (rig_close). */
static void test_controller_postpone(void **state)
{
    (void)state;
    static const unsigned postpone[] = {0, 1, 8};
    rng g;
    rng_seed(&g, seed);
    for (int p = 0; p < 2; p++)
        for (size_t v = 0; v < 3; v++)
            for (int pb = 0; pb < 2; pb++) {
                hbm_cfg c = preset(presets[p]);
                c.ref_mode = pb ? HBM_REF_PERBANK : HBM_REF_ALLBANK, c.channels = 2, c.max_postpone = postpone[v];
                const uint64_t I = pb ? hbm_cfg_nrefipb(&c) : c.nREFI;
                rig r;
                rig_open(&r, &c);
                uint64_t t = 0;
                for (unsigned i = 0; i < 3000; i++) {
                    t += rng_below(&g, 8) ? rng_below(&g, 40) : rng_below(&g, 3 * I);
                    hbm_req q = {.arrival = t, .kind = (uint8_t)rng_below(&g, pb ? 2 : 3), .ch = (uint8_t)rng_below(&g, 2),
                                 .pc = (uint8_t)rng_below(&g, c.pcs), .sid = (uint8_t)rng_below(&g, c.sids),
                                 .bg = (uint8_t)rng_below(&g, c.bank_groups), .ba = (uint8_t)rng_below(&g, c.banks),
                                 .row = (uint32_t)rng_below(&g, 4), .col = (uint32_t)rng_below(&g, c.columns)};
                    if (q.kind == HBM_REQ_MAC && rng_below(&g, 2))
                        q.pc = HBM_PC_ALL;
                    char err[512];
                    if (hbm_ctrl_add(r.r, &q, err, sizeof err))
                        fail_msg(TB_REPLAY "%s, %s, max_postpone %u: request %u at cycle %" PRIu64 ": %s", seed, seed,
                                 c.name, hbm_cfg_ref_modes[c.ref_mode], c.max_postpone, i, t, err);
                }
                char err[512];
                if (hbm_ctrl_finish(r.r, err, sizeof err))
                    fail_msg(TB_REPLAY "%s: %s", seed, seed, c.name, err);
                uint64_t refs = hbm_get_stats(r.h)->cmds[pb ? HBM_REFPB : HBM_REFAB], end = hbm_ctrl_now(r.r);
                assert_true(end / I > 2 * c.max_postpone);
                if (refs < 2 * c.pcs * (end / I - c.max_postpone)) /* per PC at least, at the last cycle */
                    fail_msg(TB_REPLAY "%s: %" PRIu64 " refreshes by cycle %" PRIu64 ", want at least %" PRIu64, seed,
                             seed, c.name, refs, end, 2 * c.pcs * (end / I - c.max_postpone));
                rig_close(&r);
            }
}

/* Random legal commands at (or a little after) the engine's earliest cycle, over a small slice of the
 * device so that commands interact; the checker must accept the log and reject each sampled command
 * moved one cycle before the engine's earliest. */
typedef struct {
    uint64_t index;      /* position among the log's commands */
    uint64_t line_cycle; /* cycle issued */
    uint64_t floor;      /* cycle the channel had reached before it (moving below it breaks order) */
    int tight;           /* issued exactly at its earliest, bound by a timing rule */
} issued;

static void random_cmd(const hbm *h, rng *g, hbm_cmd *c)
{
    const hbm_cfg *f = hbm_config(h);
    static const uint8_t ops[] = {HBM_ACT, HBM_ACT, HBM_PRE, HBM_PREA, HBM_RD, HBM_RD, HBM_WR, HBM_WR, HBM_ACTAB,
                                  HBM_ACTBG, HBM_MACAB, HBM_MACAB, HBM_MACBG, HBM_MACSB, HBM_WRGB, HBM_MVSB,
                                  HBM_MVGB, HBM_SFM, HBM_BARRIER, HBM_REFAB, HBM_REFPB};
    memset(c, 0, sizeof *c);
    c->op = ops[rng_below(g, sizeof ops)];
    c->ch = (uint8_t)rng_below(g, 2);
    c->pc = (uint8_t)(rng_below(g, 4) == 0 ? HBM_PC_ALL : rng_below(g, f->pcs));
    if (c->op == HBM_ACT || c->op == HBM_PRE || c->op == HBM_RD || c->op == HBM_WR || c->op == HBM_MACSB ||
        c->op == HBM_REFPB || c->op == HBM_REFAB)
        c->pc = (uint8_t)rng_below(g, f->pcs);
    c->sid = (uint8_t)rng_below(g, f->sids);
    c->bg = (uint8_t)rng_below(g, 2);
    c->ba = (uint8_t)rng_below(g, 2);
    c->row = (uint32_t)rng_below(g, 3);
    c->col = (uint32_t)rng_below(g, f->columns);
    c->n = (uint32_t)(c->op == HBM_SFM ? 1 + rng_below(g, 60) : 1 + rng_below(g, 4));
}

static uint64_t issued_total(const hbm *h)
{
    uint64_t n = 0;
    for (unsigned i = 0; i < HBM_NOPS; i++)
        n += hbm_get_stats(h)->cmds[i];
    return n;
}

/* Refreshes the PCs of channel ch (PREA/PRE first when needed) until every deadline is past `upto`. */
static void refresh_upto(hbm *h, unsigned ch, uint64_t upto, uint64_t *now)
{
    const hbm_cfg *f = hbm_config(h);
    char err[512];
    while (f->ref_mode != HBM_REF_OFF) {
        unsigned p = 0; /* the PC nearest its deadline, so none falls behind while another catches up */
        for (unsigned q = 1; q < f->pcs; q++)
            if (hbm_refresh_deadline(h, 0, ch, q) < hbm_refresh_deadline(h, 0, ch, p))
                p = q;
        if (hbm_refresh_deadline(h, 0, ch, p) >= upto)
            break;
        hbm_cmd x = {.ch = (uint8_t)ch, .pc = (uint8_t)p};
        int open;
        if (f->ref_mode == HBM_REF_PERBANK) {
            unsigned i = hbm_refresh_next_bank(h, 0, ch, p);
            x.sid = (uint8_t)(i / (f->bank_groups * f->banks)), x.bg = (uint8_t)(i / f->banks % f->bank_groups);
            x.ba = (uint8_t)(i % f->banks);
            open = hbm_open_row(h, 0, ch, p, x.sid, x.bg, x.ba) >= 0;
        } else
            open = 1; /* PREA is legal in any state */
        for (int k = !open; k < 2; k++) {
            x.op = k ? (f->ref_mode == HBM_REF_PERBANK ? HBM_REFPB : HBM_REFAB)
                     : (f->ref_mode == HBM_REF_PERBANK ? HBM_PRE : HBM_PREA);
            uint64_t t = hbm_earliest(h, &x, *now, NULL);
            if (t == HBM_NEVER || hbm_issue(h, &x, t, err, sizeof err))
                fail_msg("refresh: %s cannot issue: %s", hbm_op_name(x.op), t == HBM_NEVER ? "state" : err);
            *now = t;
        }
    }
}

static void differential(hbm_cfg c, rng *g, unsigned ncmds)
{
    hbm *h = hbm_new(&c);
    FILE *log = tmpfile();
    assert_non_null(log);
    hbm_set_log(h, log);
    issued *iss = calloc(ncmds, sizeof *iss);
    uint64_t now[2] = {0, 0};
    unsigned done = 0, tries = 0;
    char err[512];
    while (done < ncmds && tries++ < 200 * ncmds) {
        hbm_cmd x;
        random_cmd(h, g, &x);
        /* keep every PC of the channel well ahead of its refresh deadline */
        refresh_upto(h, x.ch, now[x.ch] + 4 * c.nRFC + 2000, &now[x.ch]);
        const char *rule;
        uint64_t e = hbm_earliest(h, &x, now[x.ch], &rule);
        if (e == HBM_NEVER)
            continue;
        int tight = rng_below(g, 2) == 0;
        uint64_t t = tight ? e : e + rng_below(g, 12);
        if (hbm_issue(h, &x, t, err, sizeof err)) {
            if (strncmp(err, "refresh", 7))
                fail_msg(TB_REPLAY "engine refused its own earliest cycle: %s", seed, seed, err);
            continue; /* a refresh is owed: the random stream does not plan for it */
        }
        iss[done] = (issued){issued_total(h) - 1, t, now[x.ch], tight && t == e && strcmp(rule, "from") && strcmp(rule, "order")};
        now[x.ch] = t;
        done++;
    }
    assert_true(done == ncmds);
    uint64_t end = now[0] > now[1] ? now[0] : now[1];
    for (unsigned ch = 0; ch < 2; ch++)
        refresh_upto(h, ch, end + 1, &now[ch]);
    uint64_t total = issued_total(h);
    fflush(log);
    rewind(log);
    uint64_t n = 0;
    if (hbm_check_stream(&c, log, "log", err, sizeof err, &n, NULL, NULL))
        fail_msg(TB_REPLAY "%s: legal random stream rejected: %s", seed, seed, c.name, err);
    /* mutations: read the log back into lines, move one tight command a cycle earlier */
    rewind(log);
    char **lines = calloc(total + 8, sizeof *lines);
    size_t nl = 0, cap = 0;
    char *buf = NULL;
    while (getline(&buf, &cap, log) > 0 && nl < total + 8)
        lines[nl++] = strdup(buf);
    free(buf);
    unsigned hdr = 0, tested = 0, caught = 0;
    while (hdr < nl && lines[hdr][0] == '#') /* the header: format, preset, stacks, power limit */
        hdr++;
    assert_int_equal(hdr, 4);
    assert_int_equal(nl, total + hdr);
    for (unsigned i = 0; i < ncmds && tested < 150; i++) {
        if (!iss[i].tight || iss[i].line_cycle == 0 || iss[i].line_cycle - 1 < iss[i].floor)
            continue;
        if (rng_below(g, 3))
            continue;
        FILE *m = tmpfile();
        size_t at = hdr + iss[i].index;
        for (size_t j = 0; j < at; j++)
            fputs(lines[j], m);
        const char *rest = strchr(lines[at], ' ');
        fprintf(m, "%" PRIu64 "%s", iss[i].line_cycle - 1, rest);
        fflush(m);
        rewind(m);
        int rc = hbm_check_stream(&c, m, "mutant", err, sizeof err, &n, NULL, NULL);
        fclose(m);
        tested++;
        if (rc == 1)
            caught++;
        else
            fail_msg(TB_REPLAY "%s: command %u (%s) one cycle before the engine's earliest was %s", seed, seed,
                     c.name, i, lines[hdr + iss[i].index], rc ? err : "accepted");
    }
    printf("  %-17s %s%s%s: %u random commands pass the checker; %u moved one cycle early, %u caught\n", c.name,
           hbm_cfg_ref_modes[c.ref_mode], c.power_limit ? ", power limit" : "", c.ab_act_faw ? ", ACT window" : "",
           ncmds, tested, caught);
    assert_true(tested >= 50);
    for (size_t j = 0; j < nl; j++)
        free(lines[j]);
    free(lines);
    free(iss);
    fclose(log);
    hbm_free(h);
}

static void test_differential(void **state)
{
    (void)state;
    rng g;
    rng_seed(&g, seed);
    for (int p = 0; p < 2; p++)
        for (int v = 0; v < 3; v++) {
            hbm_cfg c = preset(presets[p]);
            c.ref_mode = v == 0 ? HBM_REF_OFF : v == 1 ? HBM_REF_ALLBANK : HBM_REF_PERBANK;
            c.channels = 2; /* the random stream uses two channels; idle ones would owe refreshes */
            c.power_limit = v != 1;
            c.ab_act_faw = v != 0;
            differential(c, &g, 3000);
        }
}

int main(void)
{
    seed = tb_seed("test_hbm", "random command streams");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_read_streams),  cmocka_unit_test(test_row_miss),
        cmocka_unit_test(test_mac_streams),   cmocka_unit_test(test_refresh_steal),
        cmocka_unit_test(test_energy),        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_refresh_window), cmocka_unit_test(test_controller_postpone),
        cmocka_unit_test(test_differential),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
