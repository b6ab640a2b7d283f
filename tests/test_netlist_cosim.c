/* test_netlist_cosim — post-synthesis simulation: the Yosys netlist of gemv_tree_f16 (generic gates,
 * flattened, as `make area` synthesises it; Verilated like the RTL) against the golden model, on the
 * same stimulus as the RTL build: the same seed gives the same commands, gaps, back-pressure and special
 * values, so both must match the golden model and take the same number of cycles. Also: bad commands
 * raise err_o in the netlist too, and the scheduler-like streams keep one burst per clock. SEED=n
 * replays; NET_COMMANDS=n changes the length of the random run. */
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
static uint64_t g_commands = 200000;

/* Runs the same configuration through the netlist and the RTL build; both must match the golden model. */
static void run_both(const gemv_cosim_cfg *cfg, gemv_cosim_res *net, gemv_cosim_res *rtl)
{
    char err[1024];
    const vgemv_ops *n = vunit_load(VU_GEMV, "gemv_tree_f16_net", err, sizeof err), *r = gemv_build_find("gemv_tree_f16");
    if (!n)
        fail_msg("%s", err);
    assert_non_null(r);
    assert_memory_equal(&n->cfg, &r->cfg, sizeof n->cfg);
    if (gemv_cosim_run(n, cfg, net) != 0)
        fail_msg(TB_REPLAY "netlist: %s", g_seed, g_seed, net->first_error);
    if (gemv_cosim_run(r, cfg, rtl) != 0)
        fail_msg(TB_REPLAY "rtl: %s", g_seed, g_seed, rtl->first_error);
    if (net->cycles != rtl->cycles || net->beats != rtl->beats)
        fail_msg(TB_REPLAY "netlist took %" PRIu64 " cycles for %" PRIu64 " beats, the RTL %" PRIu64 " for %" PRIu64,
                 g_seed, g_seed, net->cycles, net->beats, rtl->cycles, rtl->beats);
}

static void test_random(void **state)
{
    (void)state;
    gemv_cosim_cfg cfg = {.seed = g_seed, .commands = g_commands, .pattern = GEMV_RANDOM, .gap_rate = 0.2,
                          .stall_rate = 0.2, .special_rate = 0.003, .rand_reset = 1};
    gemv_cosim_res net, rtl;
    run_both(&cfg, &net, &rtl);
    assert_int_equal(net.commands, g_commands);
    assert_true(net.beats > net.commands / 20);
    print_message("gemv_tree_f16 netlist: %" PRIu64 " commands, %" PRIu64 " result beats, 0 mismatches, "
                  "%" PRIu64 " cycles as the RTL; %.3f M cycles/s (RTL %.3f)\n", net.commands, net.beats, net.cycles,
                  net.cycles / net.seconds / 1e6, rtl.cycles / rtl.seconds / 1e6);
}

static void test_bad_commands(void **state)
{
    (void)state;
    gemv_cosim_cfg cfg = {.seed = g_seed + 1, .commands = 20000, .pattern = GEMV_RANDOM, .gap_rate = 0.1,
                          .stall_rate = 0.1, .bad_rate = 0.05};
    gemv_cosim_res net, rtl;
    run_both(&cfg, &net, &rtl); /* err_o is compared every cycle */
    assert_true(net.bad > 100);
}

static void test_streams(void **state)
{
    (void)state;
    for (int p = 0; p < 2; p++) {
        gemv_cosim_cfg cfg = {.seed = g_seed, .commands = 20000, .pattern = p ? GEMV_CTX_STREAM : GEMV_SCORE_STREAM};
        gemv_cosim_res net, rtl;
        run_both(&cfg, &net, &rtl);
        assert_true(net.cycles <= net.commands + 2 + GEMV_LATENCY(GEMV_PIPE) + 8 + 5); /* one burst per clock, as the RTL */
    }
}

int main(void)
{
    const char *nc = getenv("NET_COMMANDS");
    if (nc)
        g_commands = strtoull(nc, NULL, 0);
    char what[64];
    snprintf(what, sizeof what, "%" PRIu64 " commands", g_commands);
    g_seed = tb_seed("test_netlist_cosim", what);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_bad_commands),
        cmocka_unit_test(test_streams),
    };
    return cmocka_run_group_tests_name("netlist_cosim", tests, NULL, NULL);
}
