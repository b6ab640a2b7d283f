/* table.c — a sweep's DIR/results.csv read whole and its header checked (plot.h): which command's figures it
 * holds and where its option columns are. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"
#include "sweep.h"

#define NOT_SWEEP "(allowed: DIR/results.csv of pimattn sweep GRID --out DIR)"

const char *const plot_kind_names[] = {"speedup", "latency", "bandwidth-area", "energy", "efficiency", NULL};

const char *plot_cell(const plot_table *t, int r, int c) { return t->cell[(size_t)r * (size_t)t->ncol + (size_t)c]; }

int plot_col(const plot_table *t, const char *name)
{
    for (int c = 0; c < t->ncol; c++)
        if (!strcmp(plot_cell(t, 0, c), name))
            return c;
    return -1;
}

void plot_table_free(plot_table *t)
{
    free(t->text);
    free(t->cell);
    memset(t, 0, sizeof *t);
}

/* The whole file into t->text; 0 or an error. */
static int slurp(const char *path, plot_table *t, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return PLOT_ERR(err, n, "%s: cannot open: %s (allowed: the --out DIR of pimattn sweep, holding results.csv)",
                        path, strerror(errno));
    size_t len = 0, cap = 1 << 16;
    char *b = malloc(cap);
    while (b) {
        len += fread(b + len, 1, cap - 1 - len, f);
        if (len < cap - 1)
            break;
        char *g = realloc(b, cap *= 2);
        if (!g)
            free(b);
        b = g;
    }
    int bad = ferror(f);
    fclose(f);
    if (!b || bad) {
        free(b);
        snprintf(err, n, "%s: %s", path, bad ? "read error" : "out of memory");
        return PLOT_EIO;
    }
    b[len] = '\0';
    t->text = b;
    if (strlen(b) != len)
        return PLOT_ERR(err, n, "%s: holds a NUL byte %s", path, NOT_SWEEP);
    return 0;
}

/* The header: which command's figures, where the options are. */
static int check_header(plot_table *t, char *err, size_t n)
{
    int nv = t->ncol;
    if (nv < 4 || strcmp(plot_cell(t, 0, 0), "key") || strcmp(plot_cell(t, 0, 1), "status") ||
        strcmp(plot_cell(t, 0, nv - 2), "version") || strcmp(plot_cell(t, 0, nv - 1), "reason"))
        return PLOT_ERR(err, n, "%s: not the results of pimattn sweep: the header is not key,status,...,version,reason %s",
                        t->path, NOT_SWEEP);
    static const char *const cmds[] = {"run", "system"};
    for (int k = 0; k < 2; k++) {
        int nf = 0;
        const char *const *fig = sweep_figure_names(cmds[k], &nf);
        int c = plot_col(t, fig[0]);
        if (c < 2)
            continue;
        for (int i = 1; i < nf; i++)
            if (c + i >= nv - 2 || strcmp(plot_cell(t, 0, c + i), fig[i]))
                return PLOT_ERR(err, n, "%s: not the results of pimattn sweep: column %d is '%s', the %s figure '%s' "
                                "expected there %s", t->path, c + i + 1, plot_cell(t, 0, c + i), cmds[k], fig[i], NOT_SWEEP);
        t->cmd = cmds[k];
        t->opt0 = 2, t->nopt = c - 2, t->fig0 = c, t->nfig = nf;
        return 0;
    }
    return PLOT_ERR(err, n, "%s: not the results of pimattn sweep: no figure columns of run or system %s", t->path,
                    NOT_SWEEP);
}

/* Splits the lines into fields; the header, checked first, fixes the number of columns. */
static int split_rows(plot_table *t, char *err, size_t n)
{
    int lines = 0;
    for (const char *p = t->text; *p; p++)
        lines += *p == '\n';
    if (!*t->text)
        return PLOT_ERR(err, n, "%s: empty %s", t->path, NOT_SWEEP);
    lines++;
    char *field[PLOT_MAX_COLS];
    char *p = t->text;
    for (int ln = 0; *p; ln++) {
        char *line = p, *end = strchr(p, '\n');
        p = end ? end + 1 : p + strlen(p);
        if (end)
            *end = '\0';
        int nf = sweep_csv_split(line, field, PLOT_MAX_COLS);
        if (ln == 0) {
            if (nf < 1)
                return PLOT_ERR(err, n, "%s:1: not the results of pimattn sweep: not a CSV header %s", t->path, NOT_SWEEP);
            t->ncol = nf;
            if (!(t->cell = calloc((size_t)lines * (size_t)nf, sizeof *t->cell)))
                return snprintf(err, n, "%s: out of memory", t->path), PLOT_EIO;
        } else if (nf != t->ncol) {
            return PLOT_ERR(err, n, "%s:%d: %d fields, the header has %d (allowed: rows as pimattn sweep writes them)",
                            t->path, ln + 1, nf < 0 ? 0 : nf, t->ncol);
        }
        memcpy(t->cell + (size_t)ln * (size_t)t->ncol, field, (size_t)t->ncol * sizeof *field);
        t->nrow = ln;
        int rc = ln == 0 ? check_header(t, err, n) : 0;
        if (rc)
            return rc;
    }
    return 0;
}

int plot_table_load(const char *path, plot_table *t, char *err, size_t n)
{
    memset(t, 0, sizeof *t);
    t->path = path;
    int rc = slurp(path, t, err, n);
    if (!rc)
        rc = split_rows(t, err, n);
    if (rc)
        plot_table_free(t);
    return rc;
}
