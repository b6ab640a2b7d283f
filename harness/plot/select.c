/* select.c — the rows a plot keeps (status ok, every --where) and their series (plot_int.h): the option
 * columns that vary among them, rows ordered by those columns' values and then x, one row per series and x. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_int.h"

int plot_num(const char *text, double *v)
{
    char *end;
    *v = NAN;
    if (!*text)
        return -1;
    double x = strtod(text, &end);
    if (*end || end == text || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}

int plot_cmp_text(const char *a, const char *b)
{
    double x, y;
    if (!plot_num(a, &x) && !plot_num(b, &y))
        return x < y ? -1 : x > y;
    return strcmp(a, b);
}

void plot_sel_free(plot_sel *s)
{
    free(s->row);
    free(s->first);
    s->row = s->first = NULL;
}

/* ---- --where ------------------------------------------------------------------------------------------- */

/* The option columns, comma-separated, into buf. */
static const char *option_list(const plot_table *t, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (int c = t->opt0; c < t->opt0 + t->nopt && k < n; c++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", c > t->opt0 ? ", " : "", plot_cell(t, 0, c));
    return t->nopt ? buf : "none: the grid has no options";
}

/* The distinct values of column c among the kept rows, sorted, comma-separated (at most 20). */
static const char *value_list(const plot_sel *s, int c, char *buf, size_t n)
{
    const char *v[21];
    int nv = 0;
    for (int i = 0; i < s->n; i++) {
        const char *x = plot_cell(s->t, s->row[i], c);
        int at = 0;
        while (at < nv && plot_cmp_text(v[at], x) < 0)
            at++;
        if (at < nv && !strcmp(v[at], x))
            continue;
        if (nv == 21 && at == nv)
            continue;
        memmove(v + at + 1, v + at, (size_t)(nv - at - (nv == 21)) * sizeof *v);
        v[at] = x;
        nv += nv < 21;
    }
    size_t k = 0;
    buf[0] = '\0';
    for (int i = 0; i < nv && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", i == 20 ? "..." : v[i]);
    return buf;
}

/* --where COLUMN=VALUE: its column (an option column) and value. */
static int where_parse(const plot_table *t, const char *w, int *col, const char **value, char *err, size_t n)
{
    const char *eq = strchr(w, '=');
    char name[256], list[4096];
    if (!eq || eq == w || (size_t)(eq - w) >= sizeof name)
        return PLOT_ERR(err, n, "--where: '%s' (allowed: COLUMN=VALUE, e.g. gemv=systolic)", w);
    snprintf(name, sizeof name, "%.*s", (int)(eq - w), w);
    *value = eq + 1;
    *col = plot_col(t, name);
    if (*col < t->opt0 || *col >= t->opt0 + t->nopt)
        return PLOT_ERR(err, n, "--where: '%s' is not an option column of %s (allowed: %s)", name, t->path,
                        option_list(t, list, sizeof list));
    return 0;
}

int plot_select(const plot_table *t, const plot_req *r, plot_sel *s, char *err, size_t n)
{
    int col[PLOT_MAX_WHERE];
    const char *val[PLOT_MAX_WHERE];
    char list[4096];
    memset(s, 0, sizeof *s);
    s->t = t;
    s->xcol = -1;
    for (int w = 0; w < r->nwhere; w++)
        if (where_parse(t, r->where[w], &col[w], &val[w], err, n))
            return PLOT_EBAD;
    if (!(s->row = malloc(((size_t)t->nrow + 1) * sizeof *s->row)))
        return snprintf(err, n, "out of memory"), PLOT_EIO;
    for (int i = 1; i <= t->nrow; i++)
        if (!strcmp(plot_cell(t, i, 1), "ok"))
            s->row[s->n++] = i;
    if (!s->n)
        return PLOT_ERR(err, n, "%s: no ok rows (allowed: the results of a sweep with at least one ok point)", t->path);
    for (int w = 0; w < r->nwhere; w++) {
        int k = 0;
        for (int i = 0; i < s->n; i++)
            if (!strcmp(plot_cell(t, s->row[i], col[w]), val[w]))
                s->row[k++] = s->row[i];
        if (!k)
            return PLOT_ERR(err, n, "--where %s: no ok row has it (allowed: %s among them: %s)", r->where[w],
                            plot_cell(t, 0, col[w]), value_list(s, col[w], list, sizeof list));
        s->n = k;
    }
    return 0;
}

/* ---- series ------------------------------------------------------------------------------------------------ */

/* Row order: the varying columns' values, then x. */
static int row_cmp(const plot_sel *s, int a, int b, int with_x)
{
    for (int i = 0; i < s->nvary; i++) {
        int d = plot_cmp_text(plot_cell(s->t, a, s->vary[i]), plot_cell(s->t, b, s->vary[i]));
        if (d)
            return d;
    }
    return with_x && s->xcol >= 0 ? plot_cmp_text(plot_cell(s->t, a, s->xcol), plot_cell(s->t, b, s->xcol)) : 0;
}

/* A stable merge sort of s->row (qsort has no context argument in C11). */
static void sort_rows(plot_sel *s, int *tmp, int lo, int hi)
{
    if (hi - lo < 2)
        return;
    int mid = lo + (hi - lo) / 2, i = lo, j = mid, k = lo;
    sort_rows(s, tmp, lo, mid);
    sort_rows(s, tmp, mid, hi);
    while (i < mid || j < hi)
        tmp[k++] = j >= hi || (i < mid && row_cmp(s, s->row[i], s->row[j], 1) <= 0) ? s->row[i++] : s->row[j++];
    memcpy(s->row + lo, tmp + lo, (size_t)(hi - lo) * sizeof *tmp);
}

static int skipped(int c, int xcol, const int *skip)
{
    if (c == xcol)
        return 1;
    for (; skip && *skip >= 0; skip++)
        if (*skip == c)
            return 1;
    return 0;
}

/* Two rows of one series at one x: refused, naming both keys. */
static int duplicates(const plot_sel *s, const char *kind, char *err, size_t n)
{
    for (int q = 0; q < s->nseries; q++)
        for (int i = s->first[q] + 1; i < s->first[q + 1]; i++) {
            int a = s->row[i - 1], b = s->row[i];
            if (plot_cmp_text(plot_cell(s->t, a, s->xcol), plot_cell(s->t, b, s->xcol)))
                continue;
            return PLOT_ERR(err, n, "--kind %s: rows %s and %s are the same series and %s %s (allowed: one row per series "
                            "and x; narrow with --where)", kind, plot_cell(s->t, a, 0), plot_cell(s->t, b, 0),
                            plot_cell(s->t, 0, s->xcol), plot_cell(s->t, a, s->xcol));
        }
    return 0;
}

int plot_group(plot_sel *s, int xcol, const int *skip, const char *kind, char *err, size_t n)
{
    const plot_table *t = s->t;
    s->xcol = xcol;
    s->nvary = 0;
    for (int c = t->opt0; c < t->opt0 + t->nopt; c++) {
        int varies = 0;
        for (int i = 1; i < s->n && !varies; i++)
            varies = strcmp(plot_cell(t, s->row[i], c), plot_cell(t, s->row[0], c)) != 0;
        if (varies && !skipped(c, xcol, skip))
            s->vary[s->nvary++] = c;
    }
    int *tmp = malloc((size_t)s->n * sizeof *tmp);
    free(s->first);
    s->first = malloc(((size_t)s->n + 1) * sizeof *s->first);
    if (!tmp || !s->first)
        return free(tmp), snprintf(err, n, "out of memory"), PLOT_EIO;
    sort_rows(s, tmp, 0, s->n);
    free(tmp);
    s->nseries = 0;
    for (int i = 0; i < s->n; i++)
        if (!i || row_cmp(s, s->row[i - 1], s->row[i], 0))
            s->first[s->nseries++] = i;
    s->first[s->nseries] = s->n;
    return xcol >= 0 ? duplicates(s, kind, err, n) : 0;
}
