/* test_gemv_cosim — every Verilated GEMV build against the golden model, bit for bit.
 * Per build: 10^6 random legal commands with idle cycles on both input streams, result back-pressure
 * and special FP16 values; the first 2000 commands and their results go to $VECDIR/<build>.{cmd,res}
 * for tb/gemv_tb.sv. Also: bad commands are consumed without effect and raise err_o; scheduler-like
 * streams run at one burst per clock; the checker fails on a wrong model. SEED=n replays. */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <cmocka.h>

#include "cosim.h"
#include "tb_util.h"

static uint64_t g_seed;
static uint64_t g_commands = 1000000;

static void test_build(void **state)
{
    const vgemv_ops *ops = *state;
    int ok_c, ok_r;
    FILE *cf = tb_vecfile(ops->build, "cmd", &ok_c), *rf = tb_vecfile(ops->build, "res", &ok_r);
    assert_true(ok_c && ok_r);
    gemv_cosim_cfg cfg = {.seed = g_seed, .commands = g_commands, .pattern = GEMV_RANDOM, .gap_rate = 0.2,
                          .stall_rate = 0.2, .special_rate = 0.003, .rand_reset = 1, .cmd_out = cf, .res_out = rf,
                          .file_limit = 2000};
    gemv_cosim_res r;
    int rc = gemv_cosim_run(ops, &cfg, &r);
    if (cf)
        assert_int_equal(fclose(cf) | fclose(rf), 0);
    if (rc != 0)
        fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
    assert_int_equal(r.commands, g_commands);
    assert_true(r.beats > r.commands / 20); /* results really were compared */
    assert_false(r.assert_fired);           /* legal commands never trip an RTL assertion */
    print_message("%-20s %" PRIu64 " commands (%" PRIu64 " MACs), %" PRIu64 " result beats, 0 mismatches, "
                  "%.2f M cycles/s\n", ops->build, r.commands, r.macs, r.beats, r.cycles / r.seconds / 1e6);
}

/* The fixed-purpose runs below: 20,000 commands per build, fewer when GEMV_COMMANDS asks for fewer (make
 * coverage, whose -O0 instrumented units are ~100x slower). */
static uint64_t fixed_commands(void) { return g_commands < 20000 ? g_commands : 20000; }

static void test_bad_commands(void **state)
{
    (void)state;
    const vgemv_ops *b[32];
    size_t n;
    char lerr[1024];
    if (gemv_builds(b, 32, &n, lerr, sizeof lerr))
        fail_msg("%s", lerr);
    for (size_t i = 0; i < n; i++) {
        gemv_cosim_cfg cfg = {.seed = g_seed + i, .commands = fixed_commands(), .pattern = GEMV_RANDOM,
                              .gap_rate = 0.1, .stall_rate = 0.1, .bad_rate = 0.05};
        gemv_cosim_res r;
        if (gemv_cosim_run(b[i], &cfg, &r) != 0)
            fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
        assert_true(r.bad > cfg.commands / 200); /* 5 % of the commands are bad, on average */
        assert_true(r.assert_fired);
    }
}

/* Scheduler-like streams with no gaps and no back-pressure: one command per clock. */
static void test_initiation_interval(void **state)
{
    (void)state;
    const char *names[] = {"gemv_tree_f16", "gemv_sys_g4_f32", "gemv_sys_g8_f32"};
    for (int p = 0; p < 2; p++) {
        for (size_t i = 0; i < 3; i++) {
            const vgemv_ops *ops = gemv_build_find(names[i]);
            assert_non_null(ops);
            gemv_cosim_cfg cfg = {.seed = g_seed, .commands = fixed_commands(),
                                  .pattern = p ? GEMV_CTX_STREAM : GEMV_SCORE_STREAM};
            gemv_cosim_res r;
            if (gemv_cosim_run(ops, &cfg, &r) != 0)
                fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
            /* 2 reset cycles, the pipeline's latency, <= 8 result beats to drain, 5 idle cycles at the end */
            if (r.cycles > r.commands + 2 + GEMV_LATENCY(GEMV_PIPE) + 8 + 5)
                fail_msg("%s %s stream: %" PRIu64 " commands took %" PRIu64 " cycles (II > 1)", names[i],
                         p ? "context" : "score", r.commands, r.cycles);
        }
    }
}

static void test_checker_detects_wrong_model(void **state)
{
    (void)state;
    const vgemv_ops *ops = gemv_build_find("gemv_sys_g4_f32");
    assert_non_null(ops);
    vgemv_ops wrong = *ops;
    wrong.cfg.acc_fp32 = 0; /* golden computes FP16, the RTL FP32 */
    gemv_cosim_cfg cfg = {.seed = g_seed, .commands = 2000, .pattern = GEMV_SCORE_STREAM};
    gemv_cosim_res r;
    assert_int_equal(gemv_cosim_run(&wrong, &cfg, &r), 1);
    assert_non_null(strstr(r.first_error, "lane"));
    wrong = *ops;
    wrong.cfg.rows = 2; /* a context result has 4 beats in the RTL, 2 in this golden model */
    cfg.pattern = GEMV_CTX_STREAM;
    assert_int_equal(gemv_cosim_run(&wrong, &cfg, &r), 1);
    assert_non_null(strstr(r.first_error, "result info"));
    /* the K/V format: golden BF16 on the FP16 unit, golden FP16 on the BF16 unit (score and context) */
    for (int k = 0; k < 2; k++) {
        const vgemv_ops *u = gemv_build_find(k ? "gemv_sys_g2_bf16_d4" : "gemv_sys_g4_f32");
        assert_non_null(u);
        assert_int_equal(u->cfg.kv_fmt, k ? KVF_BF16 : KVF_FP16);
        wrong = *u;
        wrong.cfg.kv_fmt = k ? KVF_FP16 : KVF_BF16;
        for (int ctx = 0; ctx < 2; ctx++) {
            cfg.pattern = ctx ? GEMV_CTX_STREAM : GEMV_SCORE_STREAM;
            assert_int_equal(gemv_cosim_run(&wrong, &cfg, &r), 1);
            assert_non_null(strstr(r.first_error, "lane"));
        }
    }
}

/* The simulation builds carry no trace code: a waveform asked of one is refused, naming the traced build;
 * the traced build (pimattn wave's) writes it. */
static void test_trace_needs_traced_build(void **state)
{
    (void)state;
    char err[512], path[] = "build/test_gemv_cosim_trace.fst";
    gemv_cosim_cfg cfg = {.seed = g_seed, .commands = 50, .pattern = GEMV_SCORE_STREAM, .trace_path = path,
                          .trace_cycles = 80};
    gemv_cosim_res r;
    const vgemv_ops *plain = gemv_build_find("gemv_sys_g2_f32_d4");
    assert_non_null(plain);
    assert_int_equal(gemv_cosim_run(plain, &cfg, &r), -1);
    assert_non_null(strstr(r.first_error, "without tracing"));
    assert_non_null(strstr(r.first_error, "build/vunits/trace/gemv_sys_g2_f32_d4.so"));
    const vgemv_ops *traced = vunit_load_traced(VU_GEMV, "gemv_sys_g2_f32_d4", err, sizeof err);
    if (!traced)
        fail_msg("%s", err);
    assert_ptr_not_equal(traced, plain);
    remove(path);
    assert_int_equal(gemv_cosim_run(traced, &cfg, &r), 0);
    assert_int_equal(r.trace_failed, 0);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fclose(f);
    remove(path);
}

int main(void)
{
    const char *nc = getenv("GEMV_COMMANDS"); /* make regress raises it */
    if (nc)
        g_commands = strtoull(nc, NULL, 0);
    char what[64];
    snprintf(what, sizeof what, "%" PRIu64 " commands per build", g_commands);
    g_seed = tb_seed("test_gemv_cosim", what);
    const vgemv_ops *b[32];
    size_t n;
    char lerr[1024];
    if (gemv_builds(b, 32, &n, lerr, sizeof lerr)) {
        fprintf(stderr, "%s\n", lerr);
        return 1;
    }
    struct CMUnitTest tests[40];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tb_add(tests, &k, 37, test_build, b[i]->build, (void *)b[i]))
            return 2;
    tb_add(tests, &k, 40, test_bad_commands, "bad_commands", NULL);
    tb_add(tests, &k, 40, test_initiation_interval, "initiation_interval", NULL);
    tb_add(tests, &k, 40, test_checker_detects_wrong_model, "checker_detects_wrong_model", NULL);
    tb_add(tests, &k, 40, test_trace_needs_traced_build, "trace_needs_traced_build", NULL);
    return _cmocka_run_group_tests("gemv_cosim", tests, k, NULL, NULL);
}
