/* pimattn — command-line entry point: dispatches to subcommands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: pimattn COMMAND [options]   (pimattn COMMAND --help for its options)\n"
            "\n"
            "commands:\n"
            "  run     decode-step attention of a model on HBM3-PIM, co-simulated, with a report (the main job)\n"
            "  system  a whole generation on GPUs with or without PIM devices: latency, tokens/s, energy, SLO\n"
            "  prims   co-simulate every Verilated FP primitive against the golden model and report\n"
            "  gemv    co-simulate every Verilated GEMV bank unit against the golden model and report\n"
            "  softmax co-simulate every Verilated softmax unit against the golden model and report\n"
            "  hbm     run a request trace or a synthetic MAC stream through the HBM3-PIM timing model\n"
            "  check-trace  verify a command log against every DRAM timing rule (independent checker)\n"
            "  wave    write an FST waveform and a GTKWave save file for one unit\n"
            "  help    this text\n");
}

static int dispatch(int argc, char **argv);

/* The report goes to standard output: a write that failed there (a full disk, a closed pipe's EPIPE) is
 * an error like any other output's, found when the stream is flushed and closed. */
int main(int argc, char **argv)
{
    int rc = dispatch(argc, argv);
    int e = 0;
    if (fflush(stdout) || ferror(stdout))
        e = errno ? errno : EIO;
    if (fclose(stdout) && !e)
        e = errno;
    if (e) {
        fprintf(stderr, "pimattn: standard output: %s\n", strerror(e));
        return rc ? rc : 1;
    }
    return rc;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_BAD_INPUT;
    }
    const char *c = argv[1];
    if (!strcmp(c, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(c, "system"))
        return cmd_system(argc - 1, argv + 1);
    if (!strcmp(c, "prims"))
        return cmd_prims(argc - 1, argv + 1);
    if (!strcmp(c, "gemv"))
        return cmd_gemv(argc - 1, argv + 1);
    if (!strcmp(c, "softmax"))
        return cmd_softmax(argc - 1, argv + 1);
    if (!strcmp(c, "hbm"))
        return cmd_hbm(argc - 1, argv + 1);
    if (!strcmp(c, "check-trace"))
        return cmd_check_trace(argc - 1, argv + 1);
    if (!strcmp(c, "wave"))
        return cmd_wave(argc - 1, argv + 1);
    if (!strcmp(c, "help") || !strcmp(c, "--help") || !strcmp(c, "-h")) {
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "pimattn: unknown command '%s' (allowed: run, prims, gemv, softmax, hbm, check-trace, wave, help)\n", c);
    return CLI_EXIT_BAD_INPUT;
}
