/* sweep_int.h — private to harness/sweep/: a YAML file as a small tree of nodes with their lines (ytree.c, on
 * libyaml's event parser, so nesting is limited before libyaml's scanner gets slow), growable text buffers,
 * and the CSV line splitter the area file and the results files share. */
#ifndef PIMATTN_SWEEP_INT_H
#define PIMATTN_SWEEP_INT_H

#include <stddef.h>
#include <stdint.h>

typedef enum { YN_SCALAR, YN_SEQ, YN_MAP } ynode_kind;

typedef struct ynode {
    ynode_kind kind;
    unsigned line;
    char *text;          /* scalar */
    int plain;           /* scalar: unquoted */
    struct ynode **kid;  /* sequence: items; mapping: key, value, key, value, ... */
    int nkid;
} ynode;

/* The document of path, or NULL with err "PATH:LINE: what (allowed: ...)" / "PATH: cannot open: ...". An empty
 * document gives a NULL root with no error (*empty = 1). Aliases and more than 8 levels are refused. */
ynode *ytree_load(const char *path, int *empty, char *err, size_t n);
void ytree_free(ynode *y);
/* "a scalar", "a list", "a mapping" */
const char *ytree_kind_name(const ynode *y);
/* A plain null scalar: "", "~", "null", "Null", "NULL". */
int ytree_is_null(const ynode *y);

/* A growable string. */
typedef struct sbuf {
    char *s;
    size_t len, cap;
    int oom;
} sbuf;
void sb_put(sbuf *b, const char *s, size_t len);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The CSV field s, quoted (RFC 4180: "..." with "" for a quote) when it holds a comma, a quote, a line end or
 * a space at either end; an empty field stays empty. */
void sb_csv(sbuf *b, const char *s);
/* The string, owned by the caller (NULL when out of memory). */
char *sb_take(sbuf *b);

/* Splits one CSV line (no line end) into at most max fields, in place (quotes removed, "" unescaped);
 * the number of fields, or -1 for an unterminated quote or too many fields. */
int csv_split(char *line, char **field, int max);

/* The area table's columns (sweep_area_load: area columns only) and the values of one row. */
struct sweep_area;
int sweep_area_ncols(const struct sweep_area *a); /* 0 for NULL */
const char *sweep_area_col(const struct sweep_area *a, int i);
const char *sweep_area_unit(const struct sweep_area *a, int row);
const char *sweep_area_value(const struct sweep_area *a, int row, int i);

/* The rows of a results directory (results.c; sweep.h, "Results directories"). */
typedef struct sweep_row {
    uint64_t key;
    int failed;
    char *csv, *jsonl; /* each one line with its '\n' */
} sweep_row;

typedef struct sweep_rowset {
    sweep_row *r;
    int n, cap;
    char *header; /* the CSV's first line, with its '\n' */
    int dropped;  /* lines left out: the files differ from the rows */
} sweep_rowset;

void sweep_rows_free(sweep_rowset *s);
int sweep_rows_add(sweep_rowset *s, const sweep_row *x);
/* DIR's rows: the CSV's rows, in order, that have their JSONL line (same key and status class); without
 * keep_failed only ok and skipped rows, each key once. expected: the header the CSV must have (NULL: any);
 * rs->header stays NULL when there are no results. 0, SWEEP_EBAD or SWEEP_EIO with err. */
int sweep_load_dir(const char *dir, const char *expected, int keep_failed, sweep_rowset *rs, char *err, size_t n);
/* DIR/results.jsonl, then DIR/results.csv, each written whole (a temporary renamed over it). */
int sweep_write_both(const char *dir, const sweep_rowset *rs, char *err, size_t n);
/* An exclusive lock on DIR/.lock: the fd, or -1 with err and *rc (SWEEP_EBAD: another sweep holds it). */
int sweep_lock_dir(const char *dir, int *rc, char *err, size_t n);

#endif
