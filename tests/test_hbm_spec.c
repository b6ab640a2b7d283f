/* test_hbm_spec — the HBM presets against the table that cites their sources (docs/hbm.md "Presets"),
 * not against each other: the table and the organisation line under it are parsed here, and every value
 * in them must equal the field of the built-in preset (hbm_cfg_preset) and of its YAML copy in
 * configs/hbm/ (hbm_cfg_load); every timing, refresh, PIM and energy field and every organisation field
 * but the stack count must be in the table, so a field added without its source fails too. A wrong value
 * put in a preset and its YAML copy alike (what comparing the two cannot see) fails here.
 * Also: nRFC is tRFC = 350 ns rounded up to whole cycles, as the table says.
 * Run from the repository root; HBM_DOC overrides the path of docs/hbm.md. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hbm_cfg.h"

#define MAXV 64
#define NCOL 2

/* The fields the table must pin: every field of these sections, and the organisation's but stacks. */
typedef struct {
    const char *sec, *key, *member;
    char kind;
    size_t off;
    int pinned;
} field;

#define F_ROW(sec, key, member, kind, lo, hi, doc) {#sec, #key, #member, #kind[0], offsetof(hbm_cfg, member), 0},
static field fields[] = {HBM_CFG_ORG(F_ROW) HBM_CFG_TIMING(F_ROW) HBM_CFG_REFRESH(F_ROW) HBM_CFG_PIM(F_ROW)
                             HBM_CFG_ENERGY(F_ROW)};
#undef F_ROW
#define NFIELDS (sizeof fields / sizeof fields[0])

/* One value the document gives: a field (YAML key or member name) and one number per preset column. */
typedef struct {
    char name[48];
    double v[NCOL];
} docval;

static docval vals[MAXV];
static int nvals;
static char cols[NCOL][64];

static char *trim(char *s)
{
    while (*s == ' ' || *s == '`' || *s == '*')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '`' || s[n - 1] == '*' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

/* The cells of a table row "| a | b | c |" into cell[] (in place); their number. */
static int cells(char *line, char **cell, int max)
{
    int n = 0;
    char *p = strchr(line, '|');
    while (p && n < max) {
        char *q = strchr(p + 1, '|');
        if (!q)
            break;
        *q = '\0';
        cell[n++] = trim(p + 1);
        p = q;
    }
    return n;
}

static docval *val_of(const char *name)
{
    for (int i = 0; i < nvals; i++)
        if (!strcmp(vals[i].name, name))
            return &vals[i];
    assert_true(nvals < MAXV);
    snprintf(vals[nvals].name, sizeof vals[nvals].name, "%s", name);
    return &vals[nvals++];
}

static double number(const char *t)
{
    if (!strcmp(t, "on"))
        return 1;
    if (!strcmp(t, "off"))
        return 0;
    char *end;
    double v = strtod(t, &end);
    if (end == t)
        fail_msg("docs/hbm.md Presets: '%s' is not a number, on or off", t);
    return v;
}

/* "nCCDS/L/R" -> nCCDS nCCDL nCCDR: the later parts replace the first name's last letter. */
static int expand(const char *tok, char out[][48], int max)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", tok);
    char *save, *p = strtok_r(buf, "/", &save);
    int n = 0;
    char first[48] = "";
    for (; p && n < max; p = strtok_r(NULL, "/", &save), n++) {
        if (n == 0)
            snprintf(first, sizeof first, "%s", p);
        else if (strlen(p) == 1 && strlen(first) > 1)
            first[strlen(first) - 1] = p[0];
        else
            snprintf(first, sizeof first, "%s", p);
        snprintf(out[n], 48, "%s", first);
    }
    return n;
}

/* A row whose names are separated by spaces ("nCL nRCDRD ...", "nCCDS/L/R") and values likewise, a
 * parenthesised note after a value ignored ("560 (350 ns)"). */
static void row_spaced(char *names, char *v[NCOL])
{
    char nm[32][48];
    int nn = 0;
    char *save;
    for (char *t = strtok_r(names, " ", &save); t; t = strtok_r(NULL, " ", &save))
        nn += expand(t, nm + nn, 32 - nn);
    for (int c = 0; c < NCOL; c++) {
        int k = 0, paren = 0;
        for (char *t = strtok_r(v[c], " ", &save); t; t = strtok_r(NULL, " ", &save)) {
            if (t[0] == '(')
                paren = 1;
            if (paren) {
                paren = strchr(t, ')') == NULL;
                continue;
            }
            char parts[8][48];
            int np = expand(t, parts, 8);
            for (int i = 0; i < np; i++, k++) {
                if (k >= nn)
                    fail_msg("docs/hbm.md Presets: more values than names in column %d", c + 1);
                val_of(nm[k])->v[c] = number(parts[i]);
            }
        }
        if (k != nn)
            fail_msg("docs/hbm.md Presets: %d names, %d values in column %d", nn, k, c + 1);
    }
}

static const char *const aliases[][2] = {
    {"power limit", "power_limit"}, {"all-bank ACT window", "allbank_act_faw"}, {"GEMV lanes", "gemv_lanes"},
    {"CK", "tck_ps"},
};

static const char *alias(const char *n)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(n, aliases[i][0]))
            return aliases[i][1];
    return n;
}

/* A row "section: a, b (note), c | 1, 2, on | ..." whose lists are separated by commas; "the same" takes
 * the column before. */
static void row_commas(char *names, char *v[NCOL])
{
    char *colon = strchr(names, ':');
    char nm[32][48];
    int nn = 0;
    char *save;
    for (char *t = strtok_r(colon + 1, ",", &save); t && nn < 32; t = strtok_r(NULL, ",", &save)) {
        char *p = strchr(t, '(');
        if (p)
            *p = '\0';
        snprintf(nm[nn++], 48, "%s", alias(trim(t)));
    }
    for (int c = 0; c < NCOL; c++) {
        if (!strcmp(v[c], "the same")) {
            for (int k = 0; k < nn; k++)
                val_of(nm[k])->v[c] = val_of(nm[k])->v[c - 1];
            continue;
        }
        int k = 0;
        for (char *t = strtok_r(v[c], ",", &save); t; t = strtok_r(NULL, ",", &save), k++) {
            char *p = strchr(t, '(');
            if (p)
                *p = '\0';
            if (k >= nn)
                fail_msg("docs/hbm.md Presets: more values than names in column %d", c + 1);
            val_of(nm[k])->v[c] = number(trim(t));
        }
        if (k != nn)
            fail_msg("docs/hbm.md Presets: %d names, %d values in column %d", nn, k, c + 1);
    }
}

/* "Organisation (both): 16 channels × 2 PCs × ... × 32 bursts of 32 B": the same for both columns. */
static void organisation(char *text)
{
    static const char *const labels[][2] = {{"channels", "channels"}, {"PCs", "pseudo_channels"}, {"SIDs", "sids"},
                                            {"bank groups", "bank_groups"}, {"banks", "banks_per_group"},
                                            {"rows", "rows"}, {"bursts of", "columns"}};
    char *p = strchr(text, ':');
    assert_non_null(p);
    int found = 0;
    for (char *t = p + 1; *t;) {
        while (*t && !(*t >= '0' && *t <= '9'))
            t++;
        if (!*t)
            break;
        double v = 0;
        while ((*t >= '0' && *t <= '9') || *t == ',')
            v = *t == ',' ? v : v * 10 + (*t - '0'), t++;
        while (*t == ' ' || *t == '\n')
            t++;
        for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
            if (!strncmp(t, labels[i][0], strlen(labels[i][0]))) {
                docval *d = val_of(labels[i][1]);
                d->v[0] = d->v[1] = v;
                found++;
                if (!strcmp(labels[i][0], "bursts of")) { /* "32 bursts of 32 B" */
                    d = val_of("burst_bytes");
                    d->v[0] = d->v[1] = strtod(t + strlen("bursts of"), NULL);
                    found++;
                }
                break;
            }
        if (found == 8)
            break;
    }
    assert_int_equal(found, 8);
}

static void parse_doc(void)
{
    const char *path = getenv("HBM_DOC") ? getenv("HBM_DOC") : "docs/hbm.md";
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot read %s (run from the repository root, or set HBM_DOC)", path);
    char line[1024], org[1024] = "";
    int in = 0, rows = 0, inorg = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## ", 3)) {
            in = !strncmp(line, "## Presets", 10);
            continue;
        }
        if (!in)
            continue;
        if (inorg) {
            if (line[0] == '\n')
                inorg = 0;
            else
                strncat(org, line, sizeof org - strlen(org) - 1);
            continue;
        }
        if (!strncmp(line, "Organisation (both):", 20)) {
            snprintf(org, sizeof org, "%s", line);
            inorg = 1;
            continue;
        }
        if (line[0] != '|' || !strncmp(line, "|---", 4))
            continue;
        char *c[NCOL + 2];
        if (cells(line, c, NCOL + 2) != NCOL + 1)
            fail_msg("docs/hbm.md Presets: a row without %d columns", NCOL + 1);
        if (!strcmp(c[0], "field")) {
            for (int k = 0; k < NCOL; k++)
                snprintf(cols[k], sizeof cols[k], "%s", c[k + 1]);
            continue;
        }
        if (!strcmp(c[0], "source"))
            continue;
        if (!strcmp(c[0], "CK")) {
            for (int k = 0; k < NCOL; k++)
                val_of("tck_ps")->v[k] = number(c[k + 1]);
        } else if (strchr(c[0], ':'))
            row_commas(c[0], c + 1);
        else
            row_spaced(c[0], c + 1);
        rows++;
    }
    fclose(f);
    assert_true(rows >= 6);
    organisation(org);
}

static double field_value(const hbm_cfg *c, const field *fd)
{
    const char *p = (const char *)c + fd->off;
    switch (fd->kind) {
    case 'U': return *(const uint32_t *)(const void *)p;
    case 'F': return *(const double *)(const void *)p;
    default: return *(const int *)(const void *)p;
    }
}

static field *field_named(const char *name)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (!strcmp(fields[i].key, name) || !strcmp(fields[i].member, name))
            return &fields[i];
    return NULL;
}

static void check_against(const hbm_cfg *c, int col, const char *what)
{
    for (int i = 0; i < nvals; i++) {
        field *fd = field_named(vals[i].name);
        if (!fd)
            fail_msg("docs/hbm.md Presets names '%s', which is no configuration field", vals[i].name);
        fd->pinned = 1;
        double got = field_value(c, fd), want = vals[i].v[col];
        if (fabs(got - want) > 1e-12 * fabs(want))
            fail_msg("%s: %s.%s is %g, docs/hbm.md Presets (the cited source) says %g", what, fd->sec, fd->key, got,
                     want);
    }
}

static void test_presets_equal_the_table(void **state)
{
    (void)state;
    parse_doc();
    for (int k = 0; k < NCOL; k++) {
        hbm_cfg c, y;
        char err[512], path[256];
        if (hbm_cfg_preset(cols[k], &c))
            fail_msg("docs/hbm.md Presets column '%s' is no built-in preset", cols[k]);
        check_against(&c, k, cols[k]);
        snprintf(path, sizeof path, "configs/hbm/%s.yaml", cols[k]);
        if (hbm_cfg_load(path, &y, err, sizeof err))
            fail_msg("%s", err);
        check_against(&y, k, path);
        /* tRFC 350 ns, rounded up to whole cycles of the preset's clock */
        uint32_t rfc = (uint32_t)ceil(350000.0 / c.tck_ps - 1e-9);
        if (c.nRFC != rfc)
            fail_msg("%s: nRFC %u is not 350 ns at %u ps rounded up (%u)", cols[k], c.nRFC, c.tck_ps, rfc);
        printf("%s: %d values of docs/hbm.md Presets equal the preset and %s\n", cols[k], nvals, path);
    }
    int missing = 0;
    for (size_t i = 0; i < NFIELDS; i++)
        if (!fields[i].pinned && strcmp(fields[i].key, "stacks") && strcmp(fields[i].key, "mode")) {
            printf("not in docs/hbm.md Presets: %s.%s\n", fields[i].sec, fields[i].key);
            missing++;
        }
    assert_int_equal(missing, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_presets_equal_the_table)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
