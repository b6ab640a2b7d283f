#define _XOPEN_SOURCE 700 /* mknod, S_IFCHR, symlink */
/* test_run_outputs — what `pimattn` writes and reports when things go wrong on the way out, and the
 * numerics it owes a user: device nodes, FIFOs and links are written through, never replaced; a full disk
 * is exit 1 with the path and the error (JSON, logs, standard output, FST waveforms whose writer faults
 * with SIGBUS); an interrupted run leaves no temporary and the old file; non-finite heads are counted at
 * every level and fail --max-rel-l2; an FP16 accumulator overflow is warned about; --outputs round-trips;
 * Verilated units survive a stale errno; tiny runs get a meaningful lower bound; decimal numbers; `pimattn
 * hbm` keeps idle channels' refresh apart. $PIMATTN is the binary. */
#include <errno.h>
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
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "tb_cli.h"

static char dir[] = "/tmp/test_run_outputs.XXXXXX";

static void path_of(char *p, size_t n, const char *name) { snprintf(p, n, "%s/%s", dir, name); }

static void put(const char *name, const char *text)
{
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static int exists(const char *name)
{
    char p[512];
    struct stat st;
    path_of(p, sizeof p, name);
    return lstat(p, &st) == 0;
}

/* Files in dir whose names start with `prefix` (temporaries are ".NAME.XXXXXX"). */
static int count_prefix(const char *prefix)
{
    char cmd[1200], p[512];
    path_of(p, sizeof p, "count");
    snprintf(cmd, sizeof cmd, "ls -A %s | grep -c '^%s' > %s; true", dir, prefix, p);
    assert_int_equal(system(cmd), 0);
    FILE *f = fopen(p, "r");
    int k = -1;
    assert_non_null(f);
    assert_int_equal(fscanf(f, "%d", &k), 1);
    fclose(f);
    return k;
}

static cJSON *load_json(const char *name)
{
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    static char js[1 << 21];
    size_t n = fread(js, 1, sizeof js - 1, f);
    js[n] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(js);
    if (!root)
        fail_msg("%s is not JSON", p);
    return root;
}

static double num(const cJSON *o, const char *path)
{
    char key[128];
    snprintf(key, sizeof key, "%s", path);
    const cJSON *v = o;
    for (char *s = key, *dot; v && s; s = dot ? dot + 1 : NULL) {
        dot = strchr(s, '.');
        if (dot)
            *dot = '\0';
        v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, atoi(s)) : cJSON_GetObjectItemCaseSensitive(v, s);
    }
    if (!cJSON_IsNumber(v))
        fail_msg("JSON: '%s' missing or not a number", path);
    return v->valuedouble;
}

static void must(int want, const char *must_say, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void must(int want, const char *must_say, const char *fmt, ...)
{
    char a[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(a, sizeof a, fmt, ap);
    va_end(ap);
    int rc = run(a);
    if (rc != want || (must_say && !strstr(out, must_say)))
        fail_msg("pimattn %s: exit %d (want %d), output lacks '%s':\n%s", a, rc, want, must_say ? must_say : "", out);
}

static const char *tiny = "name: tiny\nlayers: 2\nd_model: 128\nheads: 2\nkv_heads: 2\nhead_dim: 64\n";

static void test_devices_links_fifos(void **state)
{
    (void)state;
    char null[512], link[512], target[512], fifo[512], got[512];
    path_of(null, sizeof null, "null");
    struct stat st;
    /* a private twin of /dev/null when we may make one (root), else the real one, which only root could replace */
    if (mknod(null, S_IFCHR | 0666, makedev(1, 3)) != 0)
        snprintf(null, sizeof null, "/dev/null");
    path_of(link, sizeof link, "link.json");
    path_of(target, sizeof target, "target.json");
    put("target.json", "old\n");
    assert_int_equal(symlink(target, link), 0);
    must(0, "decode step", "run --batch 1 --ctx 64 --log-commands %s --json %s", null, link);
    assert_int_equal(stat(null, &st), 0);
    assert_true(S_ISCHR(st.st_mode)); /* written in place, still the device */
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode)); /* the link stays, the file it names is replaced */
    cJSON_Delete(load_json("target.json"));
    /* a FIFO is written in place: a reader gets the whole command log */
    path_of(fifo, sizeof fifo, "fifo");
    path_of(got, sizeof got, "from-fifo.log");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "cat %s > %s & %s run --batch 1 --ctx 64 --log-commands %s > /dev/null; s=$?; wait; exit $s",
             fifo, got, bin, fifo);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(stat(fifo, &st), 0);
    assert_true(S_ISFIFO(st.st_mode));
    must(0, "every rule holds", "check-trace %s", got);
}

static void test_full_disk(void **state)
{
    (void)state;
    must(1, "pimattn run: --json: /dev/full: No space left on device", "run --batch 1 --ctx 64 --json /dev/full");
    must(1, "pimattn run: --log-commands: /dev/full: No space left on device",
         "run --batch 1 --ctx 64 --log-commands /dev/full");
    must(1, "pimattn hbm: --log: /dev/full: No space left on device", "hbm --synthetic macab --commands 1000 --log /dev/full");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s run --batch 1 --ctx 64 2>&1 > /dev/full", bin);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || !strstr(out, "pimattn: standard output: No space left on device"))
        fail_msg("a report on a full disk: status %#x (want exit 1):\n%s", st, out);
    /* a file-size limit makes the FST writer's side file short: its mapping faults (SIGBUS) inside the writer */
    snprintf(cmd, sizeof cmd, "sh -c 'ulimit -f 20; trap \"\" XFSZ; exec %s run --mode rtl --model mistral-7b --batch 1 --ctx 64 "
             "--wave %s/w.fst' 2>&1", bin, dir); /* G = 4: a traced build make test makes */
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    st = pclose(p);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || !strstr(out, "--wave: ") || !strstr(out, "w.fst: "))
        fail_msg("a waveform on a full disk: status %#x (want exit 1 with the path):\n%s", st, out);
    assert_false(exists("w.fst"));
    assert_false(exists("w.fst.gtkw"));
    assert_int_equal(count_prefix("\\.w\\.fst"), 0);
    snprintf(cmd, sizeof cmd, "sh -c 'ulimit -f 8; trap \"\" XFSZ; exec %s wave --unit gemv_tree --dir %s/wd' 2>&1", bin, dir);
    p = popen(cmd, "r");
    assert_non_null(p);
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    st = pclose(p);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 1 || !strstr(out, "pimattn wave: --dir: "))
        fail_msg("pimattn wave on a full disk: status %#x (want exit 1):\n%s", st, out);
}

static void test_interrupt_leaves_old_file(void **state)
{
    (void)state;
    put("s.json", "old\n");
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s run --model gpt3-175b --batch 64 --ctx 2048 --stacks 40 --json %s/s.json "
             "--log-commands %s/s.log > /dev/null 2>&1 & pid=$!; sleep 2; kill -TERM $pid; wait $pid; exit $?", bin, dir, dir);
    int st = system(cmd); /* SIGTERM: a shell's background job ignores SIGINT, and pimattn keeps an ignored signal so */
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGTERM); /* it died of the signal, as a shell sees it */
    assert_int_equal(count_prefix("\\.s\\."), 0);                  /* no temporary left */
    assert_false(exists("s.log"));
    char p[512], buf[16] = "";
    path_of(p, sizeof p, "s.json");
    FILE *f = fopen(p, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    assert_string_equal(buf, "old\n");
}

static void put32(FILE *f, uint32_t x)
{
    unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16), (unsigned char)(x >> 24)};
    fwrite(b, 1, 4, f);
}

/* A --data file for `tiny` (2 KV heads, head_dim 64, group 1), one request of 32 tokens: K of KV head 0 and
 * its query are all `big` (FP16 bits), everything else a small pattern. */
static void overflow_data(const char *name, uint16_t big)
{
    char p[512];
    path_of(p, sizeof p, name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fwrite("PIMATTN1", 1, 8, f);
    const uint32_t h[] = {1, 1, 2, 64, 1, 32};
    for (int i = 0; i < 6; i++)
        put32(f, h[i]);
    for (int k = 0; k < 2; k++)
        for (int part = 0; part < 3; part++) /* K, V, q */
            for (int i = 0; i < (part < 2 ? 32 * 64 : 64); i++) {
                uint16_t v = k == 0 && part != 1 ? big : (uint16_t)(0x3000 + (i * 37) % 1024); /* 0.125 .. 0.25 */
                fputc(v & 255, f);
                fputc(v >> 8, f);
            }
    assert_int_equal(fclose(f), 0);
}

static void test_nonfinite_heads_and_gate(void **state)
{
    (void)state;
    put("tiny.yaml", tiny);
    overflow_data("big.bin", 0x5A40); /* 200.0: 64 products of 40000 overflow an FP16 sum, not an FP32 one */
    must(0, "1 head(s) NON-FINITE", "run --model-file %s/tiny.yaml --data %s/big.bin --acc fp16 --json %s/nf.json",
         dir, dir, dir);
    if (!strstr(out, "warning: FP16 accumulation overflowed"))
        fail_msg("no overflow warning:\n%s", out);
    cJSON *j = load_json("nf.json");
    assert_true(num(j, "numerics.nonfinite_heads") == 1);
    assert_true(num(j, "layers.0.numerics.nonfinite_heads") == 1);
    assert_true(num(j, "numerics.scores_nonfinite") >= 1);
    assert_true(num(j, "numerics.heads_checked") == 2);
    assert_true(isfinite(num(j, "numerics.max_rel_l2"))); /* over the finite head */
    cJSON_Delete(j);
    must(1, "--max-rel-l2 1: 0 checked head(s) above it", "run --model-file %s/tiny.yaml --data %s/big.bin --acc fp16 "
         "--max-rel-l2 1", dir, dir);
    if (!strstr(out, "1 non-finite"))
        fail_msg("the gate does not name the non-finite head:\n%s", out);
    /* the same data with FP32 accumulation is finite and within a tight gate */
    must(0, "numerics gate --max-rel-l2 1.000e-02: passed", "run --model-file %s/tiny.yaml --data %s/big.bin "
         "--max-rel-l2 0.01", dir, dir);
    /* a gate below what FP16 arithmetic can reach fails with exit 1 */
    must(1, "checked head(s) above it", "run --model-file %s/tiny.yaml --batch 1 --ctx 64 --max-rel-l2 1e-9", dir);
}

static double rd_f64(const unsigned char *b)
{
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--)
        x = x << 8 | b[i];
    double d;
    memcpy(&d, &x, sizeof d);
    return d;
}

static uint32_t rd32(const unsigned char *b) { return b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24; }

static void test_outputs_roundtrip(void **state)
{
    (void)state;
    put("tiny.yaml", tiny);
    must(0, "decode step", "run --model-file %s/tiny.yaml --batch 3 --ctx 40,77,130 --layers all --numerics all "
         "--outputs %s/o.bin --outputs-ref --json %s/o.json", dir, dir, dir);
    cJSON *j = load_json("o.json");
    const double heads = num(j, "numerics.heads_checked"), maxe = num(j, "numerics.max_rel_l2");
    cJSON_Delete(j);
    char p[512];
    path_of(p, sizeof p, "o.bin");
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    unsigned char hdr[32];
    assert_int_equal(fread(hdr, 1, 32, f), 32);
    assert_memory_equal(hdr, "PIMATTNO", 8);
    assert_int_equal(rd32(hdr + 8), 1);  /* version */
    assert_int_equal(rd32(hdr + 12), 2); /* layers */
    assert_int_equal(rd32(hdr + 16), 3); /* batch */
    assert_int_equal(rd32(hdr + 20), 2); /* heads */
    const unsigned d = rd32(hdr + 24);
    assert_int_equal(d, 64);
    assert_int_equal(rd32(hdr + 28), 1); /* the reference is there */
    unsigned char rec[12 + 64 * 14];
    int seen[2][3][2] = {{{0}}};
    double worst = 0;
    size_t nrec = 0;
    while (fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t l = rd32(rec), r = rd32(rec + 4), h = rd32(rec + 8);
        assert_true(l < 2 && r < 3 && h < 2);
        seen[l][r][h]++;
        double num2 = 0, den2 = 0;
        for (unsigned i = 0; i < d; i++) {
            uint32_t b32 = rd32(rec + 12 + 4 * i);
            float o;
            memcpy(&o, &b32, sizeof o);
            uint16_t b16 = (uint16_t)(rec[12 + 4 * d + 2 * i] | rec[12 + 4 * d + 2 * i + 1] << 8);
            _Float16 want = (_Float16)o; /* the compiler's round to nearest even, independent of pimattn's */
            uint16_t wb;
            memcpy(&wb, &want, sizeof wb);
            if (wb != b16)
                fail_msg("record %zu, value %u: FP16 %#06x is not %g rounded (%#06x)", nrec, i, b16, (double)o, wb);
            double ref = rd_f64(rec + 12 + 6 * d + 8 * i);
            num2 += ((double)o - ref) * ((double)o - ref);
            den2 += ref * ref;
        }
        double e = sqrt(num2 / den2);
        worst = e > worst ? e : worst;
        nrec++;
    }
    assert_true(feof(f));
    fclose(f);
    assert_true((double)nrec == heads && nrec == 12); /* every (layer, request, head) once */
    for (int l = 0; l < 2; l++)
        for (int r = 0; r < 3; r++)
            for (int h = 0; h < 2; h++)
                assert_int_equal(seen[l][r][h], 1);
    if (fabs(worst - maxe) > 1e-9 * maxe)
        fail_msg("rel-L2 from the file %.9e, the report's %.9e", worst, maxe);
}

/* Without --numerics, a run of several layers checks every item of the first and every 64th of the others,
 * at least one, from item l mod the step in layer l (cmd_run.c's help): here 6 items, so one per later
 * layer, the l-th. */
static void test_default_numerics_sample(void **state)
{
    (void)state;
    put("six.yaml", "name: six\nlayers: 4\nd_model: 128\nheads: 2\nkv_heads: 2\nhead_dim: 64\n");
    must(0, "decode step", "run --model-file %s/six.yaml --batch 3 --ctx 40,77,130 --layers all --outputs %s/s.bin "
         "--json %s/s.json", dir, dir, dir);
    cJSON *j = load_json("s.json");
    assert_true(num(j, "numerics.heads_checked") == 6 + 3);
    cJSON_Delete(j);
    char p[512];
    path_of(p, sizeof p, "s.bin");
    FILE *f = fopen(p, "rb");
    assert_non_null(f);
    unsigned char hdr[32], rec[12 + 64 * 6];
    assert_int_equal(fread(hdr, 1, 32, f), 32);
    assert_int_equal(rd32(hdr + 28), 0); /* no reference */
    int seen[4][3][2] = {{{0}}};
    while (fread(rec, 1, sizeof rec, f) == sizeof rec) {
        uint32_t l = rd32(rec), r = rd32(rec + 4), h = rd32(rec + 8);
        assert_true(l < 4 && r < 3 && h < 2);
        seen[l][r][h]++;
    }
    assert_true(feof(f));
    fclose(f);
    for (int l = 0; l < 4; l++)
        for (int r = 0; r < 3; r++)
            for (int h = 0; h < 2; h++) /* item = request x kv_heads + head (G = 1) */
                assert_int_equal(seen[l][r][h], l == 0 || r * 2 + h == l);
}

static void test_small_things(void **state)
{
    (void)state;
    put("tiny.yaml", tiny);
    /* Verilator 5.006 aborted on a stale ERANGE from exp() when it created the next unit */
    must(0, "0 mismatches", "run --mode rtl --logit-scale 100 --rtl-banks 0.0,0.1 --batch 8 --ctx 256");
    /* a lower bound that would round to 0 cycles */
    must(0, "decode step", "run --model-file %s/tiny.yaml --batch 1 --ctx 1 --stacks 1 --json %s/t.json", dir, dir);
    if (strstr(out, "bound 0 CK") || strstr(out, "= 0.000 (must be"))
        fail_msg("a tiny run reports a zero lower bound:\n%s", out);
    cJSON *j = load_json("t.json");
    assert_true(num(j, "bounds.lower_bound_cycles") >= 1);
    assert_true(num(j, "layers.0.cycles_over_lower_bound") >= 1);
    cJSON_Delete(j);
    /* a leading 0 is not octal */
    must(0, "ctx 10..10", "run --model-file %s/tiny.yaml --batch 1 --ctx 010", dir);
    /* one request on channel 0 of 16: the figures are the used channel's, the idle ones' refresh apart */
    put("one.trace", "100000 R 0\n");
    must(0, "channels          1 of 16 used", "hbm --trace %s/one.trace", dir);
    const char *c = strstr(out, "REFAB "), *i = strstr(out, "their refresh (");
    assert_non_null(c);
    assert_non_null(i);
    unsigned long used = strtoul(c + 6, NULL, 10), idle = strtoul(i + 15, NULL, 10);
    if (used == 0 || idle != 15 * used)
        fail_msg("REFAB: %lu on the used channel, %lu on the 15 idle ones (want 15 x):\n%s", used, idle, out);
}

int main(void)
{
    tb_cli_init();
    assert_non_null(mkdtemp(dir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_devices_links_fifos), cmocka_unit_test(test_full_disk),
        cmocka_unit_test(test_interrupt_leaves_old_file), cmocka_unit_test(test_nonfinite_heads_and_gate),
        cmocka_unit_test(test_outputs_roundtrip), cmocka_unit_test(test_default_numerics_sample), cmocka_unit_test(test_small_things),
    };
    int rc = cmocka_run_group_tests_name("run_outputs", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
