/* test_run — the attention scheduler end to end (harness/run/include/attn.h) on small devices:
 *  - rtl mode (Verilated GEMV units on one pseudo-channel, the softmax unit of its channel) gives the
 *    same output bits, cycles and commands as fast mode; an RTL/golden disagreement is a hard error
 *    naming the unit, the DRAM cycle and the values;
 *  - every command log the scheduler emits passes the independent protocol checker, on both presets,
 *    for both softmax flows, both GEMV units and FP16 accumulation, with refreshes in it, and for
 *    refresh.max_postpone 0, 1 and 8 over several layers with idle channels; the refresh catch-up
 *    between layers with both PCs due in the same cycle and the banks closed, open or half open;
 *  - split-K and buffer flows agree within 5e-5 rel-L2 (their FP16 probabilities are rounded against
 *    different maxima, each within 2^-12 relative) and both are within 5e-4 of FP64 attention;
 *  - GQA on the tree unit (G passes) and on the systolic unit (one pass) give identical outputs and
 *    different cycle counts (the tree re-reads K and V);
 *  - ping-pong units (two banks each): rtl = fast, outputs within 1e-5 of one unit per bank; their energy
 *    from first principles (activations and moved bursts counted in the log), equal to one unit per
 *    bank's for the MAC path;
 *  - q, K, V from a data file (harness/run/kvdata.h) are what the units compute with;
 *  - simulated time is never below the analytic lower bound; a KV cache that does not fit is refused,
 *    or, with the host tier, split between the stacks and the host and merged exactly (within the same
 *    5e-4 of FP64 over all tokens), the layer no shorter than the host's part; its trace is legal.
 * SEED=n replays (data and context lengths). */
#include <inttypes.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "run.h"
#include "attn_ref.h"
#include "cosim.h"
#include "hbm_check.h"
#include "schedule.h"
#include "rng.h"
#include "tb_util.h"

#include "tb_run.h"

static void test_rtl_equals_fast(void **state)
{
    (void)state;
    static setup s;
    static outs fast, rtl;
    attn_res rf, rr;
    make(&s, "llama2-70b", "attacc-hbm3-5200", 2, 2, 100, 900, g_seed);
    run_ok(&s, &rf, &fast);
    use_rtl(&s, "gemv_sys_g8_f32", "sm_l16");
    run_ok(&s, &rr, &rtl);
    assert_rtl_is_fast("rtl = fast", &rf, &rr, &fast, &rtl, 2 * 64, 128); /* every query head of both requests */
    attn_res_free(&rf);
    attn_res_free(&rr);
}

/* An RTL unit that disagrees with the golden model stops the run with the unit, the DRAM cycle and the
 * values: here the golden model is told the Verilated FP32 unit accumulates in FP16. */
static void test_rtl_mismatch_is_an_error(void **state)
{
    (void)state;
    static setup s;
    make(&s, "llama2-70b", "attacc-hbm3-5200", 1, 1, 200, 200, g_seed);
    /* the FP32-accumulation build forced on a run with FP16 accumulation: every result differs */
    use_rtl(&s, "gemv_sys_g8_f32", "sm_l4_h");
    s.c.acc_fp32 = 0, s.c.smu.in_fp16 = 1, s.c.smu.lanes = 4; /* an FP16-input softmax build */
    char err[1024];
    attn_res r;
    assert_int_equal(attn_run(&s.c, &r, err, sizeof err), 1);
    attn_res_free(&r);
    if (!strstr(err, "bank unit") || !strstr(err, "DRAM cycle") || !strstr(err, "lane"))
        fail_msg("the mismatch report lacks the unit, cycle or values: %s", err);
}

static void test_traces_pass_checker(void **state)
{
    (void)state;
    static setup s;
    const char *presets[] = {"attacc-hbm3-5200", "hbm3-6400"};
    for (int p = 0; p < 2; p++) {
        make(&s, "llama2-70b", presets[p], 2, 3, 50, 1500, g_seed + (uint64_t)p);
        check_log(&s, "systolic buffer", NULL);
        s.c.splitk = 1;
        check_log(&s, "systolic splitk", NULL);
        s.c.splitk = 0, s.c.systolic = 0, s.c.group = 1, s.c.numerics = 1;
        check_log(&s, "tree", NULL);
        s.c.systolic = 1, s.c.group = 8, s.c.numerics = 0, s.c.pingpong = 1;
        check_log(&s, "ping-pong", NULL);
        make(&s, "falcon-40b", presets[p], 2, 2, 200, 2500, g_seed + 7);
        s.c.acc_fp32 = 0, s.c.smu.in_fp16 = 1;
        check_log(&s, "falcon fp16", NULL);
    }
    /* long enough for refreshes: many passes on one channel */
    make(&s, "opt-66b", "attacc-hbm3-5200", 1, 4, 1500, 2500, g_seed + 9);
    s.c.m.layers = 2; /* capacity for two layers on one channel */
    s.c.numerics = 1;
    uint64_t refs = 0;
    check_log(&s, "refresh", &refs);
    assert_true(refs > 0);
}

/* Refresh corner cases end to end (docs/hbm.md "Refresh"): max_postpone 0, 1 and 8 on both presets, with
 * one unit per bank, split-K and ping-pong; three layers of ragged lengths with fewer work items than
 * channels, so that a channel idles through whole layers and the others finish at different cycles (each
 * must stay legal until the next layer starts). Every run's command log must pass the checker. */
static void test_refresh_postpone(void **state)
{
    (void)state;
    static setup s;
    static const unsigned postpone[] = {0, 1, 8};
    static const char *const variant[] = {"one unit per bank", "split-K", "ping-pong"};
    const char *presets[] = {"attacc-hbm3-5200", "hbm3-6400"};
    for (int p = 0; p < 2; p++)
        for (int v = 0; v < 3; v++)
            for (int k = 0; k < 3; k++) {
                make(&s, "llama3-8b", presets[p], 3, 2, 1000, 4000, g_seed + 11 + (uint64_t)k);
                s.c.m.heads = 4, s.c.m.kv_heads = 1; /* one work item per request: two items on three channels */
                s.c.hbm.max_postpone = postpone[v];
                s.c.layers = 3, s.c.numerics = 1;
                s.c.splitk = k == 1, s.c.pingpong = k == 2;
                char what[128];
                snprintf(what, sizeof what, "%s, max_postpone %u, %s", presets[p], postpone[v], variant[k]);
                uint64_t refs = 0;
                check_log(&s, what, &refs);
                assert_true(refs > 0);
            }
}

/* The refresh catch-up between layers with both PCs of a channel due in the same cycle D = (N + 1) I - 1
 * (neither refreshed yet), the channel's last command the scheduler's refresh lead (nRAS + nRTP + nRP +
 * the all-bank activation stagger + 8, schedule.h) before D, and its banks closed, all open (one unit per bank) or only the odd banks open (ping-pong's
 * second set). Paying the debt up to D must refresh both PCs in time and leave the channel usable: the log
 * with a command appended the lead after D (or after the last refresh completes, where the next layer
 * would start) must pass the checker (docs/hbm.md: no PC then owes more than max_postpone refreshes), and
 * the PCs must have at least max(N, 1) refreshes each on average (the debt at D is N). */
static void test_refresh_same_deadline(void **state)
{
    (void)state;
    static const unsigned postpone[] = {0, 1, 8};
    static const char *const opened[] = {"banks closed", "all banks open", "odd banks open"};
    const char *presets[] = {"attacc-hbm3-5200", "hbm3-6400"};
    for (int p = 0; p < 2; p++)
        for (int v = 0; v < 3; v++)
            for (int o = 0; o < 3; o++) {
                hbm_cfg c;
                assert_int_equal(hbm_cfg_preset(presets[p], &c), 0);
                c.channels = 1, c.ref_mode = HBM_REF_ALLBANK, c.max_postpone = postpone[v];
                const uint64_t I = c.nREFI, N = c.max_postpone, D = (N + 1) * I - 1;
                const unsigned k = hbm_cfg_banks_per_pc(&c); /* ACTAB's activation stagger (docs/hbm.md) */
                const uint64_t stagger = c.ab_act_faw && k > 4 ? (uint64_t)((k + 3) / 4 - 1) * c.nFAW : 0;
                const uint64_t lead = (uint64_t)c.nRAS + c.nRTP + c.nRP + stagger + 8, a = D - lead;
                hbm *h = hbm_new(&c);
                FILE *f = tmpfile();
                assert_true(h && f);
                hbm_set_log(h, f);
                hbm_cmd last = {.op = o == 0 ? HBM_WRGB : o == 1 ? HBM_ACTAB : HBM_ACTBG, .pc = HBM_PC_ALL,
                                .ba = 1, .row = 5};
                char err[1024], what[128];
                snprintf(what, sizeof what, "%s, max_postpone %u, %s", presets[p], postpone[v], opened[o]);
                assert_int_equal(hbm_issue(h, &last, a, err, sizeof err), 0);
                uint64_t end = 0;
                if (sched_refresh_catchup(h, 0, 0, D, &end, err, sizeof err))
                    fail_msg("%s: catch-up failed: %s", what, err);
                uint64_t refs = hbm_get_stats(h)->cmds[HBM_REFAB];
                hbm_free(h);
                /* the next schedule starts once the refreshes are done, and has the lead from there */
                fprintf(f, "%" PRIu64 " WRGB st=0 ch=0 pc=*\n", (end > D ? end : D) + lead);
                fflush(f);
                rewind(f);
                uint64_t nc;
                int rc = hbm_check_stream(&c, f, what, err, sizeof err, &nc, NULL, NULL);
                fclose(f);
                if (rc)
                    fail_msg("%s: checker: %s", what, err);
                if (refs < c.pcs * (N > 1 ? N : 1))
                    fail_msg("%s: %" PRIu64 " REFAB, want at least %" PRIu64, what, refs, c.pcs * (N > 1 ? N : 1));
            }
}

static double rel(const fp32_t *a, const fp32_t *b, unsigned d)
{
    double ref[256];
    for (unsigned i = 0; i < d; i++)
        ref[i] = (double)fp32_to_float(b[i]);
    return attn_rel_l2(ref, a, (int)d);
}

static void test_splitk_vs_buffer(void **state)
{
    (void)state;
    static setup s;
    static outs buf, split;
    attn_res r1, r2;
    make(&s, "llama3-8b", "attacc-hbm3-5200", 2, 3, 1000, 4000, g_seed + 3);
    run_ok(&s, &r1, &buf);
    s.c.splitk = 1;
    run_ok(&s, &r2, &split);
    report_fig f1, f2;
    report_derive(&s.c, &r1, &f1);
    report_derive(&s.c, &r2, &f2);
    assert_true(f1.heads_checked == 3 * 32 && f2.heads_checked == 3 * 32);
    if (f1.max_rel_l2 > 5e-4 || f2.max_rel_l2 > 5e-4)
        fail_msg(TB_REPLAY "rel-L2 vs FP64: buffer %.3g, split-K %.3g (tolerance 5e-4)", g_seed, g_seed, f1.max_rel_l2,
                 f2.max_rel_l2);
    double worst = 0;
    for (size_t i = 0; i < buf.n; i++) {
        double e = rel(buf.o[i], find(&split, buf.key[i]), 128);
        worst = e > worst ? e : worst;
    }
    if (worst > 5e-5)
        fail_msg(TB_REPLAY "split-K vs buffer rel-L2 %.3g (tolerance 5e-5)", g_seed, g_seed, worst);
    print_message("vs FP64: buffer %.3g, split-K %.3g; split-K vs buffer %.3g\n", f1.max_rel_l2, f2.max_rel_l2, worst);
    attn_res_free(&r1);
    attn_res_free(&r2);
}

static void test_tree_vs_systolic(void **state)
{
    (void)state;
    static setup s;
    static outs sys, tree;
    attn_res r1, r2;
    make(&s, "mistral-7b", "attacc-hbm3-5200", 2, 2, 300, 1200, g_seed + 4);
    run_ok(&s, &r1, &sys);
    s.c.systolic = 0, s.c.group = 1;
    run_ok(&s, &r2, &tree);
    assert_int_equal(sys.n, tree.n);
    for (size_t i = 0; i < sys.n; i++)
        assert_memory_equal(sys.o[i], find(&tree, sys.key[i]), 128 * sizeof(fp32_t));
    /* G = 4: the tree unit reads K and V four times */
    assert_int_equal(r2.layer[0].hbm.pim_bytes, 4 * r1.layer[0].hbm.pim_bytes);
    assert_true(r2.layer[0].cycles > 2 * r1.layer[0].cycles);
    /* the same MACs, so the same MAC energy: each burst feeds G rows of 16 MACs in the systolic unit,
     * one row in the tree unit (which reads each burst G times) */
    assert_int_equal(r2.layer[0].hbm.cmds[HBM_MACAB], 4 * r1.layer[0].hbm.cmds[HBM_MACAB]);
    if (fabs(r1.layer[0].hbm.energy.alu / r2.layer[0].hbm.energy.alu - 1) > 1e-12)
        fail_msg(TB_REPLAY "GEMV MAC energy: systolic %.6g, tree %.6g", g_seed, g_seed, r1.layer[0].hbm.energy.alu,
                 r2.layer[0].hbm.energy.alu);
    print_message("GQA G=4: systolic %" PRIu64 " cycles, tree %" PRIu64 " cycles, outputs identical\n",
                  r1.layer[0].cycles, r2.layer[0].cycles);
    attn_res_free(&r1);
    attn_res_free(&r2);
}

/* Ping-pong (two banks per unit): rtl = fast bit for bit; the same outputs as one unit per bank up to
 * the order of the context partial sums (4 partitions instead of 8): within 1e-5. */
static void test_pingpong(void **state)
{
    (void)state;
    static setup s;
    static outs one, pp, pr;
    attn_res r1, r2, r3;
    make(&s, "llama2-70b", "attacc-hbm3-5200", 2, 2, 300, 1200, g_seed + 6);
    run_ok(&s, &r1, &one);
    s.c.pingpong = 1;
    run_ok(&s, &r2, &pp);
    use_rtl(&s, "gemv_sys_g8_f32", "sm_l16");
    run_ok(&s, &r3, &pr);
    assert_int_equal(r2.layer[0].cycles, r3.layer[0].cycles);
    assert_true(r3.be.rtl_gemv_cmds > 1000);
    assert_true(r2.layer[0].hbm.cmds[HBM_MACBG] > 0 && r2.layer[0].hbm.cmds[HBM_MACAB] == 0);
    /* every K and V byte is read once (rows are fully used but the last; ragged units read a little more) */
    assert_true(r2.layer[0].hbm.pim_bytes >= r2.kv_bytes_layer && r1.layer[0].hbm.pim_bytes >= r1.kv_bytes_layer);
    assert_true(r2.layer[0].hbm.pim_bytes < r2.kv_bytes_layer * 11 / 10);
    double worst = 0;
    for (size_t i = 0; i < one.n; i++) {
        assert_memory_equal(find(&pp, one.key[i]), find(&pr, one.key[i]), 128 * sizeof(fp32_t));
        double e = rel(find(&pp, one.key[i]), one.o[i], 128);
        worst = e > worst ? e : worst;
    }
    if (worst > 1e-5)
        fail_msg(TB_REPLAY "ping-pong vs one unit per bank: rel-L2 %.3g (tolerance 1e-5)", g_seed, g_seed, worst);
    print_message("ping-pong: %" PRIu64 " cycles (one unit per bank %" PRIu64 "), outputs within %.2g\n",
                  r2.layer[0].cycles, r1.layer[0].cycles, worst);
    attn_res_free(&r1), attn_res_free(&r2), attn_res_free(&r3);
}

/* Bank activations and bursts moved over the PC data paths (WRGB, MVSB, MVGB), counted from a command
 * log independently of the engine: ACTAB opens every bank of its PCs, ACTBG one bank per bank group and
 * SID of its PCs, ACT one; pc=* counts in every PC. */
typedef struct log_counts {
    uint64_t acts, moves;
} log_counts;

static log_counts count_log(FILE *f, const hbm_cfg *hc)
{
    log_counts k = {0, 0};
    char line[256], op[16], pc[8];
    uint64_t cyc;
    unsigned st, ch;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%" SCNu64 " %15s st=%u ch=%u pc=%7s", &cyc, op, &st, &ch, pc) != 5)
            continue;
        uint64_t npc = pc[0] == '*' ? hc->pcs : 1;
        const char *np = strstr(line, " n=");
        uint64_t n = np ? (uint64_t)atoi(np + 3) : 1;
        if (!strcmp(op, "ACTAB"))
            k.acts += npc * hbm_cfg_banks_per_pc(hc);
        else if (!strcmp(op, "ACTBG"))
            k.acts += npc * hc->sids * hc->bank_groups;
        else if (!strcmp(op, "ACT"))
            k.acts += 1;
        else if (!strcmp(op, "WRGB") || !strcmp(op, "MVSB") || !strcmp(op, "MVGB"))
            k.moves += npc * n;
    }
    rewind(f);
    return k;
}

/* Ping-pong energy from first principles (docs/hbm.md "Energy", docs/architecture.md "Ping-pong"): a burst
 * goes from a bank's sense amplifiers to the unit beside it whether the unit serves one bank or two, so
 * in both modes the column path is charged for the moved bursts only (none per MAC burst), the array read
 * is cell_rw per bit delivered, and the activation energy is the bank activations in the log times one
 * row's act_pre. K and V fill whole rows here (L = 2048, head_dim 128), so both modes open the same number
 * of rows and deliver the same bytes: their activation, cell and MAC-path energies are equal. */
static void test_pingpong_energy(void **state)
{
    (void)state;
    static setup s;
    double e_path[2], per_byte[2];
    uint64_t acts[2], bytes[2];
    for (int pp = 0; pp < 2; pp++) {
        make(&s, "llama2-70b", "attacc-hbm3-5200", 2, 2, 2048, 2048, g_seed + 12);
        s.c.pingpong = pp, s.c.numerics = 1;
        FILE *f = tmpfile();
        assert_non_null(f);
        s.c.log = f;
        attn_res r;
        run_ok(&s, &r, NULL);
        s.c.log = NULL;
        fflush(f);
        rewind(f);
        const hbm_cfg *hc = &s.c.hbm;
        log_counts k = count_log(f, hc);
        fclose(f);
        const hbm_energy *e = &r.hbm.energy;
        const double bits = 8.0 * hc->burst_bytes, row_bits = 8.0 * hbm_cfg_row_bytes(hc);
        const double want_act = (double)k.acts * row_bits * hc->e_act, want_col = (double)k.moves * bits * hc->e_col;
        const double want_cell = 8.0 * (double)r.hbm.pim_bytes * hc->e_cell;
        const char *mode = pp ? "ping-pong" : "one unit per bank";
        if (fabs(e->act - want_act) > 1e-6 * want_act || fabs(e->cell - want_cell) > 1e-6 * want_cell)
            fail_msg("%s: activation %.0f pJ (%" PRIu64 " bank activations x %.0f pJ = %.0f), cell %.0f pJ (want %.0f)",
                     mode, e->act, k.acts, row_bits * hc->e_act, want_act, e->cell, want_cell);
        if (fabs(e->column - want_col) > 1e-6 * want_col)
            fail_msg("%s: column path %.0f pJ, want %.0f (%" PRIu64 " moved bursts x %.2f pJ; MAC bursts do not cross "
                     "it): %.2f pJ per byte delivered", mode, e->column, want_col, k.moves, bits * hc->e_col,
                     (e->column - want_col) / (double)r.hbm.pim_bytes);
        acts[pp] = k.acts, bytes[pp] = r.hbm.pim_bytes;
        e_path[pp] = e->act + e->cell + e->alu + (e->column - want_col); /* the MAC path: row, array, column, ALU */
        per_byte[pp] = hbm_energy_total(e) / (double)r.hbm.pim_bytes;
        attn_res_free(&r);
    }
    assert_true(acts[0] == acts[1] && bytes[0] == bytes[1] && bytes[0] >= 2ull * 2048 * 8 * 128 * 2 * 2);
    assert_true(fabs(e_path[0] - e_path[1]) <= 1e-9 * e_path[0]);
    print_message("one unit per bank vs ping-pong: %" PRIu64 " bank activations each, %.2f vs %.2f pJ per byte "
                  "delivered (all DRAM energy)\n", acts[0], per_byte[0], per_byte[1]);
}

/* --data: q, K, V from a file in the documented format (written here). With every key zero all
 * scores are 0, so every query head's output is the mean of the request's V rows. */
static void put32(FILE *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    assert_int_equal(fwrite(b, 1, 4, f), 4);
}

static void test_data_file(void **state)
{
    (void)state;
    static setup s;
    static outs o;
    make(&s, "llama3-8b", "attacc-hbm3-5200", 2, 2, 300, 700, g_seed + 8);
    const uint32_t d = 128, G = 4, kvh = s.c.m.kv_heads;
    char path[] = "/tmp/test_run_data.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    fwrite("PIMATTN1", 1, 8, f);
    put32(f, 1), put32(f, 2), put32(f, kvh), put32(f, d), put32(f, G);
    put32(f, s.ctx[0]), put32(f, s.ctx[1]);
    rng r;
    rng_seed(&r, g_seed + 9);
    static double mean[2][8][128];
    memset(mean, 0, sizeof mean);
    for (uint32_t q = 0; q < 2; q++)
        for (uint32_t h = 0; h < kvh; h++) {
            for (uint32_t j = 0; j < s.ctx[q] * d; j++) /* K = 0 */
                fputc(0, f), fputc(0, f);
            for (uint32_t j = 0; j < s.ctx[q] * d; j++) {
                fp16_t v = fp32_to_fp16(float_to_fp32((float)rng_gauss(&r)));
                fputc(v & 0xFF, f), fputc(v >> 8, f);
                mean[q][h][j % d] += fp16_to_double(v) / s.ctx[q];
            }
            for (uint32_t j = 0; j < G * d; j++) {
                fp16_t v = fp32_to_fp16(float_to_fp32((float)rng_gauss(&r)));
                fputc(v & 0xFF, f), fputc(v >> 8, f);
            }
        }
    assert_int_equal(fclose(f), 0);
    s.c.data_path = path;
    attn_res res;
    run_ok(&s, &res, &o);
    assert_int_equal(o.n, 2 * 32);
    double worst = 0;
    for (size_t i = 0; i < o.n; i++) {
        uint32_t q = o.key[i] >> 16, head = o.key[i] & 0xFFFF;
        double e = attn_rel_l2(mean[q][head / G], o.o[i], (int)d);
        worst = e > worst ? e : worst;
    }
    remove(path);
    attn_res_free(&res);
    if (worst > 5e-4)
        fail_msg("outputs from the data file differ from the mean of V by %.3g (tolerance 5e-4)", worst);
}

static void test_capacity(void **state)
{
    (void)state;
    static setup s;
    make(&s, "gpt3-175b", "attacc-hbm3-5200", 1, 8, 60000, 60000, g_seed);
    char err[1024];
    attn_res r;
    assert_int_equal(attn_run(&s.c, &r, err, sizeof err), 2);
    assert_non_null(strstr(err, "does not fit"));
    assert_non_null(strstr(err, "bytes needed"));
    attn_res_free(&r);
}

static void test_host_tier(void **state)
{
    (void)state;
    static setup s;
    make(&s, "llama3-8b", "attacc-hbm3-5200", 1, 2, 9000, 12000, g_seed + 5);
    s.c.m.layers = 64; /* a deep model: 2 requests overflow one channel */
    s.c.splitk = 1;
    char err[1024];
    attn_res r;
    assert_int_equal(attn_run(&s.c, &r, err, sizeof err), 2);
    attn_res_free(&r);
    s.c.host_tier = 1, s.c.host_gbs = 64, s.c.host_latency_us = 5;
    FILE *f = tmpfile();
    s.c.log = f;
    run_ok(&s, &r, NULL);
    s.c.log = NULL;
    assert_true(r.host_tokens > 0 && r.host_tokens < 2 * 8 * 12000);
    assert_true(r.layer[0].cycles >= r.host_cycles);
    report_fig fg;
    report_derive(&s.c, &r, &fg);
    assert_true(fg.heads_checked == 2 * 32);
    if (fg.max_rel_l2 > 5e-4)
        fail_msg(TB_REPLAY "host tier: rel-L2 vs FP64 %.3g (tolerance 5e-4)", g_seed, g_seed, fg.max_rel_l2);
    rewind(f);
    hbm_cfg hc;
    assert_int_equal(hbm_cfg_preset("attacc-hbm3-5200", &hc), 0);
    hc.channels = 1;
    uint64_t nc;
    if (hbm_check_stream(&hc, f, "host tier", err, sizeof err, &nc, NULL, NULL))
        fail_msg(TB_REPLAY "host tier: checker: %s", g_seed, g_seed, err);
    fclose(f);
    print_message("host tier: %" PRIu64 " of the tokens on the host, rel-L2 %.3g, layer %" PRIu64 " CK (host %" PRIu64 ")\n",
                  r.host_tokens, fg.max_rel_l2, r.layer[0].cycles, r.host_cycles);
    attn_res_free(&r);
}

/* The numbers on worker threads (funcpool.h): the same outputs in the same order, the same statistics
 * and counts, for 1 (everything on one thread), 2, 3 and 7 threads; ragged lengths, two layers, buffer and
 * split-K flows, both accumulation formats, a host tier. */
static void test_threads(void **state)
{
    (void)state;
    static setup s;
    static outs one, many;
    for (int v = 0; v < 3; v++) {
        if (v == 1) { /* a KV cache that does not fit (as in test_host_tier): the host tier */
            make(&s, "llama3-8b", "attacc-hbm3-5200", 1, 2, 9000, 12000, g_seed + 21);
            s.c.m.layers = 64;
            s.c.host_tier = 1, s.c.host_gbs = 64, s.c.host_latency_us = 5;
        } else {
            make(&s, "llama3-8b", "attacc-hbm3-5200", 4, 5, 200, 2500, g_seed + 20 + (uint64_t)v);
        }
        s.c.layers = 2;
        s.c.splitk = v == 1;
        s.c.acc_fp32 = v != 2;
        s.c.smu.in_fp16 = v == 2;
        attn_res r1, r2;
        s.c.threads = 1;
        run_ok(&s, &r1, &one);
        const unsigned counts[] = {2, 3, 7};
        for (size_t k = 0; k < 3; k++) {
            s.c.threads = counts[k];
            run_ok(&s, &r2, &many);
            assert_int_equal(one.n, many.n);
            for (size_t i = 0; i < one.n; i++) {
                assert_int_equal(one.key[i], many.key[i]); /* the same order */
                assert_memory_equal(one.o[i], many.o[i], s.c.m.head_dim * sizeof(fp32_t));
            }
            for (uint32_t l = 0; l < 2; l++) {
                assert_memory_equal(&r1.layer[l].num, &r2.layer[l].num, sizeof r1.layer[l].num);
                assert_int_equal(r1.layer[l].cycles, r2.layer[l].cycles);
            }
            assert_int_equal(r1.be.gemv_cmds, r2.be.gemv_cmds);
            assert_int_equal(r1.be.gemv_beats, r2.be.gemv_beats);
            assert_int_equal(r1.be.smu_beats_in, r2.be.smu_beats_in);
            assert_int_equal(r1.be.smu_beats_out, r2.be.smu_beats_out);
            attn_res_free(&r2);
        }
        if (v == 1)
            assert_true(r1.host_tokens > 0);
        print_message("threads 1, 2, 3, 7 (%s): %zu heads, identical outputs, statistics and counts\n",
                      v == 0 ? "buffer, FP32" : v == 1 ? "split-K, host tier" : "buffer, FP16", one.n);
        attn_res_free(&r1);
    }
    /* the channels whose passes compute no number are scheduled on timing threads (chanrun.h): one work
     * item checked, so all channels but one are; every figure of the engine and the layers the same */
    for (int v = 0; v < 2; v++) {
        make(&s, "llama3-8b", v ? "hbm3-6400" : "attacc-hbm3-5200", 16, 24, 300, 3000, g_seed + 30 + (uint64_t)v);
        s.c.hbm.stacks = 4; /* 64 channels: 4 chunks of 16 (chanrun.c) for the threads to share */
        s.c.layers = 3;
        s.c.numerics = 1;
        s.c.pingpong = v;
        attn_res r1, r2;
        s.c.threads = 1;
        run_ok(&s, &r1, &one);
        const unsigned counts[] = {2, 7};
        for (size_t k = 0; k < 2; k++) {
            s.c.threads = counts[k];
            run_ok(&s, &r2, &many);
            assert_memory_equal(&r1.hbm, &r2.hbm, sizeof r1.hbm);
            for (uint32_t l = 0; l < 3; l++) {
                const attn_layer *a = &r1.layer[l], *b = &r2.layer[l];
                assert_memory_equal(&a->hbm, &b->hbm, sizeof a->hbm);
                assert_int_equal(a->cycles, b->cycles);
                assert_int_equal(a->mac_cmds, b->mac_cmds);
                assert_int_equal(a->refreshes, b->refreshes);
                assert_int_equal(a->sfm_cycles, b->sfm_cycles);
                assert_int_equal(a->bank_busy, b->bank_busy);
                assert_int_equal(a->busiest_channel_cycles, b->busiest_channel_cycles);
                assert_int_equal(a->idlest_channel_cycles, b->idlest_channel_cycles);
                assert_int_equal(a->refresh_after, b->refresh_after);
                assert_int_equal(a->datapath, b->datapath);
            }
            attn_res_free(&r2);
        }
        print_message("threads 1, 2, 7 (%s, 64 channels, one item checked): identical engine statistics and layer "
                      "figures\n", v ? "hbm3-6400, ping-pong" : "attacc-hbm3-5200");
        attn_res_free(&r1);
    }
}

int main(void)
{
    g_seed = tb_seed("test_run", NULL);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rtl_equals_fast),    cmocka_unit_test(test_rtl_mismatch_is_an_error),
        cmocka_unit_test(test_traces_pass_checker), cmocka_unit_test(test_refresh_postpone),
        cmocka_unit_test(test_refresh_same_deadline),
        cmocka_unit_test(test_splitk_vs_buffer),   cmocka_unit_test(test_tree_vs_systolic),
        cmocka_unit_test(test_pingpong),          cmocka_unit_test(test_pingpong_energy),
        cmocka_unit_test(test_capacity),
        cmocka_unit_test(test_host_tier),          cmocka_unit_test(test_data_file),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
