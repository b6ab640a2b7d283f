/* points.c — a grid's points (sweep.h): the values of point i, its exclude rule, its key (FNV-1a of the canonical
 * text), its command line, and shell quoting for the emitted scripts. */
#include "sweep.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_int.h"

uint64_t sweep_fnv1a(const void *data, size_t len, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

const char *sweep_key_text(uint64_t key, char buf[17])
{
    snprintf(buf, 17, "%016" PRIx64, key);
    return buf;
}

/* A column is given on the command line unless it is a false flag. */
static int given(const sweep_grid *g, const sweep_point *p, int col)
{
    return !(g->opt[col].def->flag && !strcmp(p->value[col], "false"));
}

/* The columns in canonical order (by name, strcmp) into ord; their number. */
static int canonical_order(const sweep_grid *g, int *ord)
{
    for (int i = 0; i < g->nopt; i++) {
        int j = i;
        while (j > 0 && strcmp(g->opt[ord[j - 1]].name, g->opt[i].name) > 0) {
            ord[j] = ord[j - 1];
            j--;
        }
        ord[j] = i;
    }
    return g->nopt;
}

void sweep_point_at(const sweep_grid *g, uint64_t index, sweep_point *p)
{
    p->index = index;
    for (int c = 0; c < g->nopt; c++)
        p->row[c] = 0;
    for (int d = 0; d < g->ndim; d++) {
        const sweep_dim *x = &g->dim[d];
        int r = (int)((index / x->stride) % (uint64_t)x->size);
        for (int c = x->first; c < x->first + x->nopts; c++)
            p->row[c] = r;
    }
    for (int c = 0; c < g->nopt; c++)
        p->value[c] = g->opt[c].values[p->row[c]];
    p->exclude = -1;
    for (int e = 0; e < g->nex && p->exclude < 0; e++) {
        const sweep_exclude *x = &g->ex[e];
        int all = 1;
        for (int k = 0; k < x->nconds && all; k++)
            all = x->match[k][p->row[x->col[k]]];
        if (all)
            p->exclude = e;
    }
    int ord[SWEEP_MAX_OPTS];
    canonical_order(g, ord);
    uint64_t h = sweep_fnv1a(g->cmd->name, strlen(g->cmd->name), SWEEP_FNV_OFFSET);
    h = sweep_fnv1a("\n", 1, h);
    for (int i = 0; i < g->nopt; i++) {
        int c = ord[i];
        if (!given(g, p, c))
            continue;
        h = sweep_fnv1a(g->opt[c].name, strlen(g->opt[c].name), h);
        h = sweep_fnv1a("=", 1, h);
        h = sweep_fnv1a(p->value[c], strlen(p->value[c]), h);
        h = sweep_fnv1a("\n", 1, h);
    }
    p->key = h;
}

char *sweep_canonical(const sweep_grid *g, const sweep_point *p)
{
    int ord[SWEEP_MAX_OPTS];
    canonical_order(g, ord);
    sbuf b = {0};
    sb_printf(&b, "%s\n", g->cmd->name);
    for (int i = 0; i < g->nopt; i++)
        if (given(g, p, ord[i]))
            sb_printf(&b, "%s=%s\n", g->opt[ord[i]].name, p->value[ord[i]]);
    return sb_take(&b);
}

char **sweep_point_argv(const sweep_grid *g, const sweep_point *p, const char *argv0, const char *json)
{
    char **v = calloc((size_t)(2 * g->nopt + 6), sizeof *v);
    int k = 0, bad = !v;
    if (bad)
        return NULL;
    v[k++] = strdup(argv0);
    v[k++] = strdup(g->cmd->name);
    for (int c = 0; c < g->nopt; c++) {
        const sweep_option *o = &g->opt[c];
        if (!given(g, p, c))
            continue;
        size_t l = strlen(o->def->name);
        sbuf b = {0};
        sb_printf(&b, "--%s", o->def->name);
        v[k++] = sb_take(&b);
        if (o->def->keyed) {
            sb_printf(&b, "%s=%s", o->name + l + 1, p->value[c]);
            v[k++] = sb_take(&b);
        } else if (!o->def->flag) {
            v[k++] = strdup(p->value[c]);
        }
    }
    if (json) {
        v[k++] = strdup("--json");
        v[k++] = strdup(json);
    }
    for (int i = 0; i < k; i++)
        bad |= !v[i];
    if (bad) {
        sweep_argv_free(v);
        return NULL;
    }
    return v;
}

void sweep_argv_free(char **argv)
{
    for (int i = 0; argv && argv[i]; i++)
        free(argv[i]);
    free(argv);
}

const char *sweep_shell_quote(const char *word, char *buf, size_t n)
{
    int plain = *word != '\0';
    for (const char *p = word; *p && plain; p++)
        plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./:,@%", *p) != NULL;
    size_t k = 0;
    if (plain) {
        if (strlen(word) >= n)
            return NULL;
        memcpy(buf, word, strlen(word) + 1);
        return buf;
    }
    if (k + 1 >= n)
        return NULL;
    buf[k++] = '\'';
    for (const char *p = word; *p; p++) {
        const char *piece = *p == '\'' ? "'\\''" : NULL;
        size_t l = piece ? 4 : 1;
        if (k + l + 2 > n)
            return NULL;
        if (piece)
            memcpy(buf + k, piece, l);
        else
            buf[k] = *p;
        k += l;
    }
    buf[k++] = '\'';
    buf[k] = '\0';
    return buf;
}

typedef struct keyed_index {
    uint64_t key, index;
} keyed_index;

static int by_key(const void *a, const void *b)
{
    const keyed_index *x = a, *y = b;
    return x->key < y->key ? -1 : x->key > y->key ? 1 : x->index < y->index ? -1 : x->index > y->index;
}

int sweep_keys_distinct(const sweep_grid *g, char *err, size_t n)
{
    keyed_index *k = malloc((size_t)g->npoints * sizeof *k);
    if (!k)
        return snprintf(err, n, "%s: out of memory for %" PRIu64 " keys", g->path, g->npoints), -1;
    sweep_point p;
    for (uint64_t i = 0; i < g->npoints; i++) {
        sweep_point_at(g, i, &p);
        k[i] = (keyed_index){p.key, i};
    }
    qsort(k, (size_t)g->npoints, sizeof *k, by_key);
    int rc = 0;
    for (uint64_t i = 1; i < g->npoints && !rc; i++)
        if (k[i].key == k[i - 1].key) {
            char t[17];
            rc = -1;
            snprintf(err, n, "%s: points %" PRIu64 " and %" PRIu64 " have the same key %s (a 64-bit hash collision; "
                     "allowed: a grid whose points hash apart, e.g. with an option written differently)", g->path,
                     k[i - 1].index, k[i].index, sweep_key_text(k[i].key, t));
        }
    free(k);
    return rc;
}
