/* pimattn check-trace: verifies a command log (format v1, docs/hbm.md) with the independent checker. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "hbm_check.h"

static const char *check_help =
    "usage: pimattn check-trace [--hbm P] LOG\n"
    "Verifies every timing, state and refresh rule of docs/hbm.md on a command log (format v1, as written by\n"
    "pimattn hbm --log) with a checker that shares no code with the timing engine.\n"
    "  --hbm P    preset (hbm3-6400, attacc-hbm3-5200) or YAML file the log was made with\n"
    "             (default attacc-hbm3-5200); --preset is the same option\n"
    "  --help     this text\n"
    "Exit status: 0 every rule holds, 1 a rule is violated (LOG:LINE: RULE: ... on stderr), 2 bad input.\n";

int cmd_check_trace(int argc, char **argv)
{
    static const struct option opts[] = {{"hbm", required_argument, 0, 'p'}, {"preset", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},      {0, 0, 0, 0}};
    const char *preset = "attacc-hbm3-5200";
    int o;
    optind = 1;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'p')
            preset = optarg;
        else if (o == 'h') {
            fputs(check_help, stdout);
            return 0;
        } else {
            fputs(check_help, stderr);
            return CLI_EXIT_BAD_INPUT;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "pimattn check-trace: give exactly one command log\n%s", check_help);
        return CLI_EXIT_BAD_INPUT;
    }
    const char *path = argv[optind];
    hbm_cfg cfg;
    char err[1024];
    if (hbm_cfg_resolve(preset, &cfg, err, sizeof err)) {
        fprintf(stderr, "pimattn check-trace: --hbm: %s\n", err);
        return CLI_EXIT_BAD_INPUT;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "pimattn check-trace: cannot open '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_BAD_INPUT;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t n = 0;
    int rc = hbm_check_stream(&cfg, f, path, err, sizeof err, &n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fclose(f);
    if (rc) {
        fprintf(stderr, "pimattn check-trace: %s\n", err);
        return rc == 1 ? 1 : CLI_EXIT_BAD_INPUT;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("check-trace: %s: %" PRIu64 " commands, every rule holds (%s), %.2f M commands/s\n", path, n, cfg.name,
           n / (s > 0 ? s : 1e-9) / 1e6);
    return 0;
}
