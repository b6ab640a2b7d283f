/* pimattn gemv: co-simulates every Verilated GEMV build against the golden model and reports bit
 * exactness, initiation interval and simulation speed. */
#include <getopt.h>
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

int gemv_pattern_parse(const char *cmd, const char *text, gemv_pattern *out)
{
    static const char *const names[] = {"random", "score", "context"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(text, names[i])) {
            *out = (gemv_pattern)i;
            return 0;
        }
    fprintf(stderr, "pimattn %s: --pattern: unknown pattern '%s' (allowed: random, score, context)\n", cmd, text);
    return -1;
}

int gemv_build_parse(const char *cmd, const char *text, const vgemv_ops **out)
{
    size_t n;
    const vu_spec *s = vunit_specs(VU_GEMV, &n);
    char err[1024];
    for (size_t i = 0; i < n; i++)
        if (!strcmp(s[i].name, text)) {
            if ((*out = gemv_build_load(text, err, sizeof err)))
                return 0;
            fprintf(stderr, "pimattn %s: --only: %s\n", cmd, err);
            return -1;
        }
    fprintf(stderr, "pimattn %s: --only: unknown build '%s' (allowed:", cmd, text);
    for (size_t i = 0; i < n; i++)
        fprintf(stderr, " %s", s[i].name);
    fprintf(stderr, ")\n");
    return -1;
}

int cmd_gemv(int argc, char **argv)
{
    static const struct option opts[] = {{"pattern", required_argument, 0, 'p'}, {"commands", required_argument, 0, 'n'},
                                         {"seed", required_argument, 0, 's'},    {"only", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    gemv_cosim_cfg cfg = {.seed = 1, .commands = 1000000, .pattern = GEMV_SCORE_STREAM};
    const vgemv_ops *only = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'p':
            if (gemv_pattern_parse("gemv", optarg, &cfg.pattern))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 'n':
            if (cli_u64("gemv", "--commands", optarg, 1, 1000000000000ull, &cfg.commands))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 's':
            if (cli_u64("gemv", "--seed", optarg, 0, UINT64_MAX, &cfg.seed))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 'o':
            if (gemv_build_parse("gemv", optarg, &only))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 'h': fputs(gemv_help, stdout); return 0;
        default: return cli_bad_option("gemv", argc, argv, optind, optopt);
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pimattn gemv: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_BAD_INPUT;
    }
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
    static const char *const pname[] = {"random", "score", "context"};
    printf("pimattn gemv: GEMV bank units, RTL (Verilator) vs golden model (csim), bit for bit\n");
    printf("seed %llu, %llu commands per build, pattern %s\n\n", (unsigned long long)cfg.seed,
           (unsigned long long)cfg.commands, pname[cfg.pattern]);
    printf("%-20s %4s %5s %4s %10s %10s %9s %9s %8s %7s %8s\n", "build", "rows", "depth", "acc", "commands",
           "MACs", "MAC/burst", "beats", "mismatch", "cyc/cmd", "Mcycle/s");
    uint64_t tot_c = 0, tot_m = 0;
    int rc = 0;
    for (size_t i = 0; i < nb; i++) {
        const vgemv_ops *b = builds[i];
        if (only && b != only)
            continue;
        gemv_cosim_res r;
        int k = gemv_cosim_run(b, &cfg, &r);
        if (k < 0) {
            fprintf(stderr, "pimattn gemv: %s\n", r.first_error);
            return 1;
        }
        /* every MAC command multiplies one 16-lane burst in each of the rows */
        printf("%-20s %4d %5d %4s %10llu %10llu %9d %9llu %8llu %7.3f %8.3f\n", b->build, b->cfg.rows, b->cfg.depth,
               b->cfg.acc_fp32 ? "fp32" : "fp16", (unsigned long long)r.commands, (unsigned long long)r.macs,
               16 * b->cfg.rows, (unsigned long long)r.beats, (unsigned long long)r.mismatches,
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
    printf("MAC/burst: useful FP16 multiplies per 32-byte K/V burst (16 x rows); cyc/cmd: clock cycles per\n"
           "command including reset and drain; Mcycle/s: simulation speed with the golden check on every beat\n");
    return rc ? 1 : 0;
}
