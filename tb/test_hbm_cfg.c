/* test_hbm_cfg — HBM configuration (harness/hbm_cfg.c): the presets validate; the preset files in configs/hbm/ load
 * equal to the built-in presets; write -> load round-trips; overrides change exactly the fields given;
 * a table of malformed files each fails with FILE:LINE, the expected message, and *out untouched. */
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

static char dir[] = "/tmp/test_hbm_cfg.XXXXXX";

/* Field-by-field comparison generated from the table; returns the first differing key or NULL. */
#define DIFF(sec, key, member, kind, lo, hi, doc)                                                             \
    if (a->member != b->member)                                                                               \
        return #sec "." #key;
static const char *cfg_diff(const hbm_cfg *a, const hbm_cfg *b)
{
    HBM_CFG_ALL(DIFF)
    return strcmp(a->name, b->name) ? "name" : NULL;
}

static void load_ok(const char *path, hbm_cfg *c)
{
    char err[512];
    if (hbm_cfg_load(path, c, err, sizeof err))
        fail_msg("%s: %s", path, err);
}

static void test_presets(void **state)
{
    (void)state;
    static const char *const names[] = {"hbm3-6400", "attacc-hbm3-5200"};
    for (int i = 0; i < 2; i++) {
        hbm_cfg p, f, w;
        char err[512], path[256];
        assert_int_equal(hbm_cfg_preset(names[i], &p), 0);
        if (hbm_cfg_validate(&p, err, sizeof err))
            fail_msg("%s: %s", names[i], err);
        snprintf(path, sizeof path, "configs/hbm/%s.yaml", names[i]);
        load_ok(path, &f);
        const char *d = cfg_diff(&p, &f);
        if (d)
            fail_msg("%s differs from the built-in preset in %s", path, d);
        /* round trip of a modified configuration */
        p.nRC += 1, p.e_tsv = 0.123456789012345, p.power_limit = !p.power_limit, p.ref_mode = HBM_REF_PERBANK;
        snprintf(path, sizeof path, "%s/rt.yaml", dir);
        FILE *o = fopen(path, "w");
        hbm_cfg_write(&p, o);
        fclose(o);
        load_ok(path, &w);
        d = cfg_diff(&p, &w);
        if (d)
            fail_msg("write/load round trip differs in %s", d);
        remove(path);
    }
    hbm_cfg x;
    assert_int_equal(hbm_cfg_preset("hbm3-6401", &x), -1);
}

static void test_override(void **state)
{
    (void)state;
    hbm_cfg base, o;
    assert_int_equal(hbm_cfg_preset("attacc-hbm3-5200", &base), 0);
    load_ok("configs/hbm/example-override.yaml", &o);
    assert_string_equal(o.name, "attacc-npc-perbank");
    assert_int_equal(o.power_limit, 0);
    assert_int_equal(o.ab_act_faw, 1);
    assert_int_equal(o.ref_mode, HBM_REF_PERBANK);
    o.power_limit = base.power_limit, o.ab_act_faw = base.ab_act_faw, o.ref_mode = base.ref_mode;
    strcpy(o.name, base.name);
    assert_null(cfg_diff(&base, &o));
    char err[512];
    assert_int_equal(hbm_cfg_resolve("attacc-hbm3-5200", &o, err, sizeof err), 0);
    assert_int_equal(hbm_cfg_resolve("no-such-preset", &o, err, sizeof err), -1);
    assert_non_null(strstr(err, "neither a preset"));
}

typedef struct {
    const char *what, *text;
    unsigned line;
    const char *says;
} bad_case;

#define B "base: attacc-hbm3-5200\n"
static const bad_case bad[] = {
    {"unknown top-level key", B "bogus: 1\n", 2, "Unexpected key: bogus (allowed: name base org timing"},
    {"unknown key in a section", B "org:\n  bankz: 3\n", 3, "Unexpected key: bankz (allowed: stacks channels"},
    {"string for a number", B "timing:\n  nRC: fast\n", 3, "'fast' is not an unsigned integer (allowed: 1..1023)"},
    {"negative unsigned", B "timing:\n  nRP: -3\n", 3, "'-3' is not an unsigned integer"},
    {"float for an unsigned", B "timing:\n  nCL: 2.5\n", 3, "'2.5' is not an unsigned integer"},
    {"non-bool", B "pim:\n  power_limit: maybe\n", 3, "'maybe' is not a boolean (allowed: true, false)"},
    {"unknown refresh mode", B "refresh:\n  mode: sometimes\n", 3, "(allowed: all-bank, per-bank, off)"},
    {"unknown base preset", "name: x\nbase: hbm9\n", 2, "unknown preset 'hbm9' (allowed: hbm3-6400"},
    {"missing field without base", "name: x\norg:\n  stacks: 1\n", 2, "missing required field org.channels"},
    {"zero banks", B "org:\n  banks_per_group: 0\n", 3, "org.banks_per_group: 0 is out of range (allowed: 1..16)"},
    {"value above range", B "timing:\n  nCL: 256\n", 3, "timing.nCL: 256 is out of range (allowed: 1..255)"},
    {"tRAS > tRC", B "timing:\n  nRP: 19\n  nRAS: 70\n", 4, "timing.nRAS: 70 exceeds timing.nRC 63"},
    {"nRCDRD > nRAS", B "timing:\n  nRCDRD: 50\n", 3, "timing.nRCDRD: 50 exceeds timing.nRAS 45"},
    {"nCCDS > nCCDL", B "timing:\n  nCCDS: 5\n", 3, "timing.nCCDS: 5 exceeds timing.nCCDL 4"},
    {"nRFCpb > nRFC", B "refresh:\n  nRFCpb: 500\n", 3, "refresh.nRFCpb: 500 exceeds refresh.nRFC 456"},
    {"section not a mapping", B "timing: 5\n", 2, "Expecting MAPPING"},
    {"YAML syntax error", B "timing:\n  nRC: [1\n", 3, "Expecting STRING"},
    {"empty file", "", 1, "empty configuration"},
    {"row bytes not a power of two", B "org:\n  columns: 24\n", 3, "(allowed: a power of two)"},
    {"name too long", "name: " "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n" B, 1, "STRING length > 63"},
    {"energy negative", B "energy:\n  tsv: -0.5\n", 3, "energy.tsv: -0.5 is out of range (allowed: 0..100)"},
    {"refresh interval not above nRFC", B "refresh:\n  nREFI: 400\n", 3, "must exceed refresh.nRFC 456"},
};

static void test_bad_configs(void **state)
{
    (void)state;
    char path[256], err[1024], want[300];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(path, sizeof path, "%s/bad%zu.yaml", dir, i);
        FILE *f = fopen(path, "w");
        fputs(bad[i].text, f);
        fclose(f);
        hbm_cfg out, sentinel;
        memset(&out, 0xA5, sizeof out);
        memcpy(&sentinel, &out, sizeof out);
        int rc = hbm_cfg_load(path, &out, err, sizeof err);
        snprintf(want, sizeof want, "%s:%u: ", path, bad[i].line);
        if (rc != -1 || strncmp(err, want, strlen(want)) || !strstr(err, bad[i].says))
            fail_msg("%s: rc %d, message '%s' (want '%s...%s')", bad[i].what, rc, err, want, bad[i].says);
        if (memcmp(&out, &sentinel, sizeof out))
            fail_msg("%s: the output was modified on error", bad[i].what);
        printf("  %-32s %s\n", bad[i].what, err + strlen(dir) + 1);
        remove(path);
    }
    assert_true(sizeof bad / sizeof bad[0] >= 15);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_presets), cmocka_unit_test(test_override),
                                       cmocka_unit_test(test_bad_configs)};
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    rmdir(dir);
    return rc;
}
