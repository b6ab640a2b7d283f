/* test_sweep — the design-space sweep (harness/sweep/, `pimattn sweep`, docs/sweep.md).
 * White-box, on a command of its own: the points of a grid (cartesian product, zip groups, exclude rules)
 * against hand-listed expectations, keys (the documented FNV-1a of the canonical text, independent of the
 * file's order, distinct, a false flag as if absent), command lines, and the grid file's error messages.
 * Through $PIMATTN (tiny fast-mode points of configs/models/tiny-test.yaml, run from the repository root):
 * the local -j run equals --point + --collect and --chunk + --collect byte for byte when sorted, and the
 * emitted parallel.sh when GNU parallel is installed; a sweep killed with SIGKILL or SIGTERM and rerun equals
 * an uninterrupted one; skipped (exit 2, exclude) and failed points and their reasons, failed points
 * retried; a results directory of another grid refused untouched; the --area columns; a `system` grid. */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define TMPDIR_NAME "/tmp/test_sweep.XXXXXX"
#include "csvtable.h"
#include "tmpdir.h"

#include "sweep.h"
#include "sweep_int.h"

static const char *bin;

/* ---- helpers -------------------------------------------------------------------------------------------------- */

/* Header, then the rows sorted in the C locale: the comparison of docs/sweep.md. */
static void sorted(const char *csv, const char *out)
{
    assert_int_equal(sh("{ head -n 1 %s; tail -n +2 %s | LC_ALL=C sort; } > %s", csv, csv, out), 0);
}

static void same_sorted(const char *a, const char *b)
{
    char sa[600], sb[600];
    snprintf(sa, sizeof sa, "%s.sorted", a);
    snprintf(sb, sizeof sb, "%s.sorted", b);
    sorted(a, sa);
    sorted(b, sb);
    if (sh("cmp -s %s %s", sa, sb))
        fail_msg("%s and %s differ when sorted:\n%s", a, b, (sh("diff %s %s | head -20", sa, sb), ""));
}

/* The row (1..nrow) whose column `a` is va and `b` is vb. */
static int row_where(const table *t, const char *a, const char *va, const char *b, const char *vb)
{
    int ca = col(t, a), cb = b ? col(t, b) : -1;
    for (int r = 1; r <= t->nrow; r++)
        if (!strcmp(t->f[r][ca], va) && (!b || !strcmp(t->f[r][cb], vb)))
            return r;
    fail_msg("no row with %s=%s %s=%s", a, va, b ? b : "", b ? vb : "");
    return -1;
}

static double num(const table *t, int r, const char *c) { return atof(t->f[r][col(t, c)]); }

/* a and b equal to rel (the CSV prints %.10g) */
static int near(double a, double b, double rel) { return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-12; }

static int count_lines(const char *file)
{
    FILE *f = fopen(file, "r");
    int n = 0, c;
    if (!f)
        return -1;
    while ((c = fgetc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

/* ---- white-box: a command of our own ----------------------------------------------------------------------------- */

static const sweep_optdef fake_opts[] = {{.name = "a"},           {.name = "b"},           {.name = "c"},
                                         {.name = "n"},           {.name = "f", .flag = 1}, {.name = "set", .keyed = 1},
                                         {.name = "out", .reserved = 1}};
static const sweep_optdef run_opts[] = {{.name = "batch"}, {.name = "ctx"}, {.name = "gemv"}, {.name = "pingpong", .flag = 1}};

static int fake_check(void *ctx, const char *cmd, const char *opt, const char *value, char *why, size_t n)
{
    (void)ctx, (void)cmd;
    if (strcmp(opt, "n") || strspn(value, "0123456789") == strlen(value))
        return 0;
    return snprintf(why, n, "'%s' is not a number (allowed: digits)", value), -1;
}

static const sweep_cmd cmds[] = {{.name = "fake", .opts = fake_opts, .nopts = 7, .check = fake_check},
                                 {.name = "run", .opts = run_opts, .nopts = 4}};

static int load(const char *text, sweep_grid *g, char *err, size_t n)
{
    put("grid.yaml", text);
    return sweep_grid_load(path("grid.yaml"), cmds, 2, g, err, n);
}

/* Point i as "NAME=VALUE ..." in column order, with " | REASON" when excluded. */
static const char *point_text(const sweep_grid *g, uint64_t i)
{
    static char buf[1024];
    sweep_point p;
    sweep_point_at(g, i, &p);
    size_t k = 0;
    for (int c = 0; c < g->nopt; c++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s=%s", c ? " " : "", g->opt[c].name, p.value[c]);
    if (p.exclude >= 0)
        snprintf(buf + k, sizeof buf - k, " | %s", g->ex[p.exclude].reason);
    return buf;
}

static void expect_points(const char *grid, const char *const *want, int n)
{
    sweep_grid g;
    char err[1024];
    if (load(grid, &g, err, sizeof err))
        fail_msg("%s", err);
    assert_int_equal(g.npoints, n);
    for (int i = 0; i < n; i++)
        if (strcmp(point_text(&g, (uint64_t)i), want[i]))
            fail_msg("point %d: %s, want %s", i, point_text(&g, (uint64_t)i), want[i]);
    sweep_grid_free(&g);
}

static void test_product(void **state)
{
    (void)state;
    static const char *const want[] = {"c=k a=1 b=x", "c=k a=1 b=y", "c=k a=2 b=x",
                                       "c=k a=2 b=y", "c=k a=3 b=x", "c=k a=3 b=y"};
    expect_points("command: fake\nfixed:\n  c: k\ngrid:\n  a: [1, 2, 3]\n  b: [x, y]\n", want, 6);
    static const char *const one[] = {"c=k"}; /* no dimension: one point */
    expect_points("command: fake\nfixed: {c: k}\n", one, 1);
}

static void test_zip(void **state)
{
    (void)state;
    static const char *const want[] = {
        "a=1 b=x c=p n=7", "a=1 b=x c=p n=8", "a=1 b=y c=q n=7", "a=1 b=y c=q n=8", "a=1 b=z c=q n=7",
        "a=1 b=z c=q n=8", "a=2 b=x c=p n=7", "a=2 b=x c=p n=8", "a=2 b=y c=q n=7", "a=2 b=y c=q n=8",
        "a=2 b=z c=q n=7", "a=2 b=z c=q n=8"};
    expect_points("command: fake\ngrid:\n  a: [1, 2]\nzip:\n  - b: [x, y, z]\n    c: [p, q, q]\n  - n: [7, 8]\n",
                  want, 12);
}

static void test_exclude(void **state)
{
    (void)state;
    static const char *const want[] = {"a=1 b=x", "a=1 b=y | no y with odd a",
                                       "a=2 b=x | excluded by exclude[1] of the grid (line 9)",
                                       "a=2 b=y | excluded by exclude[1] of the grid (line 9)", "a=3 b=x",
                                       "a=3 b=y | no y with odd a"};
    expect_points("command: fake\ngrid:\n  a: [1, 2, 3]\n  b: [x, y]\nexclude:\n  - a: [1, 3]\n    b: y\n"
                  "    reason: no y with odd a\n  - a: 2\n",
                  want, 6);
}

static uint64_t ref_fnv(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

static uint64_t key_of(const char *grid, uint64_t i)
{
    sweep_grid g;
    sweep_point p;
    char err[1024];
    if (load(grid, &g, err, sizeof err))
        fail_msg("%s", err);
    sweep_point_at(&g, i, &p);
    sweep_grid_free(&g);
    return p.key;
}

static void test_keys(void **state)
{
    (void)state;
    char t[17];
    /* the documented canonical text and hash (docs/sweep.md, "Keys") */
    uint64_t k = key_of("command: run\nfixed:\n  gemv: tree\ngrid:\n  ctx: [1024]\n  batch: [4]\n", 0);
    assert_string_equal(sweep_key_text(k, t), "445b99e392d6393c");
    assert_true(k == ref_fnv("run\nbatch=4\nctx=1024\ngemv=tree\n"));
    /* the file's order and sections do not matter; a false flag is as if absent, a true one is not */
    assert_true(k == key_of("command: run\ngrid:\n  batch: [4]\nzip:\n  - gemv: [tree]\n    ctx: [1024]\n", 0));
    assert_true(k == key_of("command: run\nfixed: {gemv: tree, batch: 4, ctx: 1024}\ngrid:\n  pingpong: [false, true]\n", 0));
    assert_true(ref_fnv("run\nbatch=4\nctx=1024\ngemv=tree\npingpong=true\n") ==
                key_of("command: run\nfixed: {gemv: tree, batch: 4, ctx: 1024}\ngrid:\n  pingpong: [false, true]\n", 1));
    /* a bigger grid: every key distinct, and the same on a second load */
    sweep_grid g;
    char err[1024];
    const char *big = "command: fake\ngrid:\n  a: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n  b: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
                      "  c: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n  f: [true, false]\n";
    assert_int_equal(load(big, &g, err, sizeof err), 0);
    assert_int_equal(g.npoints, 2000);
    assert_int_equal(sweep_keys_distinct(&g, err, sizeof err), 0);
    sweep_point p;
    sweep_point_at(&g, 1234, &p);
    char *canon = sweep_canonical(&g, &p);
    assert_true(p.key == ref_fnv(canon));
    free(canon);
    sweep_grid_free(&g);
    assert_true(p.key == key_of(big, 1234));
}

static void test_argv(void **state)
{
    (void)state;
    sweep_grid g;
    sweep_point p;
    char err[1024], q[256];
    assert_int_equal(load("command: fake\nfixed:\n  a: 'x y'\n  set.pim.gemv: tree\ngrid:\n  f: [true, false]\n", &g, err,
                          sizeof err), 0);
    const char *want[2] = {"pimattn fake --a x y --set pim.gemv=tree --f --json o.json",
                           "pimattn fake --a x y --set pim.gemv=tree --json o.json"};
    for (int i = 0; i < 2; i++) {
        sweep_point_at(&g, (uint64_t)i, &p);
        char **v = sweep_point_argv(&g, &p, "pimattn", "o.json"), line[512] = "";
        for (int k = 0; v[k]; k++)
            strcat(strcat(line, k ? " " : ""), v[k]);
        assert_string_equal(line, want[i]);
        assert_string_equal(v[3], "x y"); /* one word */
        sweep_argv_free(v);
    }
    sweep_grid_free(&g);
    assert_string_equal(sweep_shell_quote("a b'c", q, sizeof q), "'a b'\\''c'");
    assert_string_equal(sweep_shell_quote("/x/y-1.yaml", q, sizeof q), "/x/y-1.yaml");
}

static void test_grid_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text, *want; /* want: after "GRID:" */
    } bad[] = {
        {"command: fake\nsizes: [1]\n", "2: sizes: unknown key (allowed: command, fixed, grid, zip, exclude)"},
        {"command: fake\ngrid:\n  z: [1]\n", "3: grid.z: unknown option of pimattn fake (allowed: a, b, c, n, f, set.KEY)"},
        {"command: fake\nzip:\n  - a: [1, 2]\n    b: [1, 2, 3]\n",
         "4: zip[0].b: 3 values, but zip[0].a has 2 (allowed: equally long lists in one zip group)"},
        {"command: fake\ngrid:\n  a: []\n", "3: grid.a: empty list (allowed: at least one value)"},
        {"command: fake\ngrid:\n  a: [1, 2\n", "4: YAML syntax error: did not find expected ',' or ']' (while parsing a "
                                             "flow sequence at line 3) (allowed: YAML mappings and lists, block or flow, "
                                             "as in configs/sweeps/*.yaml)"},
        {"command: fake\ngrid:\n  a: 4\n", "3: grid.a: expected a list of values, got a scalar (allowed: [V, V, ...])"},
        {"command: fake\nfixed:\n  a: {x: 1}\n", "3: fixed.a: expected a single value, got a mapping (allowed: one value)"},
        {"command: fake\ngrid:\n  f: [yes]\n", "3: grid.f[0]: 'yes' (allowed: true, false)"},
        {"command: fake\ngrid:\n  n: [1, x]\n", "3: grid.n[1]: 'x' is not a number (allowed: digits)"},
        {"command: fake\nfixed: {out: o}\n", "2: fixed.out: an output option, which the sweep sets itself or the points "
                                            "would share (allowed: the other options of pimattn fake)"},
        {"command: fake\ngrid:\n  a: [1, 2, 1]\n", "3: grid.a: '1' is listed twice (allowed: distinct values)"},
        {"command: fake\nzip:\n  - a: [1, 1]\n    b: [2, 2]\n", "3: zip[0]: rows 0 and 1 are the same (allowed: distinct rows)"},
        {"command: fake\ngrid:\n  a: [1]\nexclude:\n  - b: 1\n",
         "5: exclude[0].b: not an option of this grid (allowed: a, reason)"},
        {"", "1: empty grid file (allowed: a mapping of command, fixed, grid, zip, exclude)"},
        {"grid: {a: [1]}\n", "1: command: missing (allowed: fake, run)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sweep_grid g;
        char err[1024], want[1200];
        snprintf(want, sizeof want, "%s:%s", path("grid.yaml"), bad[i].want);
        if (!load(bad[i].text, &g, err, sizeof err))
            fail_msg("case %zu loaded", i);
        if (strcmp(err, want))
            fail_msg("case %zu:\n  got  %s\n  want %s", i, err, want);
    }
}

/* ---- the command ---------------------------------------------------------------------------------------------------- */

#define SMALL "configs/sweeps/test-small.yaml"

/* The local -j 2 run of the small grid, made once: the reference the other paths must equal. */
static const char *reference(void)
{
    static int made;
    if (!made) {
        assert_int_equal(sh("%s sweep %s --out %s -j 2 > %s 2>&1", bin, SMALL, path("local"), path("local.out")), 0);
        made = 1;
    }
    return path("local/results.csv");
}

static void test_local_equals_tasks(void **state)
{
    (void)state;
    table t;
    table_load(&t, reference());
    assert_int_equal(t.nrow, 6);
    for (int r = 1; r <= 6; r++)
        assert_string_equal(t.f[r][col(&t, "status")], "ok");
    table_free(&t);
    assert_int_equal(count_lines(path("local/results.jsonl")), 6);
    for (int i = 0; i < 6; i++) /* one point per task, as the emitted scripts run them */
        assert_int_equal(sh("%s sweep %s --out %s --point %d > /dev/null 2>&1", bin, SMALL, path("tasks"), i), 0);
    assert_int_equal(sh("%s sweep --collect %s > /dev/null", bin, path("tasks")), 0);
    same_sorted(reference(), path("tasks/results.csv"));
    assert_int_equal(count_lines(path("tasks/results.jsonl")), 6);
    for (int i = 0; i < 4; i++) /* chunks of 1 or 2 points */
        assert_int_equal(sh("%s sweep %s --out %s --chunk %d/4 > /dev/null 2>&1", bin, SMALL, path("chunks"), i), 0);
    assert_int_equal(sh("%s sweep --collect %s > /dev/null", bin, path("chunks")), 0);
    same_sorted(reference(), path("chunks/results.csv"));
    assert_int_equal(sh("cp %s %s", path("chunks/results.csv"), path("chunks.1")), 0);
    assert_int_equal(sh("%s sweep --collect %s > /dev/null", bin, path("chunks")), 0); /* again: the same */
    assert_int_equal(sh("cmp -s %s %s", path("chunks/results.csv"), path("chunks.1")), 0);
    /* a rerun runs nothing */
    assert_int_equal(sh("%s sweep %s --out %s -j 2 2>/dev/null | grep -q '(6 done before, 0 run'", bin, SMALL,
                        path("local")), 0);
}

static void test_emitted_jobs(void **state)
{
    (void)state;
    reference();
    assert_int_equal(sh("%s sweep %s --out %s --emit-jobs %s > /dev/null", bin, SMALL, path("par"), path("jobs")), 0);
    assert_int_equal(count_lines(path("jobs/points.txt")), 7);
    assert_int_equal(sh("grep -q '^#SBATCH --array=0-5%%6$' %s", path("jobs/slurm.sbatch")), 0);
    assert_int_equal(sh("grep -q -- '--point \"$SLURM_ARRAY_TASK_ID\"$' %s", path("jobs/slurm.sbatch")), 0);
    assert_int_equal(sh("test -d %s && test -x %s", path("jobs/logs"), path("jobs/parallel.sh")), 0);
    /* chunks: the array script run by hand, task by task, as Slurm would */
    assert_int_equal(sh("%s sweep %s --out %s --emit-jobs %s --tasks 4 > /dev/null", bin, SMALL, path("arr"),
                        path("jobs4")), 0);
    assert_int_equal(sh("grep -q '^#SBATCH --array=0-3%%4$' %s", path("jobs4/slurm.sbatch")), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(sh("cd / && SLURM_ARRAY_TASK_ID=%d bash %s > /dev/null 2>&1", i, path("jobs4/slurm.sbatch")), 0);
    assert_int_equal(sh("%s sweep --collect %s > /dev/null", bin, path("arr")), 0);
    same_sorted(reference(), path("arr/results.csv"));
    if (sh("command -v parallel > /dev/null")) {
        printf("  GNU parallel is not installed: the emitted parallel.sh was not run (scripts/install-deps.sh)\n");
        return;
    }
    assert_int_equal(sh("cd / && sh %s > %s 2>&1", path("jobs/parallel.sh"), path("par.out")), 0);
    same_sorted(reference(), path("par/results.csv"));
    printf("  GNU parallel: the emitted parallel.sh + --collect = the local -j 2 run, sorted\n");
}

/* Whether a process is left whose arguments hold "--json DIR/points/..." (a point of that sweep). */
static int points_running(const char *d)
{
    char want[600], p[300], buf[8192];
    snprintf(want, sizeof want, "%s/points/", d);
    DIR *proc = opendir("/proc");
    int found = 0;
    for (struct dirent *e; proc && !found && (e = readdir(proc));) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(p, sizeof p, "/proc/%s/cmdline", e->d_name);
        FILE *f = fopen(p, "r");
        size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
        if (f)
            fclose(f);
        buf[n] = '\0';
        for (size_t i = 0; i < n && !found; i += strlen(buf + i) + 1)
            found = !strcmp(buf + i, "--json") && i + 7 < n && !strncmp(buf + i + 7, want, strlen(want));
    }
    if (proc)
        closedir(proc);
    return found;
}

/* The finished reports in dir/points (KEY.json; temporaries are hidden). */
static int count_reports(const char *d)
{
    char p[600];
    snprintf(p, sizeof p, "%s/points", d);
    DIR *dd = opendir(p);
    int n = 0;
    for (struct dirent *e; dd && (e = readdir(dd));)
        n += e->d_name[0] != '.' && strstr(e->d_name, ".json") != NULL;
    if (dd)
        closedir(dd);
    return n;
}

/* 16 points of 0.1 to 0.3 s. */
static const char *slow_grid =
    "command: run\nfixed:\n  model-file: configs/models/tiny-test.yaml\n  mode: fast\n  stacks: 1\n  batch: 2\n"
    "  threads: 1\ngrid:\n  ctx: [16384, 24576, 32768, 40960]\n  gemv: [tree, systolic]\n  seed: [1, 2]\n";

/* Starts the slow sweep into d, kills it with sig after its 6th row, checks what is left, resumes it. */
static void kill_and_resume(const char *d, int sig)
{
    fflush(stdout); /* not twice through the child */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        freopen("/dev/null", "w", stdout), freopen("/dev/null", "w", stderr);
        execl(bin, "pimattn", "sweep", path("slow.yaml"), "--out", d, "-j", "2", (char *)NULL);
        _exit(127);
    }
    char csv[600];
    snprintf(csv, sizeof csv, "%s/results.csv", d);
    struct timespec ms10 = {0, 10000000};
    for (int i = 0; i < 6000 && count_lines(csv) < 7; i++) /* 6 rows: the points in flight take 0.15 s or more */
        nanosleep(&ms10, NULL);
    int rows = count_lines(csv) - 1, st = 0;
    kill(pid, sig);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == sig);
    printf("  killed with signal %d after %d of 16 rows\n", sig, rows);
    assert_true(rows >= 6 && rows < 16);
    /* the points in flight died with the sweep: none runs 50 ms later, none finishes its report later */
    struct timespec ms5 = {0, 5000000}, ms600 = {0, 600000000};
    for (int i = 0; i < 10 && points_running(d); i++)
        nanosleep(&ms5, NULL);
    assert_false(points_running(d));
    int reports = count_reports(d);
    nanosleep(&ms600, NULL);
    assert_int_equal(count_reports(d), reports);
    char jsonl[600];
    snprintf(jsonl, sizeof jsonl, "%s/results.jsonl", d);
    int done = count_lines(jsonl);
    assert_true(done >= rows - 1 && done <= rows + 2);
    if (sig == SIGTERM) /* no file of a point in flight is left: two per recorded point */
        assert_int_equal(sh("test $(ls %s/points | wc -l) -eq %d", d, 2 * count_lines(jsonl)), 0);
    assert_int_equal(sh("%s sweep %s --out %s -j 2 > /dev/null 2>&1", bin, path("slow.yaml"), d), 0);
    same_sorted(path("slowref/results.csv"), csv);
    assert_int_equal(count_lines(jsonl), 16);
}

static void test_kill_and_resume(void **state)
{
    (void)state;
    put("slow.yaml", slow_grid);
    assert_int_equal(sh("%s sweep %s --out %s -j 2 > /dev/null 2>&1", bin, path("slow.yaml"), path("slowref")), 0);
    kill_and_resume(path("killed9"), SIGKILL);
    kill_and_resume(path("killed15"), SIGTERM);
}

static const char *outcome_grid =
    "command: run\nfixed:\n  model-file: configs/models/tiny-test.yaml\n  mode: fast\n  stacks: 1\n  batch: 1\n"
    "  ctx: 64\n  threads: 1\ngrid:\n  gemv: [tree, systolic]\n  group: [1, 2, 3]\n  max-rel-l2: [1, 1e-12]\n"
    "exclude:\n  - gemv: tree\n    group: [2, 3]\n    reason: the tree unit has one row\n";

static void test_outcomes(void **state)
{
    (void)state;
    put("outcome.yaml", outcome_grid);
    assert_int_equal(sh("%s sweep %s --out %s -j 2 > /dev/null 2>&1", bin, path("outcome.yaml"), path("out")), 1);
    table t;
    table_load(&t, path("out/results.csv"));
    assert_int_equal(t.nrow, 12);
    int n[3] = {0, 0, 0}, cs = col(&t, "status"), cr = col(&t, "reason"), cc = col(&t, "layer_cycles");
    for (int r = 1; r <= t.nrow; r++) {
        const char *s = t.f[r][cs], *why = t.f[r][cr];
        int k = !strcmp(s, "ok") ? 0 : !strcmp(s, "skipped") ? 1 : 2;
        n[k]++;
        assert_int_equal(!*t.f[r][cc], k != 0); /* figures for ok points only */
        if (!strcmp(t.f[r][col(&t, "gemv")], "tree") && strcmp(t.f[r][col(&t, "group")], "1"))
            assert_string_equal(why, "the tree unit has one row");
        else if (!strcmp(t.f[r][col(&t, "group")], "3"))
            assert_string_equal(why, "pimattn run: --group: 3 does not divide the model's 2 query heads per KV head "
                                     "(allowed: a divisor of 2)");
        else if (k == 2)
            assert_int_equal(strncmp(why, "exit status 1: pimattn run: --max-rel-l2 1e-12: ", 48), 0);
        else
            assert_string_equal(why, "");
    }
    assert_int_equal(n[0], 3), assert_int_equal(n[1], 6), assert_int_equal(n[2], 3);
    table_free(&t);
    /* a rerun retries the failed points only; one row per point stays */
    assert_int_equal(sh("%s sweep %s --out %s -j 2 2>/dev/null | grep -q '3 failed (9 done before, 3 run'", bin,
                        path("outcome.yaml"), path("out")), 0);
    assert_int_equal(count_lines(path("out/results.csv")), 13);
    assert_int_equal(count_lines(path("out/results.jsonl")), 12);
    /* that directory belongs to this grid: another grid is refused and changes nothing */
    assert_int_equal(sh("cksum %s/out/results.* > %s", dir, path("ck1")), 0);
    assert_int_equal(sh("%s sweep %s --out %s 2> %s", bin, SMALL, path("out"), path("mismatch.err")), 2);
    assert_int_equal(sh("grep -q 'results.csv: written for another grid: column 7 is .ctx. there, .threads. in this grid' %s",
                        path("mismatch.err")), 0);
    assert_int_equal(sh("cksum %s/out/results.* | cmp -s - %s", dir, path("ck1")), 0);
}

/* A failed point's reason is the last line of its standard error: a point long enough to print progress
 * lines first (after 2 s) still gives the check that failed. */
static void test_failed_reason(void **state)
{
    (void)state;
    put("long.yaml", "command: run\nfixed:\n  model-file: configs/models/tiny-test.yaml\n  stacks: 1\n  batch: 64\n"
                     "  ctx: 200000\n  numerics: 1\n  threads: 1\n  max-rel-l2: 1e-12\n");
    assert_int_equal(sh("%s sweep %s --out %s > /dev/null 2>&1", bin, path("long.yaml"), path("long")), 1);
    table t;
    table_load(&t, path("long/results.csv"));
    assert_int_equal(t.nrow, 1);
    const char *why = t.f[1][col(&t, "reason")];
    assert_int_equal(strncmp(why, "exit status 1: pimattn run: --max-rel-l2 1e-12: ", 48), 0);
    if (sh("grep -q ' %% after ' %s/long/points/*.log", dir) == 0)
        print_message("(the point printed progress lines before its failure)\n");
    table_free(&t);
}

/* make area's table, shortened; the numbers are made up (the sweep copies them) */
static const char area_csv[] =
    "name,kind,top,params,rows,acc,cells,asap7_area_um2,asap7_delay_ps,dram_bank_area_um2,"
                    "dram_pc_area_mm2,dram_stack_area_mm2,area_vs_tree,macs_per_burst\n"
                    "fp16_add_s1,primitive,fp16_add,\"Stages=1\",,,100,10.0,500.0,100.0,0.0032,0.1,,\n"
                    "gemv_tree_f32,gemv,gemv_tree,\"AccFp32=1\",1,fp32,81303,7380.0,12984.0,73800.0,2.3616,75.5,1.000,16\n"
                    "gemv_sys_g2_f16,gemv,gemv_systolic,\"G=2,AccFp32=0\",2,fp16,113091,11574.0,8663.0,1,1,1,1.990,32\n"
                    "gemv_sys_g2_f32,gemv,gemv_systolic,\"G=2,AccFp32=1\",2,fp32,160000,14700.0,13000.0,147000.0,4.704,"
                    "150.5,1.992,32\n";

static void test_area(void **state)
{
    (void)state;
    put("area.csv", area_csv);
    assert_int_equal(sh("%s sweep %s --out %s --area %s -j 2 > /dev/null 2>&1", bin, SMALL, path("area"),
                        path("area.csv")), 0);
    table t;
    table_load(&t, path("area/results.csv"));
    int r = row_where(&t, "gemv", "tree", "ctx", "64"), s = row_where(&t, "gemv", "systolic", "ctx", "256");
    assert_string_equal(t.f[r][col(&t, "area_unit")], "gemv_tree_f32");
    assert_string_equal(t.f[r][col(&t, "asap7_area_um2")], "7380.0");
    assert_string_equal(t.f[r][col(&t, "dram_stack_area_mm2")], "75.5");
    assert_string_equal(t.f[r][col(&t, "asap7_delay_ps")], "12984.0"); /* an area comes with its delay */
    assert_string_equal(t.f[s][col(&t, "area_unit")], "gemv_sys_g2_f32"); /* the run's resolved G = 2, FP32 */
    assert_string_equal(t.f[s][col(&t, "area_vs_tree")], "1.992");
    assert_string_equal(t.f[0][t.ncol - 2], "version");
    /* the derived figures against the report's own: a tree unit reads GQA's K/V once per query head, so its
     * useful bandwidth is what it reads; the systolic unit (G = 2, all of tiny-test's group) reads them once */
    for (int k = 1; k <= t.nrow; k++) {
        double gbs = num(&t, k, "gbs"), useful = num(&t, k, "useful_gbs"), sum = 0;
        int sys = !strcmp(t.f[k][col(&t, "gemv")], "systolic");
        assert_true(near(useful, gbs * (sys ? 2 : 1), 1e-6));
        assert_string_equal(t.f[k][col(&t, "gemv_group")], sys ? "2" : "1"); /* the unit's rows */
        assert_true(near(num(&t, k, "row_ceiling_pct"), 100 * num(&t, k, "pct_peak") / num(&t, k, "pct_ceil"), 1e-6));
        assert_true(num(&t, k, "pct_dpath") > 0 && num(&t, k, "pct_dpath") < 100);
        assert_true(near(num(&t, k, "mj_per_token") * 2, num(&t, k, "energy_mj"), 1e-6)); /* batch 2 */
        for (int c = col(&t, "mj_per_token_dram_array"); c <= col(&t, "mj_per_token_softmax"); c++)
            sum += atof(t.f[k][c]);
        assert_true(near(sum, num(&t, k, "mj_per_token"), 1e-6));
    }
    table_free(&t);
    assert_int_equal(sh("%s sweep %s --out %s --area %s 2>&1 | grep -q 'test-small.yaml:1: no column .name.'", bin, SMALL,
                        path("area2"), SMALL), 0);
}

/* A table with a kv column (make area's): the K/V format joins a run to its unit, and a BF16 run gets no FP16 unit. */
static void test_area_kv(void **state)
{
    (void)state;
    put("area-kv.csv", "name,kind,top,params,rows,acc,kv,cells,asap7_area_um2\n"
                       "gemv_sys_g2_f32,gemv,gemv_systolic,\"G=2,AccFp32=1\",2,fp32,fp16,160000,14700.0\n"
                       "gemv_sys_g2_bf16,gemv,gemv_systolic,\"G=2,KvBf16=1\",2,fp32,bf16,150000,14500.0\n"
                       "gemv_tree_f32,gemv,gemv_tree,\"AccFp32=1\",1,fp32,fp16,81303,7380.0\n");
    put("kv.yaml", "command: run\nfixed:\n  model-file: configs/models/tiny-test.yaml\n  mode: fast\n  stacks: 1\n"
                   "  batch: 2\n  ctx: 64\n  threads: 1\ngrid:\n  gemv: [tree, systolic]\n  kv-format: [fp16, bf16]\n");
    assert_int_equal(sh("%s sweep %s --out %s --area %s -j 2 > /dev/null 2>&1", bin, path("kv.yaml"), path("kv"),
                        path("area-kv.csv")), 0);
    table t;
    table_load(&t, path("kv/results.csv"));
    assert_int_equal(t.nrow, 4);
    assert_string_equal(t.f[row_where(&t, "gemv", "systolic", "kv-format", "fp16")][col(&t, "area_unit")], "gemv_sys_g2_f32");
    assert_string_equal(t.f[row_where(&t, "gemv", "systolic", "kv-format", "bf16")][col(&t, "area_unit")],
                        "gemv_sys_g2_bf16");
    assert_string_equal(t.f[row_where(&t, "gemv", "tree", "kv-format", "fp16")][col(&t, "area_unit")], "gemv_tree_f32");
    assert_string_equal(t.f[row_where(&t, "gemv", "tree", "kv-format", "bf16")][col(&t, "area_unit")], "");
    table_free(&t);
}

static void test_system_grid(void **state)
{
    (void)state;
    put("system.yaml", "command: system\nfixed:\n  model-file: configs/models/tiny-test.yaml\n  system: a100-hbm3+pim\n"
                       "  lin: 64\n  lout: 4\n  threads: 1\ngrid:\n  batch: [1, 2]\n  set.pim.gemv: [tree, systolic]\n");
    put("area.csv", area_csv);
    assert_int_equal(sh("%s sweep %s --out %s --area %s -j 2 > /dev/null 2>&1", bin, path("system.yaml"), path("sys"),
                        path("area.csv")), 0);
    table t;
    table_load(&t, path("sys/results.csv"));
    /* the device's unit: tiny-test has 2 query heads per KV head, a100-hbm3 tp 1, so G = 2 */
    assert_string_equal(t.f[row_where(&t, "set.pim.gemv", "tree", "batch", "2")][col(&t, "area_unit")], "gemv_tree_f32");
    assert_string_equal(t.f[row_where(&t, "set.pim.gemv", "systolic", "batch", "1")][col(&t, "area_unit")],
                        "gemv_sys_g2_f32");
    assert_int_equal(t.nrow, 4);
    for (int r = 1; r <= 4; r++) {
        assert_string_equal(t.f[r][col(&t, "gpu_batch")], t.f[r][col(&t, "batch")]);
        assert_string_equal(t.f[r][col(&t, "pim_batch")], t.f[r][col(&t, "batch")]);
        double g = atof(t.f[r][col(&t, "gpu_decode_tokens_per_s")]), p = atof(t.f[r][col(&t, "pim_decode_tokens_per_s")]);
        double gain = atof(t.f[r][col(&t, "gain_decode_tokens_per_s")]);
        assert_true(g > 0 && p > 0 && gain > 0 && gain / (p / g) > 1 - 1e-6 && gain / (p / g) < 1 + 1e-6);
        assert_true(*t.f[r][col(&t, "gain_mj_per_token_decode")]);
        assert_string_equal(t.f[r][col(&t, "gpu_slo_batch")], ""); /* no --slo-ms: empty */
        for (int w = 0; w < 2; w++) { /* the energy parts add up to the total */
            char first[64], last[64], total[64];
            snprintf(first, sizeof first, "%s_mj_per_token_gpu_compute", w ? "pim" : "gpu");
            snprintf(last, sizeof last, "%s_mj_per_token_static", w ? "pim" : "gpu");
            snprintf(total, sizeof total, "%s_mj_per_token", w ? "pim" : "gpu");
            double sum = 0;
            for (int c = col(&t, first); c <= col(&t, last); c++)
                sum += atof(t.f[r][c]);
            assert_true(near(sum, num(&t, r, total), 1e-6));
        }
        assert_true(num(&t, r, "gpu_mj_per_token_pim_dram") == 0 && num(&t, r, "pim_mj_per_token_pim_dram") > 0);
    }
    table_free(&t);
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("PIMATTN") ? getenv("PIMATTN") : "build/bin/pimattn";
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return sh("rm -rf %s", dir) ? -1 : 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_product),       cmocka_unit_test(test_zip),           cmocka_unit_test(test_exclude),
        cmocka_unit_test(test_keys),          cmocka_unit_test(test_argv),          cmocka_unit_test(test_grid_errors),
        cmocka_unit_test(test_local_equals_tasks), cmocka_unit_test(test_emitted_jobs), cmocka_unit_test(test_kill_and_resume),
        cmocka_unit_test(test_outcomes),      cmocka_unit_test(test_failed_reason), cmocka_unit_test(test_area),
        cmocka_unit_test(test_area_kv),       cmocka_unit_test(test_system_grid),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
