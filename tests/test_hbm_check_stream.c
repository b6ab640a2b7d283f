/* test_hbm_check_stream — the independent protocol checker (harness/hbm/check/hbm_check.c) on whole streams:
 * the refresh lower bound at every command, malformed lines (rejected with what is wrong and what is allowed, by the stream and the line API) and long
 * greedy all-bank MAC streams with refresh built from the closed-form spacings of docs/hbm.md (pass; every
 * command of their start moved one cycle earlier is caught). The rules one by one: test_hbm_check.c. */
#include "tb_check.h"

static const char *const presets[] = {"hbm3-6400", "attacc-hbm3-5200"};

/* ---- the refresh lower bound at every command ------------------------------------------------------- */

static void test_refresh_at_commands(void **state)
{
    (void)state;
    char err[1024];
    for (size_t p = 0; p < 2; p++) {
        hbm_cfg c;
        assert_int_equal(hbm_cfg_preset(presets[p], &c), 0);
        c.ref_mode = HBM_REF_ALLBANK, c.channels = 1;
        uint64_t L = (uint64_t)(c.max_postpone + 1) * c.nREFI;
        for (int late = 0; late < 2; late++) {
            trace t = {.len = 0};
            add(&t, 5, "WRGB " P0);
            add(&t, L - 1, "REFAB " P0);
            add(&t, L - 1 + late, "WRGB " P0); /* PC 1 owes max_postpone + 1 at cycle L */
            add(&t, L + 1, "REFAB " P1);
            char want[256];
            snprintf(want, sizeof want, "trace:4: refresh: before the REFAB at cycle %" PRIu64 " (line 4): PC st 0 ch 0 "
                     "pc 1 has 0 refreshes at cycle %" PRIu64, L + 1, L);
            int rc = check(&c, &t, err, sizeof err);
            if (late ? rc != 1 || strncmp(err, want, strlen(want)) : rc != 0)
                fail_msg("%s: command at %s: rc %d '%s'\n%s", presets[p], late ? "L" : "L - 1", rc, err, t.text);
        }
    }
}

/* ---- malformed lines ------------------------------------------------------------------------------------ */

static void test_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *line, *says;
    } bad[] = {
        {"10 FOO st=0 ch=0", "unknown command 'FOO' (allowed: ACT PRE"},
        {"10 RD st=0 ch=0 pc=0 sid=0 bg=0 bnk=0 col=0", "unknown key 'bnk' (allowed for RD: st ch pc sid bg ba col)"},
        {"10 RD st=0 ch=0 pc=0 sid=0 bg=0 col=0", "missing key 'ba' (RD needs: st ch pc sid bg ba col)"},
        {"10 WRGB st=0 ch=0 pc=0 pc=1", "duplicate key 'pc'"},
        {"1x0 WRGB st=0 ch=0 pc=0", "'1x0' is not a cycle"},
        {"-5 WRGB st=0 ch=0 pc=0", "'-5' is not a cycle"},
        {"10 ACT st=0 ch=0 pc=0 sid=0 bg=0 ba=9 row=0", "ba=9 out of range (allowed: 0..3)"},
        {"10 RD st=0 ch=0 pc=* sid=0 bg=0 ba=0 col=0", "pc=* is not allowed for RD"},
        {"10 SFM st=0 ch=0 n=0", "n=0 out of range (allowed: 1.."},
        {"10 MACAB st=0 ch=0 pc=0 col=32", "col=32 out of range (allowed: 0..31)"},
        {"10 PREA st=0 ch=16 pc=0", "ch=16 out of range (allowed: 0..15)"},
        {"10 ACTAB st=0 ch=0 pc=0 row=16384", "row=16384 out of range (allowed: 0..16383)"},
        {"10 RD st=0 ch=0 pc=0 sid=0 bg=0 ba=0 col=0 row=1", "key 'row' does not belong to RD"},
        {"10 WRGB st=0 ch=0 pc=x", "pc=x is not a number (allowed: 0..1 or *)"},
        {"10 WRGB st=0 ch=0 pc", "'pc' is not key=value"},
        {"10", "missing command after the cycle"},
        {"10 BARRIER st=0", "missing key 'ch' (BARRIER needs: st ch)"},
        {"# pimattn hbm command log v2", "command log format 'v2' is not supported (allowed: v1)"},
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
        hbm_checker *k = hbm_checker_new(&c); /* the line API: -1, the same message, nothing accepted */
        assert_non_null(k);
        assert_int_equal(hbm_checker_line(k, bad[i].line, err, sizeof err), -1);
        assert_non_null(strstr(err, bad[i].says));
        assert_int_equal(hbm_checker_commands(k), 0);
        hbm_checker_free(k);
    }
    /* accepted forms: header, preset line, blank and comment lines, no trailing newline, keys in any order */
    hbm_checker *k = hbm_checker_new(&c);
    assert_non_null(k);
    assert_int_equal(hbm_checker_line(k, "# pimattn hbm command log v1\n", err, sizeof err), 0);
    assert_int_equal(hbm_checker_line(k, "# preset attacc-hbm3-5200\n", err, sizeof err), 0);
    assert_int_equal(hbm_checker_line(k, "   \r\n", err, sizeof err), 0);
    assert_int_equal(hbm_checker_line(k, "0 ACT row=5 ba=3 bg=2 sid=1 pc=1 ch=15 st=0", err, sizeof err), 0);
    assert_int_equal(hbm_checker_line(k, "40\tRD  st=0 ch=15 pc=1 sid=1 bg=2 ba=3 col=31\r\n", err, sizeof err), 0);
    assert_int_equal(hbm_checker_commands(k), 2);
    assert_int_equal(hbm_checker_finish(k, err, sizeof err), 0);
    hbm_checker_free(k);
    printf("  %zu malformed lines rejected with what is wrong and what is allowed\n", sizeof bad / sizeof bad[0]);
}

/* ---- a long legal stream ------------------------------------------------------------------------------- */

/* Greedy all-bank MAC stream per channel: ACTAB pc=*, 32 MACAB pc=*, PREA pc=*, then the refreshes every PC
 * owes (REFAB, or REFPB in round-robin bank order); each command at its earliest cycle by the closed-form
 * spacings of docs/hbm.md. */
typedef struct {
    const hbm_cfg *c;
    unsigned ch;
    uint64_t act, mac, pre, row, refs[4], ref_last[4], last_row_cmd, any_ref;
    uint32_t rr[4]; /* next bank of each PC in the per-bank round robin */
    int started;
} gen;

typedef void (*emit_fn)(void *ctx, uint64_t t, const char *line);

/* One row of the stream of channel g->ch: returns the commands written. */
static unsigned gen_row(gen *g, emit_fn emit, void *ctx)
{
    const hbm_cfg *c = g->c;
    char l[128];
    unsigned n = 0;
    int pb = c->ref_mode == HBM_REF_PERBANK;
    uint64_t s = stagger(c, k_ab(c)), t = 0, iv = ival(c);
    if (g->started) {
        t = max64(g->pre + c->nRP, g->act + c->nRC + s);
        if (c->ab_act_faw)
            t = max64(t, g->act + actwin(c, k_ab(c)));
        t = max64(t, g->last_row_cmd + 1);
        for (unsigned p = 0; g->any_ref && p < c->pcs; p++)
            t = max64(t, g->ref_last[p] + (pb ? c->nRFCpb : c->nRFC));
    }
    snprintf(l, sizeof l, "ACTAB st=0 ch=%u pc=* row=%" PRIu64, g->ch, g->row % c->rows);
    emit(ctx, t, l), n++;
    g->act = g->last_row_cmd = t;
    uint64_t mac_gap = max64(c->nMAC, c->power_limit ? c->nMACpow : 1); /* pc=*: a channel-full per MACAB */
    for (unsigned col = 0; col < c->columns; col++) {
        t = col == 0 ? g->act + c->nRCDRD + s : g->mac + mac_gap;
        if (g->started && col == 0)
            t = max64(t, g->mac + mac_gap);
        snprintf(l, sizeof l, "MACAB st=0 ch=%u pc=* col=%u", g->ch, col);
        emit(ctx, t, l), n++;
        g->mac = t;
    }
    t = max64(max64(g->mac + c->nRTP, g->act + c->nRAS + s), g->last_row_cmd + 2);
    if (g->started)
        t = max64(t, g->pre + c->nPPD);
    snprintf(l, sizeof l, "PREA st=0 ch=%u pc=*", g->ch);
    emit(ctx, t, l), n++;
    g->pre = g->last_row_cmd = t;
    uint64_t now = t;
    for (unsigned p = 0; c->ref_mode != HBM_REF_OFF && p < c->pcs; p++)
        while (g->refs[p] < now / iv) {
            t = max64(g->pre + c->nRP, g->last_row_cmd + 1);
            if (pb && g->refs[p])
                t = max64(t, g->ref_last[p] + c->nRREFD);
            else if (g->refs[p])
                t = max64(t, g->ref_last[p] + c->nRFC);
            uint32_t b = g->rr[p];
            if (pb)
                snprintf(l, sizeof l, "REFPB st=0 ch=%u pc=%u sid=%u bg=%u ba=%u", g->ch, p,
                         b / (c->bank_groups * c->banks), b / c->banks % c->bank_groups, b % c->banks);
            else
                snprintf(l, sizeof l, "REFAB st=0 ch=%u pc=%u", g->ch, p);
            emit(ctx, t, l), n++;
            g->ref_last[p] = g->last_row_cmd = t;
            g->refs[p]++, g->any_ref = 1;
            g->rr[p] = (b + 1) % k_ab(c);
        }
    g->row += 7;
    g->started = 1;
    return n;
}

typedef struct {
    hbm_checker *k;
    const char *what;
    uint64_t lines;
    char **keep; /* the first keep_n lines, for the mutation test */
    size_t keep_n, kept;
} sink;

static void to_checker(void *ctx, uint64_t t, const char *line)
{
    sink *s = ctx;
    char l[160], err[512];
    snprintf(l, sizeof l, "%" PRIu64 " %s\n", t, line);
    s->lines++;
    if (s->kept < s->keep_n)
        s->keep[s->kept++] = strdup(l);
    if (hbm_checker_line(s->k, l, err, sizeof err))
        fail_msg("greedy stream (%s), line %" PRIu64 " '%.*s' rejected: %s", s->what, s->lines, (int)strcspn(l, "\n"), l,
                 err);
}

static void test_long_stream(void **state)
{
    (void)state;
    for (size_t p = 0; p < 2; p++)
        for (int v = 0; v < 6; v++) { /* all-bank refresh x window x power limit; per-bank x window */
            hbm_cfg c;
            assert_int_equal(hbm_cfg_preset(presets[p], &c), 0);
            c.ref_mode = v < 4 ? HBM_REF_ALLBANK : HBM_REF_PERBANK;
            c.ab_act_faw = v & 1;
            c.power_limit = v >= 4 || ((v >> 1) & 1);
            sink s = {.k = hbm_checker_new(&c), .what = c.name};
            assert_non_null(s.k);
            gen g[64];
            uint64_t n = 0;
            assert_true(c.stacks == 1 && c.channels <= 64);
            for (unsigned ch = 0; ch < c.channels; ch++)
                g[ch] = (gen){.c = &c, .ch = ch};
            while (n < 300000) /* rows of every channel interleaved in the log (every PC must refresh) */
                for (unsigned ch = 0; ch < c.channels; ch++)
                    n += gen_row(&g[ch], to_checker, &s);
            char err[512];
            if (hbm_checker_finish(s.k, err, sizeof err))
                fail_msg("%s: greedy stream end: %s", presets[p], err);
            assert_int_equal(hbm_checker_commands(s.k), n);
            printf("  %-17s %-8s refresh, window %-3s, power limit %-3s: %" PRIu64 " greedy commands (%u channels, %"
                   PRIu64 " refreshes in ch 0) pass\n", presets[p], hbm_cfg_ref_modes[c.ref_mode],
                   c.ab_act_faw ? "on" : "off", c.power_limit ? "on" : "off", n, c.channels,
                   g[0].refs[0] + g[0].refs[1]);
            hbm_checker_free(s.k);
        }
}

/* Every command of the first rows of a one-channel greedy stream, moved one cycle earlier, is caught: the
 * greedy places each at its earliest cycle, so this checks that no rule is missing from the checker. */
static void test_long_stream_tight(void **state)
{
    (void)state;
    for (size_t v = 0; v < 4; v++) {
        size_t p = v & 1;
        hbm_cfg c;
        assert_int_equal(hbm_cfg_preset(presets[p], &c), 0);
        c.ref_mode = v < 2 ? HBM_REF_ALLBANK : HBM_REF_PERBANK;
        if (v < 2)
            c.nREFI = 2000; /* refresh often, so REFABs are among the first rows */
        char *keep[1200];
        sink s = {.k = hbm_checker_new(&c), .what = c.name, .keep = keep, .keep_n = 1200};
        assert_non_null(s.k);
        gen g = {.c = &c};
        while (s.kept < s.keep_n)
            gen_row(&g, to_checker, &s);
        hbm_checker_free(s.k);
        unsigned caught = 0, tried = 0;
        char err[512], moved[160];
        for (size_t i = 1; i < s.kept; i++) {
            uint64_t t = strtoull(keep[i], NULL, 10);
            hbm_checker *k = hbm_checker_new(&c);
            assert_non_null(k);
            for (size_t j = 0; j < i; j++)
                assert_int_equal(hbm_checker_line(k, keep[j], err, sizeof err), 0);
            snprintf(moved, sizeof moved, "%" PRIu64 "%s", t - 1, strchr(keep[i], ' '));
            int rc = hbm_checker_line(k, moved, err, sizeof err);
            hbm_checker_free(k);
            tried++;
            if (rc != 1)
                fail_msg("%s: greedy line %zu moved one cycle earlier ('%.*s') was not caught (rc %d)", presets[p],
                         i + 1, (int)strcspn(moved, "\n"), moved, rc);
            caught++;
        }
        for (size_t i = 0; i < s.kept; i++)
            free(keep[i]);
        printf("  %-17s %-8s refresh: %u greedy commands moved one cycle earlier: %u caught\n", presets[p],
               hbm_cfg_ref_modes[c.ref_mode], tried, caught);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_refresh_at_commands), cmocka_unit_test(test_malformed),
                                       cmocka_unit_test(test_long_stream), cmocka_unit_test(test_long_stream_tight)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
