/* pimattn plot: a figure of a sweep's results (docs/plot.md) as a gnuplot script, a PNG and an SVG. The plot
 * module (plot.h) reads DIR/results.csv and writes the script; this file: the options, the outputs (outfile.h:
 * checked before gnuplot runs, replaced whole only when it succeeded) and running gnuplot on the script. */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cmd.h"
#include "outfile.h"
#include "plot.h"
#include "sweep.h"

extern char **environ;

#define PLOT_PATH 4096

static const char *plot_help =
    "usage: pimattn plot DIR --kind KIND [--out PREFIX] [--where COLUMN=VALUE]... [--slo-ms T]... [--title TEXT]\n"
    "Draws a figure of the ok rows of DIR/results.csv, the results of `pimattn sweep GRID --out DIR`: writes the\n"
    "gnuplot script PREFIX.gp (its data inline, so `gnuplot KIND.gp` in its directory redraws both images after\n"
    "you restyle it) and runs gnuplot on it for PREFIX.png and PREFIX.svg. A series is each combination of the\n"
    "options that vary among the rows (other than x); its legend names them, e.g. model=llama2-70b gemv=systolic.\n"
    "  --kind KIND        the figure (docs/plot.md):\n"
    "                     speedup         system sweep: decode throughput GPU+PIM / GPU only against the batch\n"
    "                     latency         system sweep: per-token latency of both systems against the batch,\n"
    "                                     with SLO lines\n"
    "                     bandwidth-area  run sweep with --area: useful bandwidth and the bank unit's area\n"
    "                                     against its rows G\n"
    "                     energy          run or system sweep: energy per token by part, stacked bars per row\n"
    "                     efficiency      run sweep over ctx: % of the MAC peak and the data path share\n"
    "                                     against the context length, the MAC bound and the row-switch ceiling\n"
    "  --out PREFIX       the outputs' path without .gp, .png, .svg [DIR/plots/KIND; DIR/plots created]\n"
    "  --where C=V        only rows whose option column C is V (text, exactly); repeatable, all must hold\n"
    "  --slo-ms T         latency: an SLO line at T ms (repeatable) [the results' slo-ms option values]\n"
    "  --title TEXT       the figure's title [the kind's]\n"
    "  --help             this text\n"
    "The figures need gnuplot (gnuplot-nox; PIMATTN_GNUPLOT=PATH runs another binary).\n"
    "Exit status: 0 written, 1 gnuplot missing or failing or a file could not be written (the old files stay),\n"
    "2 bad input (nothing is created or changed).\n";

typedef struct plot_opts {
    const char *dir, *out, *title;
    int kind, kind_given;
    cli_list where, slo;
} plot_opts;

static int parse_opts(int argc, char **argv, plot_opts *o, plot_req *r)
{
    int args = 0;
    *o = (plot_opts){.kind = 0};
    const cli_opt opts[] = {
        {.name = "kind", .kind = CLI_CHOICE, .dst = &o->kind, .words = plot_kind_names, .given = &o->kind_given},
        CLI_OPT_STR("out", &o->out),
        CLI_OPT_LIST("where", &o->where),
        CLI_OPT_LIST("slo-ms", &o->slo),
        CLI_OPT_STR("title", &o->title),
    };
    int st = cli_options("plot", plot_help, opts, CLI_NOPTS(opts), argc, argv, &args);
    if (st != CLI_GO)
        return st;
    if (args == argc)
        return cli_bad("plot", "missing the results directory (usage: pimattn plot DIR --kind KIND; see --help)");
    if (argc - args > 1)
        return cli_bad("plot", "unexpected argument '%s' (one results directory; options start with --)", argv[args + 1]);
    char *d = argv[args];
    for (size_t l = strlen(d); l > 1 && d[l - 1] == '/'; l--) /* DIR/ names the same files as DIR */
        d[l - 1] = '\0';
    o->dir = d;
    if (!o->kind_given)
        return cli_bad("plot", "--kind KIND is missing (allowed: speedup, latency, bandwidth-area, energy, efficiency)");
    if (o->slo.n && o->kind != PLOT_LATENCY)
        return cli_bad("plot", "--slo-ms applies to --kind latency (its SLO lines)");
    if (o->out && !*o->out)
        return cli_bad("plot", "--out: the path is empty (allowed: a path prefix, e.g. figs/speedup)");
    *r = (plot_req){.kind = (plot_kind)o->kind, .title = o->title, .nwhere = o->where.n, .nslo = o->slo.n};
    memcpy(r->where, o->where.v, (size_t)o->where.n * sizeof *o->where.v);
    for (int i = 0; i < o->slo.n; i++) {
        char *end;
        double v = strtod(o->slo.v[i], &end);
        if (*end || end == o->slo.v[i] || !isfinite(v) || v <= 0)
            return cli_bad("plot", "--slo-ms: '%s' (allowed: a positive number of milliseconds)", o->slo.v[i]);
        r->slo_ms[i] = v;
    }
    return CLI_GO;
}

/* The command line, shell-quoted, and the version: the script's "written by". */
static void made_by(int argc, char **argv, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "pimattn");
    char q[PLOT_PATH];
    for (int i = 0; i < argc && k < n; i++) {
        const char *w = sweep_shell_quote(argv[i], q, sizeof q);
        k += (size_t)snprintf(buf + k, n - k, " %s", w ? w : "...");
    }
    if (k < n)
        snprintf(buf + k, n - k, "   (pimattn %s)", pimattn_version());
}

/* ---- the outputs ------------------------------------------------------------------------------------------ */

typedef struct plot_files {
    char plots[PLOT_PATH + 16], prefix[PLOT_PATH + 64], gp[PLOT_PATH + 80], png[PLOT_PATH + 80], svg[PLOT_PATH + 80];
    char gp_base[PLOT_PATH + 80], png_base[PLOT_PATH + 80], svg_base[PLOT_PATH + 80];
    int made_plots; /* DIR/plots created here (removed again when the command fails) */
} plot_files;

/* The outputs' paths; 0, or exit 2 for a path too long. */
static int file_names(const plot_opts *o, plot_files *p)
{
    if (strlen(o->dir) >= PLOT_PATH || (o->out && strlen(o->out) >= PLOT_PATH))
        return cli_bad("plot", "%s: the path is too long (allowed: at most %d bytes)", o->out ? "--out" : "DIR",
                       PLOT_PATH - 1);
    snprintf(p->plots, sizeof p->plots, "%s/plots", o->dir);
    if (o->out)
        snprintf(p->prefix, sizeof p->prefix, "%s", o->out);
    else
        snprintf(p->prefix, sizeof p->prefix, "%s/%s", p->plots, plot_kind_names[o->kind]);
    snprintf(p->gp, sizeof p->gp, "%s.gp", p->prefix);
    snprintf(p->png, sizeof p->png, "%s.png", p->prefix);
    snprintf(p->svg, sizeof p->svg, "%s.svg", p->prefix);
    const char *slash = strrchr(p->prefix, '/'), *base = slash ? slash + 1 : p->prefix;
    snprintf(p->gp_base, sizeof p->gp_base, "%s.gp", base);
    snprintf(p->png_base, sizeof p->png_base, "%s.png", base);
    snprintf(p->svg_base, sizeof p->svg_base, "%s.svg", base);
    return 0;
}

/* DIR/plots for the default prefix, created when DIR is a writable directory (out_check says the rest). */
static void plots_dir(const plot_opts *o, plot_files *p)
{
    struct stat st;
    if (o->out || !stat(p->plots, &st) || stat(o->dir, &st) || !S_ISDIR(st.st_mode) || access(o->dir, W_OK | X_OK))
        return;
    p->made_plots = mkdir(p->plots, 0777) == 0;
}

/* ---- gnuplot ----------------------------------------------------------------------------------------------- */

/* The line of gnuplot's output that says what went wrong: the first with "line N:", else the first not blank. */
static void first_error(FILE *e, char *msg, size_t n)
{
    char line[1024];
    msg[0] = '\0';
    rewind(e);
    while (fgets(line, sizeof line, e)) {
        line[strcspn(line, "\n")] = '\0';
        char *at = strstr(line, "\" line "), *s = line + strspn(line, " \t");
        if (at)
            snprintf(msg, n, "script %s", at + 2);
        else if (!msg[0] && *s && strspn(s, " ^") != strlen(s))
            snprintf(msg, n, "%s", s);
        if (at)
            return;
    }
}

/* "png_out='A'; svg_out='B'" with quotes doubled. */
static void out_vars(const char *png, const char *svg, char *buf, size_t n)
{
    size_t k = 0;
    const char *name[2] = {"png_out", "svg_out"}, *val[2] = {png, svg};
    for (int i = 0; i < 2 && k + 1 < n; i++) {
        k += (size_t)snprintf(buf + k, n - k, "%s%s='", i ? "; " : "", name[i]);
        for (const char *c = val[i]; *c && k + 3 < n; c++) {
            if (*c == '\'')
                buf[k++] = '\'';
            buf[k++] = *c;
        }
        k += (size_t)snprintf(buf + k, n - k, "'");
    }
}

/* gnuplot -e VARS /dev/stdin with the script on standard input; 0, or 1 after the message. */
static int run_gnuplot(const char *script, const char *png, const char *svg)
{
    const char *prog = getenv("PIMATTN_GNUPLOT") && *getenv("PIMATTN_GNUPLOT") ? getenv("PIMATTN_GNUPLOT") : "gnuplot";
    char vars[3 * PLOT_PATH], msg[1024];
    out_vars(png, svg, vars, sizeof vars);
    FILE *in = tmpfile(), *err = tmpfile();
    if (!in || !err || fputs(script, in) == EOF || fflush(in) || fseek(in, 0, SEEK_SET)) {
        fprintf(stderr, "pimattn plot: a temporary file for gnuplot: %s\n", strerror(errno));
        if (in)
            fclose(in);
        if (err)
            fclose(err);
        return 1;
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fileno(in), 0);
    posix_spawn_file_actions_adddup2(&fa, fileno(err), 1);
    posix_spawn_file_actions_adddup2(&fa, fileno(err), 2);
    char *argv[] = {(char *)prog, "-e", vars, "/dev/stdin", NULL};
    pid_t pid;
    int e = posix_spawnp(&pid, prog, &fa, NULL, argv, environ), st = 0;
    posix_spawn_file_actions_destroy(&fa);
    fclose(in);
    if (e) {
        fclose(err);
        fprintf(stderr, "pimattn plot: %s: %s (allowed: gnuplot installed, e.g. apt-get install gnuplot-nox, or "
                        "PIMATTN_GNUPLOT=PATH)\n", prog, strerror(e));
        return 1;
    }
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    first_error(err, msg, sizeof msg);
    fclose(err);
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (!msg[0])
        snprintf(msg, sizeof msg, WIFEXITED(st) ? "exit status %d" : "killed by signal %d",
                 WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    fprintf(stderr, "pimattn plot: %s: %s\n", prog, msg);
    return 1;
}

/* ---- the command --------------------------------------------------------------------------------------------- */

/* The script into o_gp, gnuplot into the images' temporaries, then all three renamed over their targets. */
static int write_all(const char *script, out_file *gp, out_file *png, out_file *svg)
{
    char err[2048] = "";
    const char *tp = out_path(png, err, sizeof err), *ts = tp ? out_path(svg, err, sizeof err) : NULL;
    if (!tp || !ts)
        return fprintf(stderr, "pimattn plot: %s\n", err), 1;
    int st = run_gnuplot(script, tp, ts);
    struct stat a, b;
    if (!st && (stat(tp, &a) || stat(ts, &b) || !a.st_size || !b.st_size))
        st = (fprintf(stderr, "pimattn plot: gnuplot wrote no %s\n", stat(tp, &a) || !a.st_size ? "PNG" : "SVG"), 1);
    if (st)
        return st;
    FILE *f = out_open(gp, err, sizeof err);
    if (!f || out_write_all(f, script, strlen(script)) || out_commit(gp, err, sizeof err) ||
        out_commit(png, err, sizeof err) || out_commit(svg, err, sizeof err)) {
        if (!err[0])
            snprintf(err, sizeof err, "%s: %s: cannot write", out_option(gp), out_target(gp));
        return fprintf(stderr, "pimattn plot: %s\n", err), 1;
    }
    return 0;
}

/* Outputs checked, gnuplot run, files committed; 0 or an exit status. */
static int outputs(const plot_opts *o, plot_files *p, const char *results, const char *script)
{
    char err[2048];
    plots_dir(o, p);
    out_set *s = out_set_new();
    if (!s)
        return fprintf(stderr, "pimattn plot: out of memory\n"), 1;
    out_file *gp = out_add(s, "--out", p->gp), *png = out_add(s, "--out", p->png), *svg = out_add(s, "--out", p->svg);
    out_add_input(s, "DIR", results);
    int st = out_check(s, err, sizeof err) ? cli_bad("plot", "%s", err) : write_all(script, gp, png, svg);
    out_set_free(s);
    if (st && p->made_plots) /* empty again: no output was committed */
        rmdir(p->plots);
    return st;
}

int cmd_plot(int argc, char **argv)
{
    plot_opts o;
    plot_req r;
    plot_files p = {0};
    plot_table t;
    plot_info info;
    char err[4096], results[PLOT_PATH + 16], by[8192], *script = NULL;
    int st = parse_opts(argc, argv, &o, &r);
    if (st != CLI_GO)
        return st;
    if ((st = file_names(&o, &p)))
        return st;
    made_by(argc, argv, by, sizeof by);
    r.gp = p.gp_base, r.png = p.png_base, r.svg = p.svg_base, r.made_by = by;
    snprintf(results, sizeof results, "%s/results.csv", o.dir);
    if ((st = plot_table_load(results, &t, err, sizeof err)))
        return fprintf(stderr, "pimattn plot: %s\n", err), st;
    if ((st = plot_script(&t, &r, &script, &info, err, sizeof err)))
        fprintf(stderr, "pimattn plot: %s\n", err);
    else if (!(st = outputs(&o, &p, results, script)))
        printf("pimattn plot: wrote %s.gp, .png and .svg: %s, %d ok row%s, %d %s\n", p.prefix,
               plot_kind_names[r.kind], info.rows, info.rows == 1 ? "" : "s", info.bars ? info.bars : info.series,
               info.bars ? "bars" : "series");
    free(script);
    plot_table_free(&t);
    return st;
}
