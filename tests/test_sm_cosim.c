/* test_sm_cosim — every Verilated softmax-unit build against the golden model (csim/sm_unit.c), bit for
 * bit: random rows (lengths, masks, scales, special scores) and split-K merges with idle input cycles
 * and output back-pressure, >= 10^6 score beats in all (SM_SCORES per build, default 300000 x 4
 * builds); the first 4000 input beats go to $VECDIR/<build>.{cmd,res} for tb/sm_tb.sv. Also: bad
 * commands change nothing but err_o and fire the RTL assertion; rows stream at one beat per clock; the
 * checker fails on a wrong model. SEED=n replays. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cosim.h"
#include "tb_util.h"

static uint64_t g_seed;
static uint64_t g_scores = 300000;

static void test_build(void **state)
{
    const vsm_ops *ops = *state;
    int ok_c, ok_r;
    FILE *cf = tb_vecfile(ops->build, "cmd", &ok_c), *rf = tb_vecfile(ops->build, "res", &ok_r);
    assert_true(ok_c && ok_r);
    sm_cosim_cfg cfg = {.seed = g_seed, .scores = g_scores, .gap_rate = 0.2, .stall_rate = 0.2,
                        .special_rate = 0.003, .rand_reset = 1, .cmd_out = cf, .res_out = rf, .file_limit = 4000};
    sm_cosim_res r;
    int rc = sm_cosim_run(ops, &cfg, &r);
    if (cf)
        assert_int_equal(fclose(cf) | fclose(rf), 0);
    if (rc != 0)
        fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
    assert_true(r.scores >= g_scores);
    assert_true(r.rows > 0 && r.merges > 0); /* both kinds of work were checked */
    assert_false(r.assert_fired);
    print_message("%-14s %" PRIu64 " score beats, %" PRIu64 " rows, %" PRIu64 " merges, %" PRIu64
                  " output beats, 0 mismatches, %.2f M cycles/s\n",
                  ops->build, r.scores, r.rows, r.merges, r.beats_out, r.cycles / r.seconds / 1e6);
}

/* The fixed-purpose runs below: 20,000 beats per build, fewer when SM_SCORES asks for fewer (make coverage,
 * whose -O0 instrumented units are ~100x slower). */
static uint64_t fixed_scores(void) { return g_scores < 20000 ? g_scores : 20000; }

static void test_bad_commands(void **state)
{
    (void)state;
    const vsm_ops *b[32];
    size_t n;
    char lerr[1024];
    if (sm_builds(b, 32, &n, lerr, sizeof lerr))
        fail_msg("%s", lerr);
    for (size_t i = 0; i < n; i++) {
        sm_cosim_cfg cfg = {.seed = g_seed + i, .scores = fixed_scores(), .max_len = 64, .gap_rate = 0.1,
                            .stall_rate = 0.1, .bad_rate = 0.05};
        sm_cosim_res r;
        if (sm_cosim_run(b[i], &cfg, &r) != 0)
            fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
        assert_true(r.bad > cfg.scores / 200); /* 5 % of the beats are bad, on average */
        assert_true(r.assert_fired);
    }
}

/* Without gaps and back-pressure the unit takes exactly csim/sm_unit.h's cycles (which the scheduler
 * uses) for a row and for a merge: measured as the difference between two runs of K and 2K rows (or
 * merges), which cancels the start and the end of a run. Row lengths and partial counts vary per build. */
static uint64_t run_cycles(const vsm_ops *ops, uint32_t row_len, uint32_t parts, uint64_t items)
{
    uint32_t lanes = (uint32_t)ops->cfg.lanes;
    sm_cosim_cfg cfg = {.seed = g_seed, .row_len = row_len, .merge_parts = parts,
                        .scores = parts ? items : items * 2 * ((row_len + lanes - 1) / lanes)};
    sm_cosim_res r;
    if (sm_cosim_run(ops, &cfg, &r) != 0)
        fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
    assert_int_equal(parts ? r.merges : r.rows, items);
    return r.cycles;
}

static void test_throughput(void **state)
{
    (void)state;
    const vsm_ops *b[32];
    size_t n;
    char lerr[1024];
    if (sm_builds(b, 32, &n, lerr, sizeof lerr))
        fail_msg("%s", lerr);
    rng r;
    rng_seed(&r, g_seed);
    for (size_t i = 0; i < n; i++) {
        int lanes = b[i]->cfg.lanes, d = b[i]->cfg.merge_d;
        uint32_t len = 1 + (uint32_t)rng_below(&r, 300), parts = 1 + (uint32_t)rng_below(&r, 6);
        uint64_t k = 20;
        uint64_t row = run_cycles(b[i], len, 0, 2 * k) - run_cycles(b[i], len, 0, k);
        uint64_t beats = (len + (uint32_t)lanes - 1) / (uint32_t)lanes;
        if (row != k * smu_row_cycles(beats, lanes))
            fail_msg(TB_REPLAY "%s: %" PRIu64 " rows of %u scores took %" PRIu64 " cycles, smu_row_cycles says %llu each",
                     g_seed, g_seed, b[i]->build, k, len, row, smu_row_cycles(beats, lanes));
        uint64_t merge = run_cycles(b[i], 0, parts, 2 * k) - run_cycles(b[i], 0, parts, k);
        if (merge != k * smu_merge_cycles(parts, d, lanes))
            fail_msg(TB_REPLAY "%s: %" PRIu64 " merges of %u partials took %" PRIu64 " cycles, smu_merge_cycles says %llu each",
                     g_seed, g_seed, b[i]->build, k, parts, merge, smu_merge_cycles(parts, d, lanes));
    }
}

static void test_checker_detects_wrong_model(void **state)
{
    (void)state;
    const vsm_ops *ops = sm_build_find("sm_l4_h");
    assert_non_null(ops);
    vsm_ops wrong = *ops;
    wrong.cfg.exp_pieces = 32; /* golden with other exp2 tables */
    sm_cosim_cfg cfg = {.seed = g_seed, .scores = 5000};
    sm_cosim_res r;
    assert_int_equal(sm_cosim_run(&wrong, &cfg, &r), 1);
    assert_non_null(strstr(r.first_error, "lane"));
    wrong = *ops;
    wrong.cfg.in_fp16 = 0; /* golden reads FP32 scores, the RTL FP16 */
    assert_int_equal(sm_cosim_run(&wrong, &cfg, &r), 1);
}

int main(void)
{
    const char *ns = getenv("SM_SCORES"); /* make regress raises it */
    if (ns)
        g_scores = strtoull(ns, NULL, 0);
    char what[64];
    snprintf(what, sizeof what, "%" PRIu64 " score beats per build", g_scores);
    g_seed = tb_seed("test_sm_cosim", what);
    const vsm_ops *b[32];
    size_t n;
    char lerr[1024];
    if (sm_builds(b, 32, &n, lerr, sizeof lerr)) {
        fprintf(stderr, "%s\n", lerr);
        return 1;
    }
    struct CMUnitTest tests[24];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tb_add(tests, &k, 20, test_build, b[i]->build, (void *)b[i]))
            return 2;
    tb_add(tests, &k, 24, test_bad_commands, "bad_commands", NULL);
    tb_add(tests, &k, 24, test_throughput, "throughput", NULL);
    tb_add(tests, &k, 24, test_checker_detects_wrong_model, "checker_detects_wrong_model", NULL);
    return _cmocka_run_group_tests("sm_cosim", tests, k, NULL, NULL);
}
