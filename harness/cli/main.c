/* pimattn — command-line entry point: dispatches to subcommands. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"

/* The commands: name, entry point (NULL: help), one line for the usage text. */
static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"run", cmd_run, "decode-step attention of a model on HBM3-PIM, co-simulated, with a report (the main job)"},
    {"system", cmd_system, "a whole generation on GPUs with or without PIM devices: latency, tokens/s, energy, SLO"},
    {"sweep", cmd_sweep, "a grid of run or system points as child processes, one results row each (docs/sweep.md)"},
    {"plot", cmd_plot, "a figure of a sweep's results: gnuplot script, PNG and SVG (docs/plot.md)"},
    {"prims", cmd_prims, "co-simulate every Verilated FP primitive against the golden model and report"},
    {"gemv", cmd_gemv, "co-simulate every Verilated GEMV bank unit against the golden model and report"},
    {"softmax", cmd_softmax, "co-simulate every Verilated softmax unit against the golden model and report"},
    {"hbm", cmd_hbm, "run a request trace or a synthetic MAC stream through the HBM3-PIM timing model"},
    {"check-trace", cmd_check_trace, "verify a command log against every DRAM timing rule (independent checker)"},
    {"wave", cmd_wave, "write an FST waveform and a GTKWave save file for one unit"},
    {"help", NULL, "this text"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    fprintf(f, "usage: pimattn COMMAND [options]   (pimattn COMMAND --help for its options; pimattn --version)\n\n"
               "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].what);
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
    if (!strcmp(c, "--help") || !strcmp(c, "-h"))
        c = "help";
    if (!strcmp(c, "--version")) {
        printf("pimattn %s\n", pimattn_version());
        return 0;
    }
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(c, commands[i].name))
            continue;
        if (commands[i].fn)
            return commands[i].fn(argc - 1, argv + 1);
        usage(stdout);
        return 0;
    }
    fprintf(stderr, "pimattn: unknown command '%s' (allowed:", c);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(stderr, "%s %s", i ? "," : "", commands[i].name);
    fprintf(stderr, ")\n");
    return CLI_EXIT_BAD_INPUT;
}
