/* test_plot — `pimattn plot` (harness/plot/, harness/cli/cmd_plot.c, docs/plot.md) through $PIMATTN and gnuplot,
 * run from the repository root on sweeps made here: configs/sweeps/test-small.yaml with a hand-written area
 * table (6 run points: ctx x gemv) and a system grid over two tiny models and three batches (6 points).
 * For every kind: exit 0, a PNG (its magic) and an SVG; the script's datablocks hold exactly the ok rows'
 * values (%.10g, NaN for an empty cell) and its legend the expected series; `gnuplot KIND.gp` in the output
 * directory redraws both images byte for byte (gnuplot 5.4's PNG and SVG are deterministic). --where keeps
 * fewer rows, --out and --title, the SLO lines from the results' slo-ms column. Bad input exits 2 and creates
 * nothing, a failing or missing gnuplot exits 1; either way existing outputs stay as they were. */
#include <math.h>
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

#define TMPDIR_NAME "/tmp/test_plot.XXXXXX"
#include "csvtable.h"
#include "tmpdir.h"

#include "sweep.h"

static const char *bin;

/* ---- helpers ------------------------------------------------------------------------------------------------- */

/* The file's text (allocated). */
static char *slurp(const char *file)
{
    FILE *f = fopen(file, "rb");
    assert_non_null(f);
    char *b = calloc(1, 1 << 20);
    size_t n = fread(b, 1, (1 << 20) - 1, f);
    assert_true(n < (1 << 20) - 1);
    fclose(f);
    return b;
}

/* A list of lines, sorted for comparison. */
typedef struct lines {
    char *v[256];
    int n;
} lines;

static void lines_add(lines *l, const char *s)
{
    assert_true(l->n < 256);
    l->v[l->n++] = strdup(s);
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void lines_free(lines *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    l->n = 0;
}

static void same_lines(lines *want, lines *got, const char *what)
{
    qsort(want->v, (size_t)want->n, sizeof *want->v, by_text);
    qsort(got->v, (size_t)got->n, sizeof *got->v, by_text);
    if (want->n != got->n)
        fail_msg("%s: %d lines, want %d", what, got->n, want->n);
    for (int i = 0; i < want->n; i++)
        if (strcmp(want->v[i], got->v[i]))
            fail_msg("%s: line '%s', want '%s'", what, got->v[i], want->v[i]);
}

/* ---- what the script must hold ------------------------------------------------------------------------------- */

/* The datablock lines results.csv gives: per ok row passing `where` (COLUMN=VALUE or NULL), the columns
 * cols[] (NULL-terminated) as %.10g, NaN when empty. */
static void expected_rows(const char *csv, const char *where, const char *const *cols, lines *out)
{
    table t;
    table_load(&t, csv);
    char wc[128] = "", *wv = NULL;
    if (where) {
        snprintf(wc, sizeof wc, "%s", where);
        wv = strchr(wc, '=');
        *wv++ = '\0';
    }
    for (int r = 1; r <= t.nrow; r++) {
        if (strcmp(t.f[r][1], "ok") || (wv && strcmp(t.f[r][col(&t, wc)], wv)))
            continue;
        char line[2048];
        size_t k = 0;
        for (int j = 0; cols[j]; j++) {
            const char *v = t.f[r][col(&t, cols[j])];
            k += *v ? (size_t)snprintf(line + k, sizeof line - k, "%s%.10g", j ? " " : "", strtod(v, NULL))
                    : (size_t)snprintf(line + k, sizeof line - k, "%sNaN", j ? " " : "");
        }
        lines_add(out, line);
    }
    table_free(&t);
}

/* The lines of the script's datablocks $d1, $d2, ... (a bar's label cut off); their number in *blocks. */
static void datablocks(const char *gp, lines *out, int *blocks)
{
    char *text = slurp(gp), *save = NULL;
    int in = 0;
    *blocks = 0;
    for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (!in && l[0] == '$' && l[1] == 'd' && strstr(l, " << EOD")) {
            in = 1, (*blocks)++;
        } else if (in && !strcmp(l, "EOD")) {
            in = 0;
        } else if (in) {
            char *q = l[0] == '"' ? strchr(l + 1, '"') : NULL;
            lines_add(out, q ? q + 2 : l);
        }
    }
    free(text);
}

/* The legend titles of the plot command, in order, joined by '|'. */
static void legend(const char *gp, char *buf, size_t n)
{
    char *text = slurp(gp), *p = strstr(text, "\nplot ");
    size_t k = 0;
    assert_non_null(p);
    char *end = strstr(p, "\nset terminal svg");
    assert_non_null(end);
    buf[0] = '\0';
    while ((p = strstr(p, " title '")) && p < end) {
        p += 8;
        char *q = strchr(p, '\'');
        k += (size_t)snprintf(buf + k, n - k, "%s%.*s", k ? "|" : "", (int)(q - p), p);
        p = q;
    }
    free(text);
}

/* pimattn plot DIR --kind KIND ARGS, exit 0, the images real; the datablocks against results.csv. */
static void plot_ok(const char *d, const char *kind, const char *args, const char *where, const char *const *cols,
                    int series, const char *want_legend)
{
    char prefix[512], gp[600], png[600], svg[600], leg[4096];
    snprintf(prefix, sizeof prefix, "%s/plots/%s", d, kind);
    snprintf(gp, sizeof gp, "%s.gp", prefix);
    snprintf(png, sizeof png, "%s.png", prefix);
    snprintf(svg, sizeof svg, "%s.svg", prefix);
    assert_int_equal(sh("%s plot %s --kind %s %s > %s 2>&1", bin, d, kind, args, path("plot.out")), 0);
    assert_int_equal(sh("head -c 8 %s | cmp -s - %s", png, path("png.magic")), 0);
    assert_int_equal(sh("grep -q '<svg' %s", svg), 0);
    assert_int_equal(sh("grep -q '^#   pimattn plot .*--kind %s' %s && grep -q '^# from %s/results.csv' %s", kind, gp, d,
                        gp), 0);
    lines want = {0}, got = {0};
    char csv[600];
    int blocks = 0;
    snprintf(csv, sizeof csv, "%s/results.csv", d);
    expected_rows(csv, where, cols, &want);
    datablocks(gp, &got, &blocks);
    same_lines(&want, &got, gp);
    assert_int_equal(blocks, series);
    legend(gp, leg, sizeof leg);
    if (strcmp(leg, want_legend))
        fail_msg("%s: legend\n  %s\nwant\n  %s", gp, leg, want_legend);
    lines_free(&want);
    lines_free(&got);
}

/* gnuplot KIND.gp in the script's directory redraws both images byte for byte. */
static void redraws(const char *d, const char *kind)
{
    assert_int_equal(sh("cd %s/plots && mv %s.png %s.png.0 && mv %s.svg %s.svg.0 && gnuplot %s.gp && cmp -s %s.svg "
                        "%s.svg.0 && cmp -s %s.png %s.png.0 && rm %s.png.0 %s.svg.0",
                        d, kind, kind, kind, kind, kind, kind, kind, kind, kind, kind, kind), 0);
}

/* ---- the sweeps -------------------------------------------------------------------------------------------------- */

static const char area_csv[] =
    "name,kind,top,params,rows,acc,cells,asap7_area_um2,dram_bank_area_um2,area_vs_tree\n"
    "gemv_tree_f32,gemv,gemv_tree,\"AccFp32=1\",1,fp32,81303,7380.0,73800.0,1.000\n"
    "gemv_sys_g2_f32,gemv,gemv_systolic,\"G=2,AccFp32=1\",2,fp32,160000,14700.0,147000.0,1.992\n";

static int setup(void **state)
{
    (void)state;
    bin = getenv("PIMATTN") ? getenv("PIMATTN") : "build/bin/pimattn";
    if (!mkdtemp(dir))
        return -1;
    put("area.csv", area_csv);
    put("tiny2.yaml", "name: tiny-g4\nlayers: 2\nd_model: 512\nheads: 8\nkv_heads: 2\nhead_dim: 64\n");
    char grid[1024];
    snprintf(grid, sizeof grid, "command: system\nfixed:\n  system: a100-hbm3+pim\n  lin: 64\n  lout: 4\n  threads: 1\n"
                                "grid:\n  model-file: [configs/models/tiny-test.yaml, %s]\n  batch: [1, 2, 4]\n",
             path("tiny2.yaml"));
    put("system.yaml", grid);
    put("png.magic", "\x89PNG\r\n\x1a\n");
    return sh("%s sweep configs/sweeps/test-small.yaml --out %s --area %s -j 2 > /dev/null 2>&1 && "
              "%s sweep %s --out %s -j 2 > /dev/null 2>&1",
              bin, path("run"), path("area.csv"), bin, path("system.yaml"), path("sys"))
               ? -1
               : 0;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", dir) ? -1 : 0;
}

/* ---- the kinds --------------------------------------------------------------------------------------------------- */

static void test_run_kinds(void **state)
{
    (void)state;
    char run[512];
    snprintf(run, sizeof run, "%s", path("run"));
    const char *bw[] = {"gemv_group", "useful_gbs", "dram_bank_area_um2", NULL};
    plot_ok(run, "bandwidth-area", "", NULL, bw, 6,
            "ctx=64 systolic|ctx=64 systolic area|ctx=64 tree|ctx=64 tree area|ctx=128 systolic|ctx=128 systolic area|"
            "ctx=128 tree|ctx=128 tree area|ctx=256 systolic|ctx=256 systolic area|ctx=256 tree|ctx=256 tree area");
    redraws(run, "bandwidth-area");
    plot_ok(run, "bandwidth-area", "--where ctx=256", "ctx=256", bw, 2, "systolic|systolic area|tree|tree area");
    const char *eff[] = {"ctx", "pct_peak", "pct_dpath", NULL};
    plot_ok(run, "efficiency", "", NULL, eff, 2,
            "gemv=systolic|gemv=systolic, data path share, %|gemv=tree|gemv=tree, data path share, %|MAC bound|"
            "row-switch ceiling");
    redraws(run, "efficiency");
    plot_ok(run, "efficiency", "--where gemv=tree", "gemv=tree", eff, 1,
            "% of peak|data path share, %|MAC bound|row-switch ceiling");
    const char *en[] = {"mj_per_token_dram_array", "mj_per_token_column_path", "mj_per_token_gemv_macs",
                        "mj_per_token_buffer_die_transfers", "mj_per_token_softmax", NULL};
    plot_ok(run, "energy", "", NULL, en, 1, "DRAM array|column path|GEMV MACs|buffer-die transfers|softmax");
    redraws(run, "energy");
    /* the bars in order of their options, labelled by the varying ones */
    assert_int_equal(sh("grep -A6 '^\\$d1 << EOD' %s/plots/energy.gp | cut -d' ' -f1 | tr '\\n' ' ' | "
                        "grep -qx '\\$d1 \"64/systolic\" \"64/tree\" \"128/systolic\" \"128/tree\" \"256/systolic\" \"256/tree\" '",
                        run), 0);
}

static void test_system_kinds(void **state)
{
    (void)state;
    char sys[512], m1[600], m2[600], want[4096];
    snprintf(sys, sizeof sys, "%s", path("sys"));
    snprintf(m1, sizeof m1, "model-file=%s", path("tiny2.yaml")); /* "/tmp/..." sorts before "configs/..." */
    snprintf(m2, sizeof m2, "model-file=configs/models/tiny-test.yaml");
    const char *sp[] = {"batch", "gain_decode_tokens_per_s", NULL};
    snprintf(want, sizeof want, "%s|%s|no gain (1×)", m1, m2);
    plot_ok(sys, "speedup", "", NULL, sp, 2, want);
    redraws(sys, "speedup");
    const char *lat[] = {"batch", "gpu_per_token_ms", "pim_per_token_ms", NULL};
    snprintf(want, sizeof want, "%s, GPU only|%s, GPU+PIM|%s, GPU only|%s, GPU+PIM|SLO 30 ms|SLO 0.5 ms", m1, m1, m2, m2);
    plot_ok(sys, "latency", "--slo-ms 30 --slo-ms 0.5", NULL, lat, 2, want);
    redraws(sys, "latency");
    plot_ok(sys, "latency", "--slo-ms 30 --where model-file=configs/models/tiny-test.yaml",
            "model-file=configs/models/tiny-test.yaml", lat, 1, "GPU only|GPU+PIM|SLO 30 ms");
    const char *en[] = {"gpu_mj_per_token_gpu_compute", "gpu_mj_per_token_gpu_memory", "gpu_mj_per_token_nvlink",
                        "gpu_mj_per_token_pim_dram", "gpu_mj_per_token_pim_link", "gpu_mj_per_token_dram_refresh",
                        "gpu_mj_per_token_static", NULL},
               *pen[] = {"pim_mj_per_token_gpu_compute", "pim_mj_per_token_gpu_memory", "pim_mj_per_token_nvlink",
                         "pim_mj_per_token_pim_dram", "pim_mj_per_token_pim_link", "pim_mj_per_token_dram_refresh",
                         "pim_mj_per_token_static", NULL};
    /* two bars per row: the GPU's parts and the GPU+PIM system's */
    assert_int_equal(sh("%s plot %s --kind energy --where batch=2 > /dev/null", bin, sys), 0);
    lines want_l = {0}, got = {0};
    int blocks = 0;
    char csv[600], gp[600];
    snprintf(csv, sizeof csv, "%s/results.csv", sys);
    snprintf(gp, sizeof gp, "%s/plots/energy.gp", sys);
    expected_rows(csv, "batch=2", en, &want_l);
    expected_rows(csv, "batch=2", pen, &want_l);
    datablocks(gp, &got, &blocks);
    same_lines(&want_l, &got, gp);
    assert_int_equal(blocks, 1);
    lines_free(&want_l);
    lines_free(&got);
    assert_int_equal(sh("grep -c 'GPU+PIM\" ' %s | grep -qx 2 && grep -q '^\"/tmp/[^ ]*tiny2.yaml GPU\" ' %s", gp, gp), 0);
    redraws(sys, "energy");
}

/* latency's SLO lines from the results' slo-ms option column (a copy with one added) */
static void test_slo_column(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p %s && awk -F, -v OFS=, '{ $6 = $6 OFS (NR == 1 ? \"slo-ms\" : \"0.004\") } 1' "
                        "%s/results.csv > %s/results.csv", path("slo"), path("sys"), path("slo")), 0);
    assert_int_equal(sh("%s plot %s --kind latency --where batch=4 > /dev/null", bin, path("slo")), 0);
    char leg[4096];
    legend(path("slo/plots/latency.gp"), leg, sizeof leg);
    assert_non_null(strstr(leg, "|SLO 0.004 ms"));
}

/* --out PREFIX elsewhere, --title, and the script naming its images by their basenames */
static void test_out_title(void **state)
{
    (void)state;
    assert_int_equal(sh("mkdir -p %s && %s plot %s --kind speedup --out %s --title \"It's fast\" > %s", path("figs"), bin,
                        path("sys"), path("figs/fig1"), path("out.txt")), 0);
    assert_int_equal(sh("grep -qx \"set title 'It''s fast'\" %s && grep -qx \"if (!exists(\\\"png_out\\\")) png_out = "
                        "'fig1.png'\" %s && test -s %s && test -s %s && grep -q 'wrote %s.gp, .png and .svg: speedup, 6 "
                        "ok rows, 2 series' %s", path("figs/fig1.gp"), path("figs/fig1.gp"), path("figs/fig1.png"),
                        path("figs/fig1.svg"), path("figs/fig1"), path("out.txt")), 0);
    assert_int_equal(sh("cd %s && gnuplot fig1.gp && ls | tr '\\n' ' ' | grep -qx 'fig1.gp fig1.png fig1.svg '",
                        path("figs")), 0);
}

/* ---- failures leave everything as it was ------------------------------------------------------------------------- */

static void snapshot(const char *d, const char *out)
{
    assert_int_equal(sh("cd %s && ls -A plots > %s && cksum plots/* >> %s", d, out, out), 0);
}

static void test_failures(void **state)
{
    (void)state;
    char run[512];
    snprintf(run, sizeof run, "%s", path("run"));
    assert_int_equal(sh("%s plot %s --kind energy > /dev/null", bin, run), 0);
    snapshot(run, path("before"));
    /* bad input: exit 2, one line, nothing changed */
    assert_int_equal(sh("%s plot %s --kind energy --where gemv=nope 2> %s", bin, run, path("err")), 2);
    assert_int_equal(sh("grep -qx 'pimattn plot: --where gemv=nope: no ok row has it (allowed: gemv among them: "
                        "systolic, tree)' %s", path("err")), 0);
    /* gnuplot failing, missing, or saying what went wrong: exit 1, the old files stay, no temporary left */
    assert_int_equal(sh("PIMATTN_GNUPLOT=false %s plot %s --kind energy 2> %s", bin, run, path("err")), 1);
    assert_int_equal(sh("grep -qx 'pimattn plot: false: exit status 1' %s", path("err")), 0);
    assert_int_equal(sh("PIMATTN_GNUPLOT=%s %s plot %s --kind energy 2> %s", path("none"), bin, run, path("err")), 1);
    assert_int_equal(sh("grep -q 'none: No such file or directory (allowed: gnuplot installed' %s", path("err")), 0);
    put("fake-gnuplot", "#!/bin/sh\necho >&2\necho '  plot $d9' >&2\necho '\"/dev/stdin\" line 3: no datablock' >&2\n"
                        "echo garbage > \"$(echo \"$2\" | sed \"s/png_out='\\([^']*\\)'.*/\\1/\")\"\nexit 1\n");
    assert_int_equal(sh("chmod +x %s && PIMATTN_GNUPLOT=%s %s plot %s --kind energy 2> %s", path("fake-gnuplot"),
                        path("fake-gnuplot"), bin, run, path("err")), 1);
    assert_int_equal(sh("grep -q ': script line 3: no datablock$' %s", path("err")), 0);
    snapshot(run, path("after"));
    assert_int_equal(sh("cmp -s %s %s", path("before"), path("after")), 0);
    /* no plots directory is created for bad input, and one is for a good run */
    assert_int_equal(sh("mkdir %s && cp %s/results.csv %s/", path("fresh"), run, path("fresh")), 0);
    assert_int_equal(sh("%s plot %s --kind speedup 2> /dev/null", bin, path("fresh")), 2);
    assert_int_equal(sh("PIMATTN_GNUPLOT=false %s plot %s --kind energy 2> /dev/null", bin, path("fresh")), 1);
    assert_int_equal(sh("ls -A %s | tr '\\n' ' ' | grep -qx 'results.csv '", path("fresh")), 0);
    assert_int_equal(sh("%s plot %s --kind energy > /dev/null", bin, path("fresh")), 0);
    assert_int_equal(sh("ls -A %s/plots | tr '\\n' ' ' | grep -qx 'energy.gp energy.png energy.svg '", path("fresh")), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_kinds), cmocka_unit_test(test_system_kinds), cmocka_unit_test(test_slo_column),
        cmocka_unit_test(test_out_title), cmocka_unit_test(test_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
