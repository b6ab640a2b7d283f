/* test_hbm_check — the independent protocol checker (harness/hbm_check.c), without the timing engine.
 * Mutation tests: for every rule of docs/hbm.md a hand-built trace places X exactly at the rule's
 * distance after Y (accepted) and one cycle earlier (rejected, naming that rule), for both presets; the
 * timing of each case is tweaked where needed so that the rule under test is the binding one. Also:
 * state, refresh and order rules, malformed lines, and a check that every rule name in the spec's table
 * has a case here. Distances come from the configuration fields and the spec's formulas. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hbm_check.h"

#define A "st=0 ch=0 pc=0 sid=0 bg=0 ba=0"  /* bank A */
#define B "st=0 ch=0 pc=0 sid=0 bg=0 ba=1"  /* same bank group as A */
#define C "st=0 ch=0 pc=0 sid=0 bg=1 ba=0"  /* same SID, other bank group */
#define D "st=0 ch=0 pc=0 sid=1 bg=0 ba=0"  /* other SID */

typedef struct {
    char text[4096];
    size_t len;
} trace;

static void add(trace *t, uint64_t cyc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(trace *t, uint64_t cyc, const char *fmt, ...)
{
    va_list ap;
    t->len += (size_t)snprintf(t->text + t->len, sizeof t->text - t->len, "%llu ", (unsigned long long)cyc);
    va_start(ap, fmt);
    t->len += (size_t)vsnprintf(t->text + t->len, sizeof t->text - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)snprintf(t->text + t->len, sizeof t->text - t->len, "\n");
}

/* Runs the checker on a trace: 0 pass, 1 violation, 2 malformed; err gets the message. */
static int check(const hbm_cfg *c, const trace *t, char *err, size_t n)
{
    FILE *f = fmemopen((void *)t->text, t->len, "r");
    assert_non_null(f);
    uint64_t cmds;
    int rc = hbm_check_stream(c, f, "trace", err, n, &cmds);
    fclose(f);
    return rc;
}

/* A case writes its setup and Y into t, tweaks c if needed, and returns the cycle of X (at the limit);
 * x_line prints X at a given cycle. */
typedef struct {
    const char *rule;
    uint64_t (*setup)(hbm_cfg *c, trace *t);
    const char *x; /* X command (after the cycle) */
} mcase;

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }

static uint64_t s_nRC(hbm_cfg *c, trace *t)
{
    c->nRC = c->nRAS + c->nRP + 5;
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "PRE " A);
    return c->nRC;
}
static uint64_t s_nRCDRD(hbm_cfg *c, trace *t) { add(t, 0, "ACT " A " row=1"); return c->nRCDRD; }
static uint64_t s_nRCDWR(hbm_cfg *c, trace *t) { add(t, 0, "ACT " A " row=1"); return c->nRCDWR; }
static uint64_t s_nRAS(hbm_cfg *c, trace *t) { add(t, 0, "ACT " A " row=1"); return c->nRAS; }
static uint64_t s_nRP(hbm_cfg *c, trace *t)
{
    c->nRC = c->nRAS;
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "PRE " A);
    return c->nRAS + c->nRP;
}
static uint64_t s_nRTP(hbm_cfg *c, trace *t)
{
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "RD " A " col=0");
    return c->nRAS + c->nRTP;
}
static uint64_t s_nWR(hbm_cfg *c, trace *t)
{
    add(t, 0, "ACT " A " row=1");
    add(t, c->nRAS, "WR " A " col=0");
    return c->nRAS + c->nCWL + c->nBL + c->nWR;
}
static uint64_t s_nMAC(hbm_cfg *c, trace *t)
{
    c->power_limit = 0;
    add(t, 0, "ACTAB st=0 ch=0 pc=0 row=1");
    add(t, c->nRCDRD, "MACAB st=0 ch=0 pc=0 col=0");
    return c->nRCDRD + c->nMAC;
}
static uint64_t s_nRFCpb(hbm_cfg *c, trace *t)
{
    c->ref_mode = HBM_REF_PERBANK, c->max_postpone = 16;
    add(t, 0, "REFPB " A);
    return c->nRFCpb;
}
/* A and B (same bank group) open; returns when both may take column commands */
static uint64_t open_ab(hbm_cfg *c, trace *t, const char *b)
{
    add(t, 0, "ACT " A " row=1");
    add(t, 100, "ACT %s row=1", b);
    return 100 + max64(c->nRCDRD, c->nRCDWR);
}
static uint64_t s_nCCDL(hbm_cfg *c, trace *t)
{
    uint64_t y = open_ab(c, t, B);
    add(t, y, "RD " A " col=0");
    return y + c->nCCDL;
}
static uint64_t s_nWTRL(hbm_cfg *c, trace *t)
{
    uint64_t y = open_ab(c, t, B);
    add(t, y, "WR " A " col=0");
    return y + c->nCWL + c->nBL + c->nWTRL;
}
static uint64_t s_nRRDL(hbm_cfg *c, trace *t) { add(t, 0, "ACT " A " row=1"); return c->nRRDL; }
static uint64_t s_nCCDS(hbm_cfg *c, trace *t)
{
    uint64_t y = open_ab(c, t, C);
    add(t, y, "RD " A " col=0");
    return y + c->nCCDS;
}
static uint64_t s_nCCDR(hbm_cfg *c, trace *t)
{
    uint64_t y = open_ab(c, t, D);
    add(t, y, "RD " A " col=0");
    return y + c->nCCDR;
}
static uint64_t s_nRRDS(hbm_cfg *c, trace *t) { add(t, 0, "ACT " A " row=1"); return c->nRRDS; }
static uint64_t s_data(hbm_cfg *c, trace *t) { add(t, 100, "MVSB st=0 ch=0 pc=0 n=3"); return 100 + 3 * c->nBL; }
static uint64_t s_nRTW(hbm_cfg *c, trace *t)
{
    add(t, 0, "ACT " A " row=1");
    add(t, 100, "RD " A " col=0");
    return 100 + c->nRTW;
}
static uint64_t s_nWTRS(hbm_cfg *c, trace *t) { add(t, 100, "WRGB st=0 ch=0 pc=0"); return 100 + c->nCWL + c->nBL + c->nWTRS; }
static uint64_t s_nPPD(hbm_cfg *c, trace *t)
{
    add(t, 0, "ACT " A " row=1");
    add(t, 50, "ACT " C " row=1");
    add(t, 200, "PRE " A);
    return 200 + c->nPPD;
}
static uint64_t s_nRFC(hbm_cfg *c, trace *t)
{
    c->ref_mode = HBM_REF_ALLBANK;
    add(t, 0, "REFAB st=0 ch=0 pc=0");
    return c->nRFC;
}
static uint64_t s_nRREFD(hbm_cfg *c, trace *t)
{
    c->ref_mode = HBM_REF_PERBANK, c->max_postpone = 16;
    add(t, 0, "REFPB " A);
    return c->nRREFD;
}
static uint64_t s_FAW(hbm_cfg *c, trace *t)
{
    static const char *const b[4] = {A, C, "st=0 ch=0 pc=0 sid=0 bg=2 ba=0", "st=0 ch=0 pc=0 sid=0 bg=3 ba=0"};
    uint64_t s = max64(c->nRRDS, 2);
    c->nFAW = (unsigned)max64(c->nFAW, 4 * s + 1);
    for (int i = 0; i < 4; i++)
        add(t, (uint64_t)i * s, "ACT %s row=1", b[i]);
    return c->nFAW;
}
static uint64_t s_actwin(hbm_cfg *c, trace *t)
{
    c->ab_act_faw = 1;
    add(t, 0, "ACTBG st=0 ch=0 pc=0 ba=0 row=1"); /* sids x bank groups banks: ceil(k/4) windows */
    return (uint64_t)((c->sids * c->bank_groups + 3) / 4) * c->nFAW;
}
static uint64_t s_rowbus(hbm_cfg *c, trace *t) { (void)c; add(t, 10, "ACT " A " row=1"); return 12; }
static uint64_t s_colbus(hbm_cfg *c, trace *t) { (void)c; add(t, 10, "WRGB st=0 ch=0 pc=0"); return 11; }
static uint64_t s_macpow(hbm_cfg *c, trace *t)
{
    c->power_limit = 1;
    c->nMACpow = (unsigned)max64(c->nMACpow, c->nMAC + 1);
    add(t, 0, "ACTAB st=0 ch=0 pc=* row=1");
    add(t, c->nRCDRD, "MACAB st=0 ch=0 pc=* col=0");
    return c->nRCDRD + c->nMACpow;
}
static uint64_t s_sfm(hbm_cfg *c, trace *t) { (void)c; add(t, 10, "SFM st=0 ch=0 n=50"); return 60; }
static uint64_t s_barrier(hbm_cfg *c, trace *t) { (void)c; add(t, 10, "SFM st=0 ch=0 n=40"); return 50; }

static const mcase cases[] = {
    {"nRC", s_nRC, "ACT " A " row=2"},
    {"nRCDRD", s_nRCDRD, "RD " A " col=3"},
    {"nRCDWR", s_nRCDWR, "WR " A " col=3"},
    {"nRAS", s_nRAS, "PRE " A},
    {"nRP", s_nRP, "ACT " A " row=2"},
    {"nRTP", s_nRTP, "PRE " A},
    {"nWR", s_nWR, "PRE " A},
    {"nMAC", s_nMAC, "MACAB st=0 ch=0 pc=0 col=1"},
    {"nRFCpb", s_nRFCpb, "ACT " A " row=1"},
    {"nCCDL", s_nCCDL, "RD " B " col=0"},
    {"nWTRL", s_nWTRL, "RD " B " col=0"},
    {"nRRDL", s_nRRDL, "ACT " B " row=1"},
    {"nCCDS", s_nCCDS, "RD " C " col=0"},
    {"nCCDR", s_nCCDR, "RD " D " col=0"},
    {"nRRDS", s_nRRDS, "ACT " C " row=1"},
    {"data", s_data, "MVSB st=0 ch=0 pc=0 n=1"},
    {"nRTW", s_nRTW, "WRGB st=0 ch=0 pc=0"},
    {"nWTRS", s_nWTRS, "MVSB st=0 ch=0 pc=0 n=1"},
    {"nPPD", s_nPPD, "PRE " C},
    {"nRFC", s_nRFC, "ACT " A " row=1"},
    {"nRREFD", s_nRREFD, "REFPB " B},
    {"FAW", s_FAW, "ACT " D " row=1"},
    {"actwin", s_actwin, "ACT " B " row=1"},
    {"rowbus", s_rowbus, "ACT st=0 ch=0 pc=1 sid=0 bg=0 ba=0 row=1"},
    {"colbus", s_colbus, "WRGB st=0 ch=0 pc=1"},
    {"macpow", s_macpow, "MACAB st=0 ch=0 pc=* col=1"},
    {"sfm", s_sfm, "SFM st=0 ch=0 n=1"},
    {"barrier", s_barrier, "BARRIER st=0 ch=0"},
};
#define NCASES (sizeof cases / sizeof cases[0])
static const char *const presets[] = {"attacc-hbm3-5200", "hbm3-6400"};

static void test_mutations(void **state)
{
    (void)state;
    char err[1024];
    for (int p = 0; p < 2; p++)
        for (size_t i = 0; i < NCASES; i++) {
            hbm_cfg c;
            assert_int_equal(hbm_cfg_preset(presets[p], &c), 0);
            c.ref_mode = HBM_REF_OFF, c.ab_act_faw = 0; /* the cases that need them switch them on */
            trace ok = {.len = 0}, bad;
            uint64_t x = cases[i].setup(&c, &ok);
            bad = ok;
            add(&ok, x, "%s", cases[i].x);
            add(&bad, x - 1, "%s", cases[i].x);
            if (check(&c, &ok, err, sizeof err))
                fail_msg("%s/%s: X at the limit (cycle %llu) rejected: %s\n%s", presets[p], cases[i].rule,
                         (unsigned long long)x, err, ok.text);
            int rc = check(&c, &bad, err, sizeof err);
            const char *m = strstr(err, ": ");
            size_t rl = strlen(cases[i].rule);
            if (rc != 1 || !m || strncmp(m + 2, cases[i].rule, rl) || m[2 + rl] != ':')
                fail_msg("%s/%s: X one cycle early: rc %d, '%s' (want rule %s)\n%s", presets[p], cases[i].rule, rc, err,
                         cases[i].rule, bad.text);
        }
    printf("  %zu timing rules x 2 presets: at the limit accepted, one cycle early rejected with the rule's name\n",
           NCASES);
}

/* state, refresh (postponement and pull-in limits, per-bank order) and order */
static void expect(const hbm_cfg *c, const trace *t, int want, const char *rule)
{
    char err[1024] = "";
    int rc = check(c, t, err, sizeof err);
    if (rc != want || (rule && !strstr(err, rule)))
        fail_msg("rc %d (want %d) '%s' (want %s)\n%s", rc, want, err, rule ? rule : "-", t->text);
}

static void test_state_refresh_order(void **state)
{
    (void)state;
    hbm_cfg c;
    assert_int_equal(hbm_cfg_preset("hbm3-6400", &c), 0);
    c.ref_mode = HBM_REF_OFF;
    trace t = {.len = 0};
    add(&t, 0, "RD " A " col=0"); /* closed bank */
    expect(&c, &t, 1, ": state: ");
    t.len = 0;
    add(&t, 0, "PRE " A);
    expect(&c, &t, 1, ": state: ");
    t.len = 0;
    add(&t, 0, "ACT " A " row=1");
    add(&t, 200, "ACT " A " row=2"); /* open bank */
    expect(&c, &t, 1, ": state: ");
    t.len = 0;
    add(&t, 0, "ACTAB st=0 ch=0 pc=0 row=1");
    add(&t, 200, "MACAB st=0 ch=0 pc=1 col=0"); /* other PC closed */
    expect(&c, &t, 1, ": state: ");
    t.len = 0;
    add(&t, 0, "REFAB st=0 ch=0 pc=0"); /* refresh off */
    expect(&c, &t, 1, ": state: ");
    /* order within a channel; other channels may interleave */
    t.len = 0;
    add(&t, 100, "WRGB st=0 ch=0 pc=0");
    add(&t, 50, "WRGB st=0 ch=1 pc=0");
    expect(&c, &t, 0, NULL);
    add(&t, 99, "WRGB st=0 ch=0 pc=1");
    expect(&c, &t, 1, ": order: ");
    /* all-bank refresh: the last legal cycle without refreshing, and one more */
    c.ref_mode = HBM_REF_ALLBANK;
    c.channels = 1;
    uint64_t lim = (uint64_t)(c.max_postpone + 1) * c.nREFI - 1;
    t.len = 0;
    add(&t, lim, "WRGB st=0 ch=0 pc=0");
    expect(&c, &t, 0, NULL);
    t.len = 0;
    add(&t, lim + 1, "WRGB st=0 ch=0 pc=0");
    expect(&c, &t, 1, ": refresh: ");
    /* pull-in: at most max_postpone refreshes ahead */
    t.len = 0;
    for (unsigned i = 0; i <= c.max_postpone; i++)
        add(&t, (uint64_t)i * c.nRFC, "REFAB st=0 ch=0 pc=0");
    expect(&c, &t, 1, ": refresh: ");
    /* per-bank: a bank refreshed twice before another once */
    c.ref_mode = HBM_REF_PERBANK;
    t.len = 0;
    add(&t, 0, "REFPB " A);
    add(&t, c.nRFCpb, "REFPB " A);
    expect(&c, &t, 1, ": state: ");
}

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *line, *says;
    } bad[] = {
        {"10 FOO st=0 ch=0", "unknown command 'FOO'"},
        {"10 RD st=0 ch=0 pc=0 sid=0 bg=0 bnk=0 col=0", "unknown key 'bnk'"},
        {"10 RD st=0 ch=0 pc=0 sid=0 bg=0 col=0", "missing key 'ba'"},
        {"10 WRGB st=0 ch=0 pc=0 pc=1", "duplicate key 'pc'"},
        {"1x0 WRGB st=0 ch=0 pc=0", "is not a cycle"},
        {"10 ACT st=0 ch=0 pc=0 sid=0 bg=0 ba=9 row=0", "ba=9 out of range"},
        {"10 RD st=0 ch=0 pc=* sid=0 bg=0 ba=0 col=0", "pc=* out of range"},
        {"10 SFM st=0 ch=0 n=0", "n=0 out of range (allowed: 1.."},
        {"10 MACAB st=0 ch=0 pc=0 col=32", "col=32 out of range (allowed: 0..31)"},
        {"10 PREA st=0 ch=16 pc=0", "ch=16 out of range"},
    };
    hbm_cfg c;
    assert_int_equal(hbm_cfg_preset("attacc-hbm3-5200", &c), 0);
    char err[1024];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        trace t = {.len = 0};
        t.len = (size_t)snprintf(t.text, sizeof t.text, "# comment\n\n%s\n", bad[i].line);
        int rc = check(&c, &t, err, sizeof err);
        if (rc != 2 || strncmp(err, "trace:3: ", 9) || !strstr(err, bad[i].says))
            fail_msg("'%s': rc %d '%s' (want 2, trace:3: ...%s)", bad[i].line, rc, err, bad[i].says);
    }
}

/* Every rule name in docs/hbm.md's timing-rule table has a mutation case (and no case is unnamed there). */
static void test_spec_coverage(void **state)
{
    (void)state;
    FILE *f = fopen("docs/hbm.md", "r");
    assert_non_null(f);
    char line[512];
    int in = 0, named = 0;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "## Timing rules", 15))
            in = 1;
        else if (!strncmp(line, "## ", 3))
            in = 0;
        if (!in || strncmp(line, "| `", 3))
            continue;
        char name[32];
        size_t l = strcspn(line + 3, "`");
        snprintf(name, sizeof name, "%.*s", (int)l, line + 3);
        int have = 0;
        for (size_t i = 0; i < NCASES; i++)
            have |= !strcmp(cases[i].rule, name);
        if (!have)
            fail_msg("rule %s of docs/hbm.md has no mutation case", name);
        named++;
    }
    fclose(f);
    assert_int_equal(named, (int)NCASES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_mutations), cmocka_unit_test(test_state_refresh_order),
                                       cmocka_unit_test(test_malformed), cmocka_unit_test(test_spec_coverage)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
