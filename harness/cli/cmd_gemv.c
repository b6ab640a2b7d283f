/* pimattn gemv: co-simulates every Verilated GEMV build against the golden model and reports bit
 * exactness, initiation interval and simulation speed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "cosim.h"

static const char *gemv_help =
    "usage: pimattn gemv [options]\n"
    "Streams commands through every Verilated GEMV build (gemv_tree, gemv_systolic) and compares every\n"
    "result beat bit for bit with the golden model (csim/gemv.c).\n"
    "  --pattern P   random (legal random commands, idle cycles, back-pressure, special values),\n"
    "                score or context (scheduler-like streams, no idle cycles) (default score)\n"
    "  --commands N  commands per build (default 1000000; 1..10^12)\n"
    "  --seed S      random seed (default 1)\n"
    "  --only BUILD  run one build (e.g. gemv_sys_g4_f32)\n"
    "  --help        this text\n";

int cmd_gemv(int argc, char **argv)
{
    gemv_cosim_cfg cfg = {.seed = 1, .commands = 1000000};
    const vgemv_ops *only = NULL;
    const char *only_name = NULL;
    int pattern = GEMV_SCORE_STREAM;
    const cli_opt opts[] = {CLI_OPT_CHOICE("pattern", &pattern, gemv_pattern_names),
                            CLI_OPT_U64("commands", &cfg.commands, 1, 1000000000000ull),
                            CLI_OPT_U64("seed", &cfg.seed, 0, UINT64_MAX), CLI_OPT_STR("only", &only_name)};
    int st = cli_options("gemv", gemv_help, opts, CLI_NOPTS(opts), argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    if (only_name && !(only = unit_build_arg("gemv", VU_GEMV, only_name)))
        return CLI_EXIT_BAD_INPUT;
    cfg.pattern = (gemv_pattern)pattern;
    if (cfg.pattern == GEMV_RANDOM) {
        cfg.gap_rate = cfg.stall_rate = 0.2;
        cfg.special_rate = 0.003;
        cfg.rand_reset = 1;
    }
    const vgemv_ops *builds[32];
    size_t nb = 0, ran = 0;
    char lerr[1024];
    if (!only && gemv_builds(builds, 32, &nb, lerr, sizeof lerr)) {
        fprintf(stderr, "pimattn gemv: %s\n", lerr);
        return 1;
    }
    if (only)
        builds[0] = only, nb = 1;
    printf("pimattn gemv: GEMV bank units, RTL (Verilator) vs golden model (csim), bit for bit\n");
    printf("seed %llu, %llu commands per build, pattern %s\n\n", (unsigned long long)cfg.seed,
           (unsigned long long)cfg.commands, gemv_pattern_names[cfg.pattern]);
    printf("%-20s %4s %5s %4s %10s %10s %9s %9s %8s %7s %8s\n", "build", "rows", "depth", "acc", "commands",
           "MACs", "MAC/burst", "beats", "mismatch", "cyc/cmd", "Mcycle/s");
    uint64_t tot_c = 0, tot_m = 0;
    int rc = 0;
    for (size_t i = 0; i < nb; i++) {
        const vgemv_ops *b = builds[i];
        gemv_cosim_res r;
        int k = gemv_cosim_run(b, &cfg, &r);
        if (k < 0) {
            fprintf(stderr, "pimattn gemv: %s\n", r.first_error);
            return 1;
        }
        /* every MAC command multiplies one burst (16 lanes, INT8 32) in each of the rows */
        printf("%-20s %4d %5d %4s %10llu %10llu %9d %9llu %8llu %7.3f %8.3f\n", b->build, b->cfg.rows, b->cfg.depth,
               b->cfg.acc_fp32 ? "fp32" : "fp16", (unsigned long long)r.commands, (unsigned long long)r.macs,
               (b->cfg.kv_fmt == GEMV_KV_INT8 ? 32 : 16) * b->cfg.rows, (unsigned long long)r.beats, (unsigned long long)r.mismatches,
               (double)r.cycles / (double)r.commands, r.cycles / r.seconds / 1e6);
        if (k)
            printf("  first mismatch (run stopped): %s\n", r.first_error);
        tot_c += r.commands;
        tot_m += r.mismatches;
        rc |= k;
        ran++;
    }
    printf("\n%zu builds, %llu commands checked, %llu mismatches: %s\n", ran, (unsigned long long)tot_c,
           (unsigned long long)tot_m, rc ? "FAIL" : "PASS");
    printf("MAC/burst: useful multiplies per 32-byte K/V burst (16 x rows, INT8 32 x rows); cyc/cmd: clock cycles per\n"
           "command including reset and drain; Mcycle/s: simulation speed with the golden check on every beat\n");
    return rc ? 1 : 0;
}
