/* ytree.c — a YAML file as a tree of nodes with their lines, from libyaml's events (sweep_int.h); and the small
 * text helpers of the module (growable strings, CSV fields). */
#include "sweep_int.h"
#include "sweep.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define YT_DEPTH 8
#define YT_MAX_BYTES (16u << 20)

const char *ytree_kind_name(const ynode *y)
{
    return y->kind == YN_SCALAR ? "a scalar" : y->kind == YN_SEQ ? "a list" : "a mapping";
}

int ytree_is_null(const ynode *y)
{
    const char *v = y->text;
    return y->kind == YN_SCALAR && y->plain &&
           (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

void ytree_free(ynode *y)
{
    if (!y)
        return;
    for (int i = 0; i < y->nkid; i++)
        ytree_free(y->kid[i]);
    free(y->kid);
    free(y->text);
    free(y);
}

static int add_kid(ynode *p, ynode *k)
{
    if ((p->nkid & (p->nkid - 1)) == 0) { /* 0, 1, 2, 4, ...: grow to the next power of two */
        ynode **g = realloc(p->kid, (size_t)(p->nkid ? 2 * p->nkid : 1) * sizeof *g);
        if (!g)
            return -1;
        p->kid = g;
    }
    p->kid[p->nkid++] = k;
    return 0;
}

static char *read_all(const char *path, size_t *len, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return snprintf(err, n, "%s: cannot open: %s", path, strerror(errno)), NULL;
    char *buf = malloc(YT_MAX_BYTES + 1);
    size_t k = buf ? fread(buf, 1, YT_MAX_BYTES + 1, f) : 0;
    int bad = !buf || ferror(f);
    fclose(f);
    if (bad || k > YT_MAX_BYTES) {
        snprintf(err, n, "%s: cannot read: %s", path, !buf ? "out of memory" : k > YT_MAX_BYTES ? "larger than 16 MiB"
                                                                                       : "read error");
        free(buf);
        return NULL;
    }
    *len = k;
    return buf;
}

/* The tree under construction. */
typedef struct yt_state {
    ynode *stack[YT_DEPTH + 1];
    int depth, docs;
    ynode *root;
} yt_state;

/* One event into the tree; 0, or -1 with err (line in *line). */
static int on_event(yt_state *s, const yaml_event_t *e, unsigned *line, char *err, size_t n)
{
    *line = (unsigned)e->start_mark.line + 1;
    if (e->type == YAML_DOCUMENT_START_EVENT && ++s->docs == 2)
        return snprintf(err, n, "a second YAML document (allowed: one document per file)"), -1;
    if (e->type == YAML_ALIAS_EVENT)
        return snprintf(err, n, "an alias (allowed: plain values; anchors and aliases are not supported here)"), -1;
    if (e->type == YAML_MAPPING_END_EVENT || e->type == YAML_SEQUENCE_END_EVENT) {
        s->depth--;
        return 0;
    }
    if (e->type != YAML_SCALAR_EVENT && e->type != YAML_SEQUENCE_START_EVENT && e->type != YAML_MAPPING_START_EVENT)
        return 0;
    if (s->depth == YT_DEPTH)
        return snprintf(err, n, "collections nested deeper than %d levels (allowed: the mappings and lists of "
                                "configs/sweeps/*.yaml)", YT_DEPTH),
               -1;
    ynode *y = calloc(1, sizeof *y);
    if (!y)
        return snprintf(err, n, "out of memory"), -1;
    y->line = *line;
    if (e->type == YAML_SCALAR_EVENT) {
        y->kind = YN_SCALAR;
        y->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        y->text = strdup((const char *)e->data.scalar.value);
    } else {
        y->kind = e->type == YAML_SEQUENCE_START_EVENT ? YN_SEQ : YN_MAP;
    }
    if ((y->kind == YN_SCALAR && !y->text) || (s->depth ? add_kid(s->stack[s->depth - 1], y) : 0)) {
        ytree_free(y);
        return snprintf(err, n, "out of memory"), -1;
    }
    if (!s->depth)
        s->root = y;
    if (y->kind != YN_SCALAR)
        s->stack[s->depth++] = y;
    return 0;
}

ynode *ytree_load(const char *path, int *empty, char *err, size_t n)
{
    size_t len = 0;
    char *text = read_all(path, &len, err, n);
    *empty = 0;
    if (!text)
        return NULL;
    yaml_parser_t p;
    yt_state s = {.depth = 0};
    char why[400] = "";
    unsigned line = 1;
    int done = 0, bad = 0;
    if (!yaml_parser_initialize(&p)) {
        free(text);
        return snprintf(err, n, "%s: out of memory", path), NULL;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done && !bad) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            line = (unsigned)p.problem_mark.line + 1;
            int k = snprintf(why, sizeof why, "YAML syntax error: %s", p.problem ? p.problem : "unreadable input");
            if (p.context && k > 0 && (size_t)k < sizeof why)
                snprintf(why + k, sizeof why - (size_t)k, " (%s at line %u)", p.context,
                         (unsigned)p.context_mark.line + 1);
            size_t l = strlen(why);
            snprintf(why + l, sizeof why - l, " (allowed: YAML mappings and lists, block or flow, as in "
                                              "configs/sweeps/*.yaml)");
            bad = 1;
            break;
        }
        bad = on_event(&s, &e, &line, why, sizeof why) != 0;
        done = e.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    free(text);
    if (bad) {
        ytree_free(s.root);
        snprintf(err, n, "%s:%u: %s", path, line, why);
        return NULL;
    }
    if (!s.root || ytree_is_null(s.root)) {
        ytree_free(s.root);
        *empty = 1;
        return NULL;
    }
    return s.root;
}

/* ---- text helpers ----------------------------------------------------------------------------------------- */

void sb_put(sbuf *b, const char *s, size_t len)
{
    if (b->oom)
        return;
    if (b->len + len + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + len + 1)
            cap *= 2;
        char *g = realloc(b->s, cap);
        if (!g) {
            b->oom = 1;
            return;
        }
        b->s = g, b->cap = cap;
    }
    memcpy(b->s + b->len, s, len);
    b->len += len;
    b->s[b->len] = '\0';
}

void sb_puts(sbuf *b, const char *s) { sb_put(b, s, strlen(s)); }

void sb_printf(sbuf *b, const char *fmt, ...)
{
    char small[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (k < 0) {
        b->oom = 1;
        return;
    }
    if ((size_t)k < sizeof small) {
        sb_put(b, small, (size_t)k);
        return;
    }
    char *big = malloc((size_t)k + 1);
    if (!big) {
        b->oom = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    sb_put(b, big, (size_t)k);
    free(big);
}

void sb_csv(sbuf *b, const char *s)
{
    size_t l = strlen(s);
    if (!strpbrk(s, ",\"\r\n") && !(l && (s[0] == ' ' || s[l - 1] == ' '))) {
        sb_put(b, s, l);
        return;
    }
    sb_put(b, "\"", 1);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            sb_put(b, "\"\"", 2);
        else
            sb_put(b, p, 1);
    }
    sb_put(b, "\"", 1);
}

char *sb_take(sbuf *b)
{
    char *s = b->oom ? NULL : b->s;
    if (b->oom)
        free(b->s);
    if (s == NULL && !b->oom) /* nothing written: an empty string */
        s = calloc(1, 1);
    b->s = NULL, b->len = b->cap = 0, b->oom = 0;
    return s;
}

int csv_split(char *line, char **field, int max)
{
    int nf = 0;
    char *r = line, *w = line;
    for (;;) {
        if (nf == max)
            return -1;
        field[nf++] = w;
        if (*r == '"') {
            r++;
            for (;;) {
                if (!*r)
                    return -1;
                if (*r == '"' && r[1] == '"')
                    *w++ = '"', r += 2;
                else if (*r == '"')
                    break;
                else
                    *w++ = *r++;
            }
            r++; /* the closing quote */
            if (*r && *r != ',')
                return -1;
        } else {
            while (*r && *r != ',')
                *w++ = *r++;
        }
        int more = *r == ',';
        *w++ = '\0';
        if (!more)
            return nf;
        r++;
    }
}

int sweep_csv_split(char *line, char **field, int max) { return csv_split(line, field, max); }
