/* test_area — the area flow of `make area` on the smallest unit (fp16_mul with one output register):
 * scripts/area-point.sh and scripts/area-report.sh must produce well-formed CSV, JSON and Markdown with
 * non-zero figures for every Liberty file in $AREA_LIBS; the flip-flop count must be the RTL's (16 result
 * bits + valid); a second run must come from the cache; without Liberty files the um2 columns say so;
 * a design with a latch or an undriven wire must fail synthesis and leave no record behind; a kept module's
 * cache gives the same record as synthesising it and counts it once per instance.
 * Environment (set by make test): AREA_LIBS (unpacked Liberty files), AREA_TEST_DIR (scratch directory). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

static const char *g_dir, *g_libs;

/* Runs a shell command; returns its exit status, output (stdout + stderr) in out. */
static int run(char *out, size_t n, const char *fmt, ...)
{
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t k = fread(out, 1, n - 1, p);
    out[k] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(v))
        fail_msg("JSON field '%s' is missing or not a number", key);
    return v->valuedouble;
}

/* Fields of a CSV line, counting quoted commas as text. */
static int csv_fields(const char *line)
{
    int n = 1, q = 0;
    for (const char *c = line; *c && *c != '\n'; c++) {
        if (*c == '"')
            q = !q;
        else if (*c == ',' && !q)
            n++;
    }
    return n;
}

static int count_libs(void)
{
    int n = 0;
    char buf[2048];
    snprintf(buf, sizeof buf, "%s", g_libs);
    for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
        n++;
    return n;
}

static void test_smallest_unit(void **state)
{
    (void)state;
    char out[16384], path[1024];
    assert_int_equal(run(out, sizeof out, "rm -rf %s/full", g_dir), 0);
    int rc = run(out, sizeof out, "scripts/area-point.sh %s/full fp16_mul_s1 fp16_mul Stages=1 - 1500 %s", g_dir, g_libs);
    if (rc != 0)
        fail_msg("area-point.sh failed (%d): %s", rc, out);
    assert_non_null(strstr(out, "synthesised"));
    rc = run(out, sizeof out, "scripts/area-report.sh %s/full 10 32 32 16 %s/full/pt/fp16_mul_s1.rec", g_dir, g_dir);
    if (rc != 0)
        fail_msg("area-report.sh failed (%d): %s", rc, out);

    snprintf(path, sizeof path, "%s/full/area.json", g_dir);
    char *js = slurp(path);
    assert_non_null(js);
    cJSON *root = cJSON_Parse(js);
    if (!root)
        fail_msg("%s is not valid JSON near: %.40s", path, cJSON_GetErrorPtr());
    const cJSON *pts = cJSON_GetObjectItemCaseSensitive(root, "points");
    assert_true(cJSON_IsArray(pts));
    assert_int_equal(cJSON_GetArraySize(pts), 1);
    const cJSON *p = cJSON_GetArrayItem(pts, 0);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(p, "name")->valuestring, "fp16_mul_s1");
    double cells = num(p, "cells"), ffs = num(p, "flip_flops");
    assert_true(ffs == 17); /* pipe_reg #(Stages = 1): 16 result bits and the valid bit */
    assert_true(cells > ffs);
    assert_true(num(p, "logic_depth") > 10); /* a multiplier is more than a few gates deep */
    assert_true(num(p, "transistors") > 4 * cells);
    assert_true(num(p, "generic_seconds") > 0 && num(p, "depth_seconds") >= 0);
    const cJSON *lib = cJSON_GetObjectItemCaseSensitive(p, "liberty");
    assert_int_equal(cJSON_GetArraySize(lib), count_libs());
    for (const cJSON *l = lib->child; l; l = l->next) {
        assert_true(num(l, "area_um2") > 0);
        assert_true(num(l, "delay_ps") > 0);
        assert_true(num(l, "fmax_mhz") > 0);
        assert_true(num(l, "seq_cells") == 17);
    }
    const cJSON *fpga = cJSON_GetObjectItemCaseSensitive(p, "fpga");
    assert_true(num(fpga, "lut") > 0);
    assert_true(num(fpga, "ff") == 17);
    cJSON_Delete(root);
    free(js);

    snprintf(path, sizeof path, "%s/full/area.csv", g_dir);
    char *csv = slurp(path);
    assert_non_null(csv);
    char *second = strchr(csv, '\n');
    assert_non_null(second);
    second++;
    assert_int_equal(csv_fields(csv), csv_fields(second));
    assert_int_equal(csv_fields(csv), 27 + 3 * count_libs() + (count_libs() == 0)); /* 27: with acc and kv */
    assert_non_null(strstr(second, "fp16_mul_s1,primitive,fp16_mul"));
    assert_string_equal(strchr(second, '\n'), "\n"); /* exactly one data line */
    free(csv);
    snprintf(path, sizeof path, "%s/full/area.md", g_dir);
    char *md = slurp(path);
    assert_non_null(md);
    assert_non_null(strstr(md, "| fp16_mul_s1 |"));
    free(md);

    /* the same point again comes from the cache, with the same record */
    snprintf(path, sizeof path, "%s/full/pt/fp16_mul_s1.rec", g_dir);
    char *rec1 = slurp(path);
    rc = run(out, sizeof out, "scripts/area-point.sh %s/full fp16_mul_s1 fp16_mul Stages=1 - 1500 %s", g_dir, g_libs);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "cached"));
    char *rec2 = slurp(path);
    assert_string_equal(rec1, rec2);
    free(rec1);
    free(rec2);

    /* must meet: a clock the point cannot meet (100 ps) fails the report, which names the point; the
     * tables are written all the same. Without the flag the same point is information only. */
    if (count_libs() > 0) {
        rc = run(out, sizeof out, "AREA_MUST_MEET=1 scripts/area-point.sh %s/full fp16_mul_s1 fp16_mul Stages=1 - 100 %s && "
                 "scripts/area-report.sh %s/full 10 32 32 16 %s/full/pt/fp16_mul_s1.rec 2>&1", g_dir, g_libs, g_dir, g_dir);
        assert_int_not_equal(rc, 0);
        if (!strstr(out, "points marked must-meet miss their clock"))
            fail_msg("no must-meet failure (%d): %s", rc, out);
        assert_non_null(strstr(out, "fp16_mul_s1:"));
        snprintf(path, sizeof path, "%s/full/area.md", g_dir);
        md = slurp(path);
        assert_non_null(strstr(md, "**MISS**, must"));
        free(md);
        rc = run(out, sizeof out, "scripts/area-point.sh %s/full fp16_mul_s1 fp16_mul Stages=1 - 100 %s && "
                 "scripts/area-report.sh %s/full 10 32 32 16 %s/full/pt/fp16_mul_s1.rec", g_dir, g_libs, g_dir, g_dir);
        assert_int_equal(rc, 0);
    }
}

static void test_without_liberty(void **state)
{
    (void)state;
    char out[16384], path[1024];
    assert_int_equal(run(out, sizeof out, "rm -rf %s/nolib", g_dir), 0);
    int rc = run(out, sizeof out, "scripts/area-point.sh %s/nolib fp16_mul_s1 fp16_mul Stages=1 - 1500", g_dir);
    if (rc != 0)
        fail_msg("area-point.sh without Liberty failed (%d): %s", rc, out);
    rc = run(out, sizeof out, "scripts/area-report.sh %s/nolib 10 32 32 16 %s/nolib/pt/fp16_mul_s1.rec", g_dir, g_dir);
    assert_int_equal(rc, 0);
    snprintf(path, sizeof path, "%s/nolib/area.csv", g_dir);
    char *csv = slurp(path);
    assert_non_null(csv);
    assert_non_null(strstr(csv, "n/a (no Liberty file)"));
    free(csv);
    snprintf(path, sizeof path, "%s/nolib/area.md", g_dir);
    char *md = slurp(path);
    assert_non_null(strstr(md, "No Liberty file was given"));
    free(md);
    /* a missing record is an error and writes no table */
    rc = run(out, sizeof out, "rm -f %s/nolib/area.*; scripts/area-report.sh %s/nolib 10 32 32 16 %s/nolib/pt/none.rec", g_dir,
             g_dir, g_dir);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, "missing record"));
    snprintf(path, sizeof path, "%s/nolib/area.csv", g_dir);
    assert_false(file_exists(path));
}

/* A design the flow must refuse: the top in `body`, its failure named by `why` in the output. */
static void refuse(const char *top, const char *body, const char *why)
{
    char out[16384], path[1024];
    snprintf(path, sizeof path, "%s/%s.sv", g_dir, top);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(body, f);
    fclose(f);
    char abs[2048], cwd[1024];
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(abs, sizeof abs, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path);
    int rc = run(out, sizeof out, "AREA_EXTRA_RTL=%s scripts/area-point.sh %s/bad x_%s %s - - 1500", abs, g_dir, top, top);
    if (rc != 1 || !strstr(out, why))
        fail_msg("%s: expected a failure naming '%s', got status %d: %s", top, why, rc, out);
    snprintf(path, sizeof path, "%s/bad/pt/x_%s.rec", g_dir, top);
    assert_false(file_exists(path));
}

static void test_refuses_latch_and_undriven(void **state)
{
    (void)state;
    refuse("area_latch", "module area_latch (input wire en_i, input wire d_i, output logic q_o);\n"
                         "  always @* if (en_i) q_o = d_i;\nendmodule\n",
           "selection is not empty");
    refuse("area_undriven", "module area_undriven (input wire a_i, output wire y_o);\n  wire u;\n"
                            "  assign y_o = a_i & u;\nendmodule\n",
           "has no driver");
}

/* A record without its time lines (t_*, lib_time), for comparing two runs of one point. */
static void strip_times(char *rec)
{
    char *w = rec;
    for (char *l = rec; *l;) {
        char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) + 1 : strlen(l);
        if (strncmp(l, "t_", 2) && strncmp(l, "lib_time ", 9)) {
            memmove(w, l, n);
            w += n;
        }
        l += n;
    }
    *w = '\0';
}

/* The kept module's cache (OUTDIR/mcache): a point stores its kept module; the same point again from the
 * module cache (its own record removed) gives the same record; another top with three instances of the
 * module reads it from the cache and counts it three times. */
static void test_kept_module_cache(void **state)
{
    (void)state;
    char out[16384], path[1024], abs[2048], cwd[1024];
    snprintf(path, sizeof path, "%s/area_k.sv", g_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("module area_k_leaf #(parameter int W = 4) (input wire clk_i, input wire [W-1:0] a_i, input wire [W-1:0] b_i,\n"
          "                                         output logic [W-1:0] y_o);\n"
          "  always_ff @(posedge clk_i) y_o <= a_i + b_i;\nendmodule\n"
          "module area_k2 (input wire clk_i, input wire [7:0] a_i, input wire [7:0] b_i, output wire [7:0] y_o);\n"
          "  wire [7:0] t;\n  area_k_leaf #(.W(8)) u0 (clk_i, a_i, b_i, t);\n  area_k_leaf #(.W(8)) u1 (clk_i, t, b_i, y_o);\n"
          "endmodule\n"
          "module area_k3 (input wire clk_i, input wire [7:0] a_i, input wire [7:0] b_i, output wire [7:0] y_o);\n"
          "  wire [7:0] t, u;\n  area_k_leaf #(.W(8)) u0 (clk_i, a_i, b_i, t);\n  area_k_leaf #(.W(8)) u1 (clk_i, t, b_i, u);\n"
          "  area_k_leaf #(.W(8)) u2 (clk_i, u, a_i, y_o);\nendmodule\n", f);
    fclose(f);
    assert_non_null(getcwd(cwd, sizeof cwd));
    snprintf(abs, sizeof abs, "%s%s%s", path[0] == '/' ? "" : cwd, path[0] == '/' ? "" : "/", path);
    assert_int_equal(run(out, sizeof out, "rm -rf %s/kc", g_dir), 0);
    const char *pt = "AREA_EXTRA_RTL=%s scripts/area-point.sh %s/kc %s %s - area_k_leaf 1500 %s";
    int rc = run(out, sizeof out, pt, abs, g_dir, "k2", "area_k2", g_libs);
    if (rc != 0 || !strstr(out, "synthesised"))
        fail_msg("area_k2 (%d): %s", rc, out);
    assert_int_equal(run(out, sizeof out, "ls %s/kc/mcache | grep -vc '[.]lock$'", g_dir), 0);
    assert_int_equal(atoi(out), 2 + 2 * count_libs()); /* generic, FPGA, and per library the mapping and its delay */
    snprintf(path, sizeof path, "%s/kc/pt/k2.rec", g_dir);
    char *rec1 = slurp(path);
    assert_non_null(rec1);
    assert_int_equal(run(out, sizeof out, "rm -rf %s/kc/cache", g_dir), 0);
    rc = run(out, sizeof out, pt, abs, g_dir, "k2", "area_k2", g_libs);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "synthesised")); /* not the point's cache: the module's */
    char *rec2 = slurp(path);
    strip_times(rec1), strip_times(rec2);
    assert_string_equal(rec1, rec2);
    assert_non_null(strstr(rec1, "ffs 16\n"));
    rc = run(out, sizeof out, pt, abs, g_dir, "k3", "area_k3", g_libs);
    assert_int_equal(rc, 0);
    snprintf(path, sizeof path, "%s/kc/work/k3/generic.log", g_dir);
    char *log = slurp(path);
    assert_non_null(strstr(log, "blackbox")); /* the module came from the cache */
    free(log);
    snprintf(path, sizeof path, "%s/kc/pt/k3.rec", g_dir);
    char *rec3 = slurp(path);
    assert_non_null(strstr(rec3, "ffs 24\n"));  /* three instances of 8 flip-flops */
    assert_non_null(strstr(rec3, "fpga_ff 24\n"));
    free(rec1), free(rec2), free(rec3);
}

int main(void)
{
    g_dir = getenv("AREA_TEST_DIR");
    g_libs = getenv("AREA_LIBS");
    if (!g_dir)
        g_dir = "build/area-test";
    if (!g_libs)
        g_libs = "";
    char out[256];
    if (run(out, sizeof out, "mkdir -p %s", g_dir) != 0)
        return 2;
    printf("test_area: Liberty files: %s\n", *g_libs ? g_libs : "(none)");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smallest_unit),
        cmocka_unit_test(test_without_liberty),
        cmocka_unit_test(test_refuses_latch_and_undriven),
        cmocka_unit_test(test_kept_module_cache),
    };
    return cmocka_run_group_tests_name("area", tests, NULL, NULL);
}
