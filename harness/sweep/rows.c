/* rows.c — the results rows of a point (sweep.h): the CSV header and row (deterministic: no time) and the JSONL
 * row (the same, plus index, wall seconds and the point's files). */
#include "sweep.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"

const char *sweep_status_name(sweep_status s)
{
    return s == SWEEP_OK ? "ok" : s == SWEEP_SKIPPED ? "skipped" : "failed";
}

char *sweep_csv_header(const sweep_grid *g, const sweep_area *area)
{
    sbuf b = {0};
    int nf = 0;
    const char *const *figs = sweep_figure_names(g->cmd->name, &nf);
    sb_puts(&b, "key,status");
    for (int c = 0; c < g->nopt; c++)
        sb_puts(&b, ","), sb_csv(&b, g->opt[c].name);
    for (int i = 0; i < nf; i++)
        sb_printf(&b, ",%s", figs[i]);
    if (area) {
        sb_puts(&b, ",area_unit");
        for (int i = 0; i < sweep_area_ncols(area); i++)
            sb_puts(&b, ","), sb_csv(&b, sweep_area_col(area, i));
    }
    sb_puts(&b, ",version,reason\n");
    return sb_take(&b);
}

/* A figure as text: %.10g, so that rows compare equal whatever wrote them. */
static void fig_text(double v, char *buf, size_t n) { snprintf(buf, n, "%.10g", v); }

char *sweep_csv_row(const sweep_grid *g, const sweep_point *p, const sweep_outcome *o, const sweep_figs *f,
                    const sweep_area *area, const char *version)
{
    sbuf b = {0};
    char t[32];
    sb_printf(&b, "%s,%s", sweep_key_text(p->key, t), sweep_status_name(o->status));
    for (int c = 0; c < g->nopt; c++)
        sb_puts(&b, ","), sb_csv(&b, p->value[c]);
    for (int i = 0; i < f->n; i++) {
        sb_puts(&b, ",");
        if (f->has[i])
            fig_text(f->v[i], t, sizeof t), sb_puts(&b, t);
    }
    if (area) {
        sb_puts(&b, ",");
        if (f->area_row >= 0)
            sb_csv(&b, sweep_area_unit(area, f->area_row));
        for (int i = 0; i < sweep_area_ncols(area); i++) {
            sb_puts(&b, ",");
            if (f->area_row >= 0)
                sb_csv(&b, sweep_area_value(area, f->area_row, i));
        }
    }
    sb_puts(&b, ","), sb_csv(&b, version);
    sb_puts(&b, ","), sb_csv(&b, o->reason ? o->reason : "");
    sb_puts(&b, "\n");
    return sb_take(&b);
}

/* A number when the text is one, else the text. */
static cJSON *number_or_text(const char *s)
{
    char *end = NULL;
    double v = strtod(s, &end);
    return *s && end && !*end ? cJSON_CreateNumber(v) : cJSON_CreateString(s);
}

char *sweep_jsonl_row(const sweep_grid *g, const sweep_point *p, const sweep_outcome *o, const sweep_figs *f,
                      const sweep_area *area, const char *version)
{
    char t[17];
    int nf = 0;
    const char *const *figs = sweep_figure_names(g->cmd->name, &nf);
    cJSON *r = cJSON_CreateObject();
    cJSON_AddStringToObject(r, "key", sweep_key_text(p->key, t));
    cJSON_AddNumberToObject(r, "index", (double)p->index);
    cJSON_AddStringToObject(r, "command", g->cmd->name);
    cJSON_AddStringToObject(r, "status", sweep_status_name(o->status));
    cJSON_AddStringToObject(r, "reason", o->reason ? o->reason : "");
    cJSON *opts = cJSON_AddObjectToObject(r, "options");
    for (int c = 0; c < g->nopt; c++)
        cJSON_AddStringToObject(opts, g->opt[c].name, p->value[c]);
    cJSON *fo = cJSON_AddObjectToObject(r, "figures");
    for (int i = 0; i < nf && i < f->n; i++)
        cJSON_AddItemToObject(fo, figs[i], f->has[i] ? cJSON_CreateNumber(f->v[i]) : cJSON_CreateNull());
    if (area) {
        cJSON *a = cJSON_AddObjectToObject(r, "area");
        if (f->area_row >= 0) {
            cJSON_AddStringToObject(a, "area_unit", sweep_area_unit(area, f->area_row));
            for (int i = 0; i < sweep_area_ncols(area); i++)
                cJSON_AddItemToObject(a, sweep_area_col(area, i), number_or_text(sweep_area_value(area, f->area_row, i)));
        }
    }
    cJSON_AddStringToObject(r, "version", version);
    cJSON_AddNumberToObject(r, "wall_seconds", o->wall_s);
    if (o->json)
        cJSON_AddStringToObject(r, "json", o->json);
    if (o->log)
        cJSON_AddStringToObject(r, "log", o->log);
    char *text = cJSON_PrintUnformatted(r);
    cJSON_Delete(r);
    if (!text)
        return NULL;
    size_t l = strlen(text);
    char *line = realloc(text, l + 2);
    if (!line) {
        free(text);
        return NULL;
    }
    line[l] = '\n', line[l + 1] = '\0';
    return line;
}
