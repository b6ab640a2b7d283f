/* energy.c — the energy figure (plot_int.h, docs/plot.md): stacked bars of energy per token by part, one bar
 * per kept row of a run sweep (the attention's parts), two per row of a system sweep (GPU only, GPU+PIM: the
 * whole generation's parts), labelled by the values of the options that vary. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

static const char *const run_parts[] = {"dram_array", "column_path", "gemv_macs", "buffer_die_transfers", "softmax",
                                        NULL};
static const char *const run_names[] = {"DRAM array", "column path", "GEMV MACs", "buffer-die transfers", "softmax"};
static const char *const sys_parts[] = {"gpu_compute", "gpu_memory", "nvlink", "pim_dram", "pim_link", "dram_refresh",
                                        "static", NULL};
static const char *const sys_names[] = {"GPU compute", "GPU memory", "NVLink", "PIM DRAM", "GPU-PIM link",
                                        "DRAM refresh", "static"};

#define MAX_PARTS 7

/* The part columns of one system ("" for run, "gpu_" or "pim_"): 0 or an error. */
static int part_cols(const plot_table *t, const char *sys, int *col, int *np, char *err, size_t n)
{
    const char *const *part = *sys ? sys_parts : run_parts;
    char name[128];
    for (*np = 0; part[*np]; (*np)++) {
        snprintf(name, sizeof name, "%smj_per_token_%s", sys, part[*np]);
        if ((col[*np] = plot_col(t, name)) < 0)
            return PLOT_ERR(err, n, "--kind energy: %s has no column '%s' (allowed: the results of pimattn sweep)",
                            t->path, name);
    }
    return 0;
}

/* The bar's label: the varying options' values joined by '/', then the system; no quotes. */
static void bar_label(const plot_sel *s, int row, const char *sys, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < s->nvary && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? "/" : "", plot_cell(s->t, row, s->vary[i]));
    if (sys && k < n)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? " " : "", sys);
    if (!k)
        snprintf(buf, n, "one point");
    for (char *c = buf; *c; c++)
        if (*c == '"')
            *c = '\'';
}

/* One datablock line: "LABEL" and the parts. */
static void bar(FILE *f, const plot_sel *s, int row, const char *sys, const int *col, int np, size_t *longest)
{
    char label[1024];
    bar_label(s, row, sys, label, sizeof label);
    if (strlen(label) > *longest)
        *longest = strlen(label);
    fprintf(f, "\"%s\"", label);
    for (int j = 0; j < np; j++)
        fputc(' ', f), gp_num(f, plot_cell(s->t, row, col[j]));
    fputc('\n', f);
}

static void settings(FILE *f, const plot_sel *s, int system, size_t longest)
{
    fprintf(f, "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 border -1\n"
               "set boxwidth 0.7\nset key outside right top vertical noopaque nobox\nset offsets 0, 0, graph 0.05, 0\n"
               "set yrange [0:*]\n"
               "set ylabel 'energy per token, mJ'\nset xlabel '");
    for (int i = 0; i < s->nvary; i++)
        fprintf(f, "%s%s", i ? "/" : "", plot_cell(s->t, 0, s->vary[i]));
    fprintf(f, "%s'\n", !system ? "" : s->nvary ? " and the system" : "the system");
    if (longest > 8)
        fprintf(f, "set xtics rotate by 45 right\n");
}

int plot_kind_energy(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n)
{
    plot_sel s = {0};
    int system = !strcmp(t->cmd, "system"), col[2][MAX_PARTS], np = 0;
    int rc = part_cols(t, system ? "gpu_" : "", col[0], &np, err, n);
    if (!rc && system)
        rc = part_cols(t, "pim_", col[1], &np, err, n);
    if (!rc && !(rc = plot_select(t, r, &s, err, n)))
        rc = plot_group(&s, -1, NULL, "energy", err, n);
    info->rows = s.n, info->series = s.nseries, info->bars = s.n * (system ? 2 : 1);
    if (!rc && info->bars > PLOT_MAX_BARS)
        rc = PLOT_ERR(err, n, "--kind energy: %d bars (allowed: at most %d; narrow with --where COLUMN=VALUE)",
                      info->bars, PLOT_MAX_BARS);
    if (rc)
        return plot_sel_free(&s), rc;
    char *data = NULL;
    size_t len = 0, longest = 0;
    FILE *d = open_memstream(&data, &len);
    for (int i = 0; d && i < s.n; i++) {
        bar(d, &s, s.row[i], system ? "GPU" : NULL, col[0], np, &longest);
        if (system)
            bar(d, &s, s.row[i], "GPU+PIM", col[1], np, &longest);
    }
    if (!d || fclose(d) || !data)
        return free(data), plot_sel_free(&s), snprintf(err, n, "out of memory"), PLOT_EIO;
    gp_preamble(f, t, r, info, system ? "Energy per token by part (the whole generation)"
                                      : "Attention energy per token by part (one decode step)");
    settings(f, &s, system, longest);
    fprintf(f, "\n# $d1: one bar per line: its label, then the parts %s ... %s of %s\n$d1 << EOD\n%sEOD\n",
            system ? sys_parts[0] : run_parts[0], system ? sys_parts[np - 1] : run_parts[np - 1],
            system ? "gpu_mj_per_token_* (GPU bars) or pim_mj_per_token_* (GPU+PIM bars)" : "mj_per_token_*", data);
    free(data);
    plot_sel_free(&s);
    char *buf = NULL;
    FILE *p = open_memstream(&buf, &len);
    for (int j = 0; p && j < np; j++) {
        fprintf(p, j ? ", \\\n     $d1 using %d title " : "plot $d1 using %d:xtic(1) title ", j + 2);
        gp_str(p, system ? sys_names[j] : run_names[j]);
    }
    if (!p || fclose(p) || !buf)
        return free(buf), snprintf(err, n, "out of memory"), PLOT_EIO;
    gp_outputs(f, buf);
    free(buf);
    return 0;
}
