/* test_hbm_ctrl — the controller (harness/hbm/hbm_ctrl.c) against closed forms computed here from the
 * configuration fields (docs/hbm.md "Controller and trace runner"), on both presets, refresh off unless
 * stated; every command log is checked by the independent checker (hbm_check_stream):
 *  - one bank, one row at a time: row period nRCDRD + 31 nCCDL + nRTP + nRP exactly;
 *  - 32 banks interleaved: within 3 % (either way: FR-FCFS may reorder) of the column-bus bound of the bank-group/SID order plus nRCDRD;
 *  - random rows over 32 banks, FR-FCFS, 32-entry queue: within 5 % of max(nFAW/4, nRRDS, nCCDS, nBL) per read;
 *  - eager refresh: refreshes per PC = floor(cycles / interval) +- 1 (all-bank and per-bank);
 *  - fcfs vs frfcfs: frfcfs strictly faster on interleaved hits and misses; frfcfs-cap 0 serves each bank's
 *    requests in arrival order (the data commands' columns per bank are the trace's);
 *  - write drain: RD<->WR turnarounds bounded by the watermarks;
 *  - close page: no hit without a queued request; hits within the queue as with open page;
 *  - latency: at a low rate on an open row every read takes nCL + nBL, the first nRCDRD more;
 *  - every mode (fcfs, frfcfs, cap; open, close; eager, postpone; all-bank, per-bank) passes the checker
 *    on a seeded random trace with writes, MACs and idle gaps. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hbm.h"
#include "hbm_check.h"
#include "hbm_ctrl.h"
#include "tb_util.h"
#include "tb_hbm.h"

static uint64_t seed;
static const char *const presets[] = {"hbm3-6400", "attacc-hbm3-5200"};

static hbm_cfg preset(const char *name)
{
    hbm_cfg c;
    assert_int_equal(hbm_cfg_preset(name, &c), 0);
    c.ref_mode = HBM_REF_OFF;
    c.channels = 1;
    return c;
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

typedef tb_hbm rig;
static void rig_open(rig *g, const hbm_cfg *c) { tb_hbm_open(g, c); }

static void add(rig *g, hbm_req q)
{
    char err[512];
    if (hbm_ctrl_add(g->r, &q, err, sizeof err))
        fail_msg(TB_REPLAY "%s: %s", seed, seed, g->cfg.name, err);
}

/* Finishes, checks the log (rewound for the caller when keep), keeps the summary and statistics. */
static void rig_close(rig *g, int keep)
{
    char what[300];
    snprintf(what, sizeof what, TB_REPLAY "%s (%s, %s page, %s refresh, %s)", seed, seed, g->cfg.name,
             hbm_cfg_schedulers[g->cfg.sched], hbm_cfg_pages[g->cfg.page], hbm_cfg_ref_policies[g->cfg.ref_policy],
             hbm_cfg_ref_modes[g->cfg.ref_mode]);
    tb_hbm_close(g, keep, what);
}

static hbm_req rd(unsigned sid, unsigned bg, unsigned ba, unsigned row, unsigned col)
{
    return (hbm_req){.kind = HBM_REQ_RD, .sid = (uint8_t)sid, .bg = (uint8_t)bg, .ba = (uint8_t)ba, .row = row,
                     .col = col};
}

/* A read of a random bank, row and column of PC 0. */
static hbm_req rand_rd(rng *gen, const hbm_cfg *c)
{
    return rd((unsigned)rng_below(gen, c->sids), (unsigned)rng_below(gen, c->bank_groups),
              (unsigned)rng_below(gen, c->banks), (unsigned)rng_below(gen, c->rows),
              (unsigned)rng_below(gen, c->columns));
}

/* One bank, 32 reads of row r, then of row r + 1, ...: the rows follow each other at
 * nRCDRD + 31 nCCDL + nRTP + nRP (ACT -> first RD, the row's reads, last RD -> PRE -> ACT). */
static void test_row_period(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++)
        for (int close = 0; close < 2; close++) {
            hbm_cfg c = preset(presets[p]);
            c.page = close;
            rig g;
            rig_open(&g, &c);
            const unsigned rows = 40;
            for (unsigned r = 0; r < rows; r++)
                for (unsigned col = 0; col < c.columns; col++)
                    add(&g, rd(0, 1, 2, r, col));
            rig_close(&g, 0);
            uint64_t period = c.nRCDRD + (uint64_t)(c.columns - 1) * c.nCCDL + c.nRTP + c.nRP;
            assert_true(period >= c.nRC && c.nRCDRD + (c.columns - 1) * c.nCCDL >= c.nRAS); /* nRC, nRAS do not bind */
            uint64_t span = g.sum.last_data - g.sum.first_data, want = (rows - 1) * period + (c.columns - 1) * c.nCCDL;
            printf("  %-17s one bank, %s page: row period %.2f CK, closed form nRCDRD + 31 nCCDL + nRTP + nRP = %"
                   PRIu64 "\n", c.name, hbm_cfg_pages[c.page], (double)(span - (c.columns - 1) * c.nCCDL) / (rows - 1),
                   period);
            assert_int_equal(span, want);
        }
}

/* The stream of `pimattn hbm --synthetic stream` on one PC: read j to bank k = j mod banks (bank group
 * fastest, then bank, then SID), burst j / banks + k x columns / banks of that bank. */
static hbm_req stream_req(const hbm_cfg *c, uint64_t j)
{
    const uint64_t nb = hbm_cfg_banks_per_pc(c), k = j % nb, burst = j / nb + k * c->columns / nb;
    return rd((unsigned)(k / (c->bank_groups * c->banks)), (unsigned)(k % c->bank_groups),
              (unsigned)(k / c->bank_groups % c->banks), (unsigned)(burst / c->columns % c->rows),
              (unsigned)(burst % c->columns));
}

/* Column-bus spacing from read a to the next read b of the same PC. */
static uint64_t cas_spacing(const hbm_cfg *c, hbm_req a, hbm_req b)
{
    uint64_t s = a.sid != b.sid ? c->nCCDR : a.bg != b.bg ? c->nCCDS : c->nCCDL;
    return max64(s, c->nBL);
}

static void test_stream(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        rig g;
        rig_open(&g, &c);
        const uint64_t n = 32768;
        uint64_t bound = c.nRCDRD; /* the first read waits for its ACT */
        hbm_req prev = stream_req(&c, 0);
        for (uint64_t j = 0; j < n; j++) {
            hbm_req q = stream_req(&c, j);
            if (j)
                bound += cas_spacing(&c, prev, q);
            /* a bank group comes back after bank_groups reads: nCCDL never binds in this order */
            if (j >= c.bank_groups)
                assert_true(c.bank_groups * max64(c.nCCDS, c.nBL) >= c.nCCDL);
            prev = q;
            add(&g, q);
        }
        rig_close(&g, 0);
        double ratio = (double)g.sum.last_data / (double)bound;
        printf("  %-17s 32-bank stream, %" PRIu64 " reads: %" PRIu64 " CK, column-bus bound + nRCDRD %" PRIu64
               " CK: ratio %.4f (%.3f CK per read)\n", c.name, n, g.sum.last_data, bound, ratio,
               (double)g.sum.last_data / n);
        /* within 3 % either way: FR-FCFS may reorder the queue's reads and cross SIDs less often */
        if (ratio < 0.97 || ratio > 1.03)
            fail_msg("%s: stream ratio %.4f outside [0.97, 1.03]", c.name, ratio);
    }
}

static void test_random_rows(void **state)
{
    (void)state;
    rng gen;
    rng_seed(&gen, seed);
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        rig g;
        rig_open(&g, &c);
        const uint64_t n = 20000;
        for (uint64_t j = 0; j < n; j++)
            add(&g, rand_rd(&gen, &c));
        rig_close(&g, 0);
        double per = max64(max64(c.nRRDS, c.nCCDS), c.nBL), faw = c.nFAW / 4.0;
        per = per > faw ? per : faw;
        double got = (double)g.sum.last_data / n, ratio = got / per;
        printf("  %-17s random rows, 32 banks, frfcfs, queue %u: %.3f CK per read, closed form max(nFAW/4, nRRDS, "
               "nCCDS, nBL) = %.2f: ratio %.4f (row bus ACT 2 + PRE 1 = 3 CK per read does not bind)\n", c.name,
               c.read_queue, got, per, ratio);
        /* within 5 % either way (the first nFAW window takes 4 ACTs at once) */
        if (ratio < 0.95 || ratio > 1.05)
            fail_msg(TB_REPLAY "%s: random rows ratio %.4f outside [0.95, 1.05]", seed, seed, c.name, ratio);
    }
}

/* Eager refresh on both PCs of a channel: floor(cycles / interval) refreshes per PC, +- 1. */
static void test_eager_refresh(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++)
        for (int pb = 0; pb < 2; pb++) {
            hbm_cfg c = preset(presets[p]);
            c.ref_mode = pb ? HBM_REF_PERBANK : HBM_REF_ALLBANK;
            rig g;
            rig_open(&g, &c);
            for (uint64_t j = 0; j < 60000; j++) {
                hbm_req q = stream_req(&c, j / c.pcs);
                q.pc = (uint8_t)(j % c.pcs);
                add(&g, q);
            }
            rig_close(&g, 0);
            uint64_t I = pb ? hbm_cfg_nrefipb(&c) : c.nREFI, want = g.sum.now / I;
            double per = (double)g.st.cmds[pb ? HBM_REFPB : HBM_REFAB] / c.pcs;
            printf("  %-17s eager %s refresh: %.1f per PC in %" PRIu64 " CK, floor(cycles / %s %" PRIu64 ") = %" PRIu64
                   "\n", c.name, hbm_cfg_ref_modes[c.ref_mode], per, g.sum.now, pb ? "nREFIpb" : "nREFI", I, want);
            if (per < (double)want - 1 || per > (double)want + 1)
                fail_msg("%s: %.1f refreshes per PC, want %" PRIu64 " +- 1", c.name, per, want);
        }
}

/* The columns of the RD commands of the log, per flat bank (sid, bg, ba), appended to seq[bank]. */
static void rd_columns(FILE *log, const hbm_cfg *c, unsigned seq[][64], unsigned *len)
{
    char line[256];
    while (fgets(line, sizeof line, log)) {
        unsigned sid, bg, ba, col;
        const char *s = strstr(line, " RD ");
        if (!s || sscanf(strstr(s, "sid="), "sid=%u bg=%u ba=%u col=%u", &sid, &bg, &ba, &col) != 4)
            continue;
        unsigned b = (sid * c->bank_groups + bg) * c->banks + ba;
        if (len[b] < 64)
            seq[b][len[b]++] = col;
    }
}

/* Four banks, rows drawn from three, columns numbering each bank's requests: fcfs misses on every row
 * change, frfcfs serves hits first and takes strictly fewer cycles; with frfcfs-cap 0 no hit bypasses, so
 * each bank's reads come in trace order (the RD columns 0, 1, 2 ... per bank). */
static void test_fcfs_frfcfs(void **state)
{
    (void)state;
    rng gen;
    rng_seed(&gen, seed ^ 0x5eed);
    for (int p = 0; p < 2; p++) {
        uint64_t cyc[3];
        for (int m = 0; m < 3; m++) {
            hbm_cfg c = preset(presets[p]);
            c.sched = m == 0 ? HBM_SCHED_FCFS : m == 1 ? HBM_SCHED_FRFCFS : HBM_SCHED_CAP;
            c.cap = 0;
            rig g;
            rig_open(&g, &c);
            rng r2 = gen; /* the same trace for the three schedulers */
            unsigned count[4] = {0};
            for (unsigned j = 0; j < 4 * 30; j++) {
                unsigned b = (unsigned)rng_below(&r2, 4);
                if (count[b] == 30)
                    continue;
                add(&g, rd(0, b, 0, (unsigned)rng_below(&r2, 3), count[b]++));
            }
            rig_close(&g, m == 2);
            cyc[m] = g.sum.last_data;
            if (m == 2) {
                unsigned seq[64][64], len[64] = {0};
                rd_columns(g.log, &c, seq, len);
                fclose(g.log);
                for (unsigned b = 0; b < 4; b++)
                    for (unsigned i = 0; i < len[b * c.banks]; i++)
                        if (seq[b * c.banks][i] != i)
                            fail_msg(TB_REPLAY "%s: frfcfs-cap 0: bank group %u's read %u served as number %u", seed,
                                     seed, c.name, b, seq[b * c.banks][i], i);
            }
        }
        printf("  %-17s hits and misses over 4 banks: fcfs %" PRIu64 " CK, frfcfs %" PRIu64 " CK, frfcfs-cap 0 %"
               PRIu64 " CK (in trace order per bank)\n", presets[p], cyc[0], cyc[1], cyc[2]);
        if (!(cyc[1] < cyc[0]))
            fail_msg(TB_REPLAY "%s: frfcfs %" PRIu64 " not below fcfs %" PRIu64, seed, seed, presets[p], cyc[1], cyc[0]);
        rng_below(&gen, 2);
    }
}

/* Half reads, half writes, random banks and rows of one PC: a write drain serves at least
 * write_high - write_low writes (it starts at write_high, ends at write_low), so the turnarounds are at
 * most 2 (ceil(W / (high - low)) + 2); with high 1, low 0 they are many more. */
static void test_write_drain(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        uint64_t turns[2], cyc[2], w = 0;
        for (int v = 0; v < 2; v++) {
            hbm_cfg c = preset(presets[p]);
            if (v)
                c.write_high = 1, c.write_low = 0;
            rng gen;
            rng_seed(&gen, seed + 7);
            rig g;
            rig_open(&g, &c);
            w = 0;
            for (unsigned j = 0; j < 8000; j++) {
                hbm_req q = rd((unsigned)rng_below(&gen, c.sids), (unsigned)rng_below(&gen, c.bank_groups),
                               (unsigned)rng_below(&gen, c.banks), (unsigned)rng_below(&gen, 4),
                               (unsigned)rng_below(&gen, c.columns));
                if (rng_below(&gen, 2))
                    q.kind = HBM_REQ_WR, w++;
                add(&g, q);
            }
            rig_close(&g, 0);
            turns[v] = g.sum.turnarounds, cyc[v] = g.sum.last_data;
            if (!v) {
                uint64_t bound = 2 * ((w + c.write_high - c.write_low - 1) / (c.write_high - c.write_low) + 2);
                printf("  %-17s write drain %u..%u: %" PRIu64 " writes, %" PRIu64 " RD<->WR turnarounds (bound %"
                       PRIu64 ")", c.name, c.write_high, c.write_low, w, turns[0], bound);
                if (turns[0] > bound)
                    fail_msg(TB_REPLAY "%s: %" PRIu64 " turnarounds, bound %" PRIu64, seed, seed, c.name, turns[0], bound);
            }
        }
        printf("; without watermarks (1..0) %" PRIu64 " turnarounds, cycles %" PRIu64 " vs %" PRIu64 "\n", turns[1],
               cyc[0], cyc[1]);
        assert_true(turns[0] < turns[1]);
    }
}

/* Close page: a request arriving after its row's last access finds the bank closed (no hit, one ACT
 * each); requests queued together hit as with open page. */
static void test_close_page(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++)
        for (int close = 0; close < 2; close++) {
            hbm_cfg c = preset(presets[p]);
            c.page = close;
            rig g;
            rig_open(&g, &c);
            for (unsigned j = 0; j < 100; j++) { /* far apart: one request in the queue at a time */
                hbm_req q = rd(0, 0, 0, 7, j % c.columns);
                q.arrival = 1000ull * j;
                add(&g, q);
            }
            rig_close(&g, 0);
            uint64_t hits_apart = g.st.row_hits, acts = g.st.cmds[HBM_ACT];
            rig_open(&g, &c);
            for (unsigned j = 0; j < 32; j++) { /* all at once: 31 hits within the queue */
                hbm_req q = rd(0, 0, 0, 7, j % c.columns);
                q.arrival = 1000;
                add(&g, q);
            }
            rig_close(&g, 0);
            printf("  %-17s %s page: 100 reads apart: %" PRIu64 " hits, %" PRIu64 " ACTs; 32 together: %" PRIu64
                   " hits\n", c.name, hbm_cfg_pages[c.page], hits_apart, acts, g.st.row_hits);
            assert_int_equal(hits_apart, close ? 0 : 99);
            assert_int_equal(acts, close ? 100 : 1);
            assert_int_equal(g.st.row_hits, 31);
        }
}

/* Reads to one open row far below capacity: latency nCL + nBL from arrival, the first nRCDRD more. */
static void test_latency(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        rig g;
        rig_open(&g, &c);
        const unsigned n = 200;
        for (unsigned j = 0; j < n; j++) {
            hbm_req q = rd(1, 2, 3, 9, j % c.columns);
            q.arrival = 100ull * j + 5;
            add(&g, q);
        }
        rig_close(&g, 0);
        double want = ((double)(n - 1) * (c.nCL + c.nBL) + (c.nRCDRD + c.nCL + c.nBL)) / n;
        printf("  %-17s latency at a low rate, open row: avg %.3f CK (want %.3f), max %" PRIu64 " (nRCDRD + nCL + nBL "
               "= %u), p99 %" PRIu64 " (nCL + nBL = %u)\n", c.name, g.sum.lat_avg, want, g.sum.lat_max,
               c.nRCDRD + c.nCL + c.nBL, g.sum.lat_p99, c.nCL + c.nBL);
        assert_true(g.sum.lat_avg > want - 1e-9 && g.sum.lat_avg < want + 1e-9);
        assert_int_equal(g.sum.lat_max, c.nRCDRD + c.nCL + c.nBL);
        assert_int_equal(g.sum.lat_p99, c.nCL + c.nBL);
    }
}

/* A request to an idle PC while another PC's queue is full (closed loop, eager all-bank refresh): it is
 * served at once, not held back by its PC's next refresh. (The controller used to mark an idle PC's
 * refresh due a whole interval early whenever every candidate of the channel waited for the other PC's
 * refresh, and that mark held the idle PC's requests until the refresh issued: up to nREFI.) Each of
 * six reads to PC 1, spread over the run, must issue its RD within nRFC + nRP + nRCDRD + 64 CK of the
 * cycle it was added at (the wait for a refresh of its own PC actually due, its ACT, the busy buses). */
static void test_idle_pc_refresh(void **state)
{
    (void)state;
    rng gen;
    rng_seed(&gen, seed);
    for (int p = 0; p < 2; p++) {
        hbm_cfg c = preset(presets[p]);
        c.ref_mode = HBM_REF_ALLBANK, c.ref_policy = HBM_REFPOL_EAGER;
        rig g;
        rig_open(&g, &c);
        uint64_t added[6];
        unsigned k = 0;
        for (uint64_t j = 0; j < 12000; j++) {
            if (j % 2000 == 1000) { /* PC 1, bank 0, a row of its own */
                hbm_req q = rd(0, 0, 0, 7 + k, 0);
                q.pc = 1;
                added[k++] = hbm_ctrl_now(g.r);
                add(&g, q);
            }
            add(&g, rand_rd(&gen, &c));
        }
        rig_close(&g, 1);
        char line[256];
        unsigned got = 0;
        uint64_t worst = 0;
        while (fgets(line, sizeof line, g.log) && got < k) {
            unsigned long long t;
            if (!strstr(line, " RD st=0 ch=0 pc=1 ") || sscanf(line, "%llu", &t) != 1)
                continue;
            worst = max64(worst, t - added[got++]);
        }
        fclose(g.log);
        const uint64_t bound = (uint64_t)c.nRFC + c.nRP + c.nRCDRD + 64;
        printf("  %-17s a read to an idle PC beside a full queue: RD within %" PRIu64 " CK of its entry (bound nRFC + "
               "nRP + nRCDRD + 64 = %" PRIu64 ", nREFI %u)\n", c.name, worst, bound, c.nREFI);
        if (got != k)
            fail_msg(TB_REPLAY "%s: %u of the %u reads to the idle PC in the log", seed, seed, c.name, got, k);
        if (worst > bound)
            fail_msg(TB_REPLAY "%s: a read to the idle PC waited %" PRIu64 " CK, bound %" PRIu64, seed, seed, c.name,
                     worst, bound);
    }
}

/* Every mode on a seeded random trace over two channels: reads, writes, MACs (all-bank refresh only:
 * with per-bank refresh an all-bank ACT never fits between eager REFPBs), idle gaps of a few refresh
 * intervals; the checker must accept the log (rig_close). */
static void test_modes_checked(void **state)
{
    (void)state;
    rng gen;
    rng_seed(&gen, seed + 11);
    unsigned runs = 0;
    for (int p = 0; p < 2; p++)
        for (int s = 0; s < 3; s++)
            for (int pg = 0; pg < 2; pg++)
                for (int pol = 0; pol < 2; pol++)
                    for (int pb = 0; pb < 2; pb++) {
                        hbm_cfg c = preset(presets[p]);
                        c.channels = 2, c.sched = s, c.cap = 2, c.page = pg, c.ref_policy = pol, c.postpone = 4;
                        c.ref_mode = pb ? HBM_REF_PERBANK : HBM_REF_ALLBANK;
                        const uint64_t I = pb ? hbm_cfg_nrefipb(&c) : c.nREFI;
                        rig g;
                        rig_open(&g, &c);
                        uint64_t t = 0;
                        for (unsigned i = 0; i < 1500; i++) {
                            t += rng_below(&gen, 8) ? rng_below(&gen, 6) : rng_below(&gen, 3 * I);
                            hbm_req q = {.arrival = t, .kind = (uint8_t)rng_below(&gen, pb ? 2 : 3),
                                         .ch = (uint8_t)rng_below(&gen, 2), .pc = (uint8_t)rng_below(&gen, c.pcs),
                                         .sid = (uint8_t)rng_below(&gen, c.sids),
                                         .bg = (uint8_t)rng_below(&gen, c.bank_groups),
                                         .ba = (uint8_t)rng_below(&gen, c.banks), .row = (uint32_t)rng_below(&gen, 4),
                                         .col = (uint32_t)rng_below(&gen, c.columns)};
                            if (q.kind == HBM_REQ_MAC && rng_below(&gen, 2))
                                q.pc = HBM_PC_ALL;
                            add(&g, q);
                        }
                        rig_close(&g, 0);
                        uint64_t refs = g.st.cmds[pb ? HBM_REFPB : HBM_REFAB], end = g.sum.now;
                        if (refs + 2 * c.pcs * (c.max_postpone + 1) < 2 * c.pcs * (end / I))
                            fail_msg(TB_REPLAY "%s: %" PRIu64 " refreshes by cycle %" PRIu64, seed, seed, c.name, refs, end);
                        runs++;
                    }
    printf("  %u modes (scheduler x page x refresh policy x refresh mode x preset): every log passes the checker\n",
           runs);
}

int main(void)
{
    seed = tb_seed("test_hbm_ctrl", "random traces");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_row_period),   cmocka_unit_test(test_stream),      cmocka_unit_test(test_random_rows),
        cmocka_unit_test(test_eager_refresh), cmocka_unit_test(test_fcfs_frfcfs), cmocka_unit_test(test_write_drain),
        cmocka_unit_test(test_close_page),   cmocka_unit_test(test_latency),     cmocka_unit_test(test_idle_pc_refresh),
        cmocka_unit_test(test_modes_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
