/* pimattn prims: the FP-primitive co-simulation report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "cosim.h"

static const char *prims_help =
    "usage: pimattn prims [options]\n"
    "Streams special-class and random operands through every Verilated FP primitive and compares each\n"
    "output bit for bit with the golden model (csim/fp.c).\n"
    "  --vectors N   vectors per build (default 1000000; 1..10^12)\n"
    "  --seed S      random seed (default 1)\n"
    "  --gap R       probability of an idle input cycle (default 0.1; 0..0.9)\n"
    "  --only BUILD  run one build (e.g. fp16_add_s2)\n"
    "  --help        this text\n";

int cmd_prims(int argc, char **argv)
{
    prim_cosim_cfg cfg = {.seed = 1, .vectors = 1000000, .gap_rate = 0.1};
    const char *only = NULL;
    const cli_opt opts[] = {CLI_OPT_U64("vectors", &cfg.vectors, 1, 1000000000000ull),
                            CLI_OPT_U64("seed", &cfg.seed, 0, UINT64_MAX), CLI_OPT_DOUBLE("gap", &cfg.gap_rate, 0.0, 0.9),
                            CLI_OPT_STR("only", &only)};
    int st = cli_options("prims", prims_help, opts, CLI_NOPTS(opts), argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    const vprim_ops *builds[32];
    size_t nb = 0, ran = 0;
    char lerr[1024];
    if (only) {
        if (!(builds[0] = unit_build_arg("prims", VU_PRIM, only)))
            return CLI_EXIT_BAD_INPUT;
        nb = 1;
    } else if (prim_builds(builds, 32, &nb, lerr, sizeof lerr)) {
        fprintf(stderr, "pimattn prims: %s\n", lerr);
        return 1;
    }
    printf("pimattn prims: RTL (Verilator) vs golden model (csim), bit for bit\n");
    printf("seed %llu, %llu vectors per build, idle-cycle rate %.2f\n\n", (unsigned long long)cfg.seed,
           (unsigned long long)cfg.vectors, cfg.gap_rate);
    printf("%-14s %6s %12s %10s %12s %10s %10s\n", "build", "stages", "vectors", "mismatch", "cycles", "Mcycle/s",
           "Mvector/s");
    uint64_t tot_v = 0, tot_m = 0;
    int rc = 0;
    for (size_t i = 0; i < nb; i++) {
        prim_cosim_res r;
        int k = prim_cosim_run(builds[i], &cfg, &r);
        if (k < 0) {
            fprintf(stderr, "pimattn prims: %s\n", r.first_error);
            return 1;
        }
        printf("%-14s %6d %12llu %10llu %12llu %10.2f %10.2f\n", builds[i]->build, builds[i]->stages,
               (unsigned long long)r.vectors, (unsigned long long)r.mismatches, (unsigned long long)r.cycles,
               r.cycles / r.seconds / 1e6, r.vectors / r.seconds / 1e6);
        if (k)
            printf("  first mismatch (run stopped): %s\n", r.first_error);
        tot_v += r.vectors;
        tot_m += r.mismatches;
        rc |= k;
        ran++;
    }
    printf("\n%zu builds, %llu vectors checked, %llu mismatches: %s\n", ran, (unsigned long long)tot_v,
           (unsigned long long)tot_m, rc ? "FAIL" : "PASS");
    return rc ? 1 : 0;
}
