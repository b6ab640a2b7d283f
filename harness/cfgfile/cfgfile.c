/* cfgfile.c — loading, overriding, range-checking and writing a configuration described by a table of
 * fields (cfgfile.h). What the messages say about a file is in cfgfile_scan.c.
 *
 * Loading is three passes over the file text: a libyaml event scan (syntax errors with their line, empty
 * files, a second document, the line of every top-level and section key), libcyaml into a raw image whose
 * fields are all optional string pointers (its schema built from the table), and a strict parse of those
 * strings over the base preset followed by the schema's validation. */
#include "cfgfile_int.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the raw image: every value a string, NULL when absent -------------------------------------------- */

/* Scalars are read as text and parsed here: libcyaml 1.3.1 reads "2.5" as the unsigned 2 (strtoull
 * without an end check), "0x40" as 64, and any bool other than false/no/off/0 as true.
 * The image is an array of pointers: name, base, the top-level fields, then one pointer per section to
 * that section's array of value pointers. */
typedef struct {
    cyaml_schema_field_t *top, *secf; /* top: name, base, fields, sections, end; secf: each section's, end */
    cyaml_schema_value_t root;
    const char **secs; /* the sections in table order */
    size_t nsec, ntop;
    size_t *slot, *secof; /* per field: its slot in its mapping; its section's index (top-level: SIZE_MAX) */
} raw_schema;

#define OPT CYAML_FLAG_OPTIONAL

static cyaml_schema_field_t string_field(const char *key, size_t slot, uint32_t max)
{
    return (cyaml_schema_field_t){.key = key,
                                  .data_offset = (uint32_t)(slot * sizeof(void *)),
                                  .value = {.type = CYAML_STRING,
                                            .flags = (enum cyaml_flag)(OPT | CYAML_FLAG_POINTER),
                                            .data_size = sizeof(char *),
                                            .string = {.min = 0, .max = max}}};
}

static size_t section_index(const raw_schema *r, const char *sec)
{
    for (size_t i = 0; i < r->nsec; i++)
        if (!strcmp(r->secs[i], sec))
            return i;
    return SIZE_MAX;
}

static void raw_free(raw_schema *r)
{
    free(r->top), free(r->secf), free(r->secs), free(r->slot), free(r->secof);
}

/* The libcyaml schema of sch's files; 0, or -1 when out of memory. */
static int raw_build(const cfgfile_schema *sch, raw_schema *r)
{
    size_t nf = sch->nfields;
    memset(r, 0, sizeof *r);
    r->secs = calloc(nf + 1, sizeof *r->secs), r->slot = calloc(nf + 1, sizeof *r->slot);
    r->secof = calloc(nf + 1, sizeof *r->secof);
    r->top = calloc(nf + 3, sizeof *r->top), r->secf = calloc(2 * nf + 1, sizeof *r->secf);
    if (!r->secs || !r->slot || !r->secof || !r->top || !r->secf)
        return raw_free(r), -1;
    for (size_t i = 0; i < nf; i++) /* sections in order of first appearance */
        if (*sch->fields[i].sec && section_index(r, sch->fields[i].sec) == SIZE_MAX)
            r->secs[r->nsec++] = sch->fields[i].sec;
    size_t nt = 0, ns = 0;
    r->top[nt++] = string_field("name", 0, (uint32_t)sch->name_size - 1);
    r->top[nt++] = string_field("base", 1, 63);
    for (size_t i = 0; i < nf; i++)
        if (!*sch->fields[i].sec) {
            const cfgfile_field *f = &sch->fields[i];
            r->slot[i] = nt, r->secof[i] = SIZE_MAX;
            r->top[nt] = string_field(f->key, nt, f->kind == CFGFILE_S ? (uint32_t)f->size - 1 : 63);
            nt++;
        }
    r->ntop = nt - 2;
    for (size_t k = 0; k < r->nsec; k++) {
        size_t first = ns, count = 0;
        for (size_t i = 0; i < nf; i++) {
            const cfgfile_field *f = &sch->fields[i];
            if (strcmp(f->sec, r->secs[k]))
                continue;
            r->slot[i] = count, r->secof[i] = k;
            r->secf[ns++] = string_field(f->key, count++, f->kind == CFGFILE_S ? (uint32_t)f->size - 1 : 63);
        }
        ns++; /* the end of this section's fields: zeroed */
        r->top[nt++] = (cyaml_schema_field_t){
            .key = r->secs[k],
            .data_offset = (uint32_t)((2 + r->ntop + k) * sizeof(void *)),
            .value = {.type = CYAML_MAPPING,
                      .flags = (enum cyaml_flag)(OPT | CYAML_FLAG_POINTER),
                      .data_size = (uint32_t)(count * sizeof(void *)),
                      .mapping = {.fields = &r->secf[first]}}};
    }
    r->root = (cyaml_schema_value_t){.type = CYAML_MAPPING,
                                     .flags = CYAML_FLAG_POINTER,
                                     .data_size = (uint32_t)((2 + r->ntop + r->nsec) * sizeof(void *)),
                                     .mapping = {.fields = r->top}};
    return 0;
}

/* The text of field i in the image, or NULL. */
static const char *raw_value(const raw_schema *r, void *const *img, size_t i)
{
    if (r->secof[i] == SIZE_MAX)
        return img[r->slot[i]];
    char *const *sec = img[2 + r->ntop + r->secof[i]];
    return sec ? sec[r->slot[i]] : NULL;
}

/* ---- values ------------------------------------------------------------------------------------------- */

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

/* Parses text into f's member of cfg; 0, or -1 when it does not parse (cfg unchanged). */
static int store(const cfgfile_field *f, void *cfg, const char *text)
{
    char *m = (char *)cfg + f->off;
    uint32_t u;
    double d;
    int i;
    switch (f->kind) {
    case CFGFILE_U: return parse_U(text, &u) ? -1 : (memcpy(m, &u, sizeof u), 0);
    case CFGFILE_F: return parse_F(text, &d) ? -1 : (memcpy(m, &d, sizeof d), 0);
    case CFGFILE_B:
        if (strcmp(text, "true") && strcmp(text, "false"))
            return -1;
        i = !strcmp(text, "true");
        return memcpy(m, &i, sizeof i), 0;
    case CFGFILE_E:
        for (i = (int)f->lo; i <= (int)f->hi; i++)
            if (!strcmp(text, f->words[i]))
                return memcpy(m, &i, sizeof i), 0;
        return -1;
    case CFGFILE_S:
        if (strlen(text) >= f->size)
            return -1;
        return snprintf(m, f->size, "%s", text), 0;
    }
    return -1;
}

/* What is wrong with a value that did not parse: "'v' is not ... (allowed: ...)". */
static const char *value_msg(const cfgfile_field *f, const char *v, int quoted, char *buf, size_t n)
{
    static const char *const what[] = {"an unsigned integer", "a number", "a boolean"};
    char al[400];
    cfgfile_field_allowed(f, al, sizeof al);
    if (f->kind == CFGFILE_S)
        snprintf(buf, n, "longer than %zu characters (allowed: %s)", f->size - 1, al);
    else if (f->kind == CFGFILE_E && !f->what)
        snprintf(buf, n, "'%s' (allowed: %s)", v, al);
    else
        snprintf(buf, n, "'%s' is %snot %s (allowed: %s%s)", v, quoted ? "a quoted string, " : "",
                 f->kind == CFGFILE_E ? f->what : what[f->kind], al, quoted ? ", unquoted" : "");
    return buf;
}

/* f's member of cfg within its range: 0, or -1 with "KEY: V is out of range (allowed: lo..hi)". */
static int check_field(const cfgfile_field *f, const void *cfg, char *err, size_t n)
{
    const char *m = (const char *)cfg + f->off;
    char name[80], al[400];
    cfgfile_key_name(f->sec, f->key, name, sizeof name);
    uint32_t u = 0;
    int i;
    double d;
    switch (f->kind) {
    case CFGFILE_U: memcpy(&u, m, sizeof u); break;
    case CFGFILE_B:
    case CFGFILE_E: memcpy(&i, m, sizeof i), u = (uint32_t)i; break;
    case CFGFILE_F:
        memcpy(&d, m, sizeof d);
        if (!isfinite(d) || d < f->lo || d > f->hi)
            return snprintf(err, n, "%s: %g is out of range (allowed: %g..%g)", name, d, f->lo, f->hi), -1;
        return 0;
    case CFGFILE_S:
        if (!memchr(m, '\0', f->size))
            return snprintf(err, n, "%s: longer than %zu characters (allowed: %s)", name, f->size - 1,
                            cfgfile_field_allowed(f, al, sizeof al)), -1;
        return 0;
    }
    if (u < (uint32_t)f->lo || u > (uint32_t)f->hi)
        return snprintf(err, n, "%s: %u is out of range (allowed: %u..%u)", name, u, (unsigned)f->lo, (unsigned)f->hi),
               -1;
    return 0;
}

int cfgfile_check_ranges(const cfgfile_schema *s, const void *cfg, char *err, size_t n)
{
    for (size_t i = 0; i < s->nfields; i++)
        if (check_field(&s->fields[i], cfg, err, n))
            return -1;
    return 0;
}

/* ---- loading ------------------------------------------------------------------------------------------ */

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

/* One load's inputs and outputs. */
typedef struct {
    const cfgfile_schema *sch;
    const char *path;
    const cfgfile_scan_t *s;
    char *err;
    size_t n;
} load_ctx;

/* Parses the image's values strictly over cfg, in table order; the first absent field in *missing. */
static int apply(const load_ctx *a, const raw_schema *r, void *const *img, void *cfg, const cfgfile_field **missing)
{
    for (size_t i = 0; i < a->sch->nfields; i++) {
        const cfgfile_field *f = &a->sch->fields[i];
        const char *v = raw_value(r, img, i);
        if (!v) {
            if (!*missing)
                *missing = f;
            continue;
        }
        const cfgfile_keypos *k = cfgfile_keyat(a->s, f->sec, f->key);
        int q = f->kind != CFGFILE_E && f->kind != CFGFILE_S && k && k->quoted;
        char name[80], msg[600];
        if (store(f, cfg, v) || q)
            return snprintf(a->err, a->n, "%s:%u: %s: %s", a->path, cfgfile_line_of(a->s, f->sec, f->key),
                            cfgfile_key_name(f->sec, f->key, name, sizeof name), value_msg(f, v, q, msg, sizeof msg)),
                   -1;
    }
    return 0;
}

/* The configuration of a loaded image into cfg (zeroed): base, values, name, validation; 0 or -1. */
static int fill(const load_ctx *a, const raw_schema *r, void *const *img, void *cfg)
{
    const cfgfile_schema *sch = a->sch;
    const char *name = img[0], *base = img[1];
    const cfgfile_field *missing = NULL;
    char al[400], key[80], verr[1024];
    if (base && sch->preset(base, cfg))
        return snprintf(a->err, a->n, "%s:%u: base: unknown preset '%s' (allowed: %s)", a->path,
                        cfgfile_line_of(a->s, "", "base"), base, sch->presets), -1;
    if (apply(a, r, img, cfg, &missing))
        return -1;
    if (!base && missing)
        return snprintf(a->err, a->n, "%s:%u: missing required field %s (allowed: %s; or start from a preset with base: %s)",
                        a->path, cfgfile_line_of(a->s, missing->sec, ""),
                        cfgfile_key_name(missing->sec, missing->key, key, sizeof key),
                        cfgfile_field_allowed(missing, al, sizeof al), sch->presets), -1;
    snprintf((char *)cfg + sch->name_off, sch->name_size, "%s", name ? name : base ? base : "unnamed");
    if (sch->validate(cfg, verr, sizeof verr))
        return snprintf(a->err, a->n, "%s:%u: %s", a->path, cfgfile_validate_line(sch, a->s, verr), verr), -1;
    return 0;
}

int cfgfile_load(const cfgfile_schema *sch, const char *path, void *out, char *err, size_t n)
{
    size_t len;
    char *text = read_all(path, &len, err, n);
    if (!text)
        return -1;
    cfgfile_scan_t *s = malloc(sizeof *s);
    logbuf *lb = malloc(sizeof *lb);
    void *cfg = calloc(1, sch->size);
    const cyaml_config_t cc = {.log_fn = log_fn, .log_ctx = lb, .mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR};
    raw_schema r;
    int built = -1, rc = -1;
    void **img = NULL;
    if (!s || !lb || !cfg || (built = raw_build(sch, &r))) {
        snprintf(err, n, "%s: out of memory", path);
        goto done;
    }
    cfgfile_scan(sch, text, len, s);
    if (s->err_line) {
        snprintf(err, n, "%s:%u: %s", path, s->err_line, s->err);
        goto done;
    }
    lb->len = 0, lb->text[0] = '\0';
    cyaml_err_t e = cyaml_load_data((const uint8_t *)text, len, &cc, &r.root, (cyaml_data_t **)&img, NULL);
    if (e != CYAML_OK || !img) {
        cfgfile_cyaml_error(sch, path, lb->len ? lb->text : cyaml_strerror(e), s, err, n);
        goto done;
    }
    const load_ctx a = {sch, path, s, err, n};
    if (!fill(&a, &r, img, cfg))
        memcpy(out, cfg, sch->size), rc = 0;
done:
    if (img)
        cyaml_free(&cc, &r.root, img, 0);
    if (!built)
        raw_free(&r);
    free(cfg);
    free(lb);
    free(s);
    free(text);
    return rc;
}

int cfgfile_resolve(const cfgfile_schema *sch, const char *text, void *out, char *err, size_t n)
{
    if (!sch->preset(text, out))
        return 0;
    struct stat st;
    FILE *f = NULL;
    if (stat(text, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, n, "%s: is a directory (allowed: a preset (%s) or a YAML file, as in %s)", text, sch->presets,
                 sch->examples);
        return -1;
    }
    if (stat(text, &st) || !S_ISREG(st.st_mode) || !(f = fopen(text, "r"))) {
        snprintf(err, n, "'%s' is neither a preset (%s) nor a readable YAML file", text, sch->presets);
        return -1;
    }
    fclose(f);
    return cfgfile_load(sch, text, out, err, n);
}

/* ---- one field from the command line ------------------------------------------------------------------ */

/* "name, gpus, tp, gpu.KEY, ...": what cfgfile_set takes. */
static const char *set_keys(const cfgfile_schema *sch, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "name");
    for (size_t i = 0; i < sch->nfields && len < n; i++) {
        const cfgfile_field *f = &sch->fields[i];
        if (!*f->sec)
            len += (size_t)snprintf(buf + len, n - len, ", %s", f->key);
        else if (i == 0 || strcmp(sch->fields[i - 1].sec, f->sec))
            len += (size_t)snprintf(buf + len, n - len, ", %s.KEY", f->sec);
    }
    return buf;
}

int cfgfile_set(const cfgfile_schema *sch, void *cfg, const char *dotted, const char *value, char *err, size_t n)
{
    const char *dot = strchr(dotted, '.');
    char sec[16] = "", key[48], al[400], msg[600];
    if (dot && (size_t)(dot - dotted) < sizeof sec)
        snprintf(sec, sizeof sec, "%.*s", (int)(dot - dotted), dotted);
    snprintf(key, sizeof key, "%s", dot ? dot + 1 : dotted);
    if (!dot && !strcmp(dotted, "name")) {
        if (strlen(value) >= sch->name_size)
            return snprintf(err, n, "name: longer than %zu characters (allowed: a string of at most %zu characters)",
                            sch->name_size - 1, sch->name_size - 1), -1;
        return snprintf((char *)cfg + sch->name_off, sch->name_size, "%s", value), 0;
    }
    const cfgfile_field *f = (dot && !*sec) || (dot && !cfgfile_is_section(sch, sec)) ? NULL : cfgfile_find(sch, sec, key);
    if (!f)
        return snprintf(err, n, "%s: unknown key (allowed: %s)", dotted,
                        dot && cfgfile_is_section(sch, sec) ? cfgfile_allowed(sch, sec, NULL, al, sizeof al)
                                                            : set_keys(sch, al, sizeof al)), -1;
    void *tmp = malloc(sch->size);
    int rc = -1;
    if (!tmp)
        snprintf(err, n, "%s: out of memory", dotted);
    else if (memcpy(tmp, cfg, sch->size), store(f, tmp, value))
        snprintf(err, n, "%s: %s", dotted, value_msg(f, value, 0, msg, sizeof msg));
    else if (!check_field(f, tmp, err, n))
        memcpy((char *)cfg + f->off, (char *)tmp + f->off, f->size), rc = 0;
    free(tmp);
    return rc;
}

/* ---- writing ------------------------------------------------------------------------------------------ */

/* The shortest %g form that reads back as exactly v. */
static const char *fmt_double(double v, char *buf, size_t n)
{
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, n, "%.*g", p, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return buf;
}

/* s (at most max bytes) double-quoted, so that any string reads back unchanged. */
static const char *quoted(const char *s, size_t max, char *buf, size_t n)
{
    size_t len = (size_t)snprintf(buf, n, "\"");
    for (size_t i = 0; i < max && s[i] && len + 5 < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '"' || ch == '\\')
            len += (size_t)snprintf(buf + len, n - len, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7f)
            len += (size_t)snprintf(buf + len, n - len, "\\x%02x", ch);
        else
            buf[len++] = (char)ch, buf[len] = '\0';
    }
    snprintf(buf + len, n - len, "\"");
    return buf;
}

static const char *field_text(const cfgfile_field *f, const void *cfg, char *buf, size_t n)
{
    const char *m = (const char *)cfg + f->off;
    uint32_t u;
    int i;
    double d;
    switch (f->kind) {
    case CFGFILE_U: return memcpy(&u, m, sizeof u), snprintf(buf, n, "%u", (unsigned)u), buf;
    case CFGFILE_F: return memcpy(&d, m, sizeof d), fmt_double(d, buf, n);
    case CFGFILE_B: return memcpy(&i, m, sizeof i), i ? "true" : "false";
    case CFGFILE_E: return memcpy(&i, m, sizeof i), i >= (int)f->lo && i <= (int)f->hi ? f->words[i] : "invalid";
    case CFGFILE_S: return quoted(m, f->size, buf, n);
    }
    return "invalid";
}

void cfgfile_write(const cfgfile_schema *sch, const void *cfg, FILE *f)
{
    const char *cur = "";
    char buf[320], key[64];
    int w = 16; /* the key column: the longest "key:", at least 16 wide */
    for (size_t i = 0; i < sch->nfields; i++)
        w = (int)strlen(sch->fields[i].key) + 1 > w ? (int)strlen(sch->fields[i].key) + 1 : w;
    fprintf(f, "name: %s\n", quoted((const char *)cfg + sch->name_off, sch->name_size, buf, sizeof buf));
    for (size_t i = 0; i < sch->nfields; i++) {
        const cfgfile_field *x = &sch->fields[i];
        if (strcmp(cur, x->sec) && *x->sec)
            fprintf(f, "%s:\n", x->sec);
        cur = x->sec;
        snprintf(key, sizeof key, "%s:", x->key);
        fprintf(f, "%s%-*s %-12s # %s\n", *x->sec ? "  " : "", *x->sec ? w : w + 2, key, field_text(x, cfg, buf, sizeof buf),
                x->doc);
    }
}
