/* pimattn softmax: co-simulates every Verilated softmax-unit build against the golden model and reports
 * bit exactness, cycles per row and simulation speed. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "cosim.h"

static const char *softmax_help =
    "usage: pimattn softmax [options]\n"
    "Streams rows and split-K merges through every Verilated softmax-unit build and compares every output\n"
    "beat bit for bit with the golden model (csim/sm_unit.c).\n"
    "  --scores N    score beats per build, both passes (default 300000; 1..10^12)\n"
    "  --row-len L   rows only, each of L scores, no idle cycles or back-pressure: measures cycles per\n"
    "                row (1..16777216); without it: random rows, masks, specials and merges, with idle\n"
    "                cycles and back-pressure\n"
    "  --seed S      random seed (default 1)\n"
    "  --only BUILD  run one build (e.g. sm_l4_h)\n"
    "  --help        this text\n";

int cmd_softmax(int argc, char **argv)
{
    sm_cosim_cfg cfg = {.seed = 1, .scores = 300000};
    uint64_t row_len = 0;
    const vsm_ops *only = NULL;
    const char *only_name = NULL;
    const cli_opt opts[] = {CLI_OPT_U64("scores", &cfg.scores, 1, 1000000000000ull),
                            CLI_OPT_U64("row-len", &row_len, 1, 1u << 24), CLI_OPT_U64("seed", &cfg.seed, 0, UINT64_MAX),
                            CLI_OPT_STR("only", &only_name)};
    int st = cli_options("softmax", softmax_help, opts, CLI_NOPTS(opts), argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    if (only_name && !(only = unit_build_arg("softmax", VU_SM, only_name)))
        return CLI_EXIT_BAD_INPUT;
    cfg.row_len = (uint32_t)row_len;
    if (!row_len) {
        cfg.gap_rate = cfg.stall_rate = 0.2;
        cfg.special_rate = 0.003;
        cfg.rand_reset = 1;
    }
    printf("pimattn softmax: softmax unit, RTL (Verilator) vs golden model (csim), bit for bit\n");
    if (row_len)
        printf("seed %llu, >= %llu score beats per build, rows of %llu scores, no idle cycles\n\n",
               (unsigned long long)cfg.seed, (unsigned long long)cfg.scores, (unsigned long long)row_len);
    else
        printf("seed %llu, >= %llu score beats per build, random rows, masks and merges, idle cycles and "
               "back-pressure\n\n", (unsigned long long)cfg.seed, (unsigned long long)cfg.scores);
    printf("%-14s %5s %6s %4s %6s %10s %8s %7s %9s %8s %10s %9s %8s\n", "build", "lanes", "pieces", "in", "merge",
           "scores", "rows", "merges", "out", "mismatch", "cycles", "cyc/row", "Mcycle/s");
    const vsm_ops *b[16];
    size_t nb = 0, ran = 0;
    char lerr[1024];
    if (!only && sm_builds(b, 16, &nb, lerr, sizeof lerr)) {
        fprintf(stderr, "pimattn softmax: %s\n", lerr);
        return 1;
    }
    if (only)
        b[0] = only, nb = 1;
    uint64_t tot = 0, bad = 0;
    int rc = 0;
    for (size_t i = 0; i < nb; i++) {
        sm_cosim_res r;
        int k = sm_cosim_run(b[i], &cfg, &r);
        if (k < 0) {
            fprintf(stderr, "pimattn softmax: %s\n", r.first_error);
            return 1;
        }
        const smu_cfg *sc = &b[i]->cfg;
        char cpr[32] = "-";
        if (row_len && r.rows)
            snprintf(cpr, sizeof cpr, "%.1f", (double)r.cycles / (double)r.rows);
        printf("%-14s %5d %6d %4s %6d %10llu %8llu %7llu %9llu %8llu %10llu %9s %8.3f\n", b[i]->build, sc->lanes,
               sc->exp_pieces, sc->in_fp16 ? "fp16" : "fp32", sc->merge_d,
               (unsigned long long)(r.scores * (uint64_t)sc->lanes / 2), (unsigned long long)r.rows,
               (unsigned long long)r.merges, (unsigned long long)r.beats_out, (unsigned long long)r.mismatches,
               (unsigned long long)r.cycles, cpr, r.cycles / r.seconds / 1e6);
        if (k)
            printf("  first mismatch (run stopped): %s\n", r.first_error);
        tot += r.scores;
        bad += r.mismatches;
        rc |= k;
        ran++;
    }
    printf("\n%zu builds, %llu score beats checked, %llu mismatches: %s\n", ran, (unsigned long long)tot,
           (unsigned long long)bad, rc ? "FAIL" : "PASS");
    printf("scores: scores per pass (beats x lanes / 2 passes); cyc/row: clock cycles per row including the\n"
           "ROW command and the result beat, with the start and the end of the run (the pipeline's: 2n + 11\n"
           "for n = ceil(L / lanes) beats, n + 16 + 2 x log2(lanes) when longer; csim/sm_unit.h)\n");
    return rc ? 1 : 0;
}
