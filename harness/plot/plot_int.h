/* plot_int.h — private to harness/plot/: the rows a plot keeps and their series (select.c), the gnuplot text
 * helpers (gp.c) and the kinds' scripts (kinds.c). */
#ifndef PIMATTN_PLOT_INT_H
#define PIMATTN_PLOT_INT_H

#include <stdio.h>

#include "plot.h"

#define PLOT_ERR(err, n, ...) (snprintf((err), (n), __VA_ARGS__), PLOT_EBAD)

/* The kept rows, ordered by series, then x; series s is rows first[s] .. first[s + 1] - 1. */
typedef struct plot_sel {
    const plot_table *t;
    int *row;               /* table rows (1..nrow) */
    int n;
    int vary[PLOT_MAX_COLS]; /* the option columns that name a series */
    int nvary;
    int xcol;               /* the x column, or -1 (energy: one bar per row) */
    int *first;             /* nseries + 1 entries */
    int nseries;
} plot_sel;

/* The ok rows that pass every --where of r: 0, or PLOT_EBAD / PLOT_EIO with err. */
int plot_select(const plot_table *t, const plot_req *r, plot_sel *s, char *err, size_t n);
/* The series over the varying option columns other than the skip columns (-1 ends the list; xcol among
 * them is skipped too), sorted; then the duplicate check. xcol -1: series order only, no duplicates. */
int plot_group(plot_sel *s, int xcol, const int *skip, const char *kind, char *err, size_t n);
void plot_sel_free(plot_sel *s);
/* Numbers: the cell as a double (0), or -1 when it is not a whole number text (empty: -1, *v NaN). */
int plot_num(const char *text, double *v);
/* Compares two cells as numbers when both are, else bytewise. */
int plot_cmp_text(const char *a, const char *b);

/* ---- gnuplot text ---------------------------------------------------------------------------------------- */
/* A gnuplot single-quoted string ('' for a quote). */
void gp_str(FILE *f, const char *s);
/* A number %.10g, NaN for an empty or non-numeric cell. */
void gp_num(FILE *f, const char *cell);
/* The legend text of series s: "NAME=VALUE NAME=VALUE" over the varying columns ("" for one series); with
 * bare_gemv the gemv column is its value alone ("tree"). */
const char *gp_series_name(const plot_sel *s, int series, int bare_gemv, char *buf, size_t n);
/* The header comment, the output variables, the PNG terminal and the title (--title, else title). */
void gp_preamble(FILE *f, const plot_table *t, const plot_req *r, const plot_info *info, const char *title);
/* set output png_out; PLOT; then svg: replot, unset output. plot is the whole plot command. */
void gp_outputs(FILE *f, const char *plot);
/* Datablock $dI of series s with columns x and ycol[0..ny-1]. */
void gp_series_block(FILE *f, const plot_sel *s, int series, const int *ycol, int ny);

/* ---- the kinds (kinds.c, energy.c) ------------------------------------------------------------------------ */
int plot_kind_speedup(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n);
int plot_kind_latency(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n);
int plot_kind_bandwidth(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n);
int plot_kind_efficiency(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n);
int plot_kind_energy(const plot_table *t, const plot_req *r, FILE *f, plot_info *info, char *err, size_t n);

#endif
