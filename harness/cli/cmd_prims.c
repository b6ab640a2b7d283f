/* pimattn prims: the FP-primitive co-simulation report. */
#include <getopt.h>
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
    static const struct option opts[] = {{"vectors", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
                                         {"gap", required_argument, 0, 'g'},     {"only", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    prim_cosim_cfg cfg = {.seed = 1, .vectors = 1000000, .gap_rate = 0.1};
    const char *only = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (cli_u64("prims", "--vectors", optarg, 1, 1000000000000ull, &cfg.vectors))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 's':
            if (cli_u64("prims", "--seed", optarg, 0, UINT64_MAX, &cfg.seed))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 'g':
            if (cli_double("prims", "--gap", optarg, 0.0, 0.9, &cfg.gap_rate))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 'o': only = optarg; break;
        case 'h': fputs(prims_help, stdout); return 0;
        default: return cli_bad_option("prims", argc, argv, optind, optopt);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pimattn prims: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_BAD_INPUT;
    }
    const vprim_ops *builds[32];
    size_t nb = 0, ran = 0, ns;
    const vu_spec *spec = vunit_specs(VU_PRIM, &ns);
    char lerr[1024];
    if (only) {
        int found = 0;
        for (size_t i = 0; i < ns; i++)
            found |= !strcmp(spec[i].name, only);
        if (!found) {
            fprintf(stderr, "pimattn prims: --only: unknown build '%s' (allowed:", only);
            for (size_t i = 0; i < ns; i++)
                fprintf(stderr, " %s", spec[i].name);
            fprintf(stderr, ")\n");
            return CLI_EXIT_BAD_INPUT;
        }
        if (!(builds[0] = prim_build_load(only, lerr, sizeof lerr))) {
            fprintf(stderr, "pimattn prims: --only: %s\n", lerr);
            return 1;
        }
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
        if (only && strcmp(builds[i]->build, only))
            continue;
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
