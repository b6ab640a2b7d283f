/* plot.h — figures from a sweep's results (harness/plot/, docs/plot.md): DIR/results.csv of `pimattn sweep` read
 * and checked, its ok rows selected, grouped into series and written as one self-contained gnuplot script per
 * kind. It reads the results through sweep.h (the figure names, the CSV splitter) and depends on nothing else
 * of pimattn; the command (harness/cli/cmd_plot.c) writes the files and runs gnuplot.
 *
 * Contract
 *  - plot_table_load(path, &t, err, n): the results file whole. Its header must be a sweep's: `key`, `status`,
 *    the option columns, the figures of `run` or `system` in order (sweep_figure_names), optionally area
 *    columns, `version`, `reason`; every row as many fields as the header. t.cmd says which command, the
 *    option columns are those between `status` and the first figure.
 *  - plot_script(&t, &req, &script, err, n): checks the request against the table and writes the script
 *    (allocated, *script). Rows: status ok and every --where (COLUMN=VALUE: an option column's text equal to
 *    VALUE). Series: each distinct combination of the option columns that vary among those rows, other than
 *    the kind's x (and the options the x stands for); ordered by their values (numbers numerically), the
 *    points of a series by x. Two rows with the same series and x are refused, naming both keys. The data are
 *    datablocks $d1, $d2, ... (numbers %.10g, an empty cell NaN), one per series (energy: one, a line per bar).
 *    The script sets its outputs from the variables png_out and svg_out when defined (gnuplot -e), else
 *    req.png and req.svg (basenames: `gnuplot KIND.gp` in its directory regenerates both); pngcairo when
 *    gnuplot has it, else png; then svg.
 *  - Errors (bad input) are one line "WHAT: what (allowed: ...)" without the "pimattn plot: " prefix; every
 *    function returns 0, or PLOT_EBAD (2) with err, or PLOT_EIO (1) when a file cannot be read or memory runs
 *    out. No global state; nothing here prints, exits or writes a file.
 */
#ifndef PIMATTN_PLOT_H
#define PIMATTN_PLOT_H

#include <stddef.h>

#define PLOT_EBAD 2
#define PLOT_EIO 1
#define PLOT_MAX_WHERE 64
#define PLOT_MAX_SLO 64
#define PLOT_MAX_BARS 40
#define PLOT_MAX_COLS 256

typedef enum { PLOT_SPEEDUP, PLOT_LATENCY, PLOT_BANDWIDTH_AREA, PLOT_ENERGY, PLOT_EFFICIENCY, PLOT_NKINDS } plot_kind;

/* The kinds' names in plot_kind order, NULL-terminated: speedup, latency, bandwidth-area, energy, efficiency. */
extern const char *const plot_kind_names[];

typedef struct plot_table {
    const char *path;  /* as given (not copied) */
    char *text;        /* the file, split in place */
    char **cell;       /* (nrow + 1) x ncol fields, row 0 the header */
    int nrow, ncol;
    const char *cmd;   /* "run" or "system" */
    int opt0, nopt;    /* the option columns */
    int fig0, nfig;    /* the figure columns */
} plot_table;

int plot_table_load(const char *path, plot_table *t, char *err, size_t n);
void plot_table_free(plot_table *t);
/* The field of row r (0: the header) and column c. */
const char *plot_cell(const plot_table *t, int r, int c);
/* The column named name, or -1. */
int plot_col(const plot_table *t, const char *name);

typedef struct plot_req {
    plot_kind kind;
    const char *where[PLOT_MAX_WHERE]; /* "COLUMN=VALUE" */
    int nwhere;
    double slo_ms[PLOT_MAX_SLO];       /* latency's SLO lines (none: the results' slo-ms values) */
    int nslo;
    const char *title;                 /* NULL: the kind's */
    const char *gp, *png, *svg;        /* the script's and the images' names (basenames) */
    const char *made_by;               /* the command line, for the script's header comment */
} plot_req;

/* What plot_script found, for the command's summary line. */
typedef struct plot_info {
    int rows, series, bars;
} plot_info;

int plot_script(const plot_table *t, const plot_req *r, char **script, plot_info *info, char *err, size_t n);

#endif
