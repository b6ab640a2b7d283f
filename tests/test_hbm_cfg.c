/* test_hbm_cfg — HBM configuration (harness/hbm/config/hbm_cfg.c): the presets validate; the preset files in configs/hbm/
 * load equal to the built-in presets; write -> load round-trips (presets and a modified configuration); an
 * override changes exactly the fields it gives; every cross-field rule names both fields; a table of
 * malformed files each fails with FILE:LINE, the expected message, and *out untouched. Runs from the
 * repository root (make build/bin/test_hbm_cfg && build/bin/test_hbm_cfg). */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "hbm_cfg.h"
#include "tb_cfg.h"

static char dir[] = "/tmp/test_hbm_cfg.XXXXXX";
static const char *const presets[] = {"hbm3-6400", "attacc-hbm3-5200"};

/* The keys (section.key, and "name") in which a and b differ, space-separated; generated from the table,
 * so a new field is compared without touching this test. */
static const char *cfg_diff(const hbm_cfg *a, const hbm_cfg *b)
{
    static char buf[4096];
    size_t len = 0, n = sizeof buf;
    len = (size_t)snprintf(buf, n, "%s", strcmp(a->name, b->name) ? "name" : "");
    HBM_CFG_ALL(TB_CFG_DIFF)
    return buf;
}

static const char *diff_any(const void *a, const void *b) { return cfg_diff(a, b); }
static int load_any(const char *path, void *out, char *err, size_t n) { return hbm_cfg_load(path, out, err, n); }
static void write_any(const void *c, FILE *f) { hbm_cfg_write(c, f); }
static const tb_cfg_ops ops = {sizeof(hbm_cfg), load_any, write_any, diff_any};

static void load_ok(const char *path, hbm_cfg *c) { tb_cfg_load_ok(&ops, path, c); }
static void write_file(const char *path, const char *text) { tb_write_file(path, text); }
/* hbm_cfg_write then hbm_cfg_load gives back exactly c. */
static void round_trip(const hbm_cfg *c) { tb_cfg_round_trip(&ops, dir, c); }

static void test_presets(void **state)
{
    (void)state;
    for (int i = 0; i < 2; i++) {
        hbm_cfg p, f;
        char err[512], path[256];
        assert_int_equal(hbm_cfg_preset(presets[i], &p), 0);
        assert_string_equal(p.name, presets[i]);
        if (hbm_cfg_validate(&p, err, sizeof err))
            fail_msg("%s: %s", presets[i], err);
        snprintf(path, sizeof path, "configs/hbm/%s.yaml", presets[i]);
        load_ok(path, &f);
        const char *d = cfg_diff(&p, &f);
        if (*d)
            fail_msg("%s differs from the built-in preset in: %s", path, d);
        round_trip(&p);
        /* a modified configuration: doubles that need 17 digits, a name that needs quoting */
        p.nRC += 1, p.nREFI = 9999, p.e_tsv = 0.1 + 0.2, p.e_io = 1.0 / 3, p.e_mac = 1e-7;
        p.power_limit = !p.power_limit, p.ab_act_faw = !p.ab_act_faw, p.ref_mode = HBM_REF_OFF;
        strcpy(p.name, "it's: \"x\" # \\ \t y");
        assert_int_equal(hbm_cfg_validate(&p, err, sizeof err), 0);
        round_trip(&p);
    }
    hbm_cfg x;
    memset(&x, 0x5a, sizeof x);
    hbm_cfg y = x;
    assert_int_equal(hbm_cfg_preset("hbm3-6401", &x), -1);
    assert_memory_equal(&x, &y, sizeof x);
}

static void test_override(void **state)
{
    (void)state;
    hbm_cfg base, o;
    assert_int_equal(hbm_cfg_preset("attacc-hbm3-5200", &base), 0);
    load_ok("configs/hbm/example-override.yaml", &o);
    assert_string_equal(cfg_diff(&base, &o), "name refresh.mode pim.power_limit pim.allbank_act_faw");
    assert_string_equal(o.name, "attacc-npc-perbank");
    assert_int_equal(o.power_limit, 0);
    assert_int_equal(o.ab_act_faw, 1);
    assert_int_equal(o.ref_mode, HBM_REF_PERBANK);

    /* base only: the preset itself, named after it; flow style overrides work too */
    char path[256];
    snprintf(path, sizeof path, "%s/flow.yaml", dir);
    write_file(path, "base: hbm3-6400\ntiming: {nRC: 80, nFAW: 30}\nenergy: {io: 0.25}\n");
    assert_int_equal(hbm_cfg_preset("hbm3-6400", &base), 0);
    load_ok(path, &o);
    assert_string_equal(cfg_diff(&base, &o), "timing.nRC timing.nFAW energy.io");
    assert_int_equal(o.nRC, 80);
    assert_true(o.e_io == 0.25);
    assert_string_equal(o.name, "hbm3-6400");
    assert_int_equal(remove(path), 0);
}

static void test_resolve(void **state)
{
    (void)state;
    hbm_cfg c, p, s;
    char err[512];
    assert_int_equal(hbm_cfg_resolve("attacc-hbm3-5200", &c, err, sizeof err), 0);
    assert_int_equal(hbm_cfg_preset("attacc-hbm3-5200", &p), 0);
    assert_string_equal(cfg_diff(&c, &p), "");
    assert_int_equal(hbm_cfg_resolve("configs/hbm/hbm3-6400.yaml", &c, err, sizeof err), 0);
    assert_string_equal(c.name, "hbm3-6400");
    memset(&c, 0x5a, sizeof c);
    s = c;
    assert_int_equal(hbm_cfg_resolve("no-such-preset", &c, err, sizeof err), -1);
    assert_string_equal(err, "'no-such-preset' is neither a preset (hbm3-6400, attacc-hbm3-5200) nor a readable "
                             "YAML file");
    assert_int_equal(hbm_cfg_resolve(dir, &c, err, sizeof err), -1); /* a directory */
    assert_non_null(strstr(err, ": is a directory (allowed: a preset"));
    assert_int_equal(hbm_cfg_load("/nonexistent/x.yaml", &c, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x.yaml: cannot open: No such file or directory");
    assert_memory_equal(&c, &s, sizeof c);
}

/* Each cross-field rule on a preset, with the message naming both fields and their values. */
static void test_validate(void **state)
{
    (void)state;
    hbm_cfg b, c;
    char err[512];
    assert_int_equal(hbm_cfg_preset("hbm3-6400", &b), 0);
#define VBAD(change, want)                                                                                    \
    do {                                                                                                      \
        c = b;                                                                                                \
        change;                                                                                               \
        if (hbm_cfg_validate(&c, err, sizeof err) != -1 || !strstr(err, want))                                \
            fail_msg("%s: got '%s', want '%s'", #change, err, want);                                          \
    } while (0)
    VBAD(c.nRC = 44, "timing.nRAS: 45 exceeds timing.nRC 44 (allowed: nRAS <= nRC)");
    VBAD((c.nRP = 80, c.nRAS = 70), "timing.nRP: 80 exceeds timing.nRC 72 (allowed: nRP <= nRC)");
    VBAD(c.nRCDRD = 46, "timing.nRCDRD: 46 exceeds timing.nRAS 45 (allowed: nRCDRD <= nRAS)");
    VBAD(c.nRCDWR = 46, "timing.nRCDWR: 46 exceeds timing.nRAS 45 (allowed: nRCDWR <= nRAS)");
    VBAD(c.nBL = 3, "timing.nBL: 3 exceeds timing.nCCDS 2 (allowed: nBL <= nCCDS)");
    VBAD(c.nCCDS = 5, "timing.nCCDS: 5 exceeds timing.nCCDL 4 (allowed: nCCDS <= nCCDL)");
    VBAD(c.nRRDS = 6, "timing.nRRDS: 6 exceeds timing.nRRDL 5 (allowed: nRRDS <= nRRDL)");
    VBAD((c.nFAW = 4, c.nRRDS = 5), "timing.nRRDS: 5 exceeds timing.nFAW 4 (allowed: nRRDS <= nFAW)");
    VBAD(c.nWTRS = 11, "timing.nWTRS: 11 exceeds timing.nWTRL 10 (allowed: nWTRS <= nWTRL)");
    VBAD(c.nRFCpb = 561, "refresh.nRFCpb: 561 exceeds refresh.nRFC 560 (allowed: nRFCpb <= nRFC)");
    VBAD(c.rows = 1, "refresh.rows_per_ref: 2 exceeds org.rows 1 (allowed: rows_per_ref <= rows)");
    VBAD(c.nMACpow = 3, "pim.nMAC: 4 exceeds pim.nMACpow 3 (allowed: nMAC <= nMACpow)");
    VBAD(c.nREFI = 560, "refresh.nREFI: 560 does not exceed refresh.nRFC 560 (allowed: nREFI > nRFC)");
    VBAD(c.nRREFD = 195, "= 195 does not exceed refresh.nRREFD 195 (allowed: nREFI / banks per PC > nRREFD)");
    VBAD(c.columns = 24, "org.columns: 24 x org.burst_bytes 32 = 768 row bytes (allowed: a power of two)");
    VBAD((c.columns = 1024, c.burst_bytes = 1), "org.burst_bytes: 1 is odd (allowed: a multiple of 2");
    VBAD(c.tck_ps = 99, "org.tck_ps: 99 is out of range (allowed: 100..10000)");
    VBAD(c.e_cell = -0.0001, "energy.cell_rw: -0.0001 is out of range (allowed: 0..100)");
    VBAD(c.e_gio = NAN, "energy.global_io: nan is out of range (allowed: 0..100)");
    VBAD(c.ref_mode = 3, "refresh.mode: 3 is out of range (allowed: 0..2)");
    VBAD(c.power_limit = -1, "pim.power_limit: 4294967295 is out of range (allowed: 0..1)");
    VBAD(c.max_postpone = 17, "refresh.max_postpone: 17 is out of range (allowed: 0..16)");
    VBAD(c.write_high = 33, "controller.write_high: 33 exceeds controller.write_queue 32 (allowed: write_high <= write_queue)");
    VBAD(c.write_low = 24, "controller.write_low: 24 is not below controller.write_high 24 (allowed: write_low < write_high)");
    VBAD((c.ref_policy = HBM_REFPOL_POSTPONE, c.max_postpone = 2),
         "controller.postpone: 8 exceeds refresh.max_postpone 2 (allowed: postpone <= max_postpone with refresh_policy postpone)");
    VBAD(c.sched = 3, "controller.scheduler: 3 is out of range (allowed: 0..2)");
    VBAD(c.postpone = 9, "controller.postpone: 9 is out of range (allowed: 0..8)");
    c = b, c.max_postpone = 0; /* the eager policy ignores controller.postpone */
    assert_int_equal(hbm_cfg_validate(&c, err, sizeof err), 0);
#undef VBAD
}

/* A complete file without `base:` that lacks one key: the error points at that key's section. */
static void test_missing_key(void **state)
{
    (void)state;
    hbm_cfg p, out, sentinel;
    char path[256], err[1024], want[400];
    assert_int_equal(hbm_cfg_preset("hbm3-6400", &p), 0);
    unsigned timing_line = tb_cfg_without(&ops, dir, &p, "  nRRDL:", "timing:\n"); /* drop timing.nRRDL */
    snprintf(path, sizeof path, "%s/full.yaml", dir);
    memset(&out, 0xA5, sizeof out);
    sentinel = out;
    assert_int_equal(hbm_cfg_load(path, &out, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:%u: missing required field timing.nRRDL (allowed: 1..255; or start from a preset "
             "with base: hbm3-6400, attacc-hbm3-5200)", path, timing_line);
    assert_string_equal(err, want);
    assert_memory_equal(&out, &sentinel, sizeof out);
    assert_int_equal(remove(path), 0);
}

typedef tb_cfg_case bad_case; /* the message after "FILE:LINE: " contains `says` */

#define B "base: attacc-hbm3-5200\n"
#define TOP "(allowed: name, base, org, timing, refresh, pim, energy, controller)"
#define TIMING_KEYS "nBL, nCL, nCWL, nRCDRD, nRCDWR, nRP, nRAS, nRC, nWR, nRTP, nCCDS, nCCDL, nCCDR, nRRDS,"
#define LONG "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 70 */
static const bad_case bad[] = {
    {"unknown top-level key", B "bogus: 1\n", 2, "bogus: unknown key " TOP},
    {"unknown key in a section", B "org:\n  stacks: 1\n  bankz: 3\n", 4,
     "org.bankz: unknown key (allowed: stacks, channels, pseudo_channels, sids, bank_groups, banks_per_group, rows, "
     "columns, burst_bytes, tck_ps)"},
    {"unknown key, flow style", B "timing: {nRC: 70, nRCX: 1}\n", 2, "timing.nRCX: unknown key (allowed: " TIMING_KEYS},
    {"section key at the top level", B "timing:\n  nRC: 70\nnRC: 71\n", 4, "nRC: unknown key " TOP},
    {"string for a number", B "timing:\n  nRC: fast\n", 3, "timing.nRC: 'fast' is not an unsigned integer (allowed: 1..1023)"},
    {"negative unsigned", B "timing:\n  nRP: -3\n", 3, "timing.nRP: '-3' is not an unsigned integer (allowed: 1..255)"},
    {"float for an unsigned", B "timing:\n  nCL: 2.5\n", 3, "timing.nCL: '2.5' is not an unsigned integer"},
    {"hex for an unsigned", B "timing:\n  nCL: 0x14\n", 3, "timing.nCL: '0x14' is not an unsigned integer"},
    {"unsigned beyond 32 bits", B "org:\n  rows: 99999999999\n", 3, "'99999999999' is not an unsigned integer (allowed: 1..1048576)"},
    {"quoted number", B "timing:\n  nRC: \"72\"\n", 3, "timing.nRC: '72' is a quoted string, not an unsigned integer (allowed: 1..1023, unquoted)"},
    {"non-bool", B "pim:\n  power_limit: maybe\n", 3, "pim.power_limit: 'maybe' is not a boolean (allowed: true, false)"},
    {"YAML 1.1 bool", B "pim:\n  allbank_act_faw: yes\n", 3, "pim.allbank_act_faw: 'yes' is not a boolean (allowed: true, false)"},
    {"unknown scheduler", B "controller:\n  scheduler: fifo\n", 3, "controller.scheduler: 'fifo' is not a scheduler (allowed: fcfs, frfcfs, frfcfs-cap)"},
    {"unknown page policy", B "controller:\n  page: closed\n", 3, "controller.page: 'closed' is not a page policy (allowed: open, close)"},
    {"unknown refresh policy", B "controller:\n  refresh_policy: lazy\n", 3, "controller.refresh_policy: 'lazy' is not a refresh policy (allowed: eager, postpone)"},
    {"write watermarks", B "controller:\n  write_queue: 16\n", 3, "controller.write_high: 24 exceeds controller.write_queue 16 (allowed: write_high <= write_queue)"},
    {"unknown refresh mode", B "refresh:\n  mode: sometimes\n", 3, "refresh.mode: 'sometimes' is not a refresh mode (allowed: all-bank, per-bank, off)"},
    {"non-number energy", B "energy:\n  tsv: nan\n", 3, "energy.tsv: 'nan' is not a number (allowed: 0..100)"},
    {"negative energy", B "energy:\n  tsv: -0.5\n", 3, "energy.tsv: -0.5 is out of range (allowed: 0..100)"},
    {"unknown base preset", "name: x\nbase: hbm9\n", 2, "base: unknown preset 'hbm9' (allowed: hbm3-6400, attacc-hbm3-5200)"},
    {"missing field without base", "name: x\norg:\n  stacks: 1\n", 2, "missing required field org.channels (allowed: 1..64; or start from a preset with base: hbm3-6400, attacc-hbm3-5200)"},
    {"missing section without base", "name: x\n", 1, "missing required field org.stacks"},
    {"zero banks", B "org:\n  banks_per_group: 0\n", 3, "org.banks_per_group: 0 is out of range (allowed: 1..16)"},
    {"value above range", B "timing:\n  nCL: 256\n", 3, "timing.nCL: 256 is out of range (allowed: 1..255)"},
    {"clock out of range", B "org:\n  tck_ps: 50\n", 3, "org.tck_ps: 50 is out of range (allowed: 100..10000)"},
    {"nRAS > nRC", B "timing:\n  nRP: 19\n  nRAS: 70\n", 4, "timing.nRAS: 70 exceeds timing.nRC 63 (allowed: nRAS <= nRC)"},
    {"nRC lowered below nRAS", B "timing:\n  nCL: 19\n  nRC: 40 # too short\n", 4, "timing.nRAS: 45 exceeds timing.nRC 40"},
    {"nRCDRD > nRAS", B "timing:\n  nRCDRD: 50\n", 3, "timing.nRCDRD: 50 exceeds timing.nRAS 45 (allowed: nRCDRD <= nRAS)"},
    {"nCCDS > nCCDL", B "timing:\n  nCCDS: 5\n", 3, "timing.nCCDS: 5 exceeds timing.nCCDL 4 (allowed: nCCDS <= nCCDL)"},
    {"nRFCpb > nRFC", B "refresh:\n  nRFCpb: 500\n", 3, "refresh.nRFCpb: 500 exceeds refresh.nRFC 456 (allowed: nRFCpb <= nRFC)"},
    {"nREFI not above nRFC", B "refresh:\n  nREFI: 400\n", 3, "refresh.nREFI: 400 does not exceed refresh.nRFC 456 (allowed: nREFI > nRFC)"},
    {"per-bank interval <= nRREFD", B "org:\n  bank_groups: 16\n  banks_per_group: 16\n  sids: 8\n", 5,
     "refresh.nREFI: 5070 / 2048 banks per PC (org.sids 8 x org.bank_groups 16 x org.banks_per_group 16) = 2 does "
     "not exceed refresh.nRREFD 11"},
    {"nMACpow < nMAC", B "pim:\n  nMACpow: 3\n", 3, "pim.nMAC: 4 exceeds pim.nMACpow 3 (allowed: nMAC <= nMACpow)"},
    {"row bytes not a power of two", B "org:\n  columns: 24\n", 3, "org.columns: 24 x org.burst_bytes 32 = 768 row bytes (allowed: a power of two)"},
    {"odd burst bytes", B "org:\n  columns: 1024\n  burst_bytes: 1\n", 4, "org.burst_bytes: 1 is odd (allowed: a multiple of 2"},
    {"section not a mapping", B "timing: 5\n", 2, "timing: expected a mapping, got a scalar (allowed: a mapping of " TIMING_KEYS},
    {"empty section", B "pim:\nenergy:\n  io: 0.3\n", 2, "pim: expected a mapping, got a scalar (allowed: a mapping of nMAC, power_limit"},
    {"sequence for a value", B "timing:\n  nRC: [1, 2]\n", 3, "timing.nRC: expected a single value, got a sequence (allowed: 1..1023)"},
    {"top level not a mapping", "- base\n- org\n", 1, "expected a mapping, got a sequence (allowed: a mapping of name, base"},
    {"repeated key", B "timing:\n  nRC: 70\n  nRP: 19\n  nRC: 71\n", 5, "timing.nRC: repeated key (allowed: each key once per mapping)"},
    {"bad indentation", B "org:\n  stacks: 1\n channels: 2\n", 4, "YAML syntax error: did not find expected key"},
    {"unclosed bracket", B "timing: {nRC: 70\nrefresh:\n  nRFC: 400\n", 3, "YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 2)"},
    {"tab indentation", B "timing:\n\tnRC: 70\n", 3, "YAML syntax error: found character that cannot start any token"},
    {"empty file", "", 1, "empty configuration (allowed: a mapping of name, base, org, timing, refresh, pim, energy, controller)"},
    {"only comments", "# nothing here\n\n   \n", 1, "empty configuration"},
    {"second document", B "---\nname: x\n", 2, "a second YAML document (allowed: one document per file)"},
    {"name too long", B "name: " LONG "\n", 2, "name: longer than 63 characters (allowed: a string of at most 63 characters)"},
};

static void test_bad_configs(void **state)
{
    (void)state;
    char path[256];
    size_t nbad = sizeof bad / sizeof bad[0];
    for (size_t i = 0; i < nbad; i++) {
        snprintf(path, sizeof path, "%s/bad%zu.yaml", dir, i);
        tb_cfg_bad(&ops, path, &bad[i], 0);
    }
    assert_true(nbad >= 15);
    print_message("%zu malformed configurations rejected with FILE:LINE and the expected message\n", nbad);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),  cmocka_unit_test(test_override),    cmocka_unit_test(test_resolve),
        cmocka_unit_test(test_validate), cmocka_unit_test(test_missing_key), cmocka_unit_test(test_bad_configs)};
    /* Every test removes its files, so a leftover means a failed test; clean up either way. */
    return tb_cfg_rmdir(dir, cmocka_run_group_tests(tests, NULL, NULL));
}
