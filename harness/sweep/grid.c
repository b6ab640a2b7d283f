/* grid.c — a grid file into a sweep_grid (sweep.h): the top-level keys, the options of fixed, grid and zip with
 * their values checked against the command's options, the exclude rules, and the dimensions. */
#include "sweep.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"

#define TOP_KEYS "command, fixed, grid, zip, exclude"

typedef struct gctx {
    const char *path;
    const sweep_cmd *cmds;
    int ncmds;
    sweep_grid *g;
    char *err;
    size_t n;
} gctx;

static int fail(gctx *c, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(gctx *c, unsigned line, const char *fmt, ...)
{
    int k = snprintf(c->err, c->n, "%s:%u: ", c->path, line ? line : 1);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < c->n)
        vsnprintf(c->err + k, c->n - (size_t)k, fmt, ap);
    va_end(ap);
    return -1;
}

/* The value of key in mapping m, or NULL. */
static const ynode *map_get(const ynode *m, const char *key)
{
    for (int i = 0; i + 1 < m->nkid; i += 2)
        if (m->kid[i]->kind == YN_SCALAR && !strcmp(m->kid[i]->text, key))
            return m->kid[i + 1];
    return NULL;
}

/* Keys of mapping m: single values, each once; 0 or -1. */
static int check_keys(gctx *c, const ynode *m, const char *where)
{
    for (int i = 0; i + 1 < m->nkid; i += 2) {
        const ynode *k = m->kid[i];
        if (k->kind != YN_SCALAR)
            return fail(c, k->line, "%s%sa key that is %s (allowed: names)", where, *where ? ": " : "",
                        ytree_kind_name(k));
        for (int j = 0; j < i; j += 2)
            if (!strcmp(m->kid[j]->text, k->text))
                return fail(c, k->line, "%s%s%s: repeated key (allowed: each key once per mapping)", where,
                            *where ? "." : "", k->text);
    }
    return 0;
}

/* ---- options ------------------------------------------------------------------------------------------------ */

/* "a, b, set.KEY, ..." the options a grid may name. */
static void allowed_options(const sweep_cmd *cmd, sbuf *b)
{
    int first = 1;
    for (int i = 0; i < cmd->nopts; i++) {
        const sweep_optdef *d = &cmd->opts[i];
        if (d->reserved)
            continue;
        sb_printf(b, "%s%s%s", first ? "" : ", ", d->name, d->keyed ? ".KEY" : "");
        first = 0;
    }
}

/* The definition of grid name `name`; NULL after the message. */
static const sweep_optdef *find_opt(gctx *c, const char *where, const char *name, unsigned line)
{
    const sweep_cmd *cmd = c->g->cmd;
    for (int i = 0; i < cmd->nopts; i++) {
        const sweep_optdef *d = &cmd->opts[i];
        size_t l = strlen(d->name);
        if (d->keyed && !strncmp(name, d->name, l) && name[l] == '.' && name[l + 1] && !strchr(name, '='))
            return d;
        if (strcmp(name, d->name))
            continue;
        if (d->keyed)
            return fail(c, line, "%s.%s: a repeatable KEY=VALUE option (allowed: %s.KEY, one column per key, e.g. "
                        "%s.pim.gemv)", where, name, name, name), NULL;
        if (d->reserved)
            return fail(c, line, "%s.%s: an output option, which the sweep sets itself or the points would share "
                        "(allowed: the other options of pimattn %s)", where, name, cmd->name), NULL;
        return d;
    }
    sbuf b = {0};
    allowed_options(cmd, &b);
    fail(c, line, "%s.%s: unknown option of pimattn %s (allowed: %s)", where, name, cmd->name, b.s ? b.s : "");
    free(b.s);
    return NULL;
}

/* One value v of option (def, name) at `key` (e.g. "grid.batch", item: "value 2 of "); its text, allocated;
 * NULL after the message. */
static char *take_value(gctx *c, const char *key, const sweep_optdef *d, const char *name, const ynode *v)
{
    const char *allowed = d->flag ? "true, false" : "one value";
    if (v->kind != YN_SCALAR)
        return fail(c, v->line, "%s: expected a single value, got %s (allowed: %s)", key, ytree_kind_name(v), allowed),
               NULL;
    if (ytree_is_null(v))
        return fail(c, v->line, "%s: no value (allowed: %s)", key, allowed), NULL;
    for (const char *p = v->text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            return fail(c, v->line, "%s: the value holds a control character (allowed: printable text)", key), NULL;
    if (d->flag && strcmp(v->text, "true") && strcmp(v->text, "false"))
        return fail(c, v->line, "%s: '%s' (allowed: true, false)", key, v->text), NULL;
    char why[1024];
    const sweep_cmd *cmd = c->g->cmd;
    if (!d->flag && cmd->check && cmd->check(cmd->ctx, cmd->name, name, v->text, why, sizeof why))
        return fail(c, v->line, "%s: %s", key, why), NULL;
    char *s = strdup(v->text);
    if (!s)
        fail(c, v->line, "out of memory");
    return s;
}

/* A new column `name` (the key node k) in dimension dim with room for nv values; NULL after the message. */
static sweep_option *add_column(gctx *c, const char *key, const ynode *k, int dim, int nv)
{
    sweep_grid *g = c->g;
    for (int i = 0; i < g->nopt; i++)
        if (!strcmp(g->opt[i].name, k->text))
            return fail(c, k->line, "%s: given twice, also at line %u (allowed: each option once in fixed, grid and "
                        "zip)", key, g->opt[i].line), NULL;
    if (g->nopt == SWEEP_MAX_OPTS)
        return fail(c, k->line, "%s: more than %d options (allowed: at most %d)", key, SWEEP_MAX_OPTS, SWEEP_MAX_OPTS),
               NULL;
    sweep_option *o = &g->opt[g->nopt];
    memset(o, 0, sizeof *o);
    o->name = strdup(k->text);
    o->values = calloc((size_t)nv, sizeof *o->values);
    o->lines = calloc((size_t)nv, sizeof *o->lines);
    g->nopt++; /* freed with the grid from here on */
    if (!o->name || !o->values || !o->lines)
        return fail(c, k->line, "out of memory"), NULL;
    o->dim = dim, o->line = k->line;
    return o;
}

/* A list of values (grid or zip: where) for the column at k; distinct: no value twice. 0 or -1. */
static int take_list(gctx *c, const char *where, const ynode *k, const ynode *v, int dim, int distinct)
{
    char key[160];
    snprintf(key, sizeof key, "%s.%s", where, k->text);
    const sweep_optdef *d = find_opt(c, where, k->text, k->line);
    if (!d)
        return -1;
    if (v->kind != YN_SEQ)
        return fail(c, v->line, "%s: expected a list of values, got %s (allowed: [V, V, ...])", key,
                    ytree_is_null(v) ? "nothing" : ytree_kind_name(v));
    if (v->nkid == 0)
        return fail(c, v->line, "%s: empty list (allowed: at least one value)", key);
    if (v->nkid > SWEEP_MAX_VALUES)
        return fail(c, v->line, "%s: %d values (allowed: at most %d)", key, v->nkid, SWEEP_MAX_VALUES);
    sweep_option *o = add_column(c, key, k, dim, v->nkid);
    if (!o)
        return -1;
    o->def = d;
    for (int i = 0; i < v->nkid; i++) {
        char item[200];
        snprintf(item, sizeof item, "%s[%d]", key, i);
        if (!(o->values[i] = take_value(c, item, d, k->text, v->kid[i])))
            return -1;
        o->lines[i] = v->kid[i]->line;
        o->nvalues = i + 1;
        for (int j = 0; distinct && j < i; j++)
            if (!strcmp(o->values[j], o->values[i]))
                return fail(c, o->lines[i], "%s: '%s' is listed twice (allowed: distinct values)", key, o->values[i]);
    }
    return 0;
}

/* ---- sections ------------------------------------------------------------------------------------------------ */

static int section_map(gctx *c, const ynode *v, const char *sec, const char *allowed)
{
    if (v->kind != YN_MAP)
        return fail(c, v->line, "%s: expected a mapping, got %s (allowed: %s)", sec,
                    ytree_is_null(v) ? "nothing" : ytree_kind_name(v), allowed);
    return check_keys(c, v, sec);
}

static int load_fixed(gctx *c, const ynode *m)
{
    if (section_map(c, m, "fixed", "a mapping of OPTION: VALUE"))
        return -1;
    for (int i = 0; i + 1 < m->nkid; i += 2) {
        const ynode *k = m->kid[i], *v = m->kid[i + 1];
        char key[160];
        snprintf(key, sizeof key, "fixed.%s", k->text);
        const sweep_optdef *d = find_opt(c, "fixed", k->text, k->line);
        if (!d)
            return -1;
        if (v->kind == YN_SEQ)
            return fail(c, v->line, "%s: expected a single value, got a list (allowed: one value; lists go under grid "
                        "or zip)", key);
        sweep_option *o = add_column(c, key, k, -1, 1);
        if (!o)
            return -1;
        o->def = d;
        if (!(o->values[0] = take_value(c, key, d, k->text, v)))
            return -1;
        o->lines[0] = v->line, o->nvalues = 1;
    }
    return 0;
}

static int new_dim(gctx *c, int first, int size)
{
    sweep_dim *d = &c->g->dim[c->g->ndim++];
    d->first = first, d->nopts = c->g->nopt - first, d->size = size;
    return 0;
}

static int load_grid(gctx *c, const ynode *m)
{
    if (section_map(c, m, "grid", "a mapping of OPTION: [V, V, ...]"))
        return -1;
    for (int i = 0; i + 1 < m->nkid; i += 2) {
        int first = c->g->nopt;
        if (take_list(c, "grid", m->kid[i], m->kid[i + 1], c->g->ndim, 1) || new_dim(c, first, c->g->opt[first].nvalues))
            return -1;
    }
    return 0;
}

/* Rows r and q of the zip group's columns [first, nopt) are the same. */
static int same_row(const sweep_grid *g, int first, int r, int q)
{
    for (int o = first; o < g->nopt; o++)
        if (strcmp(g->opt[o].values[r], g->opt[o].values[q]))
            return 0;
    return 1;
}

static int load_zip_group(gctx *c, int gi, const ynode *m)
{
    char where[32];
    snprintf(where, sizeof where, "zip[%d]", gi);
    if (m->kind != YN_MAP)
        return fail(c, m->line, "%s: expected a mapping, got %s (allowed: OPTION: [V, ...] entries of equal length)",
                    where, ytree_kind_name(m));
    if (m->nkid == 0)
        return fail(c, m->line, "%s: empty group (allowed: OPTION: [V, ...] entries of equal length)", where);
    if (check_keys(c, m, where))
        return -1;
    int first = c->g->nopt;
    for (int i = 0; i + 1 < m->nkid; i += 2) {
        if (take_list(c, where, m->kid[i], m->kid[i + 1], c->g->ndim, 0))
            return -1;
        const sweep_option *a = &c->g->opt[first], *b = &c->g->opt[c->g->nopt - 1];
        if (b->nvalues != a->nvalues)
            return fail(c, m->kid[i]->line, "%s.%s: %d values, but %s.%s has %d (allowed: equally long lists in one "
                        "zip group)", where, b->name, b->nvalues, where, a->name, a->nvalues);
    }
    const sweep_option *a = &c->g->opt[first];
    for (int r = 1; r < a->nvalues; r++)
        for (int q = 0; q < r; q++)
            if (same_row(c->g, first, r, q))
                return fail(c, a->lines[r], "%s: rows %d and %d are the same (allowed: distinct rows)", where, q, r);
    return new_dim(c, first, a->nvalues);
}

static int load_zip(gctx *c, const ynode *s)
{
    if (s->kind != YN_SEQ)
        return fail(c, s->line, "zip: expected a list of groups, got %s (allowed: - OPTION: [V, ...] groups)",
                    ytree_is_null(s) ? "nothing" : ytree_kind_name(s));
    for (int i = 0; i < s->nkid; i++)
        if (load_zip_group(c, i, s->kid[i]))
            return -1;
    return 0;
}

/* ---- exclude -------------------------------------------------------------------------------------------------- */

static int column_of(const sweep_grid *g, const char *name)
{
    for (int i = 0; i < g->nopt; i++)
        if (!strcmp(g->opt[i].name, name))
            return i;
    return -1;
}

/* Marks the values of column col that v (a scalar or a list of them) names. */
static int exclude_values(gctx *c, const char *key, int col, const ynode *v, unsigned char *match)
{
    const sweep_option *o = &c->g->opt[col];
    int nv = v->kind == YN_SEQ ? v->nkid : 1;
    if (v->kind == YN_MAP || (v->kind == YN_SEQ && !nv))
        return fail(c, v->line, "%s: expected a value or a list of values, got %s (allowed: one of the grid's values "
                    "of %s)", key, v->kind == YN_MAP ? "a mapping" : "an empty list", o->name);
    for (int i = 0; i < nv; i++) {
        const ynode *x = v->kind == YN_SEQ ? v->kid[i] : v;
        int hit = 0;
        if (x->kind != YN_SCALAR)
            return fail(c, x->line, "%s: expected a single value, got %s (allowed: one of the grid's values of %s)",
                        key, ytree_kind_name(x), o->name);
        for (int j = 0; j < o->nvalues; j++)
            if (!strcmp(o->values[j], x->text))
                match[j] = 1, hit = 1;
        if (!hit) {
            sbuf b = {0};
            for (int j = 0; j < o->nvalues; j++)
                sb_printf(&b, "%s%s", j ? ", " : "", o->values[j]);
            fail(c, x->line, "%s: '%s' is not a value of %s in this grid (allowed: %s)", key, x->text, o->name,
                 b.s ? b.s : "");
            free(b.s);
            return -1;
        }
    }
    return 0;
}

static int load_exclude_entry(gctx *c, int ei, const ynode *m)
{
    sweep_exclude *e = &c->g->ex[ei];
    char where[32];
    snprintf(where, sizeof where, "exclude[%d]", ei);
    e->line = m->line;
    if (m->kind != YN_MAP)
        return fail(c, m->line, "%s: expected a mapping, got %s (allowed: OPTION: VALUE or [VALUES] entries and a "
                    "reason)", where, ytree_kind_name(m));
    if (check_keys(c, m, where))
        return -1;
    for (int i = 0; i + 1 < m->nkid; i += 2) {
        const ynode *k = m->kid[i], *v = m->kid[i + 1];
        char key[160];
        snprintf(key, sizeof key, "%s.%s", where, k->text);
        if (!strcmp(k->text, "reason")) {
            if (v->kind != YN_SCALAR || ytree_is_null(v))
                return fail(c, v->line, "%s: expected a single value, got %s (allowed: text)", key,
                            v->kind == YN_SCALAR ? "nothing" : ytree_kind_name(v));
            if (!(e->reason = strdup(v->text)))
                return fail(c, v->line, "out of memory");
            for (char *p = e->reason; *p; p++)
                if ((unsigned char)*p < 0x20)
                    *p = ' ';
            continue;
        }
        int col = column_of(c->g, k->text);
        if (col < 0) {
            sbuf b = {0};
            for (int j = 0; j < c->g->nopt; j++)
                sb_printf(&b, "%s, ", c->g->opt[j].name);
            fail(c, k->line, "%s: not an option of this grid (allowed: %sreason)", key, b.s ? b.s : "");
            free(b.s);
            return -1;
        }
        e->col[e->nconds] = col;
        if (!(e->match[e->nconds] = calloc((size_t)c->g->opt[col].nvalues, 1)))
            return fail(c, k->line, "out of memory");
        if (exclude_values(c, key, col, v, e->match[e->nconds++]))
            return -1;
    }
    if (!e->nconds)
        return fail(c, m->line, "%s: no option (allowed: OPTION: VALUE or [VALUES] entries and a reason)", where);
    if (!e->reason) {
        char r[96];
        snprintf(r, sizeof r, "excluded by exclude[%d] of the grid (line %u)", ei, m->line);
        if (!(e->reason = strdup(r)))
            return fail(c, m->line, "out of memory");
    }
    return 0;
}

static int load_exclude(gctx *c, const ynode *s)
{
    if (s->kind != YN_SEQ)
        return fail(c, s->line, "exclude: expected a list of rules, got %s (allowed: - OPTION: VALUE ... reason: TEXT)",
                    ytree_is_null(s) ? "nothing" : ytree_kind_name(s));
    if (!(c->g->ex = calloc((size_t)s->nkid + 1, sizeof *c->g->ex)))
        return fail(c, s->line, "out of memory");
    for (int i = 0; i < s->nkid; i++) {
        c->g->nex = i + 1;
        if (load_exclude_entry(c, i, s->kid[i]))
            return -1;
    }
    return 0;
}

/* ---- the file ------------------------------------------------------------------------------------------------- */

static int load_command(gctx *c, const ynode *root)
{
    const ynode *v = map_get(root, "command");
    sbuf b = {0};
    for (int i = 0; i < c->ncmds; i++)
        sb_printf(&b, "%s%s", i ? ", " : "", c->cmds[i].name);
    const char *names = b.s ? b.s : "";
    int rc = 0;
    if (!v)
        rc = fail(c, root->line, "command: missing (allowed: %s)", names);
    else if (v->kind != YN_SCALAR || ytree_is_null(v))
        rc = fail(c, v->line, "command: expected a single value, got %s (allowed: %s)",
                  v->kind == YN_SCALAR ? "nothing" : ytree_kind_name(v), names);
    for (int i = 0; !rc && i < c->ncmds; i++)
        if (!strcmp(v->text, c->cmds[i].name))
            c->g->cmd = &c->cmds[i];
    if (!rc && !c->g->cmd)
        rc = fail(c, v->line, "command: '%s' (allowed: %s)", v->text, names);
    free(b.s);
    return rc;
}

static int load_root(gctx *c, const ynode *root)
{
    if (root->kind != YN_MAP)
        return fail(c, root->line, "expected a mapping, got %s (allowed: a mapping of " TOP_KEYS ")",
                    ytree_kind_name(root));
    if (check_keys(c, root, ""))
        return -1;
    for (int i = 0; i + 1 < root->nkid; i += 2) {
        const char *k = root->kid[i]->text;
        if (strcmp(k, "command") && strcmp(k, "fixed") && strcmp(k, "grid") && strcmp(k, "zip") && strcmp(k, "exclude"))
            return fail(c, root->kid[i]->line, "%s: unknown key (allowed: " TOP_KEYS ")", k);
    }
    const ynode *v;
    if (load_command(c, root) || ((v = map_get(root, "fixed")) && load_fixed(c, v)) ||
        ((v = map_get(root, "grid")) && load_grid(c, v)) || ((v = map_get(root, "zip")) && load_zip(c, v)) ||
        ((v = map_get(root, "exclude")) && load_exclude(c, v)))
        return -1;
    uint64_t p = 1;
    for (int d = c->g->ndim - 1; d >= 0; d--) {
        c->g->dim[d].stride = p;
        p *= (uint64_t)c->g->dim[d].size;
        if (p > SWEEP_MAX_POINTS)
            return fail(c, c->g->opt[c->g->dim[d].first].line, "the grid has more than %u points (allowed: at most %u; "
                        "split it)", SWEEP_MAX_POINTS, SWEEP_MAX_POINTS);
    }
    c->g->npoints = p;
    return 0;
}

int sweep_grid_load(const char *path, const sweep_cmd *cmds, int ncmds, sweep_grid *g, char *err, size_t n)
{
    memset(g, 0, sizeof *g);
    gctx c = {.path = path, .cmds = cmds, .ncmds = ncmds, .g = g, .err = err, .n = n};
    int empty = 0;
    ynode *root = ytree_load(path, &empty, err, n);
    if (!root && !empty)
        return -1;
    int rc = empty ? fail(&c, 1, "empty grid file (allowed: a mapping of " TOP_KEYS ")") : load_root(&c, root);
    ytree_free(root);
    if (!rc && !(g->path = strdup(path)))
        rc = fail(&c, 1, "out of memory");
    if (rc)
        sweep_grid_free(g);
    return rc;
}

void sweep_grid_free(sweep_grid *g)
{
    for (int i = 0; i < g->nopt; i++) {
        for (int j = 0; j < g->opt[i].nvalues; j++)
            free(g->opt[i].values[j]);
        free(g->opt[i].values);
        free(g->opt[i].lines);
        free(g->opt[i].name);
    }
    for (int i = 0; i < g->nex; i++) {
        for (int j = 0; j < g->ex[i].nconds; j++)
            free(g->ex[i].match[j]);
        free(g->ex[i].reason);
    }
    free(g->ex);
    free(g->path);
    memset(g, 0, sizeof *g);
}
