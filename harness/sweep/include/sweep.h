/* sweep.h — the design-space sweep (harness/sweep/, docs/sweep.md): grid files, their points and keys, the
 * figures of a point's JSON report, and the results files of `pimattn sweep`. It depends on nothing of pimattn
 * (libyaml, cJSON); the command (harness/cli/cmd_sweep*.c) runs the points as child processes.
 *
 * Contract
 *  - A command a grid may name is a sweep_cmd: its name, its options (sweep_optdef) and an optional check of
 *    one value by the command's own rules (0, or -1 with why, e.g. "'x' (allowed: a, b)"). A keyed option
 *    (system's repeatable --set KEY=VALUE) is spelled NAME.KEY in a grid, one column per KEY, and passed as
 *    --NAME KEY=VALUE; the check gets the grid's name ("set.pim.gemv") and the value. A reserved option (an
 *    output the sweep writes itself, or one the points would share) is refused in a grid.
 *  - sweep_grid_load(path, cmds, n, &g, err, en): the grid file into g. Errors are one line
 *    "FILE:LINE: KEY: what (allowed: ...)" ("FILE: cannot open: REASON" when it cannot be read), KEY e.g.
 *    "grid.batch", "zip[0].ctx", "exclude[1].gemv"; returns 0, or -1 with g zeroed. Refused: YAML syntax, an
 *    empty file, anything but a mapping at the top, unknown or repeated keys, a missing or unknown command,
 *    unknown or reserved options, an option given twice (across fixed, grid and zip), a flag that is not
 *    true or false, values that are not plain scalars (mappings, lists where one value is due, null,
 *    control characters, aliases), lists where none is due, empty lists, a value twice in one list, zip
 *    lists of different lengths, equal zip rows, a value the command's check refuses, exclude entries
 *    naming options or values the grid does not have, more than SWEEP_MAX_POINTS points, nesting deeper
 *    than 8 levels.
 *  - The columns (g->opt, in this order): fixed (file order), grid (file order), then each zip group's
 *    options (group order, file order). The dimensions: each grid option, then each zip group. There are
 *    g->npoints points (the product of the dimensions' sizes; 1 without dimensions); point i takes row
 *    (i / stride) % size of each dimension, the last dimension varying fastest.
 *  - sweep_point_at(g, i, &p): point i's value per column, its exclude rule (-1 none: an excluded point is
 *    recorded as skipped with the rule's reason, never run) and its key: 64-bit FNV-1a of the canonical
 *    text "CMD\n" followed by "NAME=VALUE\n" for every option given, sorted by NAME (strcmp); a flag is given
 *    (VALUE "true") when true and left out when false. sweep_key_text(): 16 lowercase hex digits.
 *  - sweep_point_argv(g, &p, argv0, json): argv0 CMD --NAME [VALUE]... [--json JSON], NULL-terminated,
 *    columns in order (a false flag left out); allocated, sweep_argv_free(). sweep_shell_quote() quotes a
 *    word for sh (unchanged when it needs no quotes).
 *  - Figures (sweep_figure_names(cmd)): fixed per command; sweep_figures_read() takes them from the point's
 *    --json report (docs/sweep.md lists each figure's JSON source); an absent figure has has[i] = 0.
 *  - Area (sweep_area_load): `make area`'s area.csv; its area columns are area_unit, every column whose
 *    name ends in _um2 or _mm2, and area_vs_tree. A `run` point matches the first GEMV row whose top,
 *    rows and acc are the point's resolved unit (the report's config.gemv, config.group, config.acc; tree:
 *    rows 1); a `system` point matches none.
 *  - Rows: sweep_csv_header() and sweep_csv_row() / sweep_jsonl_row() (one line each, ending in '\n',
 *    allocated). The CSV row is a function of the point, its outcome, figures, area and version only (no
 *    time), so two runs of a grid give the same rows; the JSONL row adds the index, the wall seconds and
 *    the point's files.
 *  - Results directories (sweep_results_*): DIR/results.csv (header, then one row per point) and
 *    DIR/results.jsonl, appended row by row with one write(2) per line on O_APPEND descriptors, each
 *    checked. Opening takes an exclusive lock (DIR/.lock), creates both files when neither exists, else
 *    requires the CSV's first line to be the header, and keeps only points whose rows are complete in both
 *    files with status ok or skipped (a line cut by a kill, a CSV row without its JSONL row, failed points:
 *    dropped, the files rewritten whole, so failed points run again). sweep_results_done(key): the point
 *    has a kept row. sweep_collect(dir): DIR/results.* and DIR/tasks/TASK/results.* merged into DIR/results.*
 *    (each key once: its first ok or skipped row, else its last failed row; DIR's rows first, then the
 *    tasks' in numeric order of their names), written whole.
 *  - sweep_csv_split(): the one CSV line splitter of the results and area files, for their readers.
 *  - Return values: 0; SWEEP_EBAD (2) bad input (a header that does not match, a directory in use, not a
 *    directory); SWEEP_EIO (1) a read or write that failed; err says which file and why.
 *  - No global state; nothing here prints or exits.
 */
#ifndef PIMATTN_SWEEP_H
#define PIMATTN_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#define SWEEP_MAX_OPTS 64          /* columns of options in one grid */
#define SWEEP_MAX_VALUES 10000     /* values in one list */
#define SWEEP_MAX_POINTS 1000000u  /* points in one grid */
#define SWEEP_MAX_FIGS 64
#define SWEEP_MAX_AREA 24          /* area columns */
#define SWEEP_EBAD 2
#define SWEEP_EIO 1

typedef struct sweep_optdef {
    const char *name; /* the long option without -- */
    int flag;         /* no value: true (given) or false (left out) in a grid */
    int keyed;        /* repeatable KEY=VALUE: grid keys NAME.KEY */
    int reserved;     /* refused in a grid (an output) */
} sweep_optdef;

typedef struct sweep_cmd {
    const char *name;
    const sweep_optdef *opts;
    int nopts;
    int (*check)(void *ctx, const char *cmd, const char *opt, const char *value, char *why, size_t n);
    void *ctx;
} sweep_cmd;

typedef struct sweep_option {
    char *name;         /* the grid's name: "batch", "set.pim.gemv" */
    const sweep_optdef *def;
    int dim;            /* -1: fixed; else its dimension */
    unsigned line;      /* of its key */
    char **values;      /* one for fixed options */
    unsigned *lines;    /* of each value */
    int nvalues;
} sweep_option;

typedef struct sweep_dim {
    int first, nopts; /* its columns */
    int size;         /* rows */
    uint64_t stride;  /* points per step of this dimension */
} sweep_dim;

typedef struct sweep_exclude {
    int nconds;
    int col[SWEEP_MAX_OPTS];          /* the column of each condition */
    unsigned char *match[SWEEP_MAX_OPTS]; /* per value of that column: 1 if listed */
    char *reason;
    unsigned line;
} sweep_exclude;

typedef struct sweep_grid {
    char *path;
    const sweep_cmd *cmd;
    sweep_option opt[SWEEP_MAX_OPTS];
    int nopt;
    sweep_dim dim[SWEEP_MAX_OPTS];
    int ndim;
    sweep_exclude *ex;
    int nex;
    uint64_t npoints;
} sweep_grid;

typedef struct sweep_point {
    uint64_t index, key;
    int row[SWEEP_MAX_OPTS];            /* the value index of each column */
    const char *value[SWEEP_MAX_OPTS];  /* the value of each column */
    int exclude;                        /* the rule, or -1 */
} sweep_point;

int sweep_grid_load(const char *path, const sweep_cmd *cmds, int ncmds, sweep_grid *g, char *err, size_t n);
void sweep_grid_free(sweep_grid *g);

void sweep_point_at(const sweep_grid *g, uint64_t index, sweep_point *p);
uint64_t sweep_fnv1a(const void *data, size_t len, uint64_t h); /* h: 0xcbf29ce484222325 to start */
#define SWEEP_FNV_OFFSET 0xcbf29ce484222325ull
const char *sweep_key_text(uint64_t key, char buf[17]);
/* The canonical text the key hashes (allocated), e.g. "run\nbatch=4\ngemv=tree\n". */
char *sweep_canonical(const sweep_grid *g, const sweep_point *p);
char **sweep_point_argv(const sweep_grid *g, const sweep_point *p, const char *argv0, const char *json);
void sweep_argv_free(char **argv);
/* sh-quoted word into buf (n bytes); buf, or NULL when it does not fit. */
const char *sweep_shell_quote(const char *word, char *buf, size_t n);
/* The grid's points ordered by key: 0, or -1 with err naming two points whose keys are equal (a hash
 * collision: change the grid). */
int sweep_keys_distinct(const sweep_grid *g, char *err, size_t n);

/* ---- figures and area ---------------------------------------------------------------------------------- */
typedef struct sweep_area sweep_area;

typedef struct sweep_figs {
    int n;
    int has[SWEEP_MAX_FIGS];
    double v[SWEEP_MAX_FIGS];
    int area_row; /* -1: none */
} sweep_figs;

const char *const *sweep_figure_names(const char *cmd, int *n);
/* The figures of the report at json_path for cmd (and the area row, if area); 0, or -1 with err (not JSON, or
 * not a report of cmd). */
int sweep_figures_read(const char *cmd, const char *json_path, const sweep_area *area, sweep_figs *f, char *err,
                       size_t n);
/* Zero figures (a skipped or failed point). */
void sweep_figures_none(const char *cmd, sweep_figs *f);

sweep_area *sweep_area_load(const char *path, char *err, size_t n); /* NULL with "FILE:LINE: ..." */
void sweep_area_free(sweep_area *a);

/* ---- rows and results files -------------------------------------------------------------------------------- */
typedef enum { SWEEP_OK, SWEEP_SKIPPED, SWEEP_FAILED } sweep_status;

typedef struct sweep_outcome {
    sweep_status status;
    const char *reason; /* "" for ok */
    double wall_s;
    const char *json, *log; /* the point's files, relative to the results directory; NULL: none */
} sweep_outcome;

char *sweep_csv_header(const sweep_grid *g, const sweep_area *area);
char *sweep_csv_row(const sweep_grid *g, const sweep_point *p, const sweep_outcome *o, const sweep_figs *f,
                    const sweep_area *area, const char *version);
char *sweep_jsonl_row(const sweep_grid *g, const sweep_point *p, const sweep_outcome *o, const sweep_figs *f,
                      const sweep_area *area, const char *version);
const char *sweep_status_name(sweep_status s);

typedef struct sweep_results sweep_results;
int sweep_results_open(const char *dir, const char *header, sweep_results **out, char *err, size_t n);
/* Whether an existing results directory's CSV header differs from header (0 same or no results; SWEEP_EBAD
 * with err) without locking or changing anything: for checks before any work. */
int sweep_results_check(const char *dir, const char *header, char *err, size_t n);
int sweep_results_done(const sweep_results *r, uint64_t key);
uint64_t sweep_results_count(const sweep_results *r); /* points kept */
int sweep_results_append(sweep_results *r, uint64_t key, const char *csv_row, const char *jsonl_row, char *err,
                         size_t n);
void sweep_results_close(sweep_results *r);
/* Splits one line of a results or area CSV file (no line end) into at most max fields, in place: RFC 4180
 * quotes removed, "" unescaped, as the sweep writes them (sb_csv). The number of fields, or -1 for an
 * unterminated quote or more than max fields. For readers of DIR/results.csv (pimattn plot). */
int sweep_csv_split(char *line, char **field, int max);
/* Merges DIR/tasks/<task>/results.* into DIR/results.*; *rows, *tasks: rows written, task directories read. */
int sweep_collect(const char *dir, uint64_t *rows, int *tasks, char *err, size_t n);

#endif
