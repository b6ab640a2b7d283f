/* report.c — what a sweep takes from a point (sweep.h): the figures of its --json report, per command, and the
 * area of its unit configuration from `make area`'s area.csv. */
#include "sweep.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"

/* ---- figures ---------------------------------------------------------------------------------------------------- */

/* pimattn run: one decode step's attention (docs/sweep.md, "Columns"). */
static const char *const run_figs[] = {"layer_cycles", "attention_us", "gbs",        "pct_peak",   "pct_ceil",
                                       "bound_x",      "tokens_per_s", "energy_mj",  "kv_gb",      "rel_l2_max",
                                       "rel_l2_mean",  "nonfinite_heads", "gemv_group", "useful_gbs", "pct_dpath",
                                       "row_ceiling_pct", "mj_per_token", "mj_per_token_dram_array",
                                       "mj_per_token_column_path", "mj_per_token_gemv_macs",
                                       "mj_per_token_buffer_die_transfers", "mj_per_token_softmax", NULL};
enum {
    R_CYC, R_US, R_GBS, R_PEAK, R_CEIL, R_BOUND, R_TOKS, R_MJ, R_KV, R_L2MAX, R_L2MEAN, R_NONFIN, R_ROWS,
    R_USEFUL, R_DPATH, R_CEILPCT, R_MJTOK, R_MJPART, R_N = R_MJPART + 5
};
/* the energy parts of decode_step.energy_pj, in run_figs' order after mj_per_token */
static const char *const run_energy[5] = {"dram_array", "column_path", "gemv_macs", "buffer_die_transfers", "softmax"};

/* pimattn system: per system (gpu: without PIM, pim: with), then the PIM gains (> 1: PIM is better). */
#define SYS_PER 8
static const char *const sys_fields[SYS_PER] = {"batch", "prefill_ms", "per_token_ms", "decode_tokens_per_s",
                                                "tokens_per_s", "mj_per_token", "mj_per_token_decode", "slo_batch"};
static const char *const sys_figs[] = {
    "gpu_batch", "gpu_prefill_ms", "gpu_per_token_ms", "gpu_decode_tokens_per_s", "gpu_tokens_per_s", "gpu_mj_per_token",
    "gpu_mj_per_token_decode", "gpu_slo_batch", "pim_batch", "pim_prefill_ms", "pim_per_token_ms",
    "pim_decode_tokens_per_s", "pim_tokens_per_s", "pim_mj_per_token", "pim_mj_per_token_decode", "pim_slo_batch",
    "gain_per_token", "gain_decode_tokens_per_s", "gain_tokens_per_s", "gain_mj_per_token", "gain_mj_per_token_decode",
    "gpu_mj_per_token_gpu_compute", "gpu_mj_per_token_gpu_memory", "gpu_mj_per_token_nvlink",
    "gpu_mj_per_token_pim_dram", "gpu_mj_per_token_pim_link", "gpu_mj_per_token_dram_refresh",
    "gpu_mj_per_token_static", "pim_mj_per_token_gpu_compute", "pim_mj_per_token_gpu_memory",
    "pim_mj_per_token_nvlink", "pim_mj_per_token_pim_dram", "pim_mj_per_token_pim_link",
    "pim_mj_per_token_dram_refresh", "pim_mj_per_token_static", NULL};
/* the energy parts (a system report's mj_per_token_by_part), per system after the gains */
#define SYS_NGAIN 5
#define SYS_NEPART 7
static const char *const sys_energy[SYS_NEPART] = {"gpu_compute", "gpu_memory", "nvlink", "pim_dram",
                                                   "pim_link",    "dram_refresh", "static"};
/* the gains: the field, and whether PIM is better when it is larger (throughput) or smaller (time, energy) */
static const struct {
    int field, larger;
} sys_gain[] = {{2, 0}, {3, 1}, {4, 1}, {5, 0}, {6, 0}};

_Static_assert(R_N + 1 == sizeof run_figs / sizeof run_figs[0], "run_figs and the R_ indices");
_Static_assert(2 * SYS_PER + SYS_NGAIN + 2 * SYS_NEPART + 1 == sizeof sys_figs / sizeof sys_figs[0], "sys_figs");
_Static_assert(sizeof sys_figs / sizeof sys_figs[0] <= SWEEP_MAX_FIGS + 1, "SWEEP_MAX_FIGS");

const char *const *sweep_figure_names(const char *cmd, int *n)
{
    const char *const *v = !strcmp(cmd, "run") ? run_figs : !strcmp(cmd, "system") ? sys_figs : NULL;
    *n = 0;
    while (v && v[*n])
        (*n)++;
    return v;
}

void sweep_figures_none(const char *cmd, sweep_figs *f)
{
    memset(f, 0, sizeof *f);
    sweep_figure_names(cmd, &f->n);
    f->area_row = -1;
}

/* The number at a dotted path under o; 0 if absent. */
static int num_at(const cJSON *o, const char *path, double *v)
{
    char part[64];
    while (o && *path) {
        size_t l = strcspn(path, ".");
        snprintf(part, sizeof part, "%.*s", (int)l, path);
        o = cJSON_GetObjectItemCaseSensitive(o, part);
        path += l + (path[l] == '.');
    }
    if (!cJSON_IsNumber(o))
        return 0;
    *v = o->valuedouble;
    return 1;
}

static void set(sweep_figs *f, int i, int has, double v)
{
    f->has[i] = has;
    f->v[i] = has ? v : 0;
}

/* The mean of a number over the layers array; 0 if there is none. */
static int layers_mean(const cJSON *root, const char *key, double *v)
{
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers"), *l;
    double sum = 0, x;
    int k = 0;
    cJSON_ArrayForEach(l, layers)
    {
        if (!num_at(l, key, &x))
            return 0;
        sum += x, k++;
    }
    if (!k)
        return 0;
    *v = sum / k;
    return 1;
}

/* Figure i = scale x the number at path (in each layer and averaged, with mean). */
static void fig(sweep_figs *f, int i, const cJSON *r, const char *path, double scale, int mean)
{
    double v = 0;
    int has = mean ? layers_mean(r, path, &v) : num_at(r, path, &v);
    set(f, i, has, v * scale);
}

static void run_figures(const cJSON *r, sweep_figs *f)
{
    fig(f, R_CYC, r, "decode_step.mean_layer_cycles", 1, 0);
    fig(f, R_US, r, "decode_step.attention_seconds", 1e6, 0);
    fig(f, R_GBS, r, "bandwidth_gbs", 1, 1);
    fig(f, R_PEAK, r, "fraction_of_peak", 100, 1);
    fig(f, R_CEIL, r, "fraction_of_row_ceiling", 100, 1);
    fig(f, R_BOUND, r, "cycles_over_lower_bound", 1, 1);
    fig(f, R_TOKS, r, "decode_step.tokens_per_s_attention_only", 1, 0);
    fig(f, R_MJ, r, "decode_step.energy_pj.total", 1e-9, 0);
    fig(f, R_KV, r, "mapping.kv_bytes_needed", 1e-9, 0);
    fig(f, R_L2MAX, r, "numerics.max_rel_l2", 1, 0);
    fig(f, R_L2MEAN, r, "numerics.mean_rel_l2", 1, 0);
    fig(f, R_NONFIN, r, "numerics.nonfinite_heads", 1, 0);
    fig(f, R_ROWS, r, "config.group", 1, 0);
    const cJSON *gemv = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "config"), "gemv");
    if (f->has[R_ROWS] && cJSON_IsString(gemv) && !strcmp(gemv->valuestring, "tree"))
        f->v[R_ROWS] = 1; /* the tree unit has one row (config.group is then its passes over K/V) */
    /* useful bandwidth: the KV bytes every query head reads (unique bytes x query heads per KV head) per second
     * of one layer's attention, whatever the unit reads physically (a tree unit reads GQA's K/V G times) */
    double kv = 0, heads = 0, kvh = 0, layers = 0, sec = 0, batch = 0, x = 0;
    int ok = num_at(r, "mapping.kv_bytes_per_layer", &kv) && num_at(r, "config.heads", &heads) &&
             num_at(r, "config.kv_heads", &kvh) && num_at(r, "config.layers", &layers) &&
             num_at(r, "decode_step.attention_seconds", &sec) && kvh > 0 && sec > 0;
    set(f, R_USEFUL, ok, ok ? kv * heads / kvh / (sec / layers) * 1e-9 : 0);
    /* the data path's share (the report's "data path" line): busiest PC's transfer cycles over the layer's */
    const cJSON *l;
    double dp = 0, cyc = 0;
    int nl = 0;
    cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(r, "layers"))
    {
        double a, b;
        if (num_at(l, "datapath_busiest_pc_cycles", &a) && num_at(l, "cycles", &b) && b > 0)
            dp += a, cyc += b, nl++;
    }
    set(f, R_DPATH, nl > 0, nl ? 100 * dp / cyc : 0);
    double peak = 0, ceil = 0;
    ok = num_at(r, "bounds.peak_bandwidth_gbs", &peak) && num_at(r, "bounds.row_ceiling_bandwidth_gbs", &ceil) &&
         peak > 0;
    set(f, R_CEILPCT, ok, ok ? 100 * ceil / peak : 0);
    /* energy per generated token: the step's over its requests */
    int hb = num_at(r, "config.batch", &batch) && batch > 0;
    for (int k = -1; k < 5; k++) {
        char path[64];
        snprintf(path, sizeof path, "decode_step.energy_pj.%s", k < 0 ? "total" : run_energy[k]);
        int has = hb && num_at(r, path, &x);
        set(f, k < 0 ? R_MJTOK : R_MJPART + k, has, has ? x * 1e-9 / batch : 0);
    }
}

static void system_figures(const cJSON *r, sweep_figs *f)
{
    const cJSON *s, *sys[2] = {NULL, NULL}; /* gpu, pim */
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "systems"))
    {
        sys[cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "pim")) ? 1 : 0] = s;
    }
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < SYS_PER; k++) {
            double v = 0;
            int has = sys[w] && (k == 0 || !cJSON_GetObjectItemCaseSensitive(sys[w], "does_not_fit")) &&
                      num_at(sys[w], k == SYS_PER - 1 ? "slo.batch" : sys_fields[k], &v);
            set(f, w * SYS_PER + k, has, v);
        }
    for (size_t g = 0; g < sizeof sys_gain / sizeof sys_gain[0]; g++) {
        int i = sys_gain[g].field;
        double a = f->v[i], b = f->v[SYS_PER + i]; /* gpu, pim */
        int has = f->has[i] && f->has[SYS_PER + i] && a > 0 && b > 0;
        set(f, 2 * SYS_PER + (int)g, has, has ? (sys_gain[g].larger ? b / a : a / b) : 0);
    }
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < SYS_NEPART; k++) {
            char path[64];
            double v = 0;
            snprintf(path, sizeof path, "mj_per_token_by_part.%s", sys_energy[k]);
            int has = sys[w] && !cJSON_GetObjectItemCaseSensitive(sys[w], "does_not_fit") && num_at(sys[w], path, &v);
            set(f, 2 * SYS_PER + SYS_NGAIN + w * SYS_NEPART + k, has, v);
        }
}

static int area_match(const sweep_area *a, const cJSON *report);

int sweep_figures_read(const char *cmd, const char *json_path, const sweep_area *area, sweep_figs *f, char *err,
                       size_t n)
{
    sweep_figures_none(cmd, f);
    FILE *in = fopen(json_path, "rb");
    if (!in)
        return snprintf(err, n, "%s: cannot open: %s", json_path, strerror(errno)), -1;
    sbuf b = {0};
    char chunk[65536];
    size_t k;
    while ((k = fread(chunk, 1, sizeof chunk, in)) > 0)
        sb_put(&b, chunk, k);
    int bad = ferror(in);
    fclose(in);
    char *text = sb_take(&b);
    if (bad || !text) {
        free(text);
        return snprintf(err, n, "%s: cannot read", json_path), -1;
    }
    cJSON *r = cJSON_Parse(text);
    free(text);
    int is_run = r && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(r, "decode_step"));
    int is_sys = r && cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "systems"));
    if (!r || (!strcmp(cmd, "run") ? !is_run : !is_sys)) {
        if (r)
            snprintf(err, n, "%s: not the JSON report of pimattn %s", json_path, cmd);
        else
            snprintf(err, n, "%s: not JSON", json_path);
        cJSON_Delete(r);
        return -1;
    }
    if (is_run)
        run_figures(r, f);
    else
        system_figures(r, f);
    f->area_row = area ? area_match(area, r) : -1;
    cJSON_Delete(r);
    return 0;
}

/* ---- area --------------------------------------------------------------------------------------------------------- */

struct sweep_area {
    char *path;
    int ncols;               /* area columns */
    char *col[SWEEP_MAX_AREA];
    int colidx[SWEEP_MAX_AREA];
    int name, kind, top, rows, acc; /* indices of the identifying columns */
    int kv;                         /* the K/V format's column, -1 in a table without it (FP16 units) */
    int nrows, nfields;
    char **line;             /* each row, split in place */
    char ***field;
};

#define AREA_MAX_FIELDS 128

void sweep_area_free(sweep_area *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->nrows; i++)
        free(a->line[i]), free(a->field[i]);
    for (int i = 0; i < a->ncols; i++)
        free(a->col[i]);
    free(a->line);
    free(a->field);
    free(a->path);
    free(a);
}

static int ends_with(const char *s, const char *tail)
{
    size_t l = strlen(s), t = strlen(tail);
    return l >= t && !strcmp(s + l - t, tail);
}

/* The header line into a's columns; 0 or -1 with err. */
static int area_header(sweep_area *a, char *line, char *err, size_t n)
{
    char *f[AREA_MAX_FIELDS];
    int nf = csv_split(line, f, AREA_MAX_FIELDS);
    const char *need[] = {"name", "kind", "top", "rows", "acc"};
    int *idx[] = {&a->name, &a->kind, &a->top, &a->rows, &a->acc};
    if (nf < 0)
        return snprintf(err, n, "%s:1: not a CSV header (allowed: build/area/area.csv from make area)", a->path), -1;
    a->nfields = nf;
    for (int k = 0; k < 5; k++) {
        *idx[k] = -1;
        for (int i = 0; i < nf; i++)
            if (!strcmp(f[i], need[k]))
                *idx[k] = i;
        if (*idx[k] < 0)
            return snprintf(err, n, "%s:1: no column '%s' (allowed: build/area/area.csv from make area)", a->path,
                            need[k]),
                   -1;
    }
    a->kv = -1;
    for (int i = 0; i < nf; i++)
        if (!strcmp(f[i], "kv"))
            a->kv = i;
    for (int i = 0; i < nf; i++)
        if ((ends_with(f[i], "_um2") || ends_with(f[i], "_mm2") || ends_with(f[i], "_delay_ps") ||
             !strcmp(f[i], "area_vs_tree")) &&
            a->ncols < SWEEP_MAX_AREA) {
            a->colidx[a->ncols] = i;
            if (!(a->col[a->ncols++] = strdup(f[i])))
                return snprintf(err, n, "%s: out of memory", a->path), -1;
        }
    return 0;
}

sweep_area *sweep_area_load(const char *path, char *err, size_t n)
{
    FILE *in = fopen(path, "r");
    if (!in)
        return snprintf(err, n, "%s: cannot open: %s", path, strerror(errno)), NULL;
    sweep_area *a = calloc(1, sizeof *a);
    int rc = a && (a->path = strdup(path)) ? 0 : (snprintf(err, n, "%s: out of memory", path), -1);
    char buf[8192];
    for (unsigned ln = 1; !rc && fgets(buf, sizeof buf, in); ln++) {
        size_t l = strcspn(buf, "\r\n");
        if (buf[l] == '\0' && !feof(in)) {
            rc = -1, snprintf(err, n, "%s:%u: line longer than %zu bytes", path, ln, sizeof buf - 2);
            break;
        }
        buf[l] = '\0';
        if (ln == 1) {
            rc = area_header(a, buf, err, n);
            continue;
        }
        char **g1 = realloc(a->line, (size_t)(a->nrows + 1) * sizeof *g1);
        if (g1)
            a->line = g1;
        char ***g2 = g1 ? realloc(a->field, (size_t)(a->nrows + 1) * sizeof *g2) : NULL;
        if (g2)
            a->field = g2;
        char *copy = g2 ? strdup(buf) : NULL;
        char **f = copy ? calloc(AREA_MAX_FIELDS, sizeof *f) : NULL;
        if (!f) {
            free(copy);
            rc = -1, snprintf(err, n, "%s: out of memory", path);
            break;
        }
        a->line[a->nrows] = copy, a->field[a->nrows] = f, a->nrows++;
        int nf = csv_split(copy, f, AREA_MAX_FIELDS);
        if (nf != a->nfields)
            rc = -1, snprintf(err, n, "%s:%u: %d fields, the header has %d (allowed: build/area/area.csv from make "
                              "area)", path, ln, nf, a->nfields);
    }
    if (!rc && ferror(in))
        rc = -1, snprintf(err, n, "%s: cannot read: %s", path, strerror(errno));
    if (!rc && !a->nfields)
        rc = -1, snprintf(err, n, "%s:1: empty (allowed: build/area/area.csv from make area)", path);
    fclose(in);
    if (rc) {
        sweep_area_free(a);
        return NULL;
    }
    return a;
}

/* A report's bank unit in the area table: the row, or -1. The unit (gemv, group, acc, kv_format: fp16 when the
 * report or the table has none) is a run report's config, a system report's PIM system's unit. */
static int area_match(const sweep_area *a, const cJSON *report)
{
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(report, "config"), *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(report, "systems"))
    {
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(s, "pim")))
            c = cJSON_GetObjectItemCaseSensitive(s, "unit");
    }
    const cJSON *gemv = cJSON_GetObjectItemCaseSensitive(c, "gemv"), *acc = cJSON_GetObjectItemCaseSensitive(c, "acc"),
                *kvj = cJSON_GetObjectItemCaseSensitive(c, "kv_format");
    double g = 0;
    if (!cJSON_IsString(gemv) || !cJSON_IsString(acc) || !num_at(c, "group", &g))
        return -1;
    const char *kv = cJSON_IsString(kvj) ? kvj->valuestring : "fp16";
    int tree = !strcmp(gemv->valuestring, "tree");
    char top[32], rows[16];
    snprintf(top, sizeof top, "gemv_%s", gemv->valuestring);
    snprintf(rows, sizeof rows, "%d", tree ? 1 : (int)g);
    for (int i = 0; i < a->nrows; i++) {
        char **f = a->field[i];
        if (!strcmp(f[a->kind], "gemv") && !strcmp(f[a->top], top) && !strcmp(f[a->rows], rows) &&
            !strcmp(f[a->acc], acc->valuestring) && !strcmp(a->kv >= 0 ? f[a->kv] : "fp16", kv))
            return i;
    }
    return -1;
}

int sweep_area_ncols(const sweep_area *a) { return a ? a->ncols : 0; }
const char *sweep_area_col(const sweep_area *a, int i) { return a->col[i]; }
const char *sweep_area_unit(const sweep_area *a, int row) { return a->field[row][a->name]; }
const char *sweep_area_value(const sweep_area *a, int row, int i) { return a->field[row][a->colidx[i]]; }
