/* test_system — the serving-system model (harness/system, docs/system.md): the roofline closed forms of
 * each GPU operation against numbers worked by hand, the tensor-parallel placement as a property over
 * every model preset and many tp, a decode step equal to the sum of its parts without overlap, the
 * interpolation of skipped steps, refresh debt exposed when the GPU work between layers is shorter than
 * the debt and hidden when longer, the SLO search's answer and its neighbour, the capacity limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sysmodel.h"

#define NEAR(a, b) near_((a), (b), 1e-9, #a, __LINE__)
static void near_(double a, double b, double rel, const char *what, int line)
{
    double d = a - b, s = (a > 0 ? a : -a) + (b > 0 ? b : -b);
    if (d * d > rel * rel * s * s && d * d > 1e-300)
        fail_msg("line %d: %s = %.12g, want %.12g", line, what, a, b);
}

static sys_cfg preset(const char *name)
{
    sys_cfg c;
    assert_int_equal(sys_cfg_preset(name, &c), 0);
    return c;
}

static model model_of(const char *name)
{
    model m;
    assert_int_equal(model_preset(name, &m), 0);
    return m;
}

/* ---- roofline closed forms ------------------------------------------------------------------------------- */

static void test_roofline(void **state)
{
    (void)state;
    sys_cfg a = preset("a100-hbm3"); /* 312 TFLOPS x 0.8, 3352 GB/s x 0.85 */
    sys_op g = sys_gemm(1, 4096, 4096);
    NEAR(g.flops, 33554432.0);                   /* 2 x 4096 x 4096 */
    NEAR(g.bytes, 33570816.0);                   /* 2 B x (4096 x 4096 + 4096 + 4096) */
    NEAR(sys_op_seconds(&a, &g), 33570816.0 / 2849.2e9); /* memory-bound: bytes / (3352 GB/s x 0.85) */
    double compute = 0, memory = 0;
    sys_op_energy(&a, &g, &compute, &memory);
    NEAR(compute, 16777216.0 * 0.725e-12);       /* MACs x (0.32 + 6 x 0.0675) pJ */
    NEAR(memory, 33570816.0 * 32.4e-12);         /* bytes x (28.72 + 2.4 + 1.28) pJ */
    sys_op big = sys_gemm(8192, 8192, 8192);     /* compute-bound: 2 x 8192^3 / 249.6e12 */
    NEAR(sys_op_seconds(&a, &big), 1099511627776.0 / 249.6e12);
    sys_cfg d = preset("dgx-a100-hbm3");         /* 8 GPUs, NVLink 600 GB/s, 1 us per hop */
    NEAR(sys_allreduce_seconds(&d, 1e6), 2 * 7.0 / 8 * 1e6 / 600e9 + 14e-6);
    NEAR(sys_allreduce_bytes(&d, 1e6), 1.75e6);
    assert_true(sys_allreduce_seconds(&a, 1e6) == 0); /* one GPU: nothing to reduce */
}

/* GPT-3 on 8 GPUs, one request: every part of a decode layer by hand. */
static void test_decode_ops(void **state)
{
    (void)state;
    sys_gen_cfg c = {.sys = preset("dgx-a100-hbm3"), .m = model_of("gpt3-175b"), .flash_tile = 128};
    sys_shard s[8];
    char err[256];
    assert_int_equal(sys_place(&c.m, 8, s, err, sizeof err), 0);
    uint32_t ctx = 2048;
    sys_layer_ops o;
    sys_decode_ops(&c, &s[0], 1, &ctx, 0, &o);
    NEAR(o.op[SYS_QKV].bytes, 2.0 * (12288.0 * 4608 + 12288 + 4608)); /* 12 + 2 x 12 heads of 128 */
    NEAR(o.op[SYS_PROJ].bytes, 2.0 * (1536.0 * 12288 + 1536 + 12288));
    NEAR(o.op[SYS_FFN].macs, 2 * 12288.0 * 6144);                     /* 49152 / 8 columns, two matrices */
    NEAR(o.op[SYS_FFN].flops, 4 * 12288.0 * 6144 + 8 * 6144);         /* GeLU: 8 per element */
    NEAR(o.op[SYS_ATTN].bytes, 2048.0 * 12 * 128 * 4 + 12 * 128 * 4 + 2 * 12 * 128 * 2);
    NEAR(o.op[SYS_ATTN].flops, 2048.0 * 12 * (4 * 128 + 5));
    NEAR(o.ar_bytes, 12288.0 * 2);
    sys_decode_ops(&c, &s[0], 1, &ctx, 1, &o); /* PIM: the device attends, the link carries q, K, V and o */
    assert_true(o.op[SYS_ATTN].bytes == 0 && o.op[SYS_ATTN].flops == 0);
    NEAR(o.xfer_in, 12 * 128 * 2.0 + 12 * 128 * 4);
    NEAR(o.xfer_out, 12 * 128 * 2.0);
    /* prefill, 1000 tokens in tiles of 128: 8 x 8 tiles, 36 kept by the causal mask */
    uint32_t lin = 1000;
    sys_prefill_ops(&c, &s[0], 1, &lin, 0, &o);
    NEAR(o.op[SYS_ATTN].macs, 36.0 * 12 * 2 * 128 * 128 * 128);
    NEAR(o.op[SYS_QKV].flops, 2 * 1000.0 * 4608 * 12288);
    c.m.window = 256; /* a sliding window of 2 tiles keeps at most 3 per row: 1 + 2 + 3 + 5 x 3 = 21 */
    sys_prefill_ops(&c, &s[0], 1, &lin, 0, &o);
    NEAR(o.op[SYS_ATTN].macs, 21.0 * 12 * 2 * 128 * 128 * 128);
    /* memory: GPT-3's weights over 8 GPUs, 2 B each */
    double layer = 12288.0 * 4608 + 1536.0 * 12288 + 2 * 12288.0 * 6144 + 2 * 12288;
    NEAR(sys_weight_bytes(&c.m, &s[0], 8), 2 * (layer * 96 + 2 * 50257.0 / 8 * 12288 + 12288));
}

/* ---- placement --------------------------------------------------------------------------------------------- */

static void test_placement(void **state)
{
    (void)state;
    static const char *const names[] = {"gpt3-175b", "llama1-65b", "llama2-70b", "llama3-8b", "llama3-70b",
                                        "llama31-405b", "mistral-7b", "falcon-7b", "falcon-40b", "falcon-180b",
                                        "opt-66b", "mtnlg-530b"};
    static const uint32_t tps[] = {1, 2, 3, 4, 5, 7, 8, 16, 32, 64};
    int cases = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        for (size_t t = 0; t < sizeof tps / sizeof tps[0]; t++) {
            model m = model_of(names[i]);
            uint32_t tp = tps[t], G = m.heads / m.kv_heads, owner[4096], copies[4096] = {0};
            if (tp > m.heads)
                continue;
            sys_shard s[64];
            char err[256];
            assert_int_equal(sys_place(&m, tp, s, err, sizeof err), 0);
            for (uint32_t h = 0; h < m.heads; h++)
                owner[h] = UINT32_MAX;
            for (uint32_t g = 0; g < tp; g++) {
                uint32_t count[4096] = {0}, most = 0;
                assert_true(s[g].nq >= m.heads / tp && s[g].nq <= m.heads / tp + 1);
                for (uint32_t h = s[g].q0; h < s[g].q0 + s[g].nq; h++) {
                    if (owner[h] != UINT32_MAX)
                        fail_msg("%s tp %u: query head %u on GPUs %u and %u", names[i], tp, h, owner[h], g);
                    owner[h] = g;
                    uint32_t kv = h / G; /* the KV head it reads is on this GPU's device */
                    assert_true(kv >= s[g].kv0 && kv < s[g].kv0 + s[g].nkv);
                    most = ++count[kv] > most ? count[kv] : most;
                }
                for (uint32_t kv = s[g].kv0; kv < s[g].kv0 + s[g].nkv; kv++) {
                    assert_true(count[kv] > 0); /* no KV head a GPU does not read */
                    copies[kv]++;
                }
                assert_int_equal(s[g].group_max, most);
                model dm = sys_shard_model(&m, &s[g]);
                assert_int_equal(model_validate(&dm, err, sizeof err), 0);
            }
            for (uint32_t h = 0; h < m.heads; h++)
                assert_true(owner[h] != UINT32_MAX);
            for (uint32_t kv = 0; kv < m.kv_heads; kv++) { /* on the GPUs that read it, and no others */
                uint32_t readers = 0;
                for (uint32_t g = 0; g < tp; g++)
                    readers += s[g].q0 < (kv + 1) * G && s[g].q0 + s[g].nq > kv * G;
                if (copies[kv] != readers)
                    fail_msg("%s tp %u: KV head %u on %u devices, read by %u GPUs", names[i], tp, kv, copies[kv], readers);
            }
            cases++;
        }
    printf("placement: %d (model, tp) cases\n", cases);
}

/* ---- a generation ------------------------------------------------------------------------------------------ */

static sys_gen_cfg gen_cfg(const char *sys, const char *m, uint32_t batch, uint32_t *lin, uint32_t lout)
{
    return (sys_gen_cfg){.sys = preset(sys), .m = model_of(m), .batch = batch, .lin = lin, .lout = lout,
                         .step_stride = 1, .flash_tile = 128, .seed = 1, .numerics = 1, .threads = 1};
}

static double layer_sum(const sys_step *st)
{
    double t = 0;
    for (int p = 0; p < SYS_NPARTS; p++)
        t += st->part[p];
    return t;
}

static void test_step_is_sum(void **state)
{
    (void)state;
    uint32_t lin[4] = {512, 700, 300, 1024};
    for (int pim = 0; pim < 2; pim++) {
        sys_gen_cfg c = gen_cfg(pim ? "dgx-a100-hbm3+pim" : "dgx-a100-hbm3", "llama3-8b", 4, lin, 5);
        sys_gen_res r;
        char err[1024];
        assert_int_equal(sys_gen(&c, &r, err, sizeof err), 0);
        assert_int_equal(r.nsteps, 4);
        double decode = 0;
        for (uint32_t s = 0; s < r.nsteps; s++) {
            const sys_step *st = &r.steps[s];
            NEAR(st->mode_s[0], c.m.layers * layer_sum(st) + st->lm_head_s);
            NEAR(st->ctx_mean, (512 + 700 + 300 + 1024) / 4.0 + st->step);
            assert_int_equal(st->simulated, pim); /* stride 1: every step (the GPU system has none) */
            decode += st->mode_s[0];
            if (!pim)
                assert_true(st->part[SYS_XFER] == 0 && st->part[SYS_REFRESH] == 0 && st->part[SYS_ATTN] > 0);
        }
        NEAR(r.decode_s, decode);
        NEAR(r.tpot_s, decode / 4);
        NEAR(r.tokens_per_s, 4.0 * 5 / (r.prefill_s + r.decode_s));
        double e = 0;
        for (int k = 0; k < SYS_E_NPARTS; k++)
            e += r.energy[k];
        NEAR(e, r.prefill_j + r.decode_j);
        sys_gen_res_free(&r);
    }
}

static void test_interpolation(void **state)
{
    (void)state;
    uint32_t lin[2] = {4000, 6000};
    sys_gen_cfg c = gen_cfg("dgx-a100-hbm3+pim", "llama2-70b", 2, lin, 12);
    c.step_stride = 4; /* steps 1, 5, 9 and the last, 11, simulated */
    sys_gen_res r;
    char err[1024];
    assert_int_equal(sys_gen(&c, &r, err, sizeof err), 0);
    for (uint32_t s = 0; s < r.nsteps; s++) {
        uint32_t step = r.steps[s].step;
        assert_int_equal(r.steps[s].simulated, (step - 1) % 4 == 0 || step == 11);
    }
    for (uint32_t s = 1; s < 4; s++) /* steps 2..4 on the line from step 1 to step 5 */
        NEAR(r.steps[s].pim_cycles, r.steps[0].pim_cycles + s / 4.0 * (r.steps[4].pim_cycles - r.steps[0].pim_cycles));
    NEAR(r.steps[9].pim_cycles, (r.steps[8].pim_cycles + r.steps[10].pim_cycles) / 2); /* step 10 between 9 and 11 */
    assert_int_equal(r.sim_layers, 4);
    c.threads = 3; /* the steps on three worker threads: the same figures */
    sys_gen_res r3;
    assert_int_equal(sys_gen(&c, &r3, err, sizeof err), 0);
    for (uint32_t s = 0; s < r.nsteps; s++) {
        assert_true(r3.steps[s].pim_cycles == r.steps[s].pim_cycles);
        assert_true(r3.steps[s].mode_s[0] == r.steps[s].mode_s[0] && r3.steps[s].mode_j[0] == r.steps[s].mode_j[0]);
        assert_int_equal(r3.steps[s].simulated, r.steps[s].simulated);
    }
    assert_true(r3.num.heads == r.num.heads && r3.num.max_rel_l2 == r.num.max_rel_l2);
    sys_gen_res_free(&r3);
    sys_gen_res_free(&r);
}

/* Refresh debt: exposed when the GPU work between two attentions is shorter than the debt, hidden when
 * longer. A long attention (32 requests of 8K tokens over 12 KV heads per device, one stack) leaves debt. */
static void test_refresh_debt(void **state)
{
    (void)state;
    uint32_t lin[32];
    for (int i = 0; i < 32; i++)
        lin[i] = 8192;
    for (int fast = 0; fast < 2; fast++) {
        sys_gen_cfg c = gen_cfg("dgx-a100-hbm3+pim", "gpt3-175b", 32, lin, 2);
        c.m.layers = 8;
        c.sys.pim_stacks = 1;
        if (fast) { /* GPUs and links so fast that almost nothing separates two attentions */
            c.sys.gpu_tflops = c.sys.gpu_mem_gbs = c.sys.nvl_gbs = c.sys.pim_link_gbs = 1e9;
            c.sys.nvl_lat_us = c.sys.pim_link_lat_us = 0;
        }
        sys_gen_res r;
        char err[1024];
        assert_int_equal(sys_gen(&c, &r, err, sizeof err), 0);
        const sys_step *st = &r.steps[0];
        double gap = layer_sum(st) - st->part[SYS_ATTN] - st->part[SYS_REFRESH];
        printf("refresh: %s GPUs: attention %.3f us, debt %.3f us, gap %.3f us, exposed %.3f us\n",
               fast ? "fast" : "A100", st->part[SYS_ATTN] * 1e6, st->refresh_debt_s * 1e6, gap * 1e6,
               st->part[SYS_REFRESH] * 1e6);
        assert_true(st->refresh_debt_s > 0);
        if (fast) {
            assert_true(gap < st->refresh_debt_s);
            NEAR(st->part[SYS_REFRESH], st->refresh_debt_s - gap); /* one device shape: its whole debt is late */
        } else {
            assert_true(gap > st->refresh_debt_s);
            assert_true(st->part[SYS_REFRESH] == 0);
        }
        sys_gen_res_free(&r);
    }
}

/* ---- capacity and the SLO ----------------------------------------------------------------------------------- */

static void test_capacity(void **state)
{
    (void)state;
    uint32_t lin[1] = {2048};
    sys_gen_cfg c = gen_cfg("dgx-a100-hbm3", "gpt3-175b", 1, lin, 128);
    for (int pim = 0; pim < 2; pim++) {
        c.sys = preset(pim ? "dgx-a100-hbm3+pim" : "dgx-a100-hbm3");
        uint32_t max = sys_max_batch(&c, lin, 1);
        assert_true(max > 0);
        uint32_t big[4096];
        for (uint32_t b = 0; b <= max; b++)
            big[b] = 2048;
        sys_gen_res r;
        char err[1024];
        c.batch = max + 1;
        c.lin = big;
        c.step_stride = 127;
        assert_int_equal(sys_gen(&c, &r, err, sizeof err), 2);
        assert_non_null(strstr(err, pim ? "PIM device: " : "GPU memory: each GPU needs"));
        sys_gen_res_free(&r);
        printf("capacity: gpt3-175b %s: largest batch %u; batch %u: %s\n", pim ? "with PIM" : "GPU only", max, max + 1,
               err);
        c.batch = 1;
        c.lin = lin;
    }
}

/* A small model keeps the search fast: 64 layers of 8 heads, so a device holds about 60 requests. */
static void test_slo(void **state)
{
    (void)state;
    uint32_t lin[1] = {2048};
    sys_gen_cfg c = gen_cfg("a100-hbm3+pim", "llama3-8b", 1, lin, 3);
    c.m = (model){.name = "slo-test", .layers = 64, .d_model = 1024, .heads = 8, .kv_heads = 8, .head_dim = 64,
                  .ffn = 4096, .vocab = 1000};
    c.sys.pim_stacks = 1;
    sys_slo lo, hi, mid;
    char err[1024];
    assert_int_equal(sys_slo_search(&c, lin, 1, 1e-9, &lo, err, sizeof err), 0); /* nothing is that fast */
    assert_int_equal(lo.batch, 0);
    assert_int_equal(sys_slo_search(&c, lin, 1, 1e3, &hi, err, sizeof err), 0); /* everything is */
    assert_int_equal(hi.batch, hi.max_batch);
    assert_true(hi.max_batch > 4);
    double t1 = 0, tmax = hi.tpot_s;
    for (uint32_t i = 0; i < hi.npt; i++)
        if (hi.pt[i].batch == hi.max_batch)
            tmax = hi.pt[i].tpot_s;
    sys_gen_res r;
    c.batch = 1;
    assert_int_equal(sys_gen(&c, &r, err, sizeof err), 0);
    t1 = r.tpot_s;
    sys_gen_res_free(&r);
    double T = (t1 + tmax) / 2;
    assert_int_equal(sys_slo_search(&c, lin, 1, T, &mid, err, sizeof err), 0);
    assert_true(mid.batch >= 1 && mid.batch < mid.max_batch);
    assert_true(mid.tpot_s <= T);
    assert_true(mid.next_tpot_s > T);
    printf("slo: %.4f ms: batch %u at %.4f ms, batch %u at %.4f ms (%u points; largest batch %u)\n", T * 1e3,
           mid.batch, mid.tpot_s * 1e3, mid.batch + 1, mid.next_tpot_s * 1e3, mid.npt, mid.max_batch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roofline),      cmocka_unit_test(test_decode_ops),   cmocka_unit_test(test_placement),
        cmocka_unit_test(test_step_is_sum),   cmocka_unit_test(test_interpolation), cmocka_unit_test(test_refresh_debt),
        cmocka_unit_test(test_capacity),      cmocka_unit_test(test_slo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
