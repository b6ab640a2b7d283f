/* test_cli — the pimattn command as a user meets it: bad input gives a clear message and exit 2 with no
 * files left behind; the demo passes; `wave` writes an FST whose signals are exactly those the .gtkw
 * save file names (checked through fst2vcd, which ships with GTKWave), for FP primitives and GEMV units;
 * pimattn hbm and check-trace round trip a command log and reject a corrupted one.
 * $PIMATTN is the binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "tb_cli.h"

static void test_bad_input(void **state)
{
    (void)state;
    expect_bad("", "usage");
    expect_bad("frobnicate", "unknown command 'frobnicate'");
    expect_bad("prims --vectors abc", "--vectors: 'abc'");
    expect_bad("prims --vectors 0", "allowed: 1..");
    expect_bad("prims --vectors 12x", "--vectors: '12x'");
    expect_bad("prims --gap 1.5", "--gap: '1.5' is not a number in [0, 0.9]");
    expect_bad("prims --seed -1", "--seed: '-1'");
    expect_bad("prims --only nope", "unknown build 'nope' (allowed: fp16_mul_s0");
    expect_bad("prims --bogus", "pimattn prims: unknown option '--bogus' (see pimattn prims --help)");
    expect_bad("prims extra", "unexpected argument 'extra'");
    expect_bad("wave", "missing");
    expect_bad("wave --unit nope", "unknown unit 'nope'");
    expect_bad("wave --unit fp16_add --cycles 0", "--cycles");
    expect_bad("wave --unit fp16_add --g 4", "only gemv_systolic has a G parameter");
    expect_bad("wave --unit gemv_tree --g 2", "only gemv_systolic has a G parameter");
    expect_bad("wave --unit gemv_systolic --g 3", "no gemv_systolic build with G = 3 (allowed: 1 2 4 8)");
    expect_bad("wave --unit gemv_systolic --g 17", "--g: 17 is out of range");
    expect_bad("wave --unit fp16_add --pattern score", "only the GEMV units take a command pattern");
    expect_bad("wave --unit gemv_tree --pattern diagonal", "--pattern: 'diagonal' (allowed: random, score, context)");
    expect_bad("gemv --commands 0", "--commands: 0 is out of range");
    expect_bad("gemv --only gemv_sys_g3", "unknown build 'gemv_sys_g3' (allowed: gemv_tree_f16");
    expect_bad("gemv --pattern x", "--pattern: 'x' (allowed: random, score, context)");
    expect_bad("gemv extra", "unexpected argument 'extra'");
    expect_bad("softmax --row-len 0", "--row-len: 0 is out of range");
    expect_bad("softmax --only sm_l3", "unknown build 'sm_l3' (allowed: sm_l1");
    expect_bad("softmax --scores x", "--scores: 'x'");
    expect_bad("wave --unit softmax --g 2", "only gemv_systolic has a G parameter");
}

/* pimattn hbm and check-trace: bad input exits 2 with FILE:LINE and leaves no log; a log the model
 * wrote passes the checker; the same log with one command moved earlier fails it (exit 1). */
static void test_hbm_commands(void **state)
{
    (void)state;
    char dir[] = "/tmp/test_cli_hbm.XXXXXX", args[1024], path[512];
    assert_non_null(mkdtemp(dir));
    expect_bad("hbm", "give exactly one of --trace FILE and --synthetic macab");
    expect_bad("hbm --synthetic macab --hbm nope", "'nope' is neither a preset (hbm3-6400, attacc-hbm3-5200)");
    expect_bad("hbm --synthetic rows", "--synthetic: 'rows' (allowed: macab, stream, random)");
    expect_bad("hbm --synthetic macab --commands 0", "--commands: 0 is out of range");
    expect_bad("check-trace", "give exactly one command log");
    expect_bad("check-trace /nonexistent-pimattn.log", "cannot open '/nonexistent-pimattn.log'");
    snprintf(path, sizeof path, "%s/bad.yaml", dir);
    FILE *f = fopen(path, "w");
    fputs("base: hbm3-6400\ntiming:\n  nRC: 10\n", f);
    fclose(f);
    snprintf(args, sizeof args, "hbm --synthetic macab --hbm %s", path);
    expect_bad(args, "bad.yaml:3: timing.nRAS: 45 exceeds timing.nRC 10");
    snprintf(path, sizeof path, "%s/req.trace", dir);
    f = fopen(path, "w");
    fputs("# two reads and a MAC\nR 0x0\n100 W 4096\nMAC 0 0 * 5 3\nR 0x40 junk\n", f);
    fclose(f);
    snprintf(args, sizeof args, "hbm --trace %s/req.trace --log %s/x.log", dir, dir);
    expect_bad(args, "req.trace:5: R needs one address");
    snprintf(path, sizeof path, "%s/x.log", dir);
    struct stat st;
    assert_int_not_equal(stat(path, &st), 0); /* no half-written log */
    snprintf(path, sizeof path, "%s/x.log.tmp", dir);
    assert_int_not_equal(stat(path, &st), 0);
    /* a good run, checked; then corrupted */
    snprintf(args, sizeof args, "hbm --hbm hbm3-6400 --synthetic macab --commands 20000 --log %s/m.log", dir);
    if (run(args) != 0 || !strstr(out, "MACAB 20000"))
        fail_msg("pimattn %s:\n%s", args, out);
    snprintf(args, sizeof args, "check-trace --hbm hbm3-6400 %s/m.log", dir);
    if (run(args) != 0 || !strstr(out, "every rule holds"))
        fail_msg("pimattn %s:\n%s", args, out);
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "awk '/MACAB/ && !done { $1 = $1 - 1; done = 1 } { print }' %s/m.log > %s/bad.log", dir,
             dir);
    assert_int_equal(system(cmd), 0);
    snprintf(args, sizeof args, "check-trace --hbm hbm3-6400 %s/bad.log", dir);
    if (run(args) != 1 || !strstr(out, "bad.log:") || !strstr(out, "nRCDRD: MACAB"))
        fail_msg("pimattn %s: want exit 1 and an nRCDRD violation:\n%s", args, out);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    assert_int_equal(system(cmd), 0);
}

static void test_bad_wave_dir_leaves_nothing(void **state)
{
    (void)state;
    expect_bad("wave --unit fp16_add --dir /nonexistent-pimattn/w", "/nonexistent-pimattn/w");
    struct stat st;
    assert_int_not_equal(stat("/nonexistent-pimattn", &st), 0);
}

static void test_demo_passes(void **state)
{
    (void)state;
    int rc = run("prims --vectors 5000 --seed 3");
    if (rc != 0 || !strstr(out, " 0 mismatches: PASS"))
        fail_msg("pimattn prims: exit %d\n%s", rc, out);
    assert_non_null(strstr(out, "fp16_mac32_s2"));
    rc = run("gemv --commands 3000 --pattern random --seed 5");
    if (rc != 0 || !strstr(out, " 0 mismatches: PASS"))
        fail_msg("pimattn gemv: exit %d\n%s", rc, out);
    assert_non_null(strstr(out, "gemv_sys_g8_f16"));
    rc = run("softmax --scores 3000 --seed 5");
    if (rc != 0 || !strstr(out, " 0 mismatches: PASS"))
        fail_msg("pimattn softmax: exit %d\n%s", rc, out);
    assert_non_null(strstr(out, "sm_l16"));
    assert_int_equal(run("--help"), 0);
    assert_non_null(strstr(out, "prims"));
}

/* Full hierarchical names of every variable in a VCD text (scopes joined with '.'). */
static int vcd_has(const char *vcd, const char *want)
{
    char scope[1024] = "";
    const char *p = vcd;
    while (*p) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        char line[1024];
        snprintf(line, sizeof line, "%.*s", (int)(len < 1023 ? len : 1023), p);
        char kind[64], name[256], id[64], range[64], w[32], typ[32];
        if (sscanf(line, " $scope %63s %255s $end", kind, name) == 2) {
            if (scope[0])
                strcat(scope, ".");
            strcat(scope, name);
        } else if (strstr(line, "$upscope")) {
            char *dot = strrchr(scope, '.');
            if (dot)
                *dot = '\0';
            else
                scope[0] = '\0';
        } else if (sscanf(line, " $var %31s %31s %63s %255s", typ, w, id, name) == 4) {
            char full[1600];
            range[0] = '\0';
            sscanf(line, " $var %*s %*s %*s %*s %63[^ $]", range);
            snprintf(full, sizeof full, "%s.%s%s", scope, name, range);
            if (!strcmp(full, want))
                return 1;
        }
        p += len + (e ? 1 : 0);
    }
    return 0;
}

static void test_wave_signals_exist(void **state)
{
    (void)state;
    /* unit and options, the file name, the least number of signals the view must show */
    const struct {
        const char *args, *name;
        int min_signals;
    } units[] = {{"fp16_add", "fp16_add", 11},
                 {"fp16_mac32", "fp16_mac32", 11},
                 {"fp16_mul32", "fp16_mul32", 11},
                 {"sm_prob", "sm_prob", 12},
                 {"sm_norm", "sm_norm", 12},
                 {"fp32_scale2", "fp32_scale2", 9},
                 {"gemv_tree --pattern context", "gemv_tree_f32_d10", 23},
                 {"gemv_systolic --g 2", "gemv_sys_g2_f32_d4", 24}, /* traced builds: Makefile TEST_TRACE */
                 {"softmax", "sm_l4_h", 35}};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        char args[256], fst[256], sav[256];
        snprintf(args, sizeof args, "wave --unit %s --dir build/test_cli_wave --cycles 40", units[u].args);
        snprintf(fst, sizeof fst, "build/test_cli_wave/%s.fst", units[u].name);
        snprintf(sav, sizeof sav, "build/test_cli_wave/%s.gtkw", units[u].name);
        remove(fst);
        remove(sav);
        if (strncmp(units[u].args, "fp", 2) && strncmp(units[u].args, "sm_", 3)) { /* a unit's traced build */
            char needs[300], want[300];
            snprintf(needs, sizeof needs, "wave --unit %s --needs", units[u].args);
            snprintf(want, sizeof want, "trace/%s\n", units[u].name);
            if (run(needs) != 0 || strcmp(out, want))
                fail_msg("pimattn %s: '%s', want '%s'", needs, out, want);
        }
        int rc = run(args);
        if (rc != 0)
            fail_msg("pimattn %s: exit %d\n%s", args, rc, out);
        char cmd[512];
        snprintf(cmd, sizeof cmd, "fst2vcd %s 2>/dev/null | sed -n '/enddefinitions/q;p'", fst); /* header only */
        FILE *p = popen(cmd, "r");
        assert_non_null(p);
        static char vcd[1 << 22];
        size_t n = fread(vcd, 1, sizeof vcd - 1, p);
        vcd[n] = '\0';
        assert_int_equal(pclose(p), 0);
        assert_true(n > 0);
        FILE *g = fopen(sav, "r");
        assert_non_null(g);
        char line[512];
        int nsig = 0, dumpfile_ok = 0;
        while (fgets(line, sizeof line, g)) {
            line[strcspn(line, "\n")] = '\0';
            if (!strncmp(line, "[dumpfile]", 10))
                dumpfile_ok = strstr(line, "\"/") == NULL; /* relative path: portable */
            const char *name = line;
            if (!strncmp(line, "+{", 2) && strstr(line, "} top."))
                name = strstr(line, "} top.") + 2;
            if (!strncmp(name, "top.", 4)) {
                if (!vcd_has(vcd, name))
                    fail_msg("%s names %s, which is not in %s", sav, name, fst);
                nsig++;
            }
        }
        fclose(g);
        assert_true(dumpfile_ok);
        if (nsig < units[u].min_signals)
            fail_msg("%s names %d signals, want >= %d", sav, nsig, units[u].min_signals);
    }
}

int main(void)
{
    tb_cli_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_bad_wave_dir_leaves_nothing),
        cmocka_unit_test(test_hbm_commands),
        cmocka_unit_test(test_demo_passes),
        cmocka_unit_test(test_wave_signals_exist),
    };
    return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
