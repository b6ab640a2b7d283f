/* test_hazard — the data-hazard checker (harness/hazard/, docs/hazards.md) on real logs of `pimattn run`
 * ($PIMATTN): every configuration's log and placement pass unmutated (MHA and GQA on the systolic unit, the
 * tree unit, ping-pong units, split-K softmax, split items, FP16 accumulation, several layers); then one
 * minimal mutation per rule — a command moved to one cycle before what its rule allows, dropped or moved
 * before the command it must follow, a row or column changed, a placement row shifted — must be rejected
 * naming that rule. The cycles a mutation aims at are derived here from the spec (docs/architecture.md: the
 * mapping's counts, the schedule's order; docs/hbm.md: done()), not from the checker. Malformed placements
 * and logs exit 2 with FILE:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <cmocka.h>

#include "hazard.h"
#include "tb_cli.h"

static char dir[] = "/tmp/test_hazard.XXXXXX";

typedef struct trace {
    char **l; /* the log's lines (each with its '\n') */
    size_t n;
    char *place;
    hbm_cfg cfg;
} trace;

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *b = malloc((size_t)len + 1);
    assert_non_null(b);
    assert_int_equal(fread(b, 1, (size_t)len, f), (size_t)len);
    b[len] = '\0';
    fclose(f);
    return b;
}

/* pimattn run --stacks 1 --numerics 1 ARGS --log-commands DIR/NAME.log; the log split in lines. */
static void make(trace *t, const char *name, const char *args)
{
    char a[1024], path[512];
    snprintf(path, sizeof path, "%s/%s.log", dir, name);
    snprintf(a, sizeof a, "run --stacks 1 --numerics 1 %s --log-commands %s", args, path);
    if (run(a) != 0)
        fail_msg("pimattn %s:\n%s", a, out);
    char *text = slurp(path);
    strcat(path, ".place");
    t->place = slurp(path);
    t->n = 0;
    for (char *p = text; *p; p++)
        t->n += *p == '\n';
    t->l = malloc(t->n * sizeof *t->l);
    assert_non_null(t->l);
    size_t k = 0;
    for (char *p = text, *e; *p; p = e + 1) {
        e = strchr(p, '\n');
        t->l[k++] = strndup(p, (size_t)(e - p + 1));
    }
    free(text);
    assert_int_equal(hbm_cfg_preset(strstr(args, "hbm3-6400") ? "hbm3-6400" : "attacc-hbm3-5200", &t->cfg), 0);
    t->cfg.stacks = 1;
}

static void drop(trace *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->l[i]);
    free(t->l), free(t->place);
}

/* The checker on lines l[0..n) and placement text; its return value, err filled. */
static int check(const trace *t, char **l, size_t n, const char *place, char *err, size_t en)
{
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += strlen(l[i]);
    char *buf = malloc(len + 1), *p = buf;
    assert_non_null(buf);
    for (size_t i = 0; i < n; i++)
        p = stpcpy(p, l[i]);
    FILE *lf = fmemopen(buf, len ? len : 1, "r"), *pf = fmemopen((void *)place, strlen(place), "r");
    assert_true(lf && pf);
    int rc = hz_check_stream(&t->cfg, pf, "place", lf, "log", err, en, NULL);
    fclose(lf), fclose(pf), free(buf);
    return rc;
}

static void passes(const char *name, const char *args)
{
    trace t;
    make(&t, name, args);
    char err[1024];
    int rc = check(&t, t.l, t.n, t.place, err, sizeof err);
    if (rc)
        fail_msg("%s (%s): the unmutated log is rejected (%d): %s", name, args, rc, err);
    print_message("%s: %zu lines, no data hazard\n", name, t.n);
    drop(&t);
}

/* ---- the lines of a log ----------------------------------------------------------------------------------- */

static int is(const char *line, const char *op, int ch, int pc) /* ch, pc: -1 any */
{
    char o[16];
    unsigned c;
    if (line[0] == '#' || sscanf(line, "%*u %15s st=0 ch=%u", o, &c) != 2 || strcmp(o, op) || (ch >= 0 && (int)c != ch))
        return 0;
    char want[16];
    snprintf(want, sizeof want, " pc=%d ", pc);
    return pc < 0 || strstr(line, want) != NULL;
}

/* Index of the k-th (0-based) line with op on channel ch (and pc), from line `from` on; fails if none. */
static size_t nth(const trace *t, const char *op, int ch, int pc, size_t k, size_t from)
{
    for (size_t i = from; i < t->n; i++)
        if (is(t->l[i], op, ch, pc) && k-- == 0)
            return i;
    fail_msg("no %s on channel %d (pc %d) after line %zu", op, ch, pc, from + 1);
    return 0;
}

static size_t last(const trace *t, const char *op, int ch, size_t before)
{
    for (size_t i = before; i-- > 0;)
        if (is(t->l[i], op, ch, -1))
            return i;
    fail_msg("no %s on channel %d before line %zu", op, ch, before + 1);
    return 0;
}

static uint64_t cyc(const char *line) { return strtoull(line, NULL, 10); }
static unsigned field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    assert_non_null(p);
    return (unsigned)strtoul(p + strlen(key), NULL, 10);
}
static unsigned place_field(const trace *t, const char *key) { return field(t->place, key); }

/* A mutable copy of a trace's lines; replaced lines are owned by the copy. */
typedef struct mut {
    char **l;
    size_t n;
    char *own[8];
    int nown;
} mut;

static mut copy(const trace *t)
{
    mut m = {.l = malloc((t->n + 1) * sizeof(char *)), .n = t->n};
    assert_non_null(m.l);
    memcpy(m.l, t->l, t->n * sizeof(char *));
    return m;
}

static char *own(mut *m, char *s)
{
    assert_true(m->nown < 8);
    return m->own[m->nown++] = s;
}

/* line i at cycle c (the rest unchanged) */
static void set_cyc(mut *m, size_t i, uint64_t c)
{
    const char *rest = strchr(m->l[i], ' ');
    char *s = malloc(strlen(rest) + 24);
    sprintf(s, "%llu%s", (unsigned long long)c, rest);
    m->l[i] = own(m, s);
}

/* line i with "key=old" replaced by "key=v" */
static void set_field(mut *m, size_t i, const char *key, unsigned v)
{
    const char *p = strstr(m->l[i], key);
    assert_non_null(p);
    const char *e = p + strlen(key);
    while (*e >= '0' && *e <= '9')
        e++;
    char *s = malloc(strlen(m->l[i]) + 16);
    sprintf(s, "%.*s%s%u%s", (int)(p - m->l[i]), m->l[i], key, v, e);
    m->l[i] = own(m, s);
}

static void del(mut *m, size_t i)
{
    memmove(&m->l[i], &m->l[i + 1], (m->n - i - 1) * sizeof(char *));
    m->n--;
}

/* line i moved to just before line j (< i), at line j's cycle (the log stays in cycle order) */
static void move_before(mut *m, size_t i, size_t j)
{
    char *line = m->l[i];
    memmove(&m->l[j + 1], &m->l[j], (i - j) * sizeof(char *));
    m->l[j] = line;
    set_cyc(m, j, cyc(m->l[j + 1]));
}

static void expect_rule(const trace *t, mut *m, const char *place, const char *rule, const char *what)
{
    char err[1024], want[64];
    int rc = check(t, m->l, m->n, place ? place : t->place, err, sizeof err);
    snprintf(want, sizeof want, ": %s: ", rule);
    if (rc != 1 || !strstr(err, want))
        fail_msg("%s: want a violation of %s, got %d: %s", what, rule, rc, err);
    print_message("%-60s -> %s\n", what, err);
    for (int k = 0; k < m->nown; k++)
        free(m->own[k]);
    free(m->l);
}

/* ---- tests -------------------------------------------------------------------------------------------------- */

static void test_unmutated(void **state)
{
    (void)state;
    passes("gqa", "--batch 1 --ctx 2048");
    passes("mha", "--model opt-66b --batch 2 --ctx 300,513");
    passes("tree", "--gemv tree --batch 1 --ctx 1100");
    passes("pingpong", "--pingpong --hbm hbm3-6400 --batch 2 --ctx 700,1900 --layers 2");
    passes("splitk", "--softmax splitk --batch 2 --ctx 900,1500 --layers 2");
    passes("split", "--model llama3-8b --batch 1 --ctx 8000 --split balance");
    passes("fp16", "--acc fp16 --batch 3 --ctx 500,1000,1500");
    passes("d160", "--acc fp16 --model mtnlg-530b --batch 1 --ctx 700");
    passes("int8", "--kv-format int8 --batch 2 --ctx 2100,5000 --layers 2");
}

/* INT8 (--kv-format int8, B = 32), Llama-2-70B, one request of 2048 tokens. Channel 0 from the spec (docs/
 * architecture.md, "Mapping"): W = 4, n = 32 keys per unit = one block = 1 + 32 x 4 = 129 K beats; 16
 * partitions of nt = 128 tokens = 4 blocks = 132 V beats, the first a scale burst; chunks of 32 tokens, each
 * MVGB 2 beats per word; 8 x (4 + 1) WRGBs. */
static void test_rules_int8(void **state)
{
    (void)state;
    trace t;
    make(&t, "m_int8", "--kv-format int8 --batch 1 --ctx 2048");
    const hbm_cfg *c = &t.cfg;
    const unsigned nK = 129;
    assert_int_equal(place_field(&t, "block="), 32);
    const size_t mac0 = nth(&t, "MACAB", 0, -1, 0, 0), macV0 = nth(&t, "MACAB", 0, -1, nK, 0);
    const size_t macV1 = nth(&t, "MACAB", 0, -1, nK + 1, 0);
    mut m = copy(&t);
    size_t w = nth(&t, "WRGB", 0, -1, 8 * 5 - 1, 0); /* the last row's scale beat */
    set_cyc(&m, w, cyc(t.l[mac0]) - c->nCWL - c->nBL + 1);
    expect_rule(&t, &m, NULL, "q-ready", "INT8: the last query scale WRGB lands 1 CK after the first score MAC");
    /* the V phase's first beat is a block's scale, which needs no probabilities: the schedule issues it before
     * any MVGB (a checker of the FP16 layout would call it token 0 and refuse the log), token 0 after them */
    size_t g = nth(&t, "MVGB", 0, 1, 0, 0);
    const uint64_t nbl = (uint64_t)field(t.l[g], "n=") * c->nBL;
    assert_true(cyc(t.l[macV0]) < cyc(t.l[nth(&t, "MVGB", 0, -1, 0, 0)]) && cyc(t.l[macV1]) >= cyc(t.l[g]) + nbl);
    m = copy(&t);
    set_cyc(&m, g, cyc(t.l[macV1]) + 1 - nbl);
    expect_rule(&t, &m, NULL, "prob-ready", "INT8: chunk 0's MVGB to pc 1 done 1 CK after token 0's MAC");
    m = copy(&t);
    set_field(&m, g, "n=", field(t.l[g], "n=") / 2);
    expect_rule(&t, &m, NULL, "count", "INT8: an MVGB without its word-scale beats");
    drop(&t);
}

/* Llama-2-70B, one request of 2048 tokens: one pass (8 query heads) per channel. Channel 0 from the spec:
 * W = 8, 64 units: n = 32 keys per unit = 256 bursts = 8 K rows of 32 columns (256 MACABs), 8 partitions of
 * nt = 256 tokens = 8 V rows (256 MACABs), 16 probability chunks of 16 tokens on both PCs; 8 x 8 WRGBs. */
static void test_rules_gqa(void **state)
{
    (void)state;
    trace t;
    make(&t, "m_gqa", "--batch 1 --ctx 2048");
    const hbm_cfg *c = &t.cfg;
    const unsigned nK = 256, rows = 8;
    const size_t mac0 = nth(&t, "MACAB", 0, -1, 0, 0), macV0 = nth(&t, "MACAB", 0, -1, nK, 0);
    const size_t macEnd = nth(&t, "MACAB", 0, -1, 2 * nK - 1, 0);
    mut m;

    /* q-ready: the pass's last query WRGB lands one cycle after the first score MAC (done = nCWL + nBL) */
    m = copy(&t);
    size_t w = nth(&t, "WRGB", 0, -1, rows * 8 - 1, 0);
    uint64_t late = cyc(t.l[mac0]) - c->nCWL - c->nBL + 1;
    assert_true(late > cyc(t.l[w]));
    set_cyc(&m, w, late);
    expect_rule(&t, &m, NULL, "q-ready", "last WRGB lands 1 CK after the first score MAC");

    /* prob-ready: the MVGB of chunk 0 to pc 1 completes one cycle after the first context MAC */
    m = copy(&t);
    size_t g = nth(&t, "MVGB", 0, 1, 0, 0);
    set_cyc(&m, g, cyc(t.l[macV0]) - (uint64_t)field(t.l[g], "n=") * c->nBL + 1);
    expect_rule(&t, &m, NULL, "prob-ready", "chunk 0's MVGB to pc 1 done 1 CK after its first MAC");
    m = copy(&t);
    del(&m, g);
    expect_rule(&t, &m, NULL, "prob-ready", "chunk 0's MVGB to pc 1 dropped");

    /* mvsb-lat: pc 0's first score MVSB (K row 0: 4 keys per unit, the last finished by col 31) */
    m = copy(&t);
    size_t s = nth(&t, "MVSB", 0, 0, 0, 0);
    set_cyc(&m, s, cyc(t.l[nth(&t, "MACAB", 0, -1, 31, 0)]) + c->nMACLAT - 1);
    expect_rule(&t, &m, NULL, "mvsb-lat", "row 0's score MVSB 1 CK before nMACLAT");

    /* sfm-ready: the softmax rows one cycle before the last score MVSB is through the data path */
    m = copy(&t);
    size_t f = nth(&t, "SFM", 0, -1, 0, 0);
    uint64_t done = 0;
    for (size_t i = 0; i < f; i++)
        if (is(t.l[i], "MVSB", 0, -1) && cyc(t.l[i]) + (uint64_t)field(t.l[i], "n=") * c->nBL > done)
            done = cyc(t.l[i]) + (uint64_t)field(t.l[i], "n=") * c->nBL;
    set_cyc(&m, f, done - 1);
    expect_rule(&t, &m, NULL, "sfm-ready", "softmax rows 1 CK before the score MVSBs are done");

    /* mvgb-sfm: the first probability MVGB one cycle before the softmax rows are done */
    m = copy(&t);
    set_cyc(&m, nth(&t, "MVGB", 0, -1, 0, 0), cyc(t.l[f]) + field(t.l[f], "n=") - 1);
    expect_rule(&t, &m, NULL, "mvgb-sfm", "first MVGB 1 CK before the softmax is done");

    /* partial-lat and merge-ready: after the last context MAC, the partial MVSBs, then the merge */
    m = copy(&t);
    size_t p = nth(&t, "MVSB", 0, -1, 0, macEnd);
    set_cyc(&m, p, cyc(t.l[macEnd]) + c->nMACLAT + rows - 1);
    expect_rule(&t, &m, NULL, "partial-lat", "partial MVSB 1 CK before nMACLAT + rows");
    m = copy(&t);
    size_t mg = last(&t, "SFM", 0, t.n);
    done = 0;
    for (size_t i = macEnd; i < mg; i++)
        if (is(t.l[i], "MVSB", 0, -1) && cyc(t.l[i]) + (uint64_t)field(t.l[i], "n=") * c->nBL > done)
            done = cyc(t.l[i]) + (uint64_t)field(t.l[i], "n=") * c->nBL;
    set_cyc(&m, mg, done - 1);
    expect_rule(&t, &m, NULL, "merge-ready", "merge 1 CK before the partial MVSBs are done");

    /* mac-row, mac-order, count */
    m = copy(&t);
    size_t a = nth(&t, "ACTAB", 0, -1, 1, 0);
    set_field(&m, a, "row=", field(t.l[a], "row=") + 1);
    expect_rule(&t, &m, NULL, "mac-row", "K row 1 activated one row off");
    m = copy(&t);
    set_field(&m, mac0 + 5, "col=", 6);
    expect_rule(&t, &m, NULL, "mac-order", "the 6th MAC at col 6");
    m = copy(&t);
    del(&m, mg);
    expect_rule(&t, &m, NULL, "count", "the merge dropped");

    /* the placement: V starting on K's last row (bug 4), K past the bank, a shape that is not the mapping's */
    char *pl = strdup(t.place), *q = strstr(pl, "ch=0 "), *vr;
    assert_true(q && (vr = strstr(q, " v_row=8 ")));
    memcpy(vr, " v_row=7 ", 9);
    m = copy(&t);
    expect_rule(&t, &m, pl, "kv-disjoint", "placement: V region on K's last row");
    free(pl);
    char buf[64];
    snprintf(buf, sizeof buf, " k_row=%u ", c->rows - 4);
    size_t plen = strlen(t.place) + 16;
    pl = malloc(plen);
    q = strstr(t.place, "ch=0 ");
    char *kr = strstr(q, " k_row=0 ");
    assert_non_null(kr);
    snprintf(pl, plen, "%.*s%s%s", (int)(kr - t.place), t.place, buf, kr + 9);
    m = copy(&t);
    expect_rule(&t, &m, pl, "kv-rows", "placement: K rows past the bank's last row");
    free(pl);
    pl = strdup(t.place);
    q = strstr(strstr(pl, "ch=0 "), " k_rows=8 ");
    assert_non_null(q);
    q[8] = '9';
    m = copy(&t);
    expect_rule(&t, &m, pl, "shape", "placement: k_rows 9 for L 2048");
    free(pl);
    drop(&t);
}

/* The tree unit: 8 passes (one query head each) per channel, S0 S1 C0 S2 C1 ...; L = 1100: n = 18 keys per
 * unit = 144 bursts = 4 K rows + 16 (144 score MACs), W x 1 = 8 WRGBs per pass; nt = 138 tokens per
 * partition = 9 probability chunks, 4 words each per PC (one query head): the ring (8 words) binds.
 * Pass 1's queries overwrite pass 0's; chunk 8 overwrites ring word 0 before chunk 0 is read. */
static void test_rules_tree(void **state)
{
    (void)state;
    trace t;
    make(&t, "m_tree", "--gemv tree --batch 1 --ctx 1100");
    mut m = copy(&t);
    move_before(&m, nth(&t, "WRGB", 0, -1, 8, 0), nth(&t, "MACAB", 0, -1, 143, 0));
    expect_rule(&t, &m, NULL, "q-free", "pass 1's first WRGB before pass 0's last score MAC");
    const unsigned ring = place_field(&t, "ring=");
    assert_int_equal(ring, 8);
    m = copy(&t);
    size_t g = nth(&t, "MVGB", 0, 0, ring, 0), mac = nth(&t, "MACAB", 0, -1, 2 * 144 + 15, 0);
    assert_true(g > mac); /* chunk 8 waits for chunk 0's last token in the real log */
    move_before(&m, g, mac);
    expect_rule(&t, &m, NULL, "ring", "chunk 8 into ring word 0 before chunk 0's last MAC");
    drop(&t);
}

/* Ping-pong: 32 units of two banks: n = 64 keys per unit = 512 K beats of 2 MACBGs (one per bank index of
 * the set); a MAC of unit-row 0 (even banks) sent to an odd bank; chunk 0 late on pc 1. */
static void test_rules_pingpong(void **state)
{
    (void)state;
    trace t;
    make(&t, "m_pp", "--pingpong --batch 1 --ctx 2048");
    mut m = copy(&t);
    size_t i = nth(&t, "MACBG", 0, -1, 0, 0);
    set_field(&m, i, "ba=", field(t.l[i], "ba=") + 1);
    expect_rule(&t, &m, NULL, "mac-order", "ping-pong: unit-row 0's MACBG to an odd bank");
    m = copy(&t);
    size_t g = nth(&t, "MVGB", 0, 1, 0, 0), v0 = nth(&t, "MACBG", 0, -1, 2 * 512, 0);
    set_cyc(&m, g, cyc(t.l[v0]) - (uint64_t)field(t.l[g], "n=") * t.cfg.nBL + 1);
    expect_rule(&t, &m, NULL, "prob-ready", "ping-pong: chunk 0's MVGB to pc 1 done 1 CK late");
    drop(&t);
}

/* Split items: the final merge on the owner's channel at cycle 1, before every part's merge. */
static void test_rules_split(void **state)
{
    (void)state;
    trace t;
    make(&t, "m_split", "--model llama3-8b --batch 1 --ctx 8000 --split balance");
    const char *mline = strstr(t.place, "\nmerge ");
    assert_non_null(mline);
    int ch = (int)field(mline, " ch=");
    mut m = copy(&t);
    set_cyc(&m, last(&t, "SFM", ch, t.n), 1);
    expect_rule(&t, &m, NULL, "part-merge", "split item: final merge before its parts' merges");
    drop(&t);
}

/* Bad input: exit 2 with the file and line. */
static void test_malformed(void **state)
{
    (void)state;
    trace t;
    make(&t, "m_bad", "--batch 1 --ctx 600");
    char err[1024];
    mut m = copy(&t);
    char *p = strdup(t.place);
    memcpy(strstr(p, "nMACLAT="), "nMACLAX=", 8);
    assert_int_equal(check(&t, m.l, m.n, p, err, sizeof err), 2);
    assert_non_null(strstr(err, "place:4: timing: 'nMACLAX="));
    free(p);
    assert_int_equal(check(&t, m.l, m.n, "geom stacks=1\n", err, sizeof err), 2);
    assert_non_null(strstr(err, "place:1: not a placement file"));
    hbm_cfg other = t.cfg;
    t.cfg.nMACLAT += 1;
    assert_int_equal(check(&t, m.l, m.n, t.place, err, sizeof err), 2);
    assert_non_null(strstr(err, "place:4: timing: nMACLAT="));
    t.cfg = other;
    size_t i = nth(&t, "MACAB", 0, -1, 0, 0);
    m.l[i] = "12 MACAB st=0 ch=0 pc=* col=zero\n";
    assert_int_equal(check(&t, m.l, m.n, t.place, err, sizeof err), 2);
    char want[64];
    snprintf(want, sizeof want, "log:%zu: col=zero is not a number", i + 1);
    if (!strstr(err, want))
        fail_msg("want '%s', got: %s", want, err);
    free(m.l);
    drop(&t);
}

/* The inputs `make fuzz` found crashes with (tests/fuzz/regress/place/: a placement, a line "%%", a log):
 * each gives a verdict or an error, no crash (make test-san runs this under ASan and UBSan). */
static void test_fuzz_regressions(void **state)
{
    (void)state;
    const char *dir = "tests/fuzz/regress/place";
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char buf[1 << 16];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        char *sep = NULL;
        for (size_t i = 0; i + 3 <= len && !sep; i++)
            if (!memcmp(buf + i, "%%\n", 3) && (i == 0 || buf[i - 1] == '\n'))
                sep = buf + i;
        size_t np = sep ? (size_t)(sep - buf) : len, nl = sep ? len - np - 3 : 0;
        FILE *p = fmemopen(buf, np ? np : 1, "r"), *l = fmemopen(sep ? sep + 3 : buf, nl ? nl : 1, "r");
        assert_true(p && l);
        hbm_cfg c;
        char err[512];
        assert_int_equal(hbm_cfg_preset("attacc-hbm3-5200", &c), 0);
        int rc = hz_check_stream(&c, p, "place", l, "log", err, sizeof err, NULL);
        assert_true(rc >= -1 && rc <= 2);
        fclose(p), fclose(l);
        n++;
    }
    closedir(d);
    assert_true(n >= 1);
    print_message("%d input(s) of tests/fuzz/regress/place: a verdict each\n", n);
}

int main(void)
{
    tb_cli_init();
    assert_non_null(mkdtemp(dir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unmutated),  cmocka_unit_test(test_rules_gqa),   cmocka_unit_test(test_rules_tree),
        cmocka_unit_test(test_rules_int8),
        cmocka_unit_test(test_rules_pingpong), cmocka_unit_test(test_rules_split), cmocka_unit_test(test_malformed), cmocka_unit_test(test_fuzz_regressions),
    };
    int rc = cmocka_run_group_tests_name("hazard", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
