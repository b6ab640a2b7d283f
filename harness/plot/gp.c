/* gp.c — the gnuplot script's shared parts (plot_int.h): quoting, numbers, series names, the header and
 * terminals, datablocks, the two outputs; and plot_script (plot.h), which hands the script to its kind. */
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

#define TERM_SIZE "size 1200,650"

void gp_str(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', f);
        fputc(*s, f);
    }
    fputc('\'', f);
}

void gp_num(FILE *f, const char *cell)
{
    double v;
    if (plot_num(cell, &v))
        fputs("NaN", f);
    else
        fprintf(f, "%.10g", v);
}

const char *gp_series_name(const plot_sel *s, int series, int bare_gemv, char *buf, size_t n)
{
    size_t k = 0;
    int row = s->row[s->first[series]];
    buf[0] = '\0';
    for (int i = 0; i < s->nvary && k < n; i++) {
        const char *name = plot_cell(s->t, 0, s->vary[i]), *v = plot_cell(s->t, row, s->vary[i]);
        if (bare_gemv && !strcmp(name, "gemv"))
            k += (size_t)snprintf(buf + k, n - k, "%s%s", k ? " " : "", v);
        else
            k += (size_t)snprintf(buf + k, n - k, "%s%s=%s", k ? " " : "", name, v);
    }
    return buf;
}

void gp_preamble(FILE *f, const plot_table *t, const plot_req *r, const plot_info *info, const char *title)
{
    const char *kind = plot_kind_names[r->kind];
    fprintf(f, "# The figure '%s' of a pimattn sweep (docs/plot.md), written by\n#   %s\n", kind, r->made_by);
    fprintf(f, "# from %s (a %s sweep): %d ok row%s", t->path, t->cmd, info->rows, info->rows == 1 ? "" : "s");
    if (info->bars)
        fprintf(f, ", %d bars.\n", info->bars);
    else
        fprintf(f, " in %d series.\n", info->series);
    fprintf(f, "# Redraw the images: in this file's directory, gnuplot %s (writes %s and %s).\n", r->gp, r->png, r->svg);
    fprintf(f, 
               "# Restyle by editing the settings and the plot command; the data are the datablocks $d1, ... (numbers\n"
               "# as in results.csv, NaN for an empty cell). gnuplot -e \"png_out='a.png'; svg_out='a.svg'\" renames\n"
               "# the outputs.\n");
    fprintf(f, "if (!exists(\"png_out\")) png_out = ");
    gp_str(f, r->png);
    fprintf(f, "\nif (!exists(\"svg_out\")) svg_out = ");
    gp_str(f, r->svg);
    fprintf(f, "\nif (strstrt(' '.GPVAL_TERMINALS.' ', ' pngcairo ') > 0) {\n"
               "    set terminal pngcairo noenhanced " TERM_SIZE " font 'sans,11'\n"
               "} else {\n"
               "    set terminal png noenhanced " TERM_SIZE "\n"
               "}\n"
               "set encoding utf8\nset grid\nset key outside right top vertical nobox\n"
               "set offsets graph 0.04, graph 0.04, graph 0.08, 0\n");
    fprintf(f, "set title ");
    gp_str(f, r->title ? r->title : title);
    fputc('\n', f);
}

void gp_outputs(FILE *f, const char *plot)
{
    fprintf(f, "\nset output png_out\n%s\n"
               "set terminal svg noenhanced " TERM_SIZE " font 'sans,11' background rgb 'white'\n"
               "set output svg_out\nreplot\nunset output\n", plot);
}

void gp_series_block(FILE *f, const plot_sel *s, int series, const int *ycol, int ny)
{
    char name[1024];
    fprintf(f, "\n# $d%d: %s; columns:", series + 1, s->nseries > 1 ? gp_series_name(s, series, 0, name, sizeof name)
                                                                     : "all rows");
    fprintf(f, " %s", plot_cell(s->t, 0, s->xcol));
    for (int j = 0; j < ny; j++)
        fprintf(f, " %s", plot_cell(s->t, 0, ycol[j]));
    fprintf(f, "\n$d%d << EOD\n", series + 1);
    for (int i = s->first[series]; i < s->first[series + 1]; i++) {
        gp_num(f, plot_cell(s->t, s->row[i], s->xcol));
        for (int j = 0; j < ny; j++)
            fputc(' ', f), gp_num(f, plot_cell(s->t, s->row[i], ycol[j]));
        fputc('\n', f);
    }
    fprintf(f, "EOD\n");
}

int plot_script(const plot_table *t, const plot_req *r, char **script, plot_info *info, char *err, size_t n)
{
    static int (*const kind[PLOT_NKINDS])(const plot_table *, const plot_req *, FILE *, plot_info *, char *,
                                          size_t) = {plot_kind_speedup, plot_kind_latency, plot_kind_bandwidth,
                                                     plot_kind_energy, plot_kind_efficiency};
    size_t len = 0;
    *script = NULL;
    memset(info, 0, sizeof *info);
    if ((unsigned)r->kind >= PLOT_NKINDS)
        return PLOT_ERR(err, n, "--kind: %d is not a kind", (int)r->kind);
    FILE *f = open_memstream(script, &len);
    if (!f)
        return snprintf(err, n, "out of memory"), PLOT_EIO;
    int rc = kind[r->kind](t, r, f, info, err, n);
    if ((fclose(f) || !*script) && !rc)
        rc = (snprintf(err, n, "out of memory"), PLOT_EIO);
    if (rc) {
        free(*script);
        *script = NULL;
    }
    return rc;
}
