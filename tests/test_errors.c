/* test_errors — every row of the bad-input table in docs/errors.md, run as the table says.
 *
 * A row is "| N | `ARGS` | STATUS | `FIRST LINE` |": `pimattn ARGS` must exit with STATUS, print nothing on
 * standard output, print FIRST LINE as the first line of standard error, and leave every file of the
 * output directory $O (which holds keep.json and keep.fst beforehand) and of the fixture directory $F
 * exactly as it was: no file created, removed or changed (the directories' own times aside: a temporary
 * created and removed again touches them). `run`, `hbm` and `system` rows that name no output of their own
 * are run a second time with outputs added after the command word (run: --json $O/keep.json
 * --log-commands $O/new.log --outputs $O/new.out; hbm: --log $O/new.log; system: --json $O/keep.json
 * --csv $O/new.csv), and must fail the same way without touching them.
 * $F is a fresh copy of tests/errors/ plus the binary --data fixtures made here (docs/errors.md lists
 * them). Environment: PIMATTN (the binary), ERRORS_DOC (docs/errors.md), ERRORS_FIXTURES (tests/errors). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static char F[] = "/tmp/test_errors_F.XXXXXX", O[] = "/tmp/test_errors_O.XXXXXX", S[] = "/tmp/test_errors_S.XXXXXX";
static const char *bin;

/* ---- fixtures ----------------------------------------------------------------------------------------- */

static void put32(FILE *f, uint32_t x)
{
    unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16), (unsigned char)(x >> 24)};
    fwrite(b, 1, 4, f);
}

/* A --data file for model-good.yaml (8 KV heads, head_dim 64, group 1), batch 1 of 16 tokens: all values
 * 0.0 except one FP16 value `bad` at byte offset `at` (0: none); cut to `len` bytes when len > 0. */
static void data_file(const char *name, const char *magic, uint32_t batch_hdr, long at, unsigned bad, long len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", F, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(magic, 1, 8, f);
    const uint32_t h[] = {1, batch_hdr, 8, 64, 1};
    for (int i = 0; i < 5; i++)
        put32(f, h[i]);
    for (uint32_t r = 0; r < batch_hdr; r++)
        put32(f, 16);
    long total = 8 + 20 + 4L * batch_hdr + (long)batch_hdr * 8 * (2 * 16 + 1) * 64 * 2;
    for (long p = ftell(f); p < total; p += 2) {
        unsigned v = p == at ? bad : 0;
        fputc((int)(v & 255), f);
        fputc((int)(v >> 8), f);
    }
    assert_int_equal(fclose(f), 0);
    if (len > 0)
        assert_int_equal(truncate(path, len), 0);
}

static int setup(void **state)
{
    (void)state;
    bin = getenv("PIMATTN") ? getenv("PIMATTN") : "build/bin/pimattn";
    const char *fx = getenv("ERRORS_FIXTURES") ? getenv("ERRORS_FIXTURES") : "tests/errors";
    if (!mkdtemp(F) || !mkdtemp(O) || !mkdtemp(S))
        return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "cp -R %s/. %s/", fx, F);
    if (system(cmd))
        return -1;
    /* the offsets docs/errors.md names: header 32 bytes, 4224 bytes per KV head (K, V: 16 x 64, q: 64) */
    data_file("data-good.bin", "PIMATTN1", 1, 0, 0, 0);
    data_file("data-nan.bin", "PIMATTN1", 1, 32 + 3 * 4224 + 2048 + 5 * 128 + 14, 0x7E00, 0);
    data_file("data-inf.bin", "PIMATTN1", 1, 32 + 2 * 4224 + 4096 + 6, 0xFC00, 0);
    data_file("data-short.bin", "PIMATTN1", 1, 0, 0, 1000);
    data_file("data-magic.bin", "PIMATTN2", 1, 0, 0, 0);
    data_file("data-batch2.bin", "PIMATTN1", 2, 0, 0, 0);
    snprintf(cmd, sizeof cmd, "printf 'keep\\n' > %s/keep.json && printf 'keep\\n' > %s/keep.fst", O, O);
    return system(cmd) ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s %s", F, O, S);
    return system(cmd) ? -1 : 0;
}

/* ---- snapshots: every file's name, size, mode, mtime and contents --------------------------------------- */

static char *snapshot(const char *dir)
{
    char cmd[512], path[600];
    snprintf(path, sizeof path, "%s/snap", S);
    snprintf(cmd, sizeof cmd, "cd %s && find . -mindepth 1 -printf '%%p %%s %%m %%T@ %%y\\n' | sort && find . -type f -exec cksum {} + | sort",
             dir);
    char full[1200];
    snprintf(full, sizeof full, "(%s) > %s 2>&1", cmd, path);
    if (system(full))
        return NULL;
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = buf ? fread(buf, 1, (1 << 16) - 1, f) : 0;
    (void)n;
    fclose(f);
    return buf;
}

/* ---- rows ------------------------------------------------------------------------------------------------ */

/* Replaces $F and $O in src. */
static void subst(const char *src, char *dst, size_t n)
{
    size_t k = 0;
    for (const char *p = src; *p && k + 1 < n; p++) {
        if (p[0] == '$' && (p[1] == 'F' || p[1] == 'O')) {
            k += (size_t)snprintf(dst + k, n - k, "%s", p[1] == 'F' ? F : O);
            p++;
        } else {
            dst[k++] = *p;
        }
    }
    dst[k < n ? k : n - 1] = '\0';
}

/* The cells of one table row between backticks / pipes: args, status, first line. 0 if not a case row. */
static int parse_row(char *line, char *args, size_t na, int *status, char *first, size_t nf)
{
    if (strncmp(line, "| ", 2) || line[2] < '0' || line[2] > '9')
        return 0;
    char *cell[5];
    int nc = 0;
    for (char *p = line + 1; *p && nc < 5; p++) { /* split on unescaped '|' */
        cell[nc++] = p;
        while (*p && !(*p == '|' && p[-1] != '\\'))
            p++;
        if (!*p)
            break;
        *p = '\0';
    }
    if (nc < 4)
        return 0;
    char *a = strchr(cell[1], '`'), *f = strchr(cell[3], '`');
    if (!a || !f || !strrchr(a + 1, '`') || !strrchr(f + 1, '`'))
        return 0;
    *strrchr(a + 1, '`') = '\0';
    *strrchr(f + 1, '`') = '\0';
    *status = atoi(cell[2]);
    char tmp[4096];
    size_t k = 0;
    for (char *p = f + 1; *p && k + 1 < sizeof tmp; p++) /* \| -> | */
        if (!(p[0] == '\\' && p[1] == '|'))
            tmp[k++] = *p;
    tmp[k] = '\0';
    subst(a + 1, args, na);
    subst(tmp, first, nf);
    return 1;
}

/* Runs pimattn ARGS; returns the exit status, stdout's size and stderr's first line. */
static int run_row(const char *args, long *out_bytes, char *line1, size_t n)
{
    char cmd[8192], o[600], e[600];
    snprintf(o, sizeof o, "%s/stdout", S);
    snprintf(e, sizeof e, "%s/stderr", S);
    snprintf(cmd, sizeof cmd, "%s %s > %s 2> %s", bin, args, o, e);
    int st = system(cmd);
    struct stat so;
    *out_bytes = stat(o, &so) == 0 ? (long)so.st_size : -1;
    line1[0] = '\0';
    FILE *f = fopen(e, "r");
    if (f) {
        if (fgets(line1, (int)n, f))
            line1[strcspn(line1, "\n")] = '\0';
        fclose(f);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int check(int no, const char *args, int want, const char *first, const char *snapF, const char *snapO)
{
    long ob;
    char got[4096];
    int rc = run_row(args, &ob, got, sizeof got);
    char *nF = snapshot(F), *nO = snapshot(O);
    int ok = rc == want && ob == 0 && !strcmp(got, first) && nF && nO && !strcmp(nF, snapF) && !strcmp(nO, snapO);
    if (!ok)
        print_error("row %d: pimattn %s\n  exit %d (want %d), %ld bytes on stdout (want 0)\n  stderr: %s\n  want:   %s\n"
                    "  fixtures %s, outputs %s\n", no, args, rc, want, ob, got, first,
                    nF && !strcmp(nF, snapF) ? "unchanged" : "CHANGED", nO && !strcmp(nO, snapO) ? "unchanged" : "CHANGED");
    free(nF);
    free(nO);
    return ok;
}

static void test_error_table(void **state)
{
    (void)state;
    const char *doc = getenv("ERRORS_DOC") ? getenv("ERRORS_DOC") : "docs/errors.md";
    FILE *f = fopen(doc, "r");
    assert_non_null(f);
    char *snapF = snapshot(F), *snapO = snapshot(O);
    assert_non_null(snapF);
    assert_non_null(snapO);
    char line[8192], args[4096], first[4096];
    int rows = 0, failed = 0, twice = 0, status;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        if (!parse_row(line, args, sizeof args, &status, first, sizeof first))
            continue;
        rows++;
        failed += !check(rows, args, status, first, snapF, snapO);
        /* again with outputs the row does not name: they must not appear or change either */
        const char *extra = !strncmp(args, "run", 3) && !strstr(args, "--json") && !strstr(args, "--log-commands") &&
                                    !strstr(args, "--outputs")
                                ? " --json $O/keep.json --log-commands $O/new.log --outputs $O/new.out"
                            : !strncmp(args, "hbm", 3) && !strstr(args, "--log") ? " --log $O/new.log"
                            : !strncmp(args, "system", 6) && !strstr(args, "--json") && !strstr(args, "--csv")
                                ? " --json $O/keep.json --csv $O/new.csv"
                                : NULL;
        if (extra) { /* right after the command word, so a row's last option keeps its meaning */
            char more[4200], with[4600];
            int word = (int)strcspn(args, " ");
            snprintf(more, sizeof more, "%.*s%s%s", word, args, extra, args + word);
            subst(more, with, sizeof with);
            failed += !check(rows, with, status, first, snapF, snapO);
            twice++;
        }
    }
    fclose(f);
    free(snapF);
    free(snapO);
    printf("%d rows of %s, %d of them again with outputs added: %d failed\n", rows, doc, twice, failed);
    assert_true(rows >= 60);
    assert_int_equal(failed, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_error_table)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
