/* pimattn check-trace: verifies a command log (format v1, docs/hbm.md) with the independent protocol checker
 * (hbm_check.h), which shares no code with the timing engine. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "hazard.h"
#include "hbm_check.h"
#include "progress.h"

static const char *check_help =
    "usage: pimattn check-trace [--hbm P] [--stacks N] [--power-limit on|off] [--hazards [--placement F]] LOG\n"
    "Verifies a command log (format v1 of docs/hbm.md, as `pimattn hbm --log` writes it) against every rule\n"
    "of docs/hbm.md: the timing table (nRC ... barrier), bank state, refresh bounds and per-channel cycle\n"
    "order. The checker shares no code with the timing engine; it compares each command with every earlier\n"
    "command of its channel within the largest rule distance.\n"
    "  LOG        the command log; '-' reads standard input\n"
    "  --hbm P    the configuration the log was made with: a preset (hbm3-6400, attacc-hbm3-5200) or a\n"
    "             YAML file (configs/hbm/); default: the preset the log's header names, else attacc-hbm3-5200;\n"
    "             --preset is the same option\n"
    "  --stacks N, --power-limit on|off   the overrides the log was made with (as pimattn run takes them);\n"
    "             default: the log's header (# stacks N, # power-limit on|off), else the configuration's\n"
    "  --hazards  also the data-hazard checker (docs/hazards.md): replays the log with the run's placement\n"
    "             file and proves every PIM command reads data that is there (queries landed, probabilities\n"
    "             moved down by every PC, results through nMACLAT, the ring, disjoint K/V rows)\n"
    "  --placement F  the placement file `pimattn run --log-commands LOG` wrote (default: LOG.place)\n"
    "  --help     this text\n"
    "Output: 'check-trace: LOG: N commands, every rule holds (NAME), R M commands/s' on success; on the\n"
    "first violation 'LOG:LINE: RULE: CMD at cycle T needs cycle >= C (EARLIER at cycle T', line L: ...)' on\n"
    "stderr, RULE being a rule name of docs/hbm.md or state, refresh, order; with --hazards then\n"
    "'check-trace: LOG: N commands, no data hazard (PLACEMENT)', or 'LOG:LINE: RULE: ...' naming a rule of\n"
    "docs/hazards.md.\n"
    "Exit status: 0 every rule holds, 1 a rule is violated, 2 bad options, unreadable file or malformed line.\n";

typedef struct check_progress {
    progress pg;
    double bytes; /* the log's size, 0 when unknown (stdin) */
    FILE *f;
} check_progress;

static void on_lines(void *ctx, uint64_t lines)
{
    check_progress *c = ctx;
    long at = c->bytes > 0 ? ftell(c->f) : -1;
    progress_update(&c->pg, at >= 0 ? (double)at / c->bytes : -1, lines);
}

/* The settings a log file's header records (hbm_set_log writes "# preset NAME", "# stacks N" and
 * "# power-limit on|off" before the first command): each one found and not given as an option is taken.
 * A preset name that is not a built-in preset (a YAML file's name) is left to --hbm. */
static void log_header(const char *path, const char **preset, char *name, size_t n, uint64_t *stacks, int *power)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return; /* the caller reports it */
    char *line = NULL, word[64];
    size_t cap = 0;
    unsigned v;
    hbm_cfg probe;
    while (getline(&line, &cap, f) > 0 && line[0] == '#') {
        if (!*preset && sscanf(line, "# preset %63s", word) == 1 && !hbm_cfg_preset(word, &probe))
            snprintf(name, n, "%s", word), *preset = name;
        else if (!*stacks && sscanf(line, "# stacks %u", &v) == 1 && v >= 1 && v <= 64)
            *stacks = v;
        else if (*power < 0 && sscanf(line, "# power-limit %63s", word) == 1 && (!strcmp(word, "on") || !strcmp(word, "off")))
            *power = !strcmp(word, "off");
    }
    free(line);
    fclose(f);
}

/* --hazards: the data-hazard checker over the log and its placement; the exit status. */
static int check_hazards(const hbm_cfg *cfg, const char *path, const char *placement, const char *protocol_line)
{
    char err[1024];
    FILE *pf = fopen(placement, "r"), *lf = pf ? fopen(path, "r") : NULL; /* cmd_check_trace tried both */
    if (!pf || !lf) {
        fprintf(stderr, "pimattn check-trace: --hazards: cannot open '%s': %s%s\n", pf ? path : placement,
                strerror(errno), pf ? "" : " (pimattn run --log-commands LOG writes LOG.place; or give --placement)");
        if (pf)
            fclose(pf);
        return CLI_EXIT_BAD_INPUT;
    }
    uint64_t n = 0;
    int rc = hz_check_stream(cfg, pf, placement, lf, path, err, sizeof err, &n);
    fclose(pf), fclose(lf);
    if (rc == 1) {
        fputs(protocol_line, stdout); /* the protocol held */
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (rc) { /* bad input: nothing on standard output */
        fprintf(stderr, "pimattn check-trace: --hazards: %s\n", err);
        return CLI_EXIT_BAD_INPUT;
    }
    fputs(protocol_line, stdout);
    printf("check-trace: %s: %" PRIu64 " commands, no data hazard (%s)\n", path, n, placement);
    return 0;
}

int cmd_check_trace(int argc, char **argv)
{
    static const char *const on_off[] = {"on", "off", NULL};
    const char *preset = NULL;
    char log_preset[64];
    uint64_t stacks = 0;
    int power = -1, args, hazards = 0;
    const char *placement = NULL;
    const cli_opt opts[] = {CLI_OPT_STR("hbm", &preset), CLI_OPT_STR("preset", &preset),
                            CLI_OPT_U64("stacks", &stacks, 1, 64), CLI_OPT_CHOICE("power-limit", &power, on_off),
                            CLI_OPT_FLAG("hazards", &hazards), CLI_OPT_STR("placement", &placement)};
    int status = cli_options("check-trace", check_help, opts, CLI_NOPTS(opts), argc, argv, &args);
    if (status != CLI_GO)
        return status;
    if (args != argc - 1) {
        if (args < argc - 1)
            fprintf(stderr, "pimattn check-trace: unexpected argument '%s' (give exactly one command log)\n",
                    argv[args + 1]);
        else
            fprintf(stderr, "pimattn check-trace: give exactly one command log\n%s", check_help);
        return CLI_EXIT_BAD_INPUT;
    }
    const char *path = argv[args];
    if (placement && !hazards) {
        fprintf(stderr, "pimattn check-trace: --placement goes with --hazards\n");
        return CLI_EXIT_BAD_INPUT;
    }
    if (hazards && !strcmp(path, "-")) {
        fprintf(stderr, "pimattn check-trace: --hazards reads the log twice: give a file, not - (standard input)\n");
        return CLI_EXIT_BAD_INPUT;
    }
    if (strcmp(path, "-"))
        log_header(path, &preset, log_preset, sizeof log_preset, &stacks, &power);
    if (!preset)
        preset = "attacc-hbm3-5200";
    hbm_cfg cfg;
    char err[1024];
    if (hbm_cfg_resolve(preset, &cfg, err, sizeof err)) {
        fprintf(stderr, "pimattn check-trace: --hbm: %s\n", err);
        return CLI_EXIT_BAD_INPUT;
    }
    if (stacks)
        cfg.stacks = (uint32_t)stacks;
    if (power >= 0)
        cfg.power_limit = power == 0;
    char place_dflt[4096];
    if (hazards && !placement)
        snprintf(place_dflt, sizeof place_dflt, "%s.place", path), placement = place_dflt;
    FILE *probe = hazards ? fopen(placement, "r") : NULL; /* bad input before any work */
    if (hazards && !probe) {
        fprintf(stderr, "pimattn check-trace: --hazards: cannot open '%s': %s (pimattn run --log-commands LOG writes "
                "LOG.place; or give --placement)\n", placement, strerror(errno));
        return CLI_EXIT_BAD_INPUT;
    }
    if (probe)
        fclose(probe);
    int in = !strcmp(path, "-");
    FILE *f = in ? stdin : fopen(path, "r");
    struct stat st;
    if (!f) {
        fprintf(stderr, "pimattn check-trace: cannot open '%s': %s\n", path, strerror(errno));
        return CLI_EXIT_BAD_INPUT;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "pimattn check-trace: %s: is a directory (allowed: a command log file, or - for standard input)\n",
                path);
        fclose(f);
        return CLI_EXIT_BAD_INPUT;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    uint64_t n = 0;
    struct stat fs;
    check_progress cp = {.bytes = !in && stat(path, &fs) == 0 ? (double)fs.st_size : 0, .f = f};
    progress_init(&cp.pg, "pimattn check-trace");
    int rc = hbm_check_stream(&cfg, f, in ? "stdin" : path, err, sizeof err, &n, on_lines, &cp);
    progress_done(&cp.pg);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!in)
        fclose(f);
    if (rc == 1) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "pimattn check-trace: %s\n", err);
        return CLI_EXIT_BAD_INPUT;
    }
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    char line[1024];
    snprintf(line, sizeof line, "check-trace: %s: %" PRIu64 " commands, every rule holds (%s), %.1f M commands/s\n",
             in ? "stdin" : path, n, cfg.name, s > 0 ? (double)n / s / 1e6 : 0.0);
    return hazards ? check_hazards(&cfg, path, placement, line) : (fputs(line, stdout), 0);
}
