/* test_run_cli — `pimattn run` as a user meets it: bad input (unknown model, zero or negative batch,
 * empty or malformed ctx files, a group that does not divide the heads, mutually exclusive options, a
 * broken model file, a KV cache that does not fit) gives a clear message, exit 2 and no output files;
 * a good run prints the report, writes JSON that parses with the figures of the text, and a command log
 * that `pimattn check-trace` accepts; the same seed gives the same files, run after run, with any threads,
 * in fast and rtl mode. $PIMATTN is the binary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "tb_cli.h"

static char dir[] = "/tmp/test_run_cli.XXXXXX";

static void put(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *name)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* expect_bad with the outputs requested, then none of them (nor their temporaries) may exist */
static void bad_no_files(const char *args, const char *must_say)
{
    char a[1024];
    snprintf(a, sizeof a, "run %s --json %s/o.json --log-commands %s/o.log", args, dir, dir);
    expect_bad(a, must_say);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "ls %s | grep -c '^o\\.' > %s/count || true", dir, dir);
    assert_int_equal(system(cmd), 0);
    assert_false(exists("o.json"));
    assert_false(exists("o.log"));
    char path[256], buf[16] = "";
    snprintf(path, sizeof path, "%s/count", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(buf, sizeof buf, f));
    fclose(f);
    if (atoi(buf) != 0)
        fail_msg("pimattn %s left %s files behind", a, buf);
}

/* A data file (harness/run/kvdata.h) header for batch 2 of ctx 64 and 80, llama3-8b's shape, and `extra`
 * bytes of data (far fewer than the 2 x 8 x ((64 + 80) x 2 + 4) x 128 FP16 values the header promises). */
static void put_data(const char *name, const char *magic, uint32_t batch, size_t extra)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    uint32_t h[] = {1, batch, 8, 128, 4, 64, 80};
    fwrite(magic, 1, 8, f);
    for (size_t i = 0; i < 5 + batch && i < 7; i++) {
        unsigned char b[4] = {(unsigned char)h[i], (unsigned char)(h[i] >> 8), (unsigned char)(h[i] >> 16), 0};
        fwrite(b, 1, 4, f);
    }
    for (size_t i = 0; i < extra; i++)
        fputc(0, f);
    fclose(f);
}

/* A model file `name` with `yaml` must be refused with `must_say`. */
static void bad_model(const char *name, const char *yaml, const char *must_say)
{
    char a[512];
    put(name, yaml);
    snprintf(a, sizeof a, "--model-file %s/%s", dir, name);
    bad_no_files(a, must_say);
}

static void test_bad_input(void **state)
{
    (void)state;
    char a[512];
    bad_no_files("--model gpt5", "unknown model 'gpt5' (allowed: gpt3-175b");
    bad_no_files("--batch 0", "--batch: 0 is out of range (allowed: 1..65536)");
    bad_no_files("--batch -3", "--batch: '-3' is not a non-negative integer");
    bad_no_files("--ctx 0", "--ctx: '0'");
    bad_no_files("--ctx 100,abc", "--ctx: '100,abc': length 2, 'abc', is not a context length");
    bad_no_files("--batch 3 --ctx 100,200", "2 context lengths given for --batch 3");
    put("empty.ctx", "# nothing here\n\n");
    snprintf(a, sizeof a, "--ctx-file %s/empty.ctx", dir);
    bad_no_files(a, "empty.ctx: no context lengths");
    put("bad.ctx", "1024\n# ragged\n2048\n12x\n");
    snprintf(a, sizeof a, "--ctx-file %s/bad.ctx", dir);
    bad_no_files(a, "bad.ctx:4: '12x' is not a context length");
    snprintf(a, sizeof a, "--ctx-file %s/none.ctx", dir);
    bad_no_files(a, "none.ctx");
    bad_no_files("--group 3", "--group: 3 does not divide the model's 8 query heads per KV head");
    bad_no_files("--model gpt3-175b --group 2", "does not divide the model's 1 query heads");
    bad_no_files("--gemv tree --group 4", "--group applies to --gemv systolic");
    bad_no_files("--model llama2-70b --model-file x.yaml", "mutually exclusive");
    snprintf(a, sizeof a, "--ctx 100 --ctx-file %s/bad.ctx", dir);
    bad_no_files(a, "--ctx and --ctx-file are mutually exclusive");
    bad_no_files("--rtl-banks all", "--rtl-banks needs --mode rtl");
    bad_no_files("--mode rtl --rtl-banks 0.99", "--rtl-banks: '0.99'");
    bad_no_files("--mode rtl --acc fp16 --model falcon-7b", "no Verilated GEMV build");
    bad_no_files("--gemv cube", "--gemv: 'cube' (allowed: systolic, tree)");
    bad_no_files("--acc fp64", "--acc: 'fp64' (allowed: fp32, fp16)");
    bad_no_files("--softmax-lanes 3", "--softmax-lanes: 3 (allowed: 1, 2, 4, 8, 16)");
    bad_no_files("--layers 81", "--layers: '81'");
    bad_no_files("--hbm hbm9", "'hbm9' is neither a preset");
    bad_no_files("--stacks 1 --batch 64 --ctx 8192", "the KV cache does not fit");
    bad_no_files("extra", "unexpected argument 'extra'");
    bad_no_files("--host-tier", "--host-tier needs --softmax splitk");
    bad_no_files("--host-bw 10", "--host-bw and --host-latency need --host-tier");
    bad_no_files("--host-tier --softmax splitk --host-latency -1", "--host-latency: '-1'");
    bad_no_files("--kv-format int8 --acc fp16", "--kv-format int8 accumulates in FP32");
    bad_no_files("--kv-block 64", "--kv-block applies to --kv-format int8");
    bad_no_files("--kv-format int8 --kv-block 48", "--kv-block: 48 (allowed: a multiple of 32");
    bad_no_files("--kv-format int8 --kv-block 16", "--kv-block: 16 is out of range");
    put("d80.yaml", "name: d80\nlayers: 2\nd_model: 640\nheads: 8\nkv_heads: 2\nhead_dim: 80\nwindow: 0\n");
    snprintf(a, sizeof a, "--kv-format int8 --model-file %s/d80.yaml", dir);
    bad_no_files(a, "head_dim 80 is not a multiple of 32");
    bad_no_files("--kv-format int8 --mode rtl", "no Verilated GEMV build for 8 rows, depth 4, INT8 K/V");
    bad_no_files("--wave x.fst", "--wave needs --mode rtl");
    bad_no_files("--mode rtl --wave x.fst --wave-bank 0.0.40", "--wave-bank: 0.0.40 is not one of the --rtl-banks");
    put_data("bad1.bin", "NOTMINE!", 2, 0);
    snprintf(a, sizeof a, "--model llama3-8b --data %s/bad1.bin", dir);
    bad_no_files(a, "not a pimattn data file");
    put_data("bad2.bin", "PIMATTN1", 2, 100);
    snprintf(a, sizeof a, "--model llama3-8b --data %s/bad2.bin --batch 3", dir);
    bad_no_files(a, "the file has 2 requests, --batch 3");
    snprintf(a, sizeof a, "--model llama3-8b --data %s/bad2.bin --stacks 1", dir);
    bad_no_files(a, "bytes, its header needs");
    snprintf(a, sizeof a, "--model llama3-8b --data %s/bad2.bin --ctx 64,81", dir);
    bad_no_files(a, "request 1 has 80 tokens, the run 81");
    snprintf(a, sizeof a, "--model llama2-70b --data %s/bad2.bin", dir);
    bad_no_files(a, "group (query heads per KV head) 4, the run has 8");
    snprintf(a, sizeof a, "--data %s/bad2.bin --logit-scale 2", dir);
    bad_no_files(a, "mutually exclusive");
    bad_model("m1.yaml", "layers: 2\nd_model: 512\nheads: 8\nkv_heads: 3\nhead_dim: 64\n", "m1.yaml:3: heads: 8 is not a multiple of kv_heads 3");
    bad_model("m2.yaml", "layers: 2\nd_model: 512\nheads: 8\nkv_heads: 2\nhead_dim: 64\nexperts: 8\n", "m2.yaml:6: unknown key 'experts' (allowed: name, layers");
    bad_model("m3.yaml", "layers: 2\nheads: 8\nkv_heads: 2\nhead_dim: 2.5\n", "m3.yaml:4: head_dim: '2.5' is not an integer in range (allowed: 32..256)");
    bad_model("m4.yaml", "layers: 2\nheads: 8\nkv_heads: 2\nhead_dim: 64\n", "d_model: missing");
    bad_model("m5.yaml", "layers: 2\nheads: 'eight\n", "YAML syntax error");
    bad_model("m6.yaml", "layers: [2]\n", "m6.yaml:1: layers: a list");
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    if (!cJSON_IsNumber(v))
        fail_msg("JSON: '%s' missing or not a number", k);
    return v->valuedouble;
}

static void test_good_run(void **state)
{
    (void)state;
    put("small.yaml", "name: tiny-gqa\nlayers: 3\nd_model: 1024\nheads: 8\nkv_heads: 2\nhead_dim: 128\nwindow: 0\n");
    put("rag.ctx", "# three requests\n700\n1300\n\n260\n");
    char a[1024];
    snprintf(a, sizeof a, "run --model-file %s/small.yaml --ctx-file %s/rag.ctx --stacks 1 --layers all --mode rtl "
             "--numerics all --json %s/r.json --log-commands %s/r.log --wave %s/w.fst --wave-from 100 --wave-cycles 2000", dir, dir, dir, dir, dir);
    int rc = run(a);
    if (rc != 0 || !strstr(out, "0 mismatches") || !strstr(out, "decode step: 3 layers"))
        fail_msg("pimattn %s: exit %d\n%s", a, rc, out);
    char path[256];
    snprintf(path, sizeof path, "%s/r.json", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char js[1 << 20];
    size_t n = fread(js, 1, sizeof js - 1, f);
    js[n] = '\0';
    fclose(f);
    cJSON *root = cJSON_Parse(js);
    assert_non_null(root);
    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    assert_int_equal(cJSON_GetArraySize(layers), 3);
    const cJSON *l0 = cJSON_GetArrayItem(layers, 0), *b = cJSON_GetObjectItemCaseSensitive(root, "bounds");
    const char *row = strstr(out, "\n0 "); /* layer 0 of the text table */
    unsigned long long cyc = 0;
    assert_non_null(row);
    assert_int_equal(sscanf(row, " 0 %llu", &cyc), 1);
    if ((double)cyc != num(l0, "cycles"))
        fail_msg("the text report's layer 0 cycles %llu differ from the JSON's %.0f", cyc, num(l0, "cycles"));
    assert_true(num(l0, "cycles") >= num(b, "lower_bound_cycles"));
    const cJSON *nu = cJSON_GetObjectItemCaseSensitive(root, "numerics");
    assert_true(num(nu, "heads_checked") == 3 * 3 * 8);
    assert_true(num(nu, "max_rel_l2") > 0 && num(nu, "max_rel_l2") < 5e-4);
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "decode_step");
    assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "timing_reused")));
    cJSON_Delete(root);
    assert_true(exists("w.fst.gtkw"));
    char cmd[512];
    snprintf(cmd, sizeof cmd, "fst2vcd %s/w.fst 2>/dev/null | grep -c 'cmd_i\\|res_data_o\\|sum_o' > %s/nsig", dir, dir);
    assert_int_equal(system(cmd), 0);
    snprintf(path, sizeof path, "%s/nsig", dir);
    f = fopen(path, "r");
    assert_non_null(f);
    int nsig = 0;
    assert_int_equal(fscanf(f, "%d", &nsig), 1);
    fclose(f);
    assert_true(nsig >= 3); /* the unit's command, row and result signals are in the dump */
    snprintf(a, sizeof a, "check-trace --hazards %s/r.log", dir);
    if (run(a) != 0 || !strstr(out, "every rule holds") || !strstr(out, "no data hazard"))
        fail_msg("pimattn %s:\n%s", a, out);
}

/* The command log's header records the stacks and the power limit the run used; check-trace takes them
 * (no options needed) and an option given overrides them: the wrong one is caught. */
static void test_log_header(void **state)
{
    (void)state;
    char a[1024];
    snprintf(a, sizeof a, "run --mode fast --stacks 5 --power-limit off --log-commands %s/h.log", dir);
    if (run(a) != 0)
        fail_msg("pimattn %s:\n%s", a, out);
    snprintf(a, sizeof a, "check-trace --hazards %s/h.log", dir);
    if (run(a) != 0 || !strstr(out, "every rule holds") || !strstr(out, "no data hazard"))
        fail_msg("pimattn %s (the header's stacks 5, power limit off):\n%s", a, out);
    snprintf(a, sizeof a, "check-trace --power-limit on %s/h.log", dir);
    if (run(a) != 1 || !strstr(out, "macpow"))
        fail_msg("pimattn %s: want exit 1 naming macpow:\n%s", a, out);
    snprintf(a, sizeof a, "check-trace --stacks 1 %s/h.log", dir);
    if (run(a) != 2 || !strstr(out, "st=1 out of range"))
        fail_msg("pimattn %s: want exit 2, st=1 out of range:\n%s", a, out);
}

/* Runs pimattn run ARGS writing NAME.log (and .place), NAME.json, NAME.bin (outputs). */
static void run_to(const char *name, const char *args)
{
    char a[1024];
    snprintf(a, sizeof a, "run %s --log-commands %s/%s.log --json %s/%s.json --outputs %s/%s.bin", args, dir, name, dir,
             name, dir, name);
    if (run(a) != 0)
        fail_msg("pimattn %s:\n%s", a, out);
}

/* NAME1's and NAME2's files are equal byte for byte, the JSON but for its wall-clock lines. */
static void same_files(const char *n1, const char *n2, const char *what)
{
    static const char *const ext[] = {"log", "log.place", "bin"};
    char cmd[1024];
    for (int i = 0; i < 3; i++) {
        snprintf(cmd, sizeof cmd, "cmp -s %s/%s.%s %s/%s.%s", dir, n1, ext[i], dir, n2, ext[i]);
        if (system(cmd) != 0)
            fail_msg("%s: %s.%s and %s.%s differ", what, n1, ext[i], n2, ext[i]);
    }
    snprintf(cmd, sizeof cmd, "cmp -s <(grep -v 'wall_seconds\\|rtl_seconds' %s/%s.json) "
             "<(grep -v 'wall_seconds\\|rtl_seconds' %s/%s.json)", dir, n1, dir, n2);
    char sh[1200];
    snprintf(sh, sizeof sh, "bash -c \"%s\"", cmd);
    if (system(sh) != 0)
        fail_msg("%s: %s.json and %s.json differ beyond the wall-clock fields", what, n1, n2);
}

/* Determinism: the same seed gives the same command log, placement, outputs and JSON (wall-clock fields
 * aside), run after run and whatever the threads, in fast mode and in rtl mode. */
static void test_determinism(void **state)
{
    (void)state;
    const char *fast = "--batch 3 --ctx 300,700,1200 --layers 2 --seed 7 --softmax splitk --pingpong";
    char a[512];
    snprintf(a, sizeof a, "%s --threads 1", fast);
    run_to("f1", a);
    run_to("f2", a);
    same_files("f1", "f2", "fast mode, twice");
    snprintf(a, sizeof a, "%s --threads 3", fast);
    run_to("f3", a);
    same_files("f1", "f3", "fast mode, 1 and 3 threads");
    const char *rtl = "--mode rtl --batch 2 --ctx 256,512 --seed 7";
    run_to("r1", rtl);
    run_to("r2", rtl);
    same_files("r1", "r2", "rtl mode, twice");
}

int main(void)
{
    tb_cli_init();
    assert_non_null(mkdtemp(dir));
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_good_run),
        cmocka_unit_test(test_log_header),
        cmocka_unit_test(test_determinism),
    };
    int rc = cmocka_run_group_tests_name("run_cli", tests, NULL, NULL);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        return 1;
    return rc;
}
