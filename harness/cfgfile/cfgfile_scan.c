/* cfgfile_scan.c — what the loader (cfgfile.c) says about a file: the libyaml event scan (syntax errors
 * with their line, empty files, a second document, and the line of every top-level and section key), the
 * lines that validation messages and libcyaml's errors point at, and the "allowed" texts generated from
 * the schema's table (cfgfile_int.h). */
#include "cfgfile_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- what may stand where ----------------------------------------------------------------------------- */

const cfgfile_field *cfgfile_find(const cfgfile_schema *s, const char *sec, const char *key)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (!strcmp(s->fields[i].sec, sec) && !strcmp(s->fields[i].key, key))
            return &s->fields[i];
    return NULL;
}

int cfgfile_is_section(const cfgfile_schema *sch, const char *sec)
{
    for (size_t i = 0; *sec && i < sch->nfields; i++)
        if (!strcmp(sch->fields[i].sec, sec))
            return 1;
    return 0;
}

/* Appends ", word" (or "word" first) to buf[0..*len). */
static void append(char *buf, size_t n, size_t *len, const char *word)
{
    if (*len < n)
        *len += (size_t)snprintf(buf + *len, n - *len, "%s%s", *len ? ", " : "", word);
}

const char *cfgfile_top_keys(const cfgfile_schema *sch, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    append(buf, n, &len, "name");
    append(buf, n, &len, "base");
    for (size_t i = 0; i < sch->nfields; i++) {
        const cfgfile_field *f = &sch->fields[i];
        const char *k = *f->sec ? f->sec : f->key;
        size_t j = 0; /* listed already: an earlier field of the same section */
        while (j < i && !(*f->sec && !strcmp(sch->fields[j].sec, f->sec)))
            j++;
        if (j == i)
            append(buf, n, &len, k);
    }
    return buf;
}

const char *cfgfile_field_allowed(const cfgfile_field *f, char *buf, size_t n)
{
    size_t len = 0;
    buf[0] = '\0';
    switch (f->kind) {
    case CFGFILE_U: snprintf(buf, n, "%.0f..%.0f", f->lo, f->hi); break;
    case CFGFILE_F: snprintf(buf, n, "%g..%g", f->lo, f->hi); break;
    case CFGFILE_B: snprintf(buf, n, "true, false"); break;
    case CFGFILE_E:
        for (int w = (int)f->lo; w <= (int)f->hi; w++)
            append(buf, n, &len, f->words[w]);
        break;
    case CFGFILE_S:
        if (f->allowed)
            snprintf(buf, n, "%s", f->allowed);
        else
            snprintf(buf, n, "a string of at most %zu characters", f->size - 1);
        break;
    }
    return buf;
}

const char *cfgfile_allowed(const cfgfile_schema *sch, const char *sec, const char *key, char *buf, size_t n)
{
    size_t len = 0;
    int first = 1;
    const cfgfile_field *top = !*sec && key ? cfgfile_find(sch, "", key) : NULL;
    buf[0] = '\0';
    if (!*sec && key && !strcmp(key, "name"))
        return snprintf(buf, n, "a string of at most %zu characters", sch->name_size - 1), buf;
    if (!*sec && key && !strcmp(key, "base"))
        return snprintf(buf, n, "%s", sch->presets), buf;
    if (top)
        return cfgfile_field_allowed(top, buf, n);
    if (!*sec && key && cfgfile_is_section(sch, key)) {
        len = (size_t)snprintf(buf, n, "a mapping of ");
        sec = key, key = NULL;
    } else if (!cfgfile_is_section(sch, sec))
        return cfgfile_top_keys(sch, buf, n);
    for (size_t i = 0; i < sch->nfields; i++) {
        const cfgfile_field *f = &sch->fields[i];
        if (strcmp(f->sec, sec) || (key && strcmp(f->key, key)))
            continue;
        if (key)
            return cfgfile_field_allowed(f, buf, n);
        if (len < n)
            len += (size_t)snprintf(buf + len, n - len, "%s%s", first ? "" : ", ", f->key);
        first = 0;
    }
    return key ? cfgfile_allowed(sch, sec, NULL, buf, n) : buf; /* an unknown key: the keys of its section */
}

const char *cfgfile_key_name(const char *sec, const char *key, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s", sec, *sec ? "." : "", key);
    return buf;
}

/* ---- libyaml scan: syntax errors and key lines -------------------------------------------------------- */

static int null_scalar(const yaml_event_t *e)
{
    const char *v = (const char *)e->data.scalar.value;
    return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

/* The scan's position in the tree of collections. */
typedef struct {
    int is_map[8], want_key[8], depth, docs, root, done;
    size_t pending; /* the key entry whose value is the next node */
    char top[16];   /* the current top-level key */
} scan_pos;

/* One node event inside a mapping: a key (recorded at depth 1 and 2) or a value. */
static void on_node(scan_pos *q, const yaml_event_t *e, unsigned line, cfgfile_scan_t *s)
{
    if (q->want_key[q->depth - 1]) {
        if (e->type == YAML_SCALAR_EVENT && q->depth <= 2 && s->nk < sizeof s->k / sizeof s->k[0]) {
            cfgfile_keypos *k = &s->k[s->nk];
            snprintf(k->sec, sizeof k->sec, "%s", q->depth == 1 ? "" : q->top);
            snprintf(k->key, sizeof k->key, "%s", (const char *)e->data.scalar.value);
            k->line = line, k->quoted = 0;
            q->pending = s->nk++;
        }
        if (q->depth == 1)
            snprintf(q->top, sizeof q->top, "%s", e->type == YAML_SCALAR_EVENT ? (char *)e->data.scalar.value : "");
    } else if (q->pending != SIZE_MAX) {
        s->k[q->pending].quoted = e->type == YAML_SCALAR_EVENT && e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        q->pending = SIZE_MAX;
    }
    q->want_key[q->depth - 1] ^= 1;
}

/* One event; sets q->done at the end of the stream or at an error (in s). */
static void on_event(const cfgfile_schema *sch, scan_pos *q, const yaml_event_t *e, cfgfile_scan_t *s)
{
    unsigned line = (unsigned)e->start_mark.line + 1;
    int node = e->type == YAML_SCALAR_EVENT || e->type == YAML_ALIAS_EVENT || e->type == YAML_MAPPING_START_EVENT ||
               e->type == YAML_SEQUENCE_START_EVENT;
    int open = e->type == YAML_MAPPING_START_EVENT || e->type == YAML_SEQUENCE_START_EVENT;
    if (e->type == YAML_DOCUMENT_START_EVENT && ++q->docs == 2) {
        s->err_line = line, q->done = 1;
        snprintf(s->err, sizeof s->err, "a second YAML document (allowed: one document per file)");
    } else if (node && q->depth == 0)
        q->root = !(e->type == YAML_SCALAR_EVENT && null_scalar(e));
    else if (node && q->depth <= 8 && q->is_map[q->depth - 1])
        on_node(q, e, line, s);
    if (open && q->depth == 8) {
        /* stop at once: libyaml's scanner is quadratic in the depth of nested flow collections */
        s->err_line = line, q->done = 1;
        snprintf(s->err, sizeof s->err, "collections nested deeper than 8 levels (allowed: the sections and values of "
                 "%s, two levels)", sch->examples);
    } else if (open) {
        q->is_map[q->depth] = e->type == YAML_MAPPING_START_EVENT, q->want_key[q->depth] = 1;
        q->depth++;
    } else if (e->type == YAML_MAPPING_END_EVENT || e->type == YAML_SEQUENCE_END_EVENT)
        q->depth--;
    else if (e->type == YAML_STREAM_END_EVENT)
        q->done = 1;
}

void cfgfile_scan(const cfgfile_schema *sch, const char *text, size_t len, cfgfile_scan_t *s)
{
    yaml_parser_t p;
    scan_pos q = {.pending = SIZE_MAX};
    s->nk = 0, s->err_line = 0;
    if (!yaml_parser_initialize(&p)) {
        s->err_line = 1, snprintf(s->err, sizeof s->err, "out of memory");
        return;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!q.done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            s->err_line = (unsigned)p.problem_mark.line + 1;
            const char *why = p.problem ? p.problem : "unreadable input";
            int k = snprintf(s->err, sizeof s->err, "YAML syntax error: %s", why);
            if (p.context && k > 0 && (size_t)k < sizeof s->err)
                snprintf(s->err + k, sizeof s->err - (size_t)k, " (%s at line %u)", p.context,
                         (unsigned)p.context_mark.line + 1);
            break;
        }
        on_event(sch, &q, &e, s);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    char keys[400];
    if (s->err_line) {
        if (!strstr(s->err, "(allowed: ")) {
            size_t l = strlen(s->err);
            snprintf(s->err + l, sizeof s->err - l, " (allowed: YAML mappings, block or flow, as in %s)", sch->examples);
        }
    } else if (!q.root)
        s->err_line = 1, snprintf(s->err, sizeof s->err, "empty configuration (allowed: a mapping of %s)",
                                  cfgfile_top_keys(sch, keys, sizeof keys));
}

/* ---- lines ------------------------------------------------------------------------------------------- */

const cfgfile_keypos *cfgfile_keyat(const cfgfile_scan_t *s, const char *sec, const char *key)
{
    for (size_t i = 0; i < s->nk; i++)
        if (!strcmp(s->k[i].sec, sec) && !strcmp(s->k[i].key, key))
            return &s->k[i];
    return NULL;
}

static unsigned key_line(const cfgfile_scan_t *s, const char *sec, const char *key)
{
    const cfgfile_keypos *k = cfgfile_keyat(s, sec, key);
    return k ? k->line : 0;
}

unsigned cfgfile_line_of(const cfgfile_scan_t *s, const char *sec, const char *key)
{
    unsigned l = key_line(s, sec, key);
    if (!l && *sec)
        l = key_line(s, "", sec);
    return l ? l : 1;
}

/* The line of the first repeated key named `key` (in any mapping), or 0. */
static unsigned dup_line(const cfgfile_scan_t *s, const char *key)
{
    for (size_t i = 0; i < s->nk; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->k[i].key, key) && !strcmp(s->k[j].key, key) && !strcmp(s->k[i].sec, s->k[j].sec))
                return s->k[i].line;
    return 0;
}

#define KEY_CHARS "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789"

/* Words of a message that name fields: "section.key" with a known section, or a top-level field's key
 * standing alone; each after the start, a space or '('. */
unsigned cfgfile_validate_line(const cfgfile_schema *sch, const cfgfile_scan_t *s, const char *msg)
{
    unsigned fallback = 0;
    for (const char *p = msg; *p; p++) {
        if (p > msg && p[-1] != ' ' && p[-1] != '(')
            continue;
        size_t sl = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        char sec[16], key[48];
        if (p[sl] != '.') { /* a top-level field? */
            size_t kl = strspn(p, KEY_CHARS);
            snprintf(key, sizeof key, "%.*s", (int)kl, p);
            if (kl && cfgfile_find(sch, "", key) && key_line(s, "", key))
                return key_line(s, "", key);
            continue;
        }
        snprintf(sec, sizeof sec, "%.*s", (int)sl, p);
        size_t kl = strspn(p + sl + 1, KEY_CHARS);
        snprintf(key, sizeof key, "%.*s", (int)kl, p + sl + 1);
        if (!cfgfile_is_section(sch, sec))
            continue;
        unsigned k = key_line(s, sec, key);
        if (k)
            return k;
        if (!fallback)
            fallback = key_line(s, "", sec);
    }
    return fallback ? fallback : 1;
}

/* ---- libcyaml's messages, converted -------------------------------------------------------------------- */

static const char *event_name(const char *ev)
{
    return !strcmp(ev, "SCALAR")           ? "a scalar"
           : !strcmp(ev, "SEQUENCE_START") ? "a sequence"
           : !strcmp(ev, "MAPPING_START")  ? "a mapping"
           : !strcmp(ev, "ALIAS")          ? "an alias"
                                           : ev;
}

/* The log's first message line into msg, the (at most two) innermost mapping fields of its backtrace into
 * field[], their number into *nf, and the line of the innermost one into *line. */
static void parse_log(const char *log, char *msg, size_t msg_n, char field[2][48], int *nf, unsigned *line)
{
    for (const char *p = log; *p;) {
        size_t l = strcspn(p, "\n");
        const char *q = p + strspn(p, " ");
        if (!strncmp(q, "in mapping field '", 18)) {
            const char *m = strstr(q, "(line: ");
            if (*nf == 0 && m && m < p + l)
                *line = (unsigned)strtoul(m + 7, NULL, 10);
            if (*nf < 2)
                snprintf(field[*nf], sizeof field[*nf], "%.*s", (int)strcspn(q + 18, "'"), q + 18);
            (*nf)++;
        } else if (!msg[0] && l && strncmp(q, "in ", 3) && strncmp(q, "Load: Backtrace", 15)) {
            const char *m = strncmp(p, "Load: ", 6) ? p : p + 6;
            snprintf(msg, msg_n, "%.*s", (int)(l - (size_t)(m - p)), m);
        }
        p += l + (p[l] == '\n');
    }
}

/* libcyaml logs e.g. "Load: Unexpected key: bankz\nLoad: Backtrace:\n  in mapping (line: 3, column: 6)\n
 *   in mapping field 'org' (line: 3, column: 3)\n". Its lines are those of the last event it read (for an
 * unknown or repeated key: the previous value), so keys are located with the scan instead; for a wrong
 * value the innermost field's line is that of the value itself. */
void cfgfile_cyaml_error(const cfgfile_schema *sch, const char *path, const char *log, const cfgfile_scan_t *s,
                         char *err, size_t n)
{
    char msg[256] = "", field[2][48] = {"", ""}, text[320], al[400], keys[400];
    unsigned line = 0;
    int nf = 0;
    parse_log(log, msg, sizeof msg, field, &nf, &line);
    const char *sec = "", *key = "";
    if (strstr(msg, "Unexpected key: ") == msg) {
        sec = nf ? field[0] : "", key = msg + 16;
        line = key_line(s, sec, key) ? key_line(s, sec, key) : line;
        snprintf(text, sizeof text, "unknown key");
        cfgfile_allowed(sch, sec, NULL, al, sizeof al);
    } else if (strstr(msg, "Mapping field already seen: ") == msg) {
        sec = nf >= 2 ? field[1] : "", key = msg + 28;
        line = dup_line(s, key) ? dup_line(s, key) : line;
        snprintf(text, sizeof text, "repeated key");
        snprintf(al, sizeof al, "each key once per mapping");
    } else {
        char want[32], got[32];
        unsigned max;
        sec = nf >= 2 ? field[1] : "", key = nf ? field[0] : "";
        if (sscanf(msg, "Expecting %31[A-Z], got event: %31[A-Z_]", want, got) == 2)
            snprintf(text, sizeof text, "expected %s, got %s", strcmp(want, "MAPPING") ? "a single value" : "a mapping",
                     event_name(got));
        else if (sscanf(msg, "STRING length > %u", &max) == 1)
            snprintf(text, sizeof text, "longer than %u characters", max);
        else
            snprintf(text, sizeof text, "%s", msg[0] ? msg : "invalid configuration");
        if (*key)
            cfgfile_allowed(sch, sec, key, al, sizeof al);
        else
            snprintf(al, sizeof al, "a mapping of %s", cfgfile_top_keys(sch, keys, sizeof keys));
    }
    snprintf(err, n, "%s:%u: %s%s%s%s%s (allowed: %s)", path, line ? line : 1, sec, *sec ? "." : "", key,
             *key ? ": " : "", text, al);
}
