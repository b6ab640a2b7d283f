/* hbm_cfg_load.c — loading an HBM configuration from YAML (hbm_cfg.h: hbm_cfg_load). The schema and the
 * "allowed" texts are generated from the X-macro tables in hbm_cfg.h.
 *
 * Loading is three passes over the file text: a libyaml event scan (syntax errors with their line, empty
 * files, a second document, and the line of every top-level and section key, for messages), libcyaml
 * into a raw image whose fields are all optional string pointers, and a strict parse of those strings
 * over the base preset followed by hbm_cfg_validate. */
#include "hbm_cfg.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* ---- the YAML image: every field a pointer, NULL when absent ---------------------------------------- */

/* Scalars are read as text and parsed here: libcyaml 1.3.1 reads "2.5" as the unsigned 2 (strtoull
 * without an end check), "0x40" as 64, and any bool other than false/no/off/0 as true. */
#define RAW_MEMBER(sec, key, member, kind, lo, hi, doc) char *member;

struct raw_org { HBM_CFG_ORG(RAW_MEMBER) };
struct raw_timing { HBM_CFG_TIMING(RAW_MEMBER) };
struct raw_refresh { HBM_CFG_REFRESH(RAW_MEMBER) };
struct raw_pim { HBM_CFG_PIM(RAW_MEMBER) };
struct raw_energy { HBM_CFG_ENERGY(RAW_MEMBER) };

struct raw {
    char *name, *base;
    struct raw_org *org;
    struct raw_timing *timing;
    struct raw_refresh *refresh;
    struct raw_pim *pim;
    struct raw_energy *energy;
};

#define OPT CYAML_FLAG_OPTIONAL
#define SCHEMA(sec, key, member, kind, lo, hi, doc) CYAML_FIELD_STRING_PTR(#key, OPT, struct raw_##sec, member, 0, 63),

static const cyaml_schema_field_t org_fields[] = {HBM_CFG_ORG(SCHEMA) CYAML_FIELD_END};
static const cyaml_schema_field_t timing_fields[] = {HBM_CFG_TIMING(SCHEMA) CYAML_FIELD_END};
static const cyaml_schema_field_t refresh_fields[] = {HBM_CFG_REFRESH(SCHEMA) CYAML_FIELD_END};
static const cyaml_schema_field_t pim_fields[] = {HBM_CFG_PIM(SCHEMA) CYAML_FIELD_END};
static const cyaml_schema_field_t energy_fields[] = {HBM_CFG_ENERGY(SCHEMA) CYAML_FIELD_END};

static const cyaml_schema_field_t top_fields[] = {
    CYAML_FIELD_STRING_PTR("name", OPT, struct raw, name, 0, 63),
    CYAML_FIELD_STRING_PTR("base", OPT, struct raw, base, 0, 63),
    CYAML_FIELD_MAPPING_PTR("org", OPT, struct raw, org, org_fields),
    CYAML_FIELD_MAPPING_PTR("timing", OPT, struct raw, timing, timing_fields),
    CYAML_FIELD_MAPPING_PTR("refresh", OPT, struct raw, refresh, refresh_fields),
    CYAML_FIELD_MAPPING_PTR("pim", OPT, struct raw, pim, pim_fields),
    CYAML_FIELD_MAPPING_PTR("energy", OPT, struct raw, energy, energy_fields),
    CYAML_FIELD_END};

static const cyaml_schema_value_t top_schema = {CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw, top_fields)};

/* ---- what may stand where ----------------------------------------------------------------------------- */

typedef struct {
    const char *sec, *key, *kind;
    double lo, hi;
} field_info;

#define INFO(sec, key, member, kind, lo, hi, doc) {#sec, #key, #kind, lo, hi},
static const field_info fields[] = {HBM_CFG_ALL(INFO)};
#define NFIELDS (sizeof fields / sizeof fields[0])
#define TOP_KEYS "name, base, org, timing, refresh, pim, energy"

static int is_section(const char *s)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (!strcmp(fields[i].sec, s))
            return 1;
    return 0;
}

/* The allowed text for `sec.key` (sec "" = top level; key NULL = the keys of sec), written to buf. */
static const char *allowed(const char *sec, const char *key, char *buf, size_t n)
{
    size_t len = 0;
    int first = 1;
    buf[0] = '\0';
    if (!*sec && key && !strcmp(key, "name"))
        return snprintf(buf, n, "a string of at most 63 characters"), buf;
    if (!*sec && key && !strcmp(key, "base"))
        return snprintf(buf, n, "%s", hbm_cfg_preset_names), buf;
    if (!*sec && key && is_section(key)) {
        len = (size_t)snprintf(buf, n, "a mapping of ");
        sec = key, key = NULL;
    } else if (!*sec || !is_section(sec))
        return snprintf(buf, n, "%s", TOP_KEYS), buf;
    for (size_t i = 0; i < NFIELDS; i++) {
        const field_info *f = &fields[i];
        if (strcmp(f->sec, sec) || (key && strcmp(f->key, key)))
            continue;
        if (!key) {
            if (len < n)
                len += (size_t)snprintf(buf + len, n - len, "%s%s", first ? "" : ", ", f->key);
            first = 0;
        } else if (f->kind[0] == 'U')
            snprintf(buf, n, "%.0f..%.0f", f->lo, f->hi);
        else if (f->kind[0] == 'F')
            snprintf(buf, n, "%g..%g", f->lo, f->hi);
        else if (f->kind[0] == 'B')
            snprintf(buf, n, "true, false");
        else
            snprintf(buf, n, "%s, %s, %s", hbm_cfg_ref_modes[0], hbm_cfg_ref_modes[1], hbm_cfg_ref_modes[2]);
        if (key)
            return buf;
    }
    return key ? allowed(sec, NULL, buf, n) : buf; /* an unknown key: the keys of its section */
}

/* ---- libyaml scan: syntax errors and key lines -------------------------------------------------------- */

typedef struct {
    char sec[16], key[48]; /* sec "" for a top-level key */
    unsigned line;
    int quoted; /* the value is a quoted scalar */
} keypos;

typedef struct {
    keypos k[256];
    size_t nk;
    unsigned err_line; /* nonzero: a syntax error, an empty file or a second document, in err */
    char err[320];
} scan_t;

static int null_scalar(const yaml_event_t *e)
{
    const char *v = (const char *)e->data.scalar.value;
    return e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

static void scan(const char *text, size_t len, scan_t *s)
{
    yaml_parser_t p;
    int is_map[8] = {0}, want_key[8] = {0}, depth = 0, docs = 0, root = 0, done = 0;
    size_t pending = SIZE_MAX; /* the key entry whose value is the next node */
    char top[16] = "";
    s->nk = 0, s->err_line = 0;
    if (!yaml_parser_initialize(&p)) {
        s->err_line = 1, snprintf(s->err, sizeof s->err, "out of memory");
        return;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
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
        unsigned line = (unsigned)e.start_mark.line + 1;
        int node = e.type == YAML_SCALAR_EVENT || e.type == YAML_ALIAS_EVENT || e.type == YAML_MAPPING_START_EVENT ||
                   e.type == YAML_SEQUENCE_START_EVENT;
        if (e.type == YAML_DOCUMENT_START_EVENT && ++docs == 2) {
            s->err_line = line, done = 1;
            snprintf(s->err, sizeof s->err, "a second YAML document (allowed: one document per file)");
        } else if (node && depth == 0)
            root = !(e.type == YAML_SCALAR_EVENT && null_scalar(&e));
        else if (node && depth <= 8 && is_map[depth - 1]) {
            if (want_key[depth - 1]) {
                if (e.type == YAML_SCALAR_EVENT && depth <= 2 && s->nk < sizeof s->k / sizeof s->k[0]) {
                    keypos *k = &s->k[s->nk];
                    snprintf(k->sec, sizeof k->sec, "%s", depth == 1 ? "" : top);
                    snprintf(k->key, sizeof k->key, "%s", (const char *)e.data.scalar.value);
                    k->line = line, k->quoted = 0;
                    pending = s->nk++;
                }
                if (depth == 1)
                    snprintf(top, sizeof top, "%s", e.type == YAML_SCALAR_EVENT ? (char *)e.data.scalar.value : "");
            } else if (pending != SIZE_MAX) {
                s->k[pending].quoted = e.type == YAML_SCALAR_EVENT && e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
                pending = SIZE_MAX;
            }
            want_key[depth - 1] ^= 1;
        }
        if ((e.type == YAML_MAPPING_START_EVENT || e.type == YAML_SEQUENCE_START_EVENT) && depth == 8) {
            /* stop at once: libyaml's scanner is quadratic in the depth of nested flow collections */
            s->err_line = line, done = 1;
            snprintf(s->err, sizeof s->err, "collections nested deeper than 8 levels (allowed: the sections and values of "
                     "configs/hbm/, two levels)");
        } else if (e.type == YAML_MAPPING_START_EVENT || e.type == YAML_SEQUENCE_START_EVENT) {
            is_map[depth] = e.type == YAML_MAPPING_START_EVENT, want_key[depth] = 1;
            depth++;
        } else if (e.type == YAML_MAPPING_END_EVENT || e.type == YAML_SEQUENCE_END_EVENT)
            depth--;
        else if (e.type == YAML_STREAM_END_EVENT)
            done = 1;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    if (s->err_line) {
        if (!strstr(s->err, "(allowed: ")) {
            size_t l = strlen(s->err);
            snprintf(s->err + l, sizeof s->err - l, " (allowed: YAML mappings, block or flow, as in configs/hbm/)");
        }
    } else if (!root)
        s->err_line = 1, snprintf(s->err, sizeof s->err, "empty configuration (allowed: a mapping of " TOP_KEYS ")");
}

/* `sec.key` (sec "" = top level) as the file spells it, or NULL; its line, or 0. */
static const keypos *find(const scan_t *s, const char *sec, const char *key)
{
    for (size_t i = 0; i < s->nk; i++)
        if (!strcmp(s->k[i].sec, sec) && !strcmp(s->k[i].key, key))
            return &s->k[i];
    return NULL;
}

static unsigned key_line(const scan_t *s, const char *sec, const char *key)
{
    const keypos *k = find(s, sec, key);
    return k ? k->line : 0;
}

/* The line of `sec.key`, else of its section, else 1. */
static unsigned line_of(const scan_t *s, const char *sec, const char *key)
{
    unsigned l = key_line(s, sec, key);
    if (!l && *sec)
        l = key_line(s, "", sec);
    return l ? l : 1;
}

/* The line of the first repeated key named `key` (in any mapping), or 0. */
static unsigned dup_line(const scan_t *s, const char *key)
{
    for (size_t i = 0; i < s->nk; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(s->k[i].key, key) && !strcmp(s->k[j].key, key) && !strcmp(s->k[i].sec, s->k[j].sec))
                return s->k[i].line;
    return 0;
}

/* The line of the first "section.key" named in a validation message that the file spells out, else the
 * first named section that the file has, else 1. */
static unsigned validate_line(const scan_t *s, const char *msg)
{
    unsigned fallback = 0;
    for (const char *p = msg; *p; p++) {
        if (p > msg && p[-1] != ' ' && p[-1] != '(')
            continue;
        size_t sl = strspn(p, "abcdefghijklmnopqrstuvwxyz");
        if (p[sl] != '.')
            continue;
        char sec[16], key[48];
        snprintf(sec, sizeof sec, "%.*s", (int)sl, p);
        size_t kl = strspn(p + sl + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
        snprintf(key, sizeof key, "%.*s", (int)kl, p + sl + 1);
        if (!is_section(sec))
            continue;
        unsigned k = key_line(s, sec, key);
        if (k)
            return k;
        if (!fallback)
            fallback = key_line(s, "", sec);
    }
    return fallback ? fallback : 1;
}

/* ---- libcyaml's messages, collected and converted ------------------------------------------------------ */

typedef struct {
    char text[2048];
    size_t len;
} logbuf;

static void log_fn(cyaml_log_t level, void *ctx, const char *fmt, va_list args)
{
    logbuf *b = ctx;
    if (level < CYAML_LOG_ERROR || b->len >= sizeof b->text - 1)
        return;
    int k = vsnprintf(b->text + b->len, sizeof b->text - b->len, fmt, args);
    if (k > 0)
        b->len = b->len + (size_t)k < sizeof b->text ? b->len + (size_t)k : sizeof b->text - 1;
}

static const char *event_name(const char *ev)
{
    return !strcmp(ev, "SCALAR")           ? "a scalar"
           : !strcmp(ev, "SEQUENCE_START") ? "a sequence"
           : !strcmp(ev, "MAPPING_START")  ? "a mapping"
           : !strcmp(ev, "ALIAS")          ? "an alias"
                                           : ev;
}

/* libcyaml logs e.g. "Load: Unexpected key: bankz\nLoad: Backtrace:\n  in mapping (line: 3, column: 6)\n
 *   in mapping field 'org' (line: 3, column: 3)\n". Its lines are those of the last event it read (for an
 * unknown or repeated key: the previous value), so keys are located with the scan instead; for a wrong
 * value the innermost field's line is that of the value itself. */
static void cyaml_error(const char *path, const char *log, const scan_t *s, char *err, size_t n)
{
    char msg[256] = "", field[2][48] = {"", ""}, text[320], al[400];
    unsigned line = 0;
    int nf = 0;
    for (const char *p = log; *p;) {
        size_t l = strcspn(p, "\n");
        const char *q = p + strspn(p, " ");
        if (!strncmp(q, "in mapping field '", 18)) {
            const char *m = strstr(q, "(line: ");
            if (nf == 0 && m && m < p + l)
                line = (unsigned)strtoul(m + 7, NULL, 10);
            if (nf < 2)
                snprintf(field[nf], sizeof field[nf], "%.*s", (int)strcspn(q + 18, "'"), q + 18);
            nf++;
        } else if (!msg[0] && l && strncmp(q, "in ", 3) && strncmp(q, "Load: Backtrace", 15)) {
            const char *m = strncmp(p, "Load: ", 6) ? p : p + 6;
            snprintf(msg, sizeof msg, "%.*s", (int)(l - (size_t)(m - p)), m);
        }
        p += l + (p[l] == '\n');
    }
    const char *sec = "", *key = "";
    if (strstr(msg, "Unexpected key: ") == msg) {
        sec = nf ? field[0] : "", key = msg + 16;
        line = key_line(s, sec, key) ? key_line(s, sec, key) : line;
        snprintf(text, sizeof text, "unknown key");
        allowed(sec, NULL, al, sizeof al);
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
            allowed(sec, key, al, sizeof al);
        else
            snprintf(al, sizeof al, "a mapping of " TOP_KEYS);
    }
    snprintf(err, n, "%s:%u: %s%s%s%s%s (allowed: %s)", path, line ? line : 1, sec, *sec ? "." : "", key,
             *key ? ": " : "", text, al);
}

/* ---- loading ------------------------------------------------------------------------------------------ */

static int parse_U(const char *s, uint32_t *v)
{
    char *end;
    errno = 0;
    unsigned long long x = (s[0] >= '0' && s[0] <= '9') ? strtoull(s, &end, 10) : 0;
    if (!(s[0] >= '0' && s[0] <= '9') || errno || *end || x > UINT32_MAX)
        return -1;
    *v = (uint32_t)x;
    return 0;
}

static int parse_F(const char *s, double *v)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(x) || s[0] == ' ')
        return -1;
    *v = x;
    return 0;
}

static int parse_B(const char *s, int *v)
{
    if (strcmp(s, "true") && strcmp(s, "false"))
        return -1;
    *v = !strcmp(s, "true");
    return 0;
}

static int parse_E(const char *s, int *v)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, hbm_cfg_ref_modes[i])) {
            *v = i;
            return 0;
        }
    return -1;
}

typedef struct {
    const char *path;
    const scan_t *s;
    char *err;
    size_t n;
} load_ctx;

static int bad_value(const load_ctx *a, const char *sec, const char *key, const char *kind, const char *v, int quoted)
{
    static const char *const what[] = {"an unsigned integer", "a number", "a boolean", "a refresh mode"};
    int k = kind[0] == 'U' ? 0 : kind[0] == 'F' ? 1 : kind[0] == 'B' ? 2 : 3;
    char al[400];
    allowed(sec, key, al, sizeof al);
    snprintf(a->err, a->n, "%s:%u: %s.%s: '%s' is %snot %s (allowed: %s%s)", a->path, line_of(a->s, sec, key), sec,
             key, v, quoted ? "a quoted string, " : "", what[k], al, quoted ? ", unquoted" : "");
    return -1;
}

/* Parses present fields strictly over *c; the first absent one is named in *missing. */
#define APPLY(sec, key, member, kind, lo, hi, doc)                                                            \
    if (r->sec && r->sec->member) {                                                                           \
        const keypos *k = find(a->s, #sec, #key);                                                             \
        int q = #kind[0] != 'E' && k && k->quoted;                                                            \
        if (parse_##kind(r->sec->member, &c->member) || q)                                                    \
            return bad_value(a, #sec, #key, #kind, r->sec->member, q);                                        \
    } else if (!*missing)                                                                                     \
        *missing = #sec "." #key;

static int apply(const load_ctx *a, const struct raw *r, hbm_cfg *c, const char **missing)
{
    HBM_CFG_ALL(APPLY)
    return 0;
}

/* The whole file (at most 1 MiB) in a malloc'ed buffer, or NULL with err filled. */
static char *read_all(const char *path, size_t *len, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = (size_t)1 << 20;
    char *t = malloc(cap + 1);
    *len = t ? fread(t, 1, cap + 1, f) : 0;
    const char *why = !t ? "out of memory" : ferror(f) ? strerror(errno) : *len > cap ? "larger than 1 MiB" : NULL;
    fclose(f);
    if (why) {
        snprintf(err, n, "%s: cannot read: %s", path, why);
        free(t), t = NULL;
    }
    return t;
}

int hbm_cfg_load(const char *path, hbm_cfg *out, char *err, size_t n)
{
    size_t len;
    char *text = read_all(path, &len, err, n);
    if (!text)
        return -1;
    scan_t *s = malloc(sizeof *s);
    logbuf *lb = malloc(sizeof *lb);
    const cyaml_config_t cc = {.log_fn = log_fn, .log_ctx = lb, .mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR};
    struct raw *r = NULL;
    int rc = -1;
    if (!s || !lb) {
        snprintf(err, n, "%s: out of memory", path);
        goto done;
    }
    scan(text, len, s);
    if (s->err_line) {
        snprintf(err, n, "%s:%u: %s", path, s->err_line, s->err);
        goto done;
    }
    lb->len = 0, lb->text[0] = '\0';
    cyaml_err_t e = cyaml_load_data((const uint8_t *)text, len, &cc, &top_schema, (cyaml_data_t **)&r, NULL);
    if (e != CYAML_OK || !r) {
        cyaml_error(path, lb->len ? lb->text : cyaml_strerror(e), s, err, n);
        goto done;
    }
    hbm_cfg c;
    memset(&c, 0, sizeof c);
    const load_ctx a = {path, s, err, n};
    const char *missing = NULL;
    char al[400];
    if (r->base && hbm_cfg_preset(r->base, &c)) {
        snprintf(err, n, "%s:%u: base: unknown preset '%s' (allowed: %s)", path, line_of(s, "", "base"), r->base,
                 hbm_cfg_preset_names);
    } else if (apply(&a, r, &c, &missing)) {
        /* err filled */
    } else if (!r->base && missing) {
        char sec[16];
        snprintf(sec, sizeof sec, "%.*s", (int)strcspn(missing, "."), missing);
        allowed(sec, strchr(missing, '.') + 1, al, sizeof al);
        snprintf(err, n, "%s:%u: missing required field %s (allowed: %s; or start from a preset with base: %s)", path,
                 line_of(s, sec, ""), missing, al, hbm_cfg_preset_names);
    } else {
        snprintf(c.name, sizeof c.name, "%s", r->name ? r->name : r->base ? r->base : "unnamed");
        char verr[400];
        if (hbm_cfg_validate(&c, verr, sizeof verr))
            snprintf(err, n, "%s:%u: %s", path, validate_line(s, verr), verr);
        else
            *out = c, rc = 0;
    }
done:
    if (r)
        cyaml_free(&cc, &top_schema, r, 0);
    free(lb);
    free(s);
    free(text);
    return rc;
}

