/* test_prim_cosim — every Verilated FP primitive against the golden model, bit for bit.
 * Per build: every ordered pair of special values, then random operands, 10^6 vectors in all, with
 * random idle cycles and randomised initial state. The first 10^5 vectors of each build are written to
 * $VECDIR/<build>.hex for the Icarus testbench (tb/prim_tb.sv). SEED=n replays. */
#include <errno.h>
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

#define NVECTORS 1000000ull
#define NICARUS 20000ull

static uint64_t g_seed;

static void test_build(void **state)
{
    const vprim_ops *ops = *state;
    int ok;
    FILE *vf = tb_vecfile(ops->build, "hex", &ok);
    assert_true(ok);
    prim_cosim_cfg cfg = {.seed = g_seed, .vectors = NVECTORS, .gap_rate = 0.1, .rand_reset = 1,
                          .vec_out = vf, .vec_limit = NICARUS};
    prim_cosim_res r;
    int rc = prim_cosim_run(ops, &cfg, &r);
    if (vf)
        assert_int_equal(fclose(vf), 0);
    if (rc != 0)
        fail_msg(TB_REPLAY "%s", g_seed, g_seed, r.first_error);
    assert_int_equal(r.vectors, NVECTORS);
    assert_int_equal(r.mismatches, 0);
    print_message("%s: %" PRIu64 " vectors, 0 mismatches, %.1f M cycles/s\n", ops->build, r.vectors,
                  r.cycles / r.seconds / 1e6);
}

/* The checker itself must be able to fail: run the multiplier against the adder's golden model. */
static void test_checker_detects_wrong_model(void **state)
{
    (void)state;
    const vprim_ops *mul = prim_build_find("fp16_mul_s2");
    assert_non_null(mul);
    vprim_ops wrong = *mul;
    wrong.top = "fp16_add";
    prim_cosim_cfg cfg = {.seed = g_seed, .vectors = 1000, .gap_rate = 0.1};
    prim_cosim_res r;
    assert_int_equal(prim_cosim_run(&wrong, &cfg, &r), 1);
    assert_true(r.mismatches > 0);
    assert_non_null(strstr(r.first_error, "fp16_mul_s2"));
    /* and a wrong latency claim is caught too */
    wrong = *mul;
    wrong.stages = 1;
    assert_int_equal(prim_cosim_run(&wrong, &cfg, &r), 1);
    assert_non_null(strstr(r.first_error, "latency"));
}

/* Verilator 5.006 reads +verilator+ numbers with strtoul and tests errno without clearing it: a stale
 * ERANGE (an exp() that underflowed anywhere before) used to abort the process at the next model made. */
static void test_stale_errno(void **state)
{
    (void)state;
    const vprim_ops *ops = prim_build_find("fp16_add_s2");
    assert_non_null(ops);
    const char *argv[] = {"pimattn", "+verilator+rand+reset+2", "+verilator+seed+7"};
    errno = ERANGE;
    vprim *s = ops->create(3, argv);
    assert_non_null(s);
    ops->destroy(s);
}

static void test_trace_window(void **state)
{
    (void)state;
    const vprim_ops *ops = prim_build_find("fp16_add_s2");
    assert_non_null(ops);
    const char *path = "build/test_trace_window.fst";
    remove(path);
    prim_cosim_cfg cfg = {.seed = g_seed, .vectors = 200, .trace_path = path, .trace_from = 50, .trace_cycles = 20};
    prim_cosim_res r;
    assert_int_equal(prim_cosim_run(ops, &cfg, &r), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 100);
    remove(path);
    cfg.trace_path = "/nonexistent-dir/x.fst";
    assert_int_equal(prim_cosim_run(ops, &cfg, &r), -1);
    assert_non_null(strstr(r.first_error, "/nonexistent-dir/x.fst"));
}

int main(void)
{
    g_seed = tb_seed("test_prim_cosim", NULL);
    const vprim_ops *b[32];
    size_t n;
    char lerr[1024];
    if (prim_builds(b, 32, &n, lerr, sizeof lerr)) {
        fprintf(stderr, "%s\n", lerr);
        return 1;
    }
    struct CMUnitTest tests[40];
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (tb_add(tests, &k, 38, test_build, b[i]->build, (void *)b[i]))
            return 2;
    tb_add(tests, &k, 40, test_checker_detects_wrong_model, "checker_detects_wrong_model", NULL);
    tb_add(tests, &k, 40, test_stale_errno, "stale_errno", NULL);
    tb_add(tests, &k, 40, test_trace_window, "trace_window", NULL);
    return _cmocka_run_group_tests("prim_cosim", tests, k, NULL, NULL);
}
