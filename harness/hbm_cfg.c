/* hbm_cfg.c — HBM configuration: YAML loading (libcyaml), validation, writing (hbm_cfg.h). The schema,
 * the range checks and the writer are generated from the X-macro tables in hbm_cfg.h. */
#include "hbm_cfg.h"

#include <cyaml/cyaml.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- the YAML image: every field a pointer, NULL when absent ---------------------------------------- */

/* Scalars are read as text and parsed here: libcyaml 1.3.1 accepts "2.5" for an unsigned and "maybe"
 * for a bool; this way every malformed value gets the same strict error with its line. */
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
    CYAML_FIELD_STRING_PTR("name", OPT, struct raw, name, 1, 63),
    CYAML_FIELD_STRING_PTR("base", OPT, struct raw, base, 1, 63),
    CYAML_FIELD_MAPPING_PTR("org", OPT, struct raw, org, org_fields),
    CYAML_FIELD_MAPPING_PTR("timing", OPT, struct raw, timing, timing_fields),
    CYAML_FIELD_MAPPING_PTR("refresh", OPT, struct raw, refresh, refresh_fields),
    CYAML_FIELD_MAPPING_PTR("pim", OPT, struct raw, pim, pim_fields),
    CYAML_FIELD_MAPPING_PTR("energy", OPT, struct raw, energy, energy_fields),
    CYAML_FIELD_END};

static const cyaml_schema_value_t top_schema = {CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, struct raw, top_fields)};

/* ---- libcyaml's messages, collected ------------------------------------------------------------------- */

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

static int has(const char *p, size_t l, const char *w)
{
    size_t wl = strlen(w);
    for (size_t i = 0; i + wl <= l; i++)
        if (!strncmp(p + i, w, wl))
            return 1;
    return 0;
}

#define KEYNAME(sec, key, member, kind, lo, hi, doc) " " #key

/* The keys allowed where line `at` stands: those of the section it is indented under, or the top level. */
static const char *section_keys(const char *path, unsigned at)
{
    FILE *f = fopen(path, "r");
    char buf[1024], sec[32] = "";
    unsigned ln = 0;
    while (f && ln < at && fgets(buf, sizeof buf, f)) {
        ln++;
        if (buf[0] != ' ' && buf[0] != '#' && buf[0] != '\n' && strchr(buf, ':'))
            snprintf(sec, sizeof sec, "%.*s", (int)strcspn(buf, ":"), buf);
        if (ln == at && buf[0] != ' ')
            sec[0] = '\0';
    }
    if (f)
        fclose(f);
    if (!strcmp(sec, "org"))
        return HBM_CFG_ORG(KEYNAME);
    if (!strcmp(sec, "timing"))
        return HBM_CFG_TIMING(KEYNAME);
    if (!strcmp(sec, "refresh"))
        return HBM_CFG_REFRESH(KEYNAME);
    if (!strcmp(sec, "pim"))
        return HBM_CFG_PIM(KEYNAME);
    if (!strcmp(sec, "energy"))
        return HBM_CFG_ENERGY(KEYNAME);
    return " name base org timing refresh pim energy";
}

/* The first line whose key (any indentation) is `key`, or 1. */
static unsigned any_key_line(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    char buf[1024];
    unsigned ln = 0, found = 0;
    size_t kl = strlen(key);
    while (f && !found && fgets(buf, sizeof buf, f)) {
        ln++;
        const char *p = buf + strspn(buf, " ");
        if (!strncmp(p, key, kl) && p[kl] == ':')
            found = ln;
    }
    if (f)
        fclose(f);
    return found ? found : 1;
}

/* "Load: Invalid UINT value: '-3'\nLoad: Backtrace:\n  in mapping field 'nRC' (line: 5, column: 8)"
 * -> the first message and the innermost line. */
static void cyaml_error(const char *path, const logbuf *b, char *err, size_t n)
{
    char msg[512] = "invalid YAML";
    unsigned line = 1;
    const char *p = b->text;
    int have = 0;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        const char *ln = strstr(p, "(line: ");
        if (ln && ln < p + l && line == 1)
            line = (unsigned)strtoul(ln + 7, NULL, 10);
        else if (!have && l && !has(p, l, "Backtrace")) {
            const char *m = strncmp(p, "Load: ", 6) ? p : p + 6;
            size_t ml = l - (size_t)(m - p);
            snprintf(msg, sizeof msg, "%.*s", (int)(ml < sizeof msg ? ml : sizeof msg - 1), m);
            have = 1;
            const char *pl = strstr(msg, " (line ");
            if (pl && line == 1)
                line = (unsigned)strtoul(pl + 7, NULL, 10);
        }
        if (!e)
            break;
        p = e + 1;
    }
    const char *uk = strstr(msg, "Unexpected key: ");
    if (uk) {
        if (line == 1) /* top-level keys come without a backtrace line: find the key */
            line = any_key_line(path, uk + 16);
        snprintf(err, n, "%s:%u: %s (allowed:%s)", path, line, msg, section_keys(path, line));
    } else
        snprintf(err, n, "%s:%u: %s (see harness/hbm_cfg.h and configs/hbm/ for keys and types)", path, line, msg);
}

/* ---- key lines (block style): "section.key" -> line, for errors found after loading ------------------ */

static unsigned key_line(const char *path, const char *sec, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 1;
    char buf[1024], cur[64] = "";
    unsigned ln = 0, sec_line = 1, found = 0;
    while (!found && fgets(buf, sizeof buf, f)) {
        ln++;
        const char *p = buf;
        while (*p == ' ')
            p++;
        if (*p == '#' || *p == '\n' || !*p)
            continue;
        size_t kl = strcspn(p, ":");
        if (!p[kl])
            continue;
        if (p == buf) {
            snprintf(cur, sizeof cur, "%.*s", (int)kl, p);
            if (!strcmp(cur, sec))
                sec_line = ln;
            if (!key && !strcmp(cur, sec))
                found = ln;
        } else if (key && !strcmp(cur, sec) && strlen(key) == kl && !strncmp(p, key, kl))
            found = ln;
    }
    fclose(f);
    return found ? found : sec_line;
}

/* The line of the first "section.key" named in a validation message that the file spells out, else the
 * first one's section (or line 1). */
static unsigned validate_line(const char *path, const char *msg)
{
    static const char *const secs[] = {"org.", "timing.", "refresh.", "pim.", "energy."};
    unsigned fallback = 0;
    for (const char *p = msg; *p; p++)
        for (int i = 0; i < 5; i++) {
            size_t l = strlen(secs[i]);
            if (strncmp(p, secs[i], l) || (p > msg && p[-1] != ' '))
                continue;
            char sec[32], key[32];
            snprintf(sec, sizeof sec, "%.*s", (int)l - 1, p);
            size_t kl = strspn(p + l, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789");
            snprintf(key, sizeof key, "%.*s", (int)kl, p + l);
            unsigned k = key_line(path, sec, key), s = key_line(path, sec, NULL);
            if (k != s || !strcmp(key, sec))
                return k;
            if (!fallback)
                fallback = s;
        }
    return fallback ? fallback : 1;
}

/* ---- validation ---------------------------------------------------------------------------------------- */

#define CHECK_RANGE(sec, key, member, kind, lo, hi, doc) CHECK_##kind(#sec "." #key, c->member, lo, hi)
#define CHECK_U(name, v, lo, hi)                                                                              \
    if ((uint64_t)(v) + 1 < (uint64_t)(lo) + 1 || (v) > (uint32_t)(hi)) {                                     \
        snprintf(err, n, "%s: %u is out of range (allowed: %u..%u)", name, (unsigned)(v), (unsigned)(lo),    \
                 (unsigned)(hi));                                                                             \
        return -1;                                                                                            \
    }
#define CHECK_B(name, v, lo, hi) CHECK_U(name, (uint32_t)(v), lo, hi)
#define CHECK_E(name, v, lo, hi) CHECK_U(name, (uint32_t)(v), lo, hi)
#define CHECK_F(name, v, lo, hi)                                                                              \
    if (!isfinite(v) || (v) < (lo) || (v) > (hi)) {                                                           \
        snprintf(err, n, "%s: %g is out of range (allowed: %g..%g)", name, (double)(v), (double)(lo),        \
                 (double)(hi));                                                                               \
        return -1;                                                                                            \
    }

/* a <= b, both named */
#define ORDER(sec, a, b)                                                                                      \
    if (c->a > c->b) {                                                                                        \
        snprintf(err, n, #sec "." #a ": %u exceeds " #sec "." #b " %u (allowed: " #a " <= " #b ")",          \
                 (unsigned)c->a, (unsigned)c->b);                                                             \
        return -1;                                                                                            \
    }

int hbm_cfg_validate(const hbm_cfg *c, char *err, size_t n)
{
    HBM_CFG_ALL(CHECK_RANGE)
    ORDER(timing, nRAS, nRC)
    ORDER(timing, nRP, nRC)
    ORDER(timing, nRCDRD, nRAS)
    ORDER(timing, nRCDWR, nRAS)
    ORDER(timing, nCCDS, nCCDL)
    ORDER(timing, nRRDS, nRRDL)
    ORDER(timing, nBL, nCCDS)
    ORDER(timing, nRRDS, nFAW)
    ORDER(refresh, nRFCpb, nRFC)
    ORDER(pim, nMAC, nMACpow)
    if (c->nREFI <= c->nRFC) {
        snprintf(err, n, "refresh.nREFI: %u must exceed refresh.nRFC %u (allowed: nREFI > nRFC)", c->nREFI, c->nRFC);
        return -1;
    }
    if (hbm_cfg_nrefipb(c) <= c->nRREFD) {
        snprintf(err, n, "refresh.nREFI: %u / %u banks per PC = %u must exceed refresh.nRREFD %u", c->nREFI,
                 hbm_cfg_banks_per_pc(c), hbm_cfg_nrefipb(c), c->nRREFD);
        return -1;
    }
    uint32_t rb = hbm_cfg_row_bytes(c);
    if (rb & (rb - 1)) {
        snprintf(err, n, "org.columns: %u x burst_bytes %u = %u row bytes (allowed: a power of two)", c->columns,
                 c->burst_bytes, rb);
        return -1;
    }
    if (c->burst_bytes % 2) {
        snprintf(err, n, "org.burst_bytes: %u (allowed: a multiple of 2, whole FP16 values)", c->burst_bytes);
        return -1;
    }
    return 0;
}

/* ---- loading ------------------------------------------------------------------------------------------ */

/* Copies present fields over *c (parsed strictly; *bad names the first unparsable one, *why says what
 * is allowed); counts absent ones: the first is named in *missing. */
#define APPLY(sec, key, member, kind, lo, hi, doc)                                                            \
    if (r->sec && r->sec->member) {                                                                           \
        if (parse_##kind(r->sec->member, &c->member, lo, hi, why)) {                                          \
            *bad = #sec "." #key;                                                                             \
            return -1;                                                                                        \
        }                                                                                                     \
    } else if (!*missing)                                                                                     \
        *missing = #sec "." #key;

static int parse_U(const char *s, uint32_t *v, double lo, double hi, char *why)
{
    char *end;
    errno = 0;
    unsigned long long x = (s[0] >= '0' && s[0] <= '9') ? strtoull(s, &end, 10) : 0;
    if (!(s[0] >= '0' && s[0] <= '9') || errno || *end || x > UINT32_MAX) {
        snprintf(why, 160, "'%s' is not an unsigned integer (allowed: %.0f..%.0f)", s, lo, hi);
        return -1;
    }
    *v = (uint32_t)x;
    return 0;
}

static int parse_F(const char *s, double *v, double lo, double hi, char *why)
{
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(x)) {
        snprintf(why, 160, "'%s' is not a number (allowed: %g..%g)", s, lo, hi);
        return -1;
    }
    *v = x;
    return 0;
}

static int parse_B(const char *s, int *v, double lo, double hi, char *why)
{
    (void)lo, (void)hi;
    if (strcmp(s, "true") && strcmp(s, "false")) {
        snprintf(why, 160, "'%s' is not a boolean (allowed: true, false)", s);
        return -1;
    }
    *v = !strcmp(s, "true");
    return 0;
}

static int parse_E(const char *s, int *v, double lo, double hi, char *why)
{
    (void)lo, (void)hi;
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, hbm_cfg_ref_modes[i])) {
            *v = i;
            return 0;
        }
    snprintf(why, 160, "'%s' is not a refresh mode (allowed: %s, %s, %s)", s, hbm_cfg_ref_modes[0],
             hbm_cfg_ref_modes[1], hbm_cfg_ref_modes[2]);
    return -1;
}

static int apply(const struct raw *r, hbm_cfg *c, const char **missing, const char **bad, char *why)
{
    HBM_CFG_ALL(APPLY)
    return 0;
}

static void split_key(const char *dotted, char *sec, char *key)
{
    size_t s = strcspn(dotted, ".");
    snprintf(sec, 32, "%.*s", (int)s, dotted);
    snprintf(key, 32, "%s", dotted[s] ? dotted + s + 1 : "");
}

int hbm_cfg_load(const char *path, hbm_cfg *out, char *err, size_t n)
{
    logbuf lb = {.len = 0};
    lb.text[0] = '\0';
    const cyaml_config_t cc = {.log_fn = log_fn, .log_ctx = &lb, .mem_fn = cyaml_mem, .log_level = CYAML_LOG_ERROR};
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
        return -1;
    }
    int ch = fgetc(f), empty = 1;
    for (; ch != EOF; ch = fgetc(f))
        if (ch != ' ' && ch != '\n' && ch != '\t' && ch != '\r') {
            empty = 0;
            break;
        }
    fclose(f);
    if (empty) {
        snprintf(err, n, "%s:1: empty configuration (allowed: a mapping with base, name, org, timing, refresh, pim, "
                 "energy)", path);
        return -1;
    }
    struct raw *r = NULL;
    cyaml_err_t e = cyaml_load_file(path, &cc, &top_schema, (cyaml_data_t **)&r, NULL);
    if (e != CYAML_OK || !r) {
        if (lb.len)
            cyaml_error(path, &lb, err, n);
        else
            snprintf(err, n, "%s:1: %s (allowed: a mapping with base, name, org, timing, refresh, pim, energy)", path,
                     cyaml_strerror(e));
        if (r)
            cyaml_free(&cc, &top_schema, r, 0);
        return -1;
    }
    hbm_cfg c;
    memset(&c, 0, sizeof c);
    int rc = -1;
    const char *missing = NULL, *bad = NULL;
    char sec[32], key[32];
    if (r->base && hbm_cfg_preset(r->base, &c)) {
        snprintf(err, n, "%s:%u: base: unknown preset '%s' (allowed: %s)", path, key_line(path, "base", NULL), r->base,
                 hbm_cfg_preset_names);
        goto done;
    }
    char why[160];
    if (apply(r, &c, &missing, &bad, why)) {
        split_key(bad, sec, key);
        snprintf(err, n, "%s:%u: %s: %s", path, key_line(path, sec, key), bad, why);
        goto done;
    }
    if (!r->base && missing) {
        split_key(missing, sec, key);
        snprintf(err, n, "%s:%u: missing required field %s (allowed: give every field, or start from a preset with "
                 "base: %s)", path, key_line(path, sec, NULL), missing, hbm_cfg_preset_names);
        goto done;
    }
    snprintf(c.name, sizeof c.name, "%s", r->name ? r->name : r->base ? r->base : "unnamed");
    char verr[384];
    if (hbm_cfg_validate(&c, verr, sizeof verr)) {
        snprintf(err, n, "%s:%u: %s", path, validate_line(path, verr), verr);
        goto done;
    }
    *out = c;
    rc = 0;
done:
    cyaml_free(&cc, &top_schema, r, 0);
    return rc;
}

int hbm_cfg_resolve(const char *text, hbm_cfg *out, char *err, size_t n)
{
    if (!hbm_cfg_preset(text, out))
        return 0;
    FILE *f = fopen(text, "r");
    if (!f) {
        snprintf(err, n, "'%s' is neither a preset (%s) nor a readable YAML file", text, hbm_cfg_preset_names);
        return -1;
    }
    fclose(f);
    return hbm_cfg_load(text, out, err, n);
}

/* ---- writing ------------------------------------------------------------------------------------------ */

#define WRITE(sec, key, member, kind, lo, hi, doc)                                                            \
    if (strcmp(cur, #sec)) {                                                                                  \
        fprintf(f, "%s:\n", #sec);                                                                            \
        cur = #sec;                                                                                           \
    }                                                                                                         \
    WRITE_##kind(#key, c->member, doc)
#define WRITE_U(key, v, doc) fprintf(f, "  %-16s %-12u # %s\n", key ":", (unsigned)(v), doc);
#define WRITE_F(key, v, doc) fprintf(f, "  %-16s %-12.17g # %s\n", key ":", (double)(v), doc);
#define WRITE_B(key, v, doc) fprintf(f, "  %-16s %-12s # %s\n", key ":", (v) ? "true" : "false", doc);
#define WRITE_E(key, v, doc) fprintf(f, "  %-16s %-12s # %s\n", key ":", hbm_cfg_ref_modes[(v) % 3], doc);

void hbm_cfg_write(const hbm_cfg *c, FILE *f)
{
    const char *cur = "";
    fprintf(f, "name: %s\n", c->name);
    HBM_CFG_ALL(WRITE)
}
