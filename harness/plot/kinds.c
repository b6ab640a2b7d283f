/* kinds.c — the line plots (plot_int.h, docs/plot.md): speedup and latency of a system sweep against the batch,
 * useful bandwidth and bank unit area of a run sweep against the unit's rows G, schedule efficiency against
 * the context length. Each: the rows and series (select.c), the settings, one datablock per series, the plot
 * command for both outputs. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

/* The kind's command: "--kind K: PATH is a run sweep (allowed: a system sweep)". */
static int need_cmd(const plot_table *t, const plot_req *r, const char *cmd, char *err, size_t n)
{
    if (!strcmp(t->cmd, cmd))
        return 0;
    return PLOT_ERR(err, n, "--kind %s: %s is a %s sweep (allowed: a %s sweep)", plot_kind_names[r->kind], t->path,
                    t->cmd, cmd);
}

/* A column the kind needs (always there in a checked table, except area columns). */
static int need_col(const plot_table *t, const char *name, int *c, char *err, size_t n)
{
    if ((*c = plot_col(t, name)) >= 0)
        return 0;
    return PLOT_ERR(err, n, "%s: no column '%s' (allowed: the results of pimattn sweep)", t->path, name);
}

/* Every kept row's x is a number. */
static int x_numbers(const plot_sel *s, const char *kind, char *err, size_t n)
{
    double v;
    for (int i = 0; i < s->n; i++) {
        const char *x = plot_cell(s->t, s->row[i], s->xcol);
        if (strchr(x, ','))
            return PLOT_ERR(err, n, "--kind %s: row %s: %s is '%s', a list (allowed: one number per point)", kind,
                            plot_cell(s->t, s->row[i], 0), plot_cell(s->t, 0, s->xcol), x);
        if (plot_num(x, &v))
            return PLOT_ERR(err, n, "--kind %s: row %s: %s is '%s' (allowed: a number)", kind,
                            plot_cell(s->t, s->row[i], 0), plot_cell(s->t, 0, s->xcol),
                            plot_cell(s->t, s->row[i], s->xcol));
    }
    return 0;
}

/* The rows, the series over the options other than x and skip, x numeric. */
static int rows_and_series(const plot_table *t, const plot_req *r, plot_sel *s, int xcol, const int *skip,
                           plot_info *info, char *err, size_t n)
{
    const char *kind = plot_kind_names[r->kind];
    int rc = plot_select(t, r, s, err, n);
    if (!rc)
        rc = plot_group(s, xcol, skip, kind, err, n);
    if (!rc)
        rc = x_numbers(s, kind, err, n);
    info->rows = s->n, info->series = s->nseries;
    return rc;
}

/* The x of speedup and latency: the batch option when it is one and numeric, else the figure pim_batch. */
static int batch_x(const plot_table *t, const plot_req *r, plot_sel *s, int *skip, plot_info *info, char *err,
                   size_t n)
{
    int b = plot_col(t, "batch"), rc = plot_select(t, r, s, err, n);
    double v;
    if (rc)
        return rc;
    int opt = b >= t->opt0 && b < t->opt0 + t->nopt;
    for (int i = 0; opt && i < s->n; i++)
        opt = !plot_num(plot_cell(t, s->row[i], b), &v);
    skip[0] = opt ? -1 : b, skip[1] = -1;
    plot_sel_free(s);
    return rows_and_series(t, r, s, opt ? b : plot_col(t, "pim_batch"), skip, info, err, n);
}

/* "plot " before the first term, ", \" between terms. */
static void term(FILE *p, int *k) { fputs((*k)++ ? ", \\\n     " : "plot ", p); }

/* A legend title: the series name, with what before and after it; alone when there is one series. */
static void title(FILE *p, const plot_sel *s, int q, int bare_gemv, const char *alone, const char *suffix)
{
    char name[1024], t[1200];
    if (s->nseries == 1)
        snprintf(t, sizeof t, "%s", alone);
    else
        snprintf(t, sizeof t, "%s%s", gp_series_name(s, q, bare_gemv, name, sizeof name), suffix);
    fputs(" title ", p);
    gp_str(p, t);
}

/* Two curves per series from columns 2 and 3 of its datablock: solid points (the first y), and the second y
 * styled by style2 (e.g. "axes x1y2 with linespoints dt 2 lw 2 pt 5"); legend titles as title() gives them. */
typedef struct curve_titles {
    const char *alone1, *suffix1, *alone2, *suffix2;
} curve_titles;

static void two_curves(FILE *p, int *k, const plot_sel *s, int bare_gemv, const char *style2, const curve_titles *ct)
{
    for (int q = 0; q < s->nseries; q++) {
        term(p, k);
        fprintf(p, "$d%d using 1:2 with linespoints lw 2 pt 7 lc %d", q + 1, q + 1);
        title(p, s, q, bare_gemv, ct->alone1, ct->suffix1);
        term(p, k);
        fprintf(p, "$d%d using 1:3 %s lc %d", q + 1, style2, q + 1);
        title(p, s, q, bare_gemv, ct->alone2, ct->suffix2);
    }
}

/* The plot command in *buf (from open_memstream) written out for both outputs. */
static int finish(FILE *f, FILE *p, char **buf, char *err, size_t n)
{
    if (fclose(p) || !*buf)
        return free(*buf), snprintf(err, n, "out of memory"), PLOT_EIO;
    gp_outputs(f, *buf);
    free(*buf);
    return 0;
}

static void batch_axis(FILE *f, const plot_table *t, const plot_sel *s)
{
    fprintf(f, "set logscale x 2\nset xlabel '%s'\n", s->xcol == plot_col(t, "batch")
                                                         ? "batch (requests per replica)"
                                                         : "batch of the GPU+PIM system (requests per replica)");
}

int plot_kind_speedup(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n)
{
    plot_sel s = {0};
    int skip[2], y, rc = need_cmd(t, r, "system", err, n);
    if (rc || (rc = need_col(t, "gain_decode_tokens_per_s", &y, err, n)) ||
        (rc = batch_x(t, r, &s, skip, info, err, n)))
        return plot_sel_free(&s), rc;
    gp_preamble(f, t, r, info, "Decode throughput with PIM");
    batch_axis(f, t, &s);
    fprintf(f, "set ylabel 'decode throughput, GPU+PIM / GPU only (×)'\nset yrange [0:*]\n");
    for (int q = 0; q < s.nseries; q++)
        gp_series_block(f, &s, q, &y, 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *p = open_memstream(&buf, &len);
    int k = 0;
    for (int q = 0; p && q < s.nseries; q++) {
        term(p, &k);
        fprintf(p, "$d%d using 1:2 with linespoints lw 2 pt 7 lc %d", q + 1, q + 1);
        title(p, &s, q, 0, "GPU+PIM / GPU only", "");
    }
    if (p)
        term(p, &k), fprintf(p, "1 with lines dt 2 lw 1.5 lc rgb 'black' title 'no gain (1×)'");
    plot_sel_free(&s);
    return p ? finish(f, p, &buf, err, n) : (snprintf(err, n, "out of memory"), PLOT_EIO);
}

/* The SLO lines: --slo-ms, else the results' slo-ms option values. */
static int slo_lines(const plot_table *t, const plot_req *r, const plot_sel *s, double *slo, int *nslo, char *err,
                     size_t n)
{
    int c = plot_col(t, "slo-ms");
    memcpy(slo, r->slo_ms, (size_t)r->nslo * sizeof *slo);
    *nslo = r->nslo;
    if (*nslo)
        return 0;
    if (c < t->opt0 || c >= t->opt0 + t->nopt)
        return PLOT_ERR(err, n, "--kind latency: give --slo-ms T (the SLO line; %s has no slo-ms option column)",
                        t->path);
    for (int i = 0; i < s->n && *nslo < PLOT_MAX_SLO; i++) {
        double v;
        int seen = plot_num(plot_cell(t, s->row[i], c), &v);
        for (int j = 0; j < *nslo && !seen; j++)
            seen = slo[j] == v;
        if (!seen)
            slo[(*nslo)++] = v;
    }
    return 0;
}

int plot_kind_latency(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n)
{
    plot_sel s = {0};
    double slo[PLOT_MAX_SLO];
    int skip[2], y[2], nslo = 0, rc = need_cmd(t, r, "system", err, n);
    if (rc || (rc = need_col(t, "gpu_per_token_ms", &y[0], err, n)) ||
        (rc = need_col(t, "pim_per_token_ms", &y[1], err, n)) || (rc = batch_x(t, r, &s, skip, info, err, n)) ||
        (rc = slo_lines(t, r, &s, slo, &nslo, err, n)))
        return plot_sel_free(&s), rc;
    gp_preamble(f, t, r, info, "Per-token latency, GPU only and GPU+PIM");
    batch_axis(f, t, &s);
    fprintf(f, "set ylabel 'per-token latency, ms'\nset yrange [0:*]\n");
    for (int q = 0; q < s.nseries; q++)
        gp_series_block(f, &s, q, y, 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *p = open_memstream(&buf, &len);
    int k = 0;
    for (int q = 0; p && q < s.nseries; q++) {
        term(p, &k);
        fprintf(p, "$d%d using 1:2 with linespoints dt 2 lw 2 pt 6 lc %d", q + 1, q + 1);
        title(p, &s, q, 0, "GPU only", ", GPU only");
        term(p, &k);
        fprintf(p, "$d%d using 1:3 with linespoints dt 1 lw 2 pt 7 lc %d", q + 1, q + 1);
        title(p, &s, q, 0, "GPU+PIM", ", GPU+PIM");
    }
    for (int j = 0; p && j < nslo; j++)
        term(p, &k), fprintf(p, "%.10g with lines dt %d lw 1.5 lc rgb 'red' title 'SLO %g ms'", slo[j], 3 + j % 3,
                             slo[j]);
    plot_sel_free(&s);
    return p ? finish(f, p, &buf, err, n) : (snprintf(err, n, "out of memory"), PLOT_EIO);
}

/* The area column has a value in some kept row. */
static int area_given(const plot_sel *s, int c)
{
    for (int i = 0; c >= 0 && i < s->n; i++)
        if (*plot_cell(s->t, s->row[i], c))
            return 1;
    return 0;
}

int plot_kind_bandwidth(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n)
{
    plot_sel s = {0};
    int y[2], x, skip[2] = {plot_col(t, "group"), -1}, rc = need_cmd(t, r, "run", err, n);
    y[1] = plot_col(t, "dram_bank_area_um2");
    if (rc || (rc = need_col(t, "useful_gbs", &y[0], err, n)) || (rc = need_col(t, "gemv_group", &x, err, n)) ||
        (rc = rows_and_series(t, r, &s, x, skip, info, err, n)))
        return plot_sel_free(&s), rc;
    if (!area_given(&s, y[1]))
        return plot_sel_free(&s), PLOT_ERR(err, n, "--kind bandwidth-area: no area columns; run the sweep with --area "
                                                   "build/area/area.csv (make area)");
    gp_preamble(f, t, r, info, "Useful bandwidth and bank unit area");
    fprintf(f, "set logscale x 2\nset xlabel 'GEMV unit rows G (query heads per K/V burst; the tree unit: 1)'\n"
               "set ylabel 'useful bandwidth, GB/s'\nset y2label 'bank unit area, µm² (DRAM process)'\n"
               "set ytics nomirror\nset y2tics\nset yrange [0:*]\nset y2range [0:*]\n");
    for (int q = 0; q < s.nseries; q++)
        gp_series_block(f, &s, q, y, 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *p = open_memstream(&buf, &len);
    int k = 0;
    if (p)
        two_curves(p, &k, &s, 1, "axes x1y2 with linespoints dt 2 lw 2 pt 5",
                   &(curve_titles){"useful bandwidth", "", "bank unit area", " area"});
    plot_sel_free(&s);
    return p ? finish(f, p, &buf, err, n) : (snprintf(err, n, "out of memory"), PLOT_EIO);
}

/* ctx: an option column, one length per point. */
static int ctx_x(const plot_table *t, const plot_req *r, int *c, char *err, size_t n)
{
    *c = plot_col(t, "ctx");
    if (*c >= t->opt0 && *c < t->opt0 + t->nopt)
        return 0;
    return PLOT_ERR(err, n, "--kind %s: %s has no ctx option column (allowed: a run sweep whose grid sets ctx)",
                    plot_kind_names[r->kind], t->path);
}

/* The distinct row-switch ceilings of the kept rows. */
static int ceilings(const plot_sel *s, int c, double *v, int max)
{
    int k = 0;
    for (int i = 0; i < s->n && k < max; i++) {
        double x;
        int seen = plot_num(plot_cell(s->t, s->row[i], c), &x);
        for (int j = 0; j < k && !seen; j++)
            seen = v[j] == x;
        if (!seen)
            v[k++] = x;
    }
    return k;
}

int plot_kind_efficiency(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n)
{
    plot_sel s = {0};
    double ceil[16];
    int y[2], x, ceilc, rc = need_cmd(t, r, "run", err, n);
    if (rc || (rc = need_col(t, "pct_peak", &y[0], err, n)) || (rc = need_col(t, "pct_dpath", &y[1], err, n)) ||
        (rc = need_col(t, "row_ceiling_pct", &ceilc, err, n)) || (rc = ctx_x(t, r, &x, err, n)) ||
        (rc = rows_and_series(t, r, &s, x, NULL, info, err, n)))
        return plot_sel_free(&s), rc;
    int nceil = ceilings(&s, ceilc, ceil, 16);
    gp_preamble(f, t, r, info, "Schedule efficiency against the all-bank MAC bound");
    fprintf(f, "set logscale x 2\nset xlabel 'context length, tokens'\nset ylabel '%% of the all-bank MAC peak'\n"
               "set yrange [0:*]\n");
    for (int q = 0; q < s.nseries; q++)
        gp_series_block(f, &s, q, y, 2);
    char *buf = NULL;
    size_t len = 0;
    FILE *p = open_memstream(&buf, &len);
    int k = 0;
    if (p)
        two_curves(p, &k, &s, 0, "with linespoints dt 3 lw 2 pt 1",
                   &(curve_titles){"% of peak", "", "data path share, %", ", data path share, %"});
    if (p)
        term(p, &k), fprintf(p, "100 with lines dt 2 lw 1.5 lc rgb 'black' title 'MAC bound'");
    for (int j = 0; p && j < nceil; j++) {
        term(p, &k);
        fprintf(p, "%.10g with lines dt 4 lw 1.5 lc rgb 'gray40' title ", ceil[j]);
        char tt[64];
        snprintf(tt, sizeof tt, nceil > 1 ? "row-switch ceiling %.4g %%" : "row-switch ceiling", ceil[j]);
        gp_str(p, tt);
    }
    plot_sel_free(&s);
    return p ? finish(f, p, &buf, err, n) : (snprintf(err, n, "out of memory"), PLOT_EIO);
}
