/* pimattn prims / pimattn wave: the FP-primitive co-simulation demo and its waveforms. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "gtkw.h"
#include "prim.h"

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
        default: fputs(prims_help, stderr); return CLI_EXIT_BAD_INPUT;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pimattn prims: unexpected argument '%s'\n", argv[optind]);
        return CLI_EXIT_BAD_INPUT;
    }
    const vprim_ops *const *builds;
    size_t nb = prim_builds(&builds), ran = 0;
    if (only) {
        int found = 0;
        for (size_t i = 0; i < nb; i++)
            found |= !strcmp(builds[i]->build, only);
        if (!found) {
            fprintf(stderr, "pimattn prims: --only: unknown build '%s' (allowed:", only);
            for (size_t i = 0; i < nb; i++)
                fprintf(stderr, " %s", builds[i]->build);
            fprintf(stderr, ")\n");
            return CLI_EXIT_BAD_INPUT;
        }
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

static const char *wave_help =
    "usage: pimattn wave --unit UNIT [options]\n"
    "Runs a short co-simulation of UNIT (its most pipelined build) with FST tracing and writes\n"
    "DIR/UNIT.fst and DIR/UNIT.gtkw (open: gtkwave DIR/UNIT.fst DIR/UNIT.gtkw).\n"
    "  --unit UNIT   fp16_mul, fp16_mul32, fp16_add, fp32_add or fp16_mac32\n"
    "  --dir DIR     output directory (default build/wave; created if missing)\n"
    "  --cycles N    cycles to run and dump (default 64; 1..1000000)\n"
    "  --seed S      random seed (default 1)\n";

int cmd_wave(int argc, char **argv)
{
    static const struct option opts[] = {{"unit", required_argument, 0, 'u'}, {"dir", required_argument, 0, 'd'},
                                         {"cycles", required_argument, 0, 'n'}, {"seed", required_argument, 0, 's'},
                                         {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *unit = NULL, *dir = "build/wave";
    uint64_t cycles = 64, seed = 1;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'u': unit = optarg; break;
        case 'd': dir = optarg; break;
        case 'n':
            if (cli_u64("wave", "--cycles", optarg, 1, 1000000, &cycles))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 's':
            if (cli_u64("wave", "--seed", optarg, 0, UINT64_MAX, &seed))
                return CLI_EXIT_BAD_INPUT;
            break;
        case 'h': fputs(wave_help, stdout); return 0;
        default: fputs(wave_help, stderr); return CLI_EXIT_BAD_INPUT;
        }
    }
    const vprim_ops *const *builds;
    size_t nb = prim_builds(&builds);
    const vprim_ops *pick = NULL;
    for (size_t i = 0; unit && i < nb; i++)
        if (!strcmp(builds[i]->top, unit) && (!pick || builds[i]->stages > pick->stages))
            pick = builds[i];
    if (!pick) {
        fprintf(stderr, "pimattn wave: --unit: %s '%s' (allowed: fp16_mul, fp16_mul32, fp16_add, fp32_add, fp16_mac32)\n",
                unit ? "unknown unit" : "missing", unit ? unit : "");
        return CLI_EXIT_BAD_INPUT;
    }
    if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "pimattn wave: --dir: cannot create '%s'\n", dir);
        return CLI_EXIT_BAD_INPUT;
    }
    char fst[4096], sav[4096], base[256];
    snprintf(base, sizeof base, "%s.fst", unit);
    snprintf(fst, sizeof fst, "%s/%s.fst", dir, unit);
    snprintf(sav, sizeof sav, "%s/%s.gtkw", dir, unit);

    prim_cosim_cfg cfg = {.seed = seed, .vectors = cycles, .gap_rate = 0.25, .trace_path = fst,
                          .trace_from = 0, .trace_cycles = cycles + 8};
    prim_cosim_res r;
    int k = prim_cosim_run(pick, &cfg, &r);
    if (k < 0) {
        fprintf(stderr, "pimattn wave: %s\n", r.first_error);
        return CLI_EXIT_BAD_INPUT;
    }
    const prim_desc *d = prim_desc_find(unit);
    char sig[14][160];
    const char *ctl[4], *ops[4], *core[7], *out[3];
    const char *rnd = d->has_c ? "u_add.u_round" : "u_core.u_round";
    int w_in = d->a_fmt.ebits + d->a_fmt.mbits + 1, w_out = d->y_fmt.ebits + d->y_fmt.mbits + 1;
    snprintf(sig[0], 160, "top.%s.clk_i", unit);
    snprintf(sig[1], 160, "top.%s.rst_ni", unit);
    snprintf(sig[2], 160, "top.%s.valid_i", unit);
    snprintf(sig[3], 160, "top.%s.a_i[%d:0]", unit, w_in - 1);
    snprintf(sig[4], 160, "top.%s.b_i[%d:0]", unit, w_in - 1);
    snprintf(sig[5], 160, "top.%s.c_i[31:0]", unit);
    snprintf(sig[6], 160, "top.%s.y_d[%d:0]", unit, w_out - 1);
    snprintf(sig[7], 160, "top.%s.%s.rnd", unit, rnd);
    snprintf(sig[8], 160, "top.%s.%s.stk", unit, rnd);
    snprintf(sig[9], 160, "top.%s.%s.up", unit, rnd);
    snprintf(sig[10], 160, "top.%s.%s.carry", unit, rnd);
    snprintf(sig[11], 160, "top.%s.u_pipe.g_pipe.valid_q[%d:0]", unit, pick->stages - 1);
    snprintf(sig[12], 160, "top.%s.valid_o", unit);
    snprintf(sig[13], 160, "top.%s.y_o[%d:0]", unit, w_out - 1);
    ctl[0] = sig[0], ctl[1] = sig[1], ctl[2] = sig[2], ctl[3] = NULL;
    ops[0] = sig[3], ops[1] = sig[4], ops[2] = d->has_c ? sig[5] : NULL, ops[3] = NULL;
    core[0] = sig[6], core[1] = sig[7], core[2] = sig[8], core[3] = sig[9], core[4] = sig[10];
    core[5] = pick->stages ? sig[11] : NULL, core[6] = NULL;
    out[0] = sig[12], out[1] = sig[13], out[2] = NULL;
    const gtkw_group groups[] = {{"control", ctl}, {"operands", ops}, {"rounding and pipeline", core}, {"result", out}};
    if (gtkw_write(sav, base, groups, 4) != 0) {
        fprintf(stderr, "pimattn wave: cannot write '%s'\n", sav);
        remove(fst);
        return CLI_EXIT_BAD_INPUT;
    }
    printf("pimattn wave: %s (%s, Stages=%d): %llu cycles, %llu vectors checked, %llu mismatches\n", unit,
           pick->build, pick->stages, (unsigned long long)r.cycles, (unsigned long long)r.vectors,
           (unsigned long long)r.mismatches);
    printf("wrote %s and %s\nopen with: gtkwave %s %s\n", fst, sav, fst, sav);
    return k ? 1 : 0;
}
