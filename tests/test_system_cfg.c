/* test_system_cfg — the system configuration (harness/system/sys_cfg.c through harness/cfgfile/): every preset
 * validates and round-trips through write and load; configs/systems/ load (the complete file equal to its
 * preset, the override example changing exactly its fields); each override kind (U, F, B, E, S, top level
 * and sections, flow style); sys_cfg_set on every kind with good and bad values and its exact messages;
 * every cross-field rule; a table of malformed files, each failing with its exact "FILE:LINE: message"
 * and *out untouched; a seeded random test of sys_cfg_set followed by a write/load round trip. Runs from
 * the repository root (make build/bin/test_system_cfg && build/bin/test_system_cfg; SEED=n replays). */
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

#include "system.h"
#include "tb_cfg.h"
#include "tb_util.h"

static char dir[] = "/tmp/test_system_cfg.XXXXXX";
static uint64_t seed;
static const char *const presets[] = {"a100-hbm3",     "h100",     "dgx-a100-hbm3",     "dgx-h100",
                                      "a100-hbm3+pim", "h100+pim", "dgx-a100-hbm3+pim", "dgx-h100+pim"};
#define NPRESETS (sizeof presets / sizeof presets[0])
#define PRESETS "a100-hbm3, h100, dgx-a100-hbm3, dgx-h100 (+pim)"
#define TOP "name, base, gpus, tp, gpu, nvlink, pim, energy"
#define PIM_KEYS "enabled, stacks, hbm, gemv, group, acc, softmax, softmax_lanes, pingpong, split, link_gbs, " \
                 "link_latency_us, link_pj_per_byte, static_w"
#define HBM_ALLOWED "an HBM preset or YAML file as pimattn run --hbm takes"

/* The keys (section.key, top-level key, and "name") in which a and b differ, space-separated; generated from
 * the table, so a new field is compared without touching this test. */
static const char *cfg_diff(const sys_cfg *a, const sys_cfg *b)
{
    static char buf[4096];
    size_t len = 0, n = sizeof buf;
    len = (size_t)snprintf(buf, n, "%s", strcmp(a->name, b->name) ? "name" : "");
    SYS_CFG_ALL(TB_CFG_DIFF)
    return buf;
}

static const char *diff_any(const void *a, const void *b) { return cfg_diff(a, b); }
static int load_any(const char *path, void *out, char *err, size_t n) { return sys_cfg_load(path, out, err, n); }
static void write_any(const void *c, FILE *f) { sys_cfg_write(c, f); }
static const tb_cfg_ops ops = {sizeof(sys_cfg), load_any, write_any, diff_any};

static void load_ok(const char *path, sys_cfg *c) { tb_cfg_load_ok(&ops, path, c); }
/* sys_cfg_write then sys_cfg_load gives back exactly c. */
static void round_trip(const sys_cfg *c) { tb_cfg_round_trip(&ops, dir, c); }

static void test_presets(void **state)
{
    (void)state;
    for (size_t i = 0; i < NPRESETS; i++) {
        sys_cfg p;
        char err[512];
        assert_int_equal(sys_cfg_preset(presets[i], &p), 0);
        assert_string_equal(p.name, presets[i]);
        if (sys_cfg_validate(&p, err, sizeof err))
            fail_msg("%s: %s", presets[i], err);
        assert_int_equal(p.pim, strstr(presets[i], "+pim") != NULL);
        assert_int_equal(p.gpus, strncmp(presets[i], "dgx-", 4) ? 1 : 8);
        assert_int_equal(p.tp, p.gpus);
        assert_true(p.gpu_tflops == (strstr(presets[i], "h100") ? 989.4 : 312));
        assert_true(p.nvl_gbs == (strstr(presets[i], "h100") ? 900 : 600));
        assert_true(p.gpu_mem_gbs == 3352 && p.gpu_mem_gib == 80 && p.gpu_eff_c == 0.8 && p.gpu_eff_m == 0.85);
        assert_true(p.e_mac == 0.32 && p.e_reg == 0.0675 && p.e_l1 == 1.28 && p.e_l2 == 2.4 && p.e_hbm == 28.72);
        assert_string_equal(p.pim_hbm, "attacc-hbm3-5200");
        assert_true(p.pim_stacks == 5 && p.pim_split == 2 && p.pim_lanes == 16 && p.pim_link_pj == 10.4);
        round_trip(&p);
        /* a modified configuration: doubles that need 17 digits, strings that need quoting, other words */
        p.gpu_tflops = 0.1 + 0.2, p.nvl_lat_us = 1.0 / 3, p.e_hbm = 1e-7, p.pim_static_w = 12345.678901234567;
        p.pim = !p.pim, p.pim_pingpong = 1, p.pim_tree = 1, p.pim_group = 1, p.pim_acc16 = 1, p.pim_splitk = 1;
        p.pim_split = 1, p.gpus = 4096, p.tp = 2;
        strcpy(p.name, "it's: \"x\" # \\ \t y");
        strcpy(p.pim_hbm, "hbm3-6400");
        assert_int_equal(sys_cfg_validate(&p, err, sizeof err), 0);
        round_trip(&p);
        strcpy(p.pim_hbm, "odd \"name\" \\ # : x"); /* not checked while the device is off */
        p.pim = 0;
        assert_int_equal(sys_cfg_validate(&p, err, sizeof err), 0);
        round_trip(&p);
    }
    const char *bad[] = {"h100+PIM", "h100+pim+pim", "", "+pim", "dgx", "h100 ", "a100", "dgx-h100+pimx"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sys_cfg x, y;
        memset(&x, 0x5a, sizeof x);
        y = x;
        assert_int_equal(sys_cfg_preset(bad[i], &x), -1);
        assert_memory_equal(&x, &y, sizeof x);
    }
    assert_string_equal(sys_cfg_preset_names, PRESETS);
}

static void test_words(void **state)
{
    (void)state;
    const char *const *w = sys_cfg_words("pim", "gemv");
    assert_non_null(w);
    assert_string_equal(w[0], "systolic");
    assert_string_equal(w[1], "tree");
    assert_null(w[2]);
    w = sys_cfg_words("pim", "split");
    assert_non_null(w);
    assert_string_equal(w[2], "balance");
    assert_null(w[3]);
    assert_string_equal(sys_cfg_words("pim", "acc")[1], "fp16");
    assert_string_equal(sys_cfg_words("pim", "softmax")[1], "splitk");
    assert_null(sys_cfg_words("pim", "group"));
    assert_null(sys_cfg_words("top", "gpus"));
    assert_null(sys_cfg_words("pim", "nope"));
    assert_null(sys_cfg_words("nope", "gemv"));
}

/* configs/systems/: the complete file is its preset; the override example changes what it says. */
static void test_examples(void **state)
{
    (void)state;
    sys_cfg p, f;
    assert_int_equal(sys_cfg_preset("dgx-a100-hbm3+pim", &p), 0);
    load_ok("configs/systems/dgx-a100-hbm3-pim.yaml", &f);
    assert_string_equal(cfg_diff(&p, &f), "");
    assert_int_equal(sys_cfg_preset("dgx-h100+pim", &p), 0);
    load_ok("configs/systems/example-override.yaml", &f);
    assert_string_equal(cfg_diff(&p, &f), "name gpus tp pim.stacks pim.softmax pim.split");
    assert_string_equal(f.name, "4x-h100-pim-splitk");
    assert_true(f.gpus == 4 && f.tp == 2 && f.pim_stacks == 8 && f.pim_splitk == 1 && f.pim_split == 1);
    DIR *d = opendir("configs/systems");
    assert_non_null(d);
    int files = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t l = strlen(e->d_name);
        char path[512];
        if (l < 5 || strcmp(e->d_name + l - 5, ".yaml"))
            continue;
        snprintf(path, sizeof path, "configs/systems/%s", e->d_name);
        load_ok(path, &f);
        files++;
    }
    closedir(d);
    assert_true(files >= 2);
}

/* One override of each kind, at the top level and in sections, block and flow style. */
static void test_override(void **state)
{
    (void)state;
    static const struct {
        const char *text, *diff;
    } cases[] = {
        {"base: h100\n", ""},
        {"base: dgx-h100\ngpus: 16\n", "gpus"},                                         /* U, top level */
        {"base: dgx-h100\ntp: 2\ngpu:\n  tflops: 1000.5\n", "tp gpu.tflops"},            /* F */
        {"base: h100\npim:\n  enabled: true\n", "pim.enabled"},                          /* B */
        {"base: h100+pim\npim: {gemv: tree, group: 1, acc: fp16}\n", "pim.gemv pim.group pim.acc"}, /* E, flow */
        {"base: h100+pim\npim:\n  hbm: configs/hbm/hbm3-6400.yaml\n", "pim.hbm"},       /* S, a file */
        {"base: h100+pim\npim:\n  hbm: \"hbm3-6400\"\n  split: 'off'\n", "pim.hbm pim.split"}, /* quoted S, E */
        {"base: h100\npim:\n  hbm: no-such-device\n", "pim.hbm"}, /* not checked while the device is off */
        {"base: h100\nname: mine\nnvlink: {latency_us: 0, pj_per_byte: 0}\nenergy:\n  gpu_hbm_pj_per_byte: 7\n",
         "name nvlink.latency_us nvlink.pj_per_byte energy.gpu_hbm_pj_per_byte"},
    };
    char path[256];
    snprintf(path, sizeof path, "%s/over.yaml", dir);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sys_cfg b, o;
        char base[64];
        snprintf(base, sizeof base, "%.*s", (int)strcspn(cases[i].text + 6, "\n"), cases[i].text + 6);
        assert_int_equal(sys_cfg_preset(base, &b), 0);
        tb_write_file(path, cases[i].text);
        load_ok(path, &o);
        if (strcmp(cfg_diff(&b, &o), cases[i].diff))
            fail_msg("%s: differs in '%s', want '%s'", cases[i].text, cfg_diff(&b, &o), cases[i].diff);
        assert_string_equal(o.name, strstr(cases[i].text, "name: mine") ? "mine" : base);
        round_trip(&o);
    }
    assert_int_equal(remove(path), 0);
}

static void test_resolve(void **state)
{
    (void)state;
    sys_cfg c, p, s;
    char err[512];
    assert_int_equal(sys_cfg_resolve("dgx-h100+pim", &c, err, sizeof err), 0);
    assert_int_equal(sys_cfg_preset("dgx-h100+pim", &p), 0);
    assert_string_equal(cfg_diff(&c, &p), "");
    assert_int_equal(sys_cfg_resolve("configs/systems/dgx-a100-hbm3-pim.yaml", &c, err, sizeof err), 0);
    assert_string_equal(c.name, "dgx-a100-hbm3+pim");
    memset(&c, 0x5a, sizeof c);
    s = c;
    assert_int_equal(sys_cfg_resolve("dgx-b200", &c, err, sizeof err), -1);
    assert_string_equal(err, "'dgx-b200' is neither a preset (" PRESETS ") nor a readable YAML file");
    assert_int_equal(sys_cfg_resolve("configs", &c, err, sizeof err), -1);
    assert_string_equal(err, "configs: is a directory (allowed: a preset (" PRESETS ") or a YAML file, as in "
                             "configs/systems/)");
    assert_int_equal(sys_cfg_load("/nonexistent/x.yaml", &c, err, sizeof err), -1);
    assert_string_equal(err, "/nonexistent/x.yaml: cannot open: No such file or directory");
    assert_memory_equal(&c, &s, sizeof c);
}

/* sys_cfg_set on every kind: good values change exactly their field, bad ones change nothing. */
static void test_set(void **state)
{
    (void)state;
    static const struct {
        const char *key, *value, *diff, *says; /* says NULL: accepted */
    } cases[] = {
        {"gpus", "16", "gpus", NULL},
        {"gpus", "0", "", "gpus: 0 is out of range (allowed: 1..4096)"},
        {"gpus", "4097", "", "gpus: 4097 is out of range (allowed: 1..4096)"},
        {"gpus", "eight", "", "gpus: 'eight' is not an unsigned integer (allowed: 1..4096)"},
        {"gpus", "-1", "", "gpus: '-1' is not an unsigned integer (allowed: 1..4096)"},
        {"gpus", "4.0", "", "gpus: '4.0' is not an unsigned integer (allowed: 1..4096)"},
        {"gpus", "", "", "gpus: '' is not an unsigned integer (allowed: 1..4096)"},
        {"tp", "4", "tp", NULL},
        {"pim.stacks", "0x10", "", "pim.stacks: '0x10' is not an unsigned integer (allowed: 1..64)"},
        {"gpu.tflops", "1e3", "gpu.tflops", NULL},
        {"gpu.tflops", "0", "", "gpu.tflops: 0 is out of range (allowed: 0.001..1e+06)"},
        {"gpu.tflops", "fast", "", "gpu.tflops: 'fast' is not a number (allowed: 0.001..1e+06)"},
        {"gpu.tflops", "inf", "", "gpu.tflops: 'inf' is not a number (allowed: 0.001..1e+06)"},
        {"gpu.eff_memory", "1.01", "", "gpu.eff_memory: 1.01 is out of range (allowed: 0.01..1)"},
        {"nvlink.latency_us", "0", "nvlink.latency_us", NULL},
        {"energy.gpu_mac_pj", "-0.1", "", "energy.gpu_mac_pj: -0.1 is out of range (allowed: 0..1e+06)"},
        {"pim.enabled", "true", "pim.enabled", NULL},
        {"pim.enabled", "yes", "", "pim.enabled: 'yes' is not a boolean (allowed: true, false)"},
        {"pim.pingpong", "1", "", "pim.pingpong: '1' is not a boolean (allowed: true, false)"},
        {"pim.gemv", "tree", "pim.gemv", NULL},
        {"pim.gemv", "systolic2", "", "pim.gemv: 'systolic2' (allowed: systolic, tree)"},
        {"pim.acc", "fp8", "", "pim.acc: 'fp8' (allowed: fp32, fp16)"},
        {"pim.softmax", "splitk", "pim.softmax", NULL},
        {"pim.split", "fit", "pim.split", NULL},
        {"pim.split", "1", "", "pim.split: '1' (allowed: off, fit, balance)"},
        {"pim.hbm", "configs/hbm/hbm3-6400.yaml", "pim.hbm", NULL},
        {"pim.hbm", "", "pim.hbm", NULL}, /* any string; sys_cfg_validate checks it when the device is on */
        {"pim.hbm", "x123456789x123456789x123456789x123456789x123456789x123456789abcd", "",
         "pim.hbm: longer than 63 characters (allowed: " HBM_ALLOWED ", at most 63 characters)"},
        {"name", "mine", "name", NULL},
        {"name", "x123456789x123456789x123456789x123456789x123456789x123456789abcd", "",
         "name: longer than 63 characters (allowed: a string of at most 63 characters)"},
        {"pim.nope", "1", "", "pim.nope: unknown key (allowed: " PIM_KEYS ")"},
        {"nope", "1", "", "nope: unknown key (allowed: name, gpus, tp, gpu.KEY, nvlink.KEY, pim.KEY, energy.KEY)"},
        {"pim", "1", "", "pim: unknown key (allowed: name, gpus, tp, gpu.KEY, nvlink.KEY, pim.KEY, energy.KEY)"},
        {"top.gpus", "8", "", "top.gpus: unknown key (allowed: name, gpus, tp, gpu.KEY, nvlink.KEY, pim.KEY, energy.KEY)"},
        {"base", "h100", "", "base: unknown key (allowed: name, gpus, tp, gpu.KEY, nvlink.KEY, pim.KEY, energy.KEY)"},
        {".gpus", "8", "", ".gpus: unknown key (allowed: name, gpus, tp, gpu.KEY, nvlink.KEY, pim.KEY, energy.KEY)"},
        {"gpu.", "8", "", "gpu.: unknown key (allowed: tflops, mem_gbs, mem_gib, eff_compute, eff_memory, static_w)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sys_cfg b, c;
        char err[1024] = "";
        assert_int_equal(sys_cfg_preset("dgx-h100", &b), 0);
        c = b;
        int rc = sys_cfg_set(&c, cases[i].key, cases[i].value, err, sizeof err);
        if (rc != (cases[i].says ? -1 : 0) || (cases[i].says && strcmp(err, cases[i].says)))
            fail_msg("set %s '%s': rc %d, '%s' (want '%s')", cases[i].key, cases[i].value, rc, err,
                     cases[i].says ? cases[i].says : "accepted");
        if (strcmp(cfg_diff(&b, &c), cases[i].diff))
            fail_msg("set %s '%s' changed '%s' (want '%s')", cases[i].key, cases[i].value, cfg_diff(&b, &c),
                     cases[i].diff);
        if (cases[i].says)
            assert_memory_equal(&b, &c, sizeof b);
    }
    sys_cfg c;
    char err[512];
    assert_int_equal(sys_cfg_preset("h100", &c), 0);
    assert_int_equal(sys_cfg_set(&c, "gpu.static_w", "350", err, sizeof err), 0);
    assert_true(c.gpu_static_w == 350);
    assert_int_equal(sys_cfg_set(&c, "pim.split", "off", err, sizeof err), 0);
    assert_int_equal(c.pim_split, 0);
    assert_int_equal(sys_cfg_set(&c, "tp", "8", err, sizeof err), 0); /* accepted; validation sees the rule */
    assert_int_equal(sys_cfg_validate(&c, err, sizeof err), -1);
    assert_string_equal(err, "tp: 8 does not divide gpus 1 (allowed: a divisor of gpus)");
}

/* Each cross-field rule on a preset, with its message. */
static void test_validate(void **state)
{
    (void)state;
    sys_cfg b, c;
    char err[1024];
    assert_int_equal(sys_cfg_preset("dgx-h100+pim", &b), 0);
#define VBAD(change, want)                                                                                    \
    do {                                                                                                      \
        c = b;                                                                                                \
        change;                                                                                               \
        if (sys_cfg_validate(&c, err, sizeof err) != -1 || strcmp(err, want))                                 \
            fail_msg("%s: got '%s', want '%s'", #change, err, want);                                          \
    } while (0)
#define VOK(change)                                                                                           \
    do {                                                                                                      \
        c = b;                                                                                                \
        change;                                                                                               \
        if (sys_cfg_validate(&c, err, sizeof err))                                                            \
            fail_msg("%s: %s", #change, err);                                                                 \
    } while (0)
    VBAD(c.tp = 3, "tp: 3 does not divide gpus 8 (allowed: a divisor of gpus)");
    VBAD(c.tp = 16, "tp: 16 does not divide gpus 8 (allowed: a divisor of gpus)");
    VOK((c.gpus = 12, c.tp = 4));
    VBAD(c.pim_lanes = 12, "pim.softmax_lanes: 12 is not a power of two (allowed: 1, 2, 4, 8, 16)");
    VBAD(c.pim_lanes = 32, "pim.softmax_lanes: 32 is out of range (allowed: 1..16)");
    VOK(c.pim_lanes = 1);
    VBAD((c.pim_tree = 1, c.pim_group = 2), "pim.group: 2 needs pim.gemv systolic (allowed: 0 or 1 with pim.gemv tree, "
                                            "the tree unit has one row)");
    VOK((c.pim_tree = 1, c.pim_group = 1));
    VOK((c.pim_tree = 1, c.pim_group = 0));
    VOK(c.pim_group = 16);
    VBAD(c.pim_group = 17, "pim.group: 17 is out of range (allowed: 0..16)");
    VBAD(strcpy(c.pim_hbm, "hbm9"), "pim.hbm: 'hbm9' is neither a preset (hbm3-6400, attacc-hbm3-5200) nor a readable "
                                    "YAML file (allowed: " HBM_ALLOWED ")");
    VOK((strcpy(c.pim_hbm, "hbm9"), c.pim = 0));
    VOK(strcpy(c.pim_hbm, "configs/hbm/example-override.yaml"));
    VBAD(memset(c.pim_hbm, 'x', sizeof c.pim_hbm), "pim.hbm: longer than 63 characters (allowed: " HBM_ALLOWED ", at most 63 characters)");
    VBAD(c.gpu_eff_c = NAN, "gpu.eff_compute: nan is out of range (allowed: 0.01..1)");
    VBAD(c.pim_split = 3, "pim.split: 3 is out of range (allowed: 0..2)");
    VBAD(c.pim_acc16 = -1, "pim.acc: 4294967295 is out of range (allowed: 0..1)");
    VBAD(c.pim = 2, "pim.enabled: 2 is out of range (allowed: 0..1)");
    VBAD(c.gpus = 0, "gpus: 0 is out of range (allowed: 1..4096)");
#undef VBAD
#undef VOK
}

/* A complete file without `base:` that lacks one key: the error points at that key's section. */
static void test_missing_key(void **state)
{
    (void)state;
    sys_cfg p, out, sentinel;
    char path[256], err[1024], want[400];
    assert_int_equal(sys_cfg_preset("h100", &p), 0);
    unsigned nvlink_line = tb_cfg_without(&ops, dir, &p, "  gbs:", "nvlink:\n"); /* drop nvlink.gbs */
    snprintf(path, sizeof path, "%s/full.yaml", dir);
    memset(&out, 0xA5, sizeof out);
    sentinel = out;
    assert_int_equal(sys_cfg_load(path, &out, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:%u: missing required field nvlink.gbs (allowed: 0.001..1e+06; or start from a "
             "preset with base: " PRESETS ")", path, nvlink_line);
    assert_string_equal(err, want);
    assert_memory_equal(&out, &sentinel, sizeof out);
    assert_int_equal(remove(path), 0);
}

typedef tb_cfg_case bad_case; /* says: exactly the message after "FILE:LINE: " */

#define B "base: h100+pim\n"
#define LONG "x123456789x123456789x123456789x123456789x123456789x123456789abcdefgh" /* 68 */
static const bad_case bad[] = {
    {"unknown top-level key", B "bogus: 1\n", 2, "bogus: unknown key (allowed: " TOP ")"},
    {"unknown key in a section", B "pim:\n  stack: 2\n", 3, "pim.stack: unknown key (allowed: " PIM_KEYS ")"},
    {"unknown section", B "cpu:\n  cores: 4\n", 2, "cpu: unknown key (allowed: " TOP ")"},
    {"section key at the top level", B "stacks: 2\n", 2, "stacks: unknown key (allowed: " TOP ")"},
    {"top-level key in a section", B "gpu:\n  gpus: 2\n",
     3, "gpu.gpus: unknown key (allowed: tflops, mem_gbs, mem_gib, eff_compute, eff_memory, static_w)"},
    {"word for a number", B "gpus: eight\n", 2, "gpus: 'eight' is not an unsigned integer (allowed: 1..4096)"},
    {"float for an unsigned", B "pim:\n  stacks: 2.5\n", 3, "pim.stacks: '2.5' is not an unsigned integer (allowed: 1..64)"},
    {"quoted number", B "gpu:\n  tflops: \"312\"\n",
     3, "gpu.tflops: '312' is a quoted string, not a number (allowed: 0.001..1e+06, unquoted)"},
    {"YAML 1.1 bool", B "pim:\n  pingpong: yes\n", 3, "pim.pingpong: 'yes' is not a boolean (allowed: true, false)"},
    {"bad enum word", B "pim:\n  gemv: systolic2\n", 3, "pim.gemv: 'systolic2' (allowed: systolic, tree)"},
    {"bad enum word, flow", B "pim: {acc: fp32, split: all}\n", 2, "pim.split: 'all' (allowed: off, fit, balance)"},
    {"out of range", B "gpu:\n  eff_compute: 1.5\n", 3, "gpu.eff_compute: 1.5 is out of range (allowed: 0.01..1)"},
    {"zero gpus", B "gpus: 0\n", 2, "gpus: 0 is out of range (allowed: 1..4096)"},
    {"repeated key", B "nvlink:\n  gbs: 900\n  latency_us: 2\n  gbs: 800\n",
     5, "nvlink.gbs: repeated key (allowed: each key once per mapping)"},
    {"repeated section", B "pim:\n  stacks: 2\npim:\n  acc: fp16\n", 4, "pim: repeated key (allowed: each key once per mapping)"},
    {"missing field without base", "name: x\ngpus: 1\n",
     1, "missing required field tp (allowed: 1..4096; or start from a preset with base: " PRESETS ")"},
    {"missing section field without base", "gpus: 1\ntp: 1\ngpu:\n  tflops: 1\n",
     3, "missing required field gpu.mem_gbs (allowed: 0.001..1e+06; or start from a preset with base: " PRESETS ")"},
    {"unknown base", "name: x\nbase: dgx-b200\n", 2, "base: unknown preset 'dgx-b200' (allowed: " PRESETS ")"},
    {"base with a bad suffix", "base: h100+PIM\n", 1, "base: unknown preset 'h100+PIM' (allowed: " PRESETS ")"},
    {"a list where a mapping belongs", B "pim: [1, 2]\n",
     2, "pim: expected a mapping, got a sequence (allowed: a mapping of " PIM_KEYS ")"},
    {"a scalar where a mapping belongs", B "gpu: 5\n",
     2, "gpu: expected a mapping, got a scalar (allowed: a mapping of tflops, mem_gbs, mem_gib, eff_compute, "
     "eff_memory, static_w)"},
    {"a list where a value belongs", B "gpus: [8]\n", 2, "gpus: expected a single value, got a sequence (allowed: 1..4096)"},
    {"a mapping where a value belongs", B "pim:\n  hbm: {base: hbm3-6400}\n",
     3, "pim.hbm: expected a single value, got a mapping (allowed: " HBM_ALLOWED ", at most 63 characters)"},
    {"top level a list", "- gpus\n- tp\n", 1, "expected a mapping, got a sequence (allowed: a mapping of " TOP ")"},
    {"syntax error", B "pim:\n  gemv: tree\n stacks: 2\n",
     4, "YAML syntax error: did not find expected key (while parsing a block mapping at line 1) (allowed: YAML "
     "mappings, block or flow, as in configs/systems/)"},
    {"unclosed bracket", B "pim: {gemv: tree\nnvlink:\n  gbs: 1\n",
     3, "YAML syntax error: did not find expected ',' or '}' (while parsing a flow mapping at line 2) (allowed: YAML "
     "mappings, block or flow, as in configs/systems/)"},
    {"empty file", "", 1, "empty configuration (allowed: a mapping of " TOP ")"},
    {"only comments", "# a system\n\n", 1, "empty configuration (allowed: a mapping of " TOP ")"},
    {"two documents", B "---\nbase: h100\n", 2, "a second YAML document (allowed: one document per file)"},
    {"deep nesting", B "pim: {a: {b: {c: {d: {e: {f: {g: {h: 1}}}}}}}}\n",
     2, "collections nested deeper than 8 levels (allowed: the sections and values of configs/systems/, two levels)"},
    {"tp not dividing gpus", "base: dgx-h100\ntp: 3\n", 2, "tp: 3 does not divide gpus 8 (allowed: a divisor of gpus)"},
    {"gpus no longer a multiple of tp", "base: dgx-h100\nname: odd\ngpus: 12\n",
     3, "tp: 8 does not divide gpus 12 (allowed: a divisor of gpus)"},
    {"bad pim.hbm", B "pim:\n  stacks: 2\n  hbm: hbm9\n",
     4, "pim.hbm: 'hbm9' is neither a preset (hbm3-6400, attacc-hbm3-5200) nor a readable YAML file (allowed: " HBM_ALLOWED ")"},
    {"bad pim.hbm when enabled here", "base: h100\npim:\n  hbm: hbm9\n  enabled: true\n",
     3, "pim.hbm: 'hbm9' is neither a preset (hbm3-6400, attacc-hbm3-5200) nor a readable YAML file (allowed: " HBM_ALLOWED ")"},
    {"pim.hbm a directory", B "pim:\n  hbm: configs\n",
     3, "pim.hbm: configs: is a directory (allowed: a preset (hbm3-6400, attacc-hbm3-5200) or a YAML file, as in configs/hbm/)"},
    {"pim.hbm too long", B "pim:\n  hbm: " LONG "\n",
     3, "pim.hbm: longer than 63 characters (allowed: " HBM_ALLOWED ", at most 63 characters)"},
    {"group with tree", B "pim:\n  gemv: tree\n  group: 4\n",
     4, "pim.group: 4 needs pim.gemv systolic (allowed: 0 or 1 with pim.gemv tree, the tree unit has one row)"},
    {"group with tree, group from the file only", B "pim:\n  group: 2\n  acc: fp16\n  gemv: tree\n",
     3, "pim.group: 2 needs pim.gemv systolic (allowed: 0 or 1 with pim.gemv tree, the tree unit has one row)"},
    {"softmax lanes", B "pim: {softmax_lanes: 12}\n",
     2, "pim.softmax_lanes: 12 is not a power of two (allowed: 1, 2, 4, 8, 16)"},
    {"name too long", B "name: " LONG "\n", 2, "name: longer than 63 characters (allowed: a string of at most 63 characters)"},
};

static void test_bad_files(void **state)
{
    (void)state;
    char path[256];
    size_t nbad = sizeof bad / sizeof bad[0];
    for (size_t i = 0; i < nbad; i++) {
        snprintf(path, sizeof path, "%s/bad%zu.yaml", dir, i);
        tb_cfg_bad(&ops, path, &bad[i], 1);
    }
    assert_true(nbad >= 15);
    print_message("%zu malformed system files rejected with FILE:LINE and the exact message\n", nbad);
}

/* A bad HBM file named by pim.hbm: its own FILE:LINE inside the system file's message. */
static void test_bad_hbm_file(void **state)
{
    (void)state;
    char hbm[256], sys[256], text[512], err[1024], want[1024];
    snprintf(hbm, sizeof hbm, "%s/hbm.yaml", dir);
    snprintf(sys, sizeof sys, "%s/sys.yaml", dir);
    tb_write_file(hbm, "base: attacc-hbm3-5200\ntiming:\n  nRC: 1\n");
    snprintf(text, sizeof text, "base: dgx-h100+pim\npim:\n  hbm: %s\n", hbm);
    tb_write_file(sys, text);
    sys_cfg c;
    assert_int_equal(sys_cfg_load(sys, &c, err, sizeof err), -1);
    snprintf(want, sizeof want, "%s:3: pim.hbm: %s:3: timing.nRAS: 45 exceeds timing.nRC 1 (allowed: nRAS <= nRC)", sys,
             hbm);
    assert_string_equal(err, want);
    assert_int_equal(remove(hbm), 0);
    assert_int_equal(remove(sys), 0);
}

/* A random value of field f that it accepts, as text. */
#define RANDOM_VALUE(sec, key, member, kind, lo, hi, doc)                                                      \
    if (k == i++)                                                                                             \
        return snprintf(buf, n, "%s%s" #key, strcmp(#sec, "top") ? #sec : "", strcmp(#sec, "top") ? "." : ""), \
               random_##kind(g, lo, hi, sys_cfg_words(#sec, #key), val, vn), buf;
static const char *random_U(rng *g, double lo, double hi, const char *const *w, char *v, size_t n)
{
    (void)w;
    return snprintf(v, n, "%llu", (unsigned long long)lo + rng_next(g) % (unsigned long long)(hi - lo + 1)), v;
}
static const char *random_F(rng *g, double lo, double hi, const char *const *w, char *v, size_t n)
{
    (void)w;
    double x = lo + (hi - lo) * (double)(rng_next(g) >> 11) / 9007199254740992.0;
    return snprintf(v, n, "%.17g", x < lo ? lo : x > hi ? hi : x), v;
}
static const char *random_B(rng *g, double lo, double hi, const char *const *w, char *v, size_t n)
{
    (void)lo, (void)hi, (void)w;
    return snprintf(v, n, "%s", rng_next(g) & 1 ? "true" : "false"), v;
}
static const char *random_E(rng *g, double lo, double hi, const char *const *w, char *v, size_t n)
{
    return snprintf(v, n, "%s", w[(size_t)lo + rng_next(g) % (size_t)(hi - lo + 1)]), v;
}
static const char *random_S(rng *g, double lo, double hi, const char *const *w, char *v, size_t n)
{
    static const char *const s[] = {"hbm3-6400", "attacc-hbm3-5200", "configs/hbm/hbm3-6400.yaml", "a \"b\" \\ # c"};
    (void)lo, (void)hi, (void)w;
    return snprintf(v, n, "%s", s[rng_next(g) % 4]), v;
}

/* Field k's dotted key into buf and a value it accepts into val; NULL past the last field. */
static const char *random_field(rng *g, size_t k, char *buf, size_t n, char *val, size_t vn)
{
    size_t i = 0;
    SYS_CFG_ALL(RANDOM_VALUE)
    return NULL;
}

/* Random overrides through sys_cfg_set on a random preset; whatever validates must round-trip exactly. */
static void test_random_set(void **state)
{
    (void)state;
    rng g;
    rng_seed(&g, seed);
    size_t nfields = 0, valid = 0;
    char key[64], val[128], err[1024];
    while (random_field(&g, nfields, key, sizeof key, val, sizeof val))
        nfields++;
    for (int t = 0; t < 2000; t++) {
        sys_cfg c;
        assert_int_equal(sys_cfg_preset(presets[rng_next(&g) % NPRESETS], &c), 0);
        for (int j = 0, m = 1 + (int)(rng_next(&g) % 8); j < m; j++) {
            random_field(&g, rng_next(&g) % nfields, key, sizeof key, val, sizeof val);
            if (sys_cfg_set(&c, key, val, err, sizeof err))
                fail_msg(TB_REPLAY "set %s '%s': %s", seed, seed, key, val, err);
        }
        if (sys_cfg_validate(&c, err, sizeof err))
            continue;
        valid++;
        round_trip(&c);
    }
    if (valid < 100)
        fail_msg(TB_REPLAY "only %zu of 2000 random configurations validated", seed, seed, valid);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    seed = tb_seed("test_system_cfg", "2000 random overrides");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_presets),      cmocka_unit_test(test_words),     cmocka_unit_test(test_examples),
        cmocka_unit_test(test_override),     cmocka_unit_test(test_resolve),   cmocka_unit_test(test_set),
        cmocka_unit_test(test_validate),     cmocka_unit_test(test_missing_key), cmocka_unit_test(test_bad_files),
        cmocka_unit_test(test_bad_hbm_file), cmocka_unit_test(test_random_set)};
    /* Every test removes its files, so a leftover means a failed test; clean up either way. */
    return tb_cfg_rmdir(dir, cmocka_run_group_tests(tests, NULL, NULL));
}
