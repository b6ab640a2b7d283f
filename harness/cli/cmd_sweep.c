/* pimattn sweep: a grid of `pimattn run` or `pimattn system` points (docs/sweep.md), run locally as child
 * processes, as one point or chunk of an emitted job array (--point, --chunk), emitted as GNU parallel and
 * Slurm scripts (--emit-jobs), or collected from the array's tasks (--collect). This file: the options, the
 * grid's option checks (the commands' own option tables, cmd.h), the output directory checks, the modes. */
#define _DEFAULT_SOURCE /* realpath */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_sweep.h"
#include "system.h"

static const char *sweep_help =
    "usage: pimattn sweep GRID.yaml --out DIR [-j N] [--area FILE]\n"
    "       pimattn sweep GRID.yaml --out DIR --point I | --chunk I/N\n"
    "       pimattn sweep GRID.yaml --out DIR --emit-jobs JOBS [--tasks N] [--max-running M]\n"
    "       pimattn sweep GRID.yaml --list\n"
    "       pimattn sweep --collect DIR\n"
    "Runs every point of a grid of `pimattn run` or `pimattn system` options (the cartesian product of the\n"
    "grid's lists, zip groups varying together, exclude rules; format in docs/sweep.md) as child processes\n"
    "of this binary, and appends one row per point to DIR/results.csv and DIR/results.jsonl as it finishes:\n"
    "its options, key, status (ok; skipped: the command refused the point as bad input, exit 2, or an exclude\n"
    "rule; failed), the reason, and the figures of its --json report. A rerun skips the points already ok or\n"
    "skipped in DIR and retries the failed ones.\n"
    "  --out DIR          the results directory (created if missing): results.csv, results.jsonl, points/\n"
    "                     (each point's KEY.json report and KEY.log output)\n"
    "  -j, --jobs N       points run at once [the online CPUs; 1 with --point or --chunk]\n"
    "  --area FILE        build/area/area.csv of `make area`: add the area of each run point's GEMV unit\n"
    "  --point I          run point I only (0-based, as --list numbers them) into DIR/tasks/I/\n"
    "  --chunk I/N        run the I-th of N equal chunks of the points into DIR/tasks/I-of-N/\n"
    "  --emit-jobs JOBS   write JOBS/points.txt, JOBS/parallel.sh (GNU parallel, one --point per point, then\n"
    "                     --collect) and JOBS/slurm.sbatch (a job array); run nothing\n"
    "  --tasks N          the job array's tasks [one per point, at most 1000: then chunks]\n"
    "  --max-running M    the array's %M: tasks running at once [min(tasks, 100)]\n"
    "  --list             print each point's index, key and command line; run nothing\n"
    "  --collect DIR      merge DIR/tasks/*/results.* into DIR/results.csv and DIR/results.jsonl\n"
    "  --help             this text\n"
    "Exit status: 0 every point ok or skipped, 1 a point failed or a file could not be written, 2 bad input\n"
    "(the grid file's errors give FILE:LINE; nothing is created or changed).\n";

typedef struct sweep_opts {
    const char *out, *area, *emit, *chunk, *collect;
    uint64_t jobs, point, tasks, max_running;
    int jobs_given, point_given, list;
} sweep_opts;

/* ---- the grid's commands: the option tables of run and system -------------------------------------------------- */

typedef struct cmd_tables {
    cli_opt run[CMD_MAX_OPTS], sys[CMD_MAX_OPTS];
    int nrun, nsys;
    sweep_optdef def[2][CMD_MAX_OPTS];
    sweep_cmd cmd[2];
    sys_cfg scratch; /* for --set checks */
} cmd_tables;

/* Options the sweep sets itself, or outputs every point would write to the same file. */
static int reserved(const char *cmd, const char *name)
{
    static const char *const run_out[] = {"json", "log-commands", "outputs", "outputs-ref", "wave", "wave-bank",
                                          "wave-from", "wave-cycles", NULL},
                             *const sys_out[] = {"json", "csv", NULL};
    for (const char *const *r = strcmp(cmd, "run") ? sys_out : run_out; *r; r++)
        if (!strcmp(*r, name))
            return 1;
    return 0;
}

static int check_value(void *ctx, const char *cmd, const char *opt, const char *value, char *why, size_t n)
{
    cmd_tables *t = ctx;
    int is_run = !strcmp(cmd, "run");
    if (!is_run && !strncmp(opt, "set.", 4)) { /* --set KEY=VALUE: the system configuration's own check */
        sys_cfg y = t->scratch;
        char msg[1024];
        if (!sys_cfg_set(&y, opt + 4, value, msg, sizeof msg))
            return 0;
        size_t kl = strlen(opt + 4);
        snprintf(why, n, "%s", !strncmp(msg, opt + 4, kl) && !strncmp(msg + kl, ": ", 2) ? msg + kl + 2 : msg);
        return -1;
    }
    const cli_opt *tab = is_run ? t->run : t->sys;
    for (int i = 0; i < (is_run ? t->nrun : t->nsys); i++)
        if (!strcmp(tab[i].name, opt))
            return cli_value_check(&tab[i], value, why, n);
    return 0;
}

static void build_tables(cmd_tables *t)
{
    t->nrun = cmd_run_options(t->run, CMD_MAX_OPTS);
    t->nsys = cmd_system_options(t->sys, CMD_MAX_OPTS);
    if (sys_cfg_preset("dgx-a100-hbm3+pim", &t->scratch))
        memset(&t->scratch, 0, sizeof t->scratch);
    const char *names[2] = {"run", "system"};
    for (int c = 0; c < 2; c++) {
        const cli_opt *tab = c ? t->sys : t->run;
        int n = c ? t->nsys : t->nrun;
        for (int i = 0; i < n; i++)
            t->def[c][i] = (sweep_optdef){.name = tab[i].name, .flag = tab[i].kind == CLI_FLAG,
                                          .keyed = tab[i].kind == CLI_LIST, .reserved = reserved(names[c], tab[i].name)};
        t->cmd[c] = (sweep_cmd){.name = names[c], .opts = t->def[c], .nopts = n, .check = check_value, .ctx = t};
    }
}

/* ---- options ---------------------------------------------------------------------------------------------------- */

static int parse_opts(int argc, char **argv, sweep_opts *o, int *args)
{
    *o = (sweep_opts){.jobs = 0};
    const cli_opt opts[] = {
        CLI_OPT_STR("out", &o->out),
        {.name = "jobs", .kind = CLI_U64, .dst = &o->jobs, .lo = 1, .hi = 1024, .given = &o->jobs_given, .letter = 'j'},
        CLI_OPT_STR("area", &o->area),
        {.name = "point", .kind = CLI_U64, .dst = &o->point, .lo = 0, .hi = SWEEP_MAX_POINTS - 1,
         .given = &o->point_given},
        CLI_OPT_STR("chunk", &o->chunk),
        CLI_OPT_STR("emit-jobs", &o->emit),
        CLI_OPT_U64("tasks", &o->tasks, 1, SWEEP_MAX_POINTS),
        CLI_OPT_U64("max-running", &o->max_running, 1, SWEEP_MAX_POINTS),
        CLI_OPT_FLAG("list", &o->list),
        CLI_OPT_STR("collect", &o->collect),
    };
    int st = cli_options("sweep", sweep_help, opts, CLI_NOPTS(opts), argc, argv, args);
    if (st != CLI_GO)
        return st;
    int modes = o->point_given + !!o->chunk + !!o->emit + o->list + !!o->collect;
    if (modes > 1)
        return cli_bad("sweep", "--point, --chunk, --emit-jobs, --list and --collect are mutually exclusive");
    if (o->collect && (*args < argc || o->out || o->jobs_given || o->area))
        return cli_bad("sweep", "--collect DIR takes no grid and no other option");
    if ((o->tasks || o->max_running) && !o->emit)
        return cli_bad("sweep", "--tasks and --max-running need --emit-jobs");
    if (!o->collect && *args == argc)
        return cli_bad("sweep", "missing the grid file (usage: pimattn sweep GRID.yaml --out DIR; see --help)");
    if (!o->collect && argc - *args > 1)
        return cli_bad("sweep", "unexpected argument '%s' (one grid file; options start with --)", argv[*args + 1]);
    if (!o->collect && !o->list && !o->out)
        return cli_bad("sweep", "--out DIR is missing (allowed: a directory, created if missing)");
    return CLI_GO;
}

/* "I/N" with I < N into *i, *n. */
static int parse_chunk(const char *text, uint64_t *i, uint64_t *n)
{
    const char *slash = strchr(text, '/');
    char a[32];
    if (!slash || (size_t)(slash - text) >= sizeof a)
        return -1;
    snprintf(a, sizeof a, "%.*s", (int)(slash - text), text);
    return cli_parse_u64(a, 0, i) || cli_parse_u64(slash + 1, 0, n) || *n < 1 || *n > SWEEP_MAX_POINTS || *i >= *n
               ? -1
               : 0;
}

/* ---- the output directories -------------------------------------------------------------------------------------- */

/* A directory the sweep may create or use: an existing writable directory, or a path whose nearest existing
 * ancestor is a writable directory. Checked before anything is created; 0 or exit 2 after the message. */
static int check_dir(const char *opt, const char *path)
{
    struct stat st;
    char p[SWEEP_PATH];
    if (!*path)
        return cli_bad("sweep", "%s: the path is empty (allowed: a directory, created if missing)", opt);
    snprintf(p, sizeof p, "%s", path);
    while (stat(p, &st)) {
        if (errno != ENOENT)
            return cli_bad("sweep", "%s: '%s': %s", opt, p, strerror(errno));
        char *slash = strrchr(p, '/');
        while (slash && slash > p && slash[1] == '\0') /* trailing slashes */
            *slash = '\0', slash = strrchr(p, '/');
        if (!slash)
            snprintf(p, sizeof p, ".");
        else if (slash == p)
            p[1] = '\0';
        else
            *slash = '\0';
    }
    if (!S_ISDIR(st.st_mode))
        return cli_bad("sweep", "%s: '%s' is not a directory (allowed: a directory, created if missing)", opt, p);
    if (access(p, W_OK | X_OK))
        return cli_bad("sweep", "%s: directory '%s' is not writable (%s)", opt, p, strerror(errno));
    return 0;
}

/* mkdir -p; 0, or exit 1 after the message. */
static int make_dirs(const char *opt, const char *path)
{
    char p[SWEEP_PATH];
    snprintf(p, sizeof p, "%s", path);
    for (char *s = p + 1;; s++) {
        int end = *s == '\0';
        if (*s != '/' && !end)
            continue;
        *s = '\0';
        if (mkdir(p, 0777) && errno != EEXIST) {
            fprintf(stderr, "pimattn sweep: %s: cannot create '%s': %s\n", opt, p, strerror(errno));
            return 1;
        }
        if (end)
            return 0;
        *s = '/';
    }
}

static int results_check(const char *dir, const char *header)
{
    char err[2048];
    int rc = sweep_results_check(dir, header, err, sizeof err);
    if (rc)
        fprintf(stderr, "pimattn sweep: --out: %s\n", err);
    return rc;
}

/* ---- the modes ---------------------------------------------------------------------------------------------------- */

static int collect(const char *dir)
{
    char err[2048];
    uint64_t rows = 0;
    int tasks = 0, rc = sweep_collect(dir, &rows, &tasks, err, sizeof err);
    if (rc)
        return fprintf(stderr, "pimattn sweep: --collect: %s\n", err), rc;
    printf("pimattn sweep: collected %d task director%s into %s/results.csv and results.jsonl: %" PRIu64 " rows\n", tasks,
           tasks == 1 ? "y" : "ies", dir, rows);
    return 0;
}

/* The grid, its keys, the area table, the header and the paths every mode needs; 0 or an exit status. */
static int load(sweep_ctx *c, cmd_tables *t, const char *grid, const char *area)
{
    char err[4096];
    build_tables(t);
    if (sweep_grid_load(grid, t->cmd, 2, &c->g, err, sizeof err) || sweep_keys_distinct(&c->g, err, sizeof err))
        return cli_bad("sweep", "%s", err);
    if (area && !(c->area = sweep_area_load(area, err, sizeof err)))
        return cli_bad("sweep", "--area: %s", err);
    if (!(c->header = sweep_csv_header(&c->g, c->area)))
        return cli_bad("sweep", "out of memory");
    c->version = pimattn_version();
    ssize_t k = readlink("/proc/self/exe", c->exe, sizeof c->exe - 1);
    c->exe[k > 0 ? k : 0] = '\0';
    if (k <= 0)
        snprintf(c->exe, sizeof c->exe, "pimattn");
    if (!realpath(grid, c->grid_abs))
        snprintf(c->grid_abs, sizeof c->grid_abs, "%s", grid);
    if (!getcwd(c->cwd, sizeof c->cwd))
        return cli_bad("sweep", "the current directory: %s", strerror(errno));
    return 0;
}

/* --point I or --chunk I/N: the points and the task directory DIR/tasks/NAME; 0 or exit 2. */
static int task_range(const sweep_opts *o, const sweep_ctx *c, uint64_t *first, uint64_t *last, char *dir, size_t n)
{
    uint64_t i = 0, k = 0, p = c->g.npoints;
    if (o->point_given) {
        if (o->point >= p)
            return cli_bad("sweep", "--point: %" PRIu64 " is out of range (allowed: 0..%" PRIu64 ", the grid's points)",
                           o->point, p - 1);
        *first = o->point, *last = o->point + 1;
        snprintf(dir, n, "%s/tasks/%" PRIu64, o->out, o->point);
        return 0;
    }
    if (parse_chunk(o->chunk, &i, &k))
        return cli_bad("sweep", "--chunk: '%s' (allowed: I/N with 0 <= I < N <= %u)", o->chunk, SWEEP_MAX_POINTS);
    *first = i * p / k, *last = (i + 1) * p / k;
    snprintf(dir, n, "%s/tasks/%" PRIu64 "-of-%" PRIu64, o->out, i, k);
    return 0;
}

static int emit(const sweep_opts *o, const sweep_ctx *c)
{
    char out_abs[SWEEP_PATH];
    int st;
    if ((st = check_dir("--out", o->out)) || (st = check_dir("--emit-jobs", o->emit)) ||
        (st = results_check(o->out, c->header)) || (st = make_dirs("--out", o->out)) ||
        (st = make_dirs("--emit-jobs", o->emit)))
        return st;
    if (!realpath(o->out, out_abs))
        return fprintf(stderr, "pimattn sweep: --out: %s: %s\n", o->out, strerror(errno)), 1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return sweep_emit_jobs(c, o->emit, out_abs, o->tasks, o->max_running,
                           o->jobs_given ? (unsigned)o->jobs : cpus > 0 ? (unsigned)cpus : 1);
}

static int run_mode(const sweep_opts *o, const sweep_ctx *c)
{
    char dir[SWEEP_PATH], label[64] = "pimattn sweep", points[SWEEP_PATH + 16];
    uint64_t first = 0, last = c->g.npoints;
    int st, task = o->point_given || o->chunk;
    if (task && (st = task_range(o, c, &first, &last, dir, sizeof dir)))
        return st;
    if (!task)
        snprintf(dir, sizeof dir, "%s", o->out);
    if (task)
        snprintf(label, sizeof label, "pimattn sweep %s", dir + strlen(o->out) + 1);
    snprintf(points, sizeof points, "%s/points", dir);
    if ((st = check_dir("--out", o->out)) || (st = results_check(dir, c->header)) || (st = make_dirs("--out", points)))
        return st;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned jobs = o->jobs_given ? (unsigned)o->jobs : task ? 1 : cpus > 0 ? (unsigned)cpus : 1;
    return sweep_run_points(c, dir, first, last, jobs, label);
}

int cmd_sweep(int argc, char **argv)
{
    sweep_opts o;
    int args = 0, st = parse_opts(argc, argv, &o, &args);
    if (st != CLI_GO)
        return st;
    if (o.collect)
        return collect(o.collect);
    cmd_tables *t = calloc(1, sizeof *t);
    sweep_ctx *c = calloc(1, sizeof *c);
    if (!t || !c)
        st = cli_bad("sweep", "out of memory");
    else if (!(st = load(c, t, argv[args], o.area)))
        st = o.list ? (sweep_write_points(c, stdout) ? 1 : 0) : o.emit ? emit(&o, c) : run_mode(&o, c);
    if (c) {
        sweep_grid_free(&c->g);
        sweep_area_free(c->area);
        free(c->header);
    }
    free(c);
    free(t);
    return st;
}
