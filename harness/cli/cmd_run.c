/* pimattn run: a model's decode-step attention on HBM3-PIM stacks, co-simulated (run.h), reported as
 * text and optionally JSON; the command log for `pimattn check-trace`. This file: the options (cmd_run.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_run.h"
#include "run_args.h"

static const char *run_help =
    "usage: pimattn run [options]\n"
    "Decode-step attention of a model on HBM3-PIM stacks: the KV cache placed on channels and banks, every\n"
    "command through the HBM timing model, the GEMV and softmax units computing real numbers (golden model,\n"
    "or Verilated RTL for selected banks), checked against FP64 attention. Defaults in brackets.\n"
    "  --model NAME       preset [llama2-70b]: gpt3-175b, llama1-65b, llama2-70b, llama3-8b, llama3-70b,\n"
    "                     llama31-405b, mistral-7b, falcon-7b, falcon-40b, falcon-180b, opt-66b, mtnlg-530b\n"
    "  --model-file F     a model as YAML (keys: name, layers, d_model, heads, kv_heads, head_dim, ffn, ctx, window)\n"
    "  --batch N          requests [4; with --ctx-file: its number of lines]\n"
    "  --ctx N[,N...]     tokens per request: one length for all, or one per request [seeded random 1024..2048]\n"
    "  --ctx-file F       one length per line ('#' comments): a ragged batch\n"
    "  --gemv tree|systolic   bank GEMV unit [systolic]: tree = AttAcc's unit (G passes over K/V for GQA)\n"
    "  --pingpong         two banks of a bank group share one GEMV unit and alternate rows, so one streams\n"
    "                     while the other switches rows (half the units; MACBG/ACTBG/PRE per bank set)\n"
    "  --group G          query heads per systolic unit (1..16), divides the model's heads per KV head [all of\n"
    "                     them, or their largest divisor <= 16: Falcon-7B's 71 gives 1]\n"
    "  --acc fp16|fp32    GEMV accumulation [fp32]; fp16 = AttAcc's datapath (scores to the softmax unit in FP16)\n"
    "  --kv-format fp16|bf16|int8  the format of K, V and the queries in the bank units [fp16]; bf16 and int8\n"
    "                     accumulate in FP32 (not with --acc fp16); bf16 rounds the seeded data to BF16 (not with\n"
    "                     --data); int8 quantises it: K and V in blocks of --kv-block tokens, one FP16 scale each,\n"
    "                     32 values per burst (half the bytes), the queries and probabilities with their own scales\n"
    "  --kv-block B       int8: tokens per quantisation block, a multiple of 32 (32..8192) [32]\n"
    "  --softmax buffer|splitk  one softmax row per head on the buffer die, or one per V partition merged by\n"
    "                     log-sum-exp [buffer]\n"
    "  --softmax-lanes N  softmax unit lanes: 1, 2, 4, 8, 16 [16]\n"
    "  --hbm P            HBM preset (hbm3-6400, attacc-hbm3-5200) or YAML file [attacc-hbm3-5200]\n"
    "  --stacks N         HBM stacks (1..64) [5, one AttAcc device]\n"
    "  --power-limit on|off   override the preset's MAC power limit\n"
    "  --layers N|all     layers to simulate; the others repeat their timing [1]\n"
    "  --split off|fit|balance  a work item's KV cache on one channel (off), split over channels of a stack\n"
    "                     when a channel cannot hold it (fit), or also to spread long items over every\n"
    "                     channel (balance); parts are merged by log-sum-exp on the buffer die [fit]\n"
    "  --host-tier        a KV cache too large for the stacks keeps the overflow tokens on the host, merged\n"
    "                     exactly by log-sum-exp on the buffer die (needs --softmax splitk); without it such a\n"
    "                     batch is refused\n"
    "  --host-bw GB/s     the host's bandwidth over its tokens' K and V [64]\n"
    "  --host-latency US  the host part's round trip (query out, partial back) in microseconds [10]\n"
    "  --mode fast|rtl    golden model only, or Verilated GEMV/softmax units on --rtl-banks [fast]\n"
    "  --rtl-banks SPEC   pc (stack 0, channel 0, pseudo-channel 0), channel (stack 0, channel 0), all, or a\n"
    "                     comma list of S.C (a channel) and S.C.P (a pseudo-channel) [pc]\n"
    "  --numerics all|N   work items per layer whose numbers are computed and checked [all in the first\n"
    "                     layer, every 64th in the others]\n"
    "  --logit-scale X    queries ~ N(0, X^2), keys and values ~ N(0, 1) [1]\n"
    "  --data FILE        q, K, V from a file (format in docs/outputs.md: per data set, request, KV head: K, V,\n"
    "                     then the group's queries, FP16); its batch and lengths unless --batch/--ctx are given\n"
    "  --seed S           data and random context lengths [1]\n"
    "  --threads N|auto   fast mode: threads computing the numbers while the timing goes on (the results are\n"
    "                     the same for any N; 1: one thread does everything) [auto: the online CPUs]\n"
    "  --max-rel-l2 X     exit 1 when a checked query head's rel-L2 error against FP64 exceeds X or its\n"
    "                     output is not finite (a numerics gate for scripts and CI)\n"
    "  --json FILE        the report as JSON\n"
    "  --log-commands FILE  the command log (docs/hbm.md v1) for pimattn check-trace\n"
    "  --outputs FILE     every checked query head's output (FP32 and FP16) in the binary format of\n"
    "                     docs/outputs.md, to compare with another framework\n"
    "  --outputs-ref      with --outputs: add the FP64 reference of each head\n"
    "  --wave FILE        rtl mode: an FST of one Verilated bank unit (and FILE.gtkw for GTKWave); that\n"
    "                     unit is clocked with the DRAM, so its cycles are the command log's\n"
    "  --wave-bank S.C.B  the unit: stack, channel, unit in the channel (0..63; 0..31 ping-pong) [the first RTL one]\n"
    "  --wave-from CYCLE  first DRAM cycle dumped [0]      --wave-cycles N  cycles dumped [4000]\n"
    "  --help             this text\n"
    "Output files are checked before the run and written whole or not at all (an existing file is\n"
    "replaced only when the run succeeds; devices and FIFOs are written in place).\n"
    "Exit status: 0 done, 1 a check failed (RTL mismatch, schedule refused, --max-rel-l2) or an output\n"
    "could not be written, 2 bad input.\n";


static const char *const gemv_words[] = {"systolic", "tree", NULL}, *const acc_words[] = {"fp32", "fp16", NULL},
                         *const kv_words[] = {"fp16", "bf16", "int8", NULL},
                         *const sm_words[] = {"buffer", "splitk", NULL}, *const mode_words[] = {"fast", "rtl", NULL},
                         *const on_off_words[] = {"on", "off", NULL}, *const all_words[] = {"all", NULL},
                         *const auto_words[] = {"auto", NULL}, *const split_words[] = {"off", "fit", "balance", NULL};

/* The option table of pimattn run, pointing into o, into t (CMD_MAX_OPTS entries); the number of options. */
static int run_table(run_opts *o, cli_opt *t)
{
    const cli_opt opts[] = {
        CLI_OPT_STR("model", &o->model_name),
        CLI_OPT_STR("model-file", &o->model_file),
        CLI_OPT_U64("batch", &o->batch, 1, RUN_MAX_BATCH),
        CLI_OPT_STR("ctx", &o->ctx_text),
        CLI_OPT_STR("ctx-file", &o->ctx_file),
        CLI_OPT_CHOICE("gemv", &o->tree, gemv_words),
        {.name = "group", .kind = CLI_U64, .dst = &o->group, .lo = 1, .hi = 16, .given = &o->group_given},
        CLI_OPT_CHOICE("acc", &o->acc16, acc_words),
        CLI_OPT_CHOICE("kv-format", &o->kvfmt, kv_words),
        {.name = "kv-block", .kind = CLI_U64, .dst = &o->kv_block, .lo = 32, .hi = 8192, .given = &o->kv_block_given},
        CLI_OPT_CHOICE("softmax", &o->splitk, sm_words),
        CLI_OPT_U64("softmax-lanes", &o->lanes, 1, 16),
        CLI_OPT_STR("hbm", &o->hbm_text),
        CLI_OPT_U64("stacks", &o->stacks, 1, 64),
        CLI_OPT_CHOICE("power-limit", &o->power, on_off_words),
        CLI_OPT_STR("layers", &o->layers_text),
        CLI_OPT_CHOICE("mode", &o->rtl, mode_words),
        CLI_OPT_STR("rtl-banks", &o->rtl_spec),
        {.name = "numerics", .kind = CLI_U64, .dst = &o->numerics, .lo = 1, .hi = UINT32_MAX, .words = all_words,
         .given = &o->numerics_given},
        {.name = "logit-scale", .kind = CLI_DOUBLE, .dst = &o->logit, .dlo = 1e-3, .dhi = 100, .given = &o->logit_given},
        CLI_OPT_U64("seed", &o->seed, 0, UINT64_MAX),
        CLI_OPT_STR("json", &o->json),
        CLI_OPT_STR("log-commands", &o->logp),
        CLI_OPT_STR("wave", &o->wave),
        CLI_OPT_STR("wave-bank", &o->wave_bank),
        CLI_OPT_U64("wave-from", &o->wave_from, 0, UINT64_MAX / 2),
        CLI_OPT_U64("wave-cycles", &o->wave_cycles, 1, 100000000),
        CLI_OPT_FLAG("host-tier", &o->host),
        {.name = "host-bw", .kind = CLI_DOUBLE, .dst = &o->host_gbs, .dlo = 0.001, .dhi = 1e6, .given = &o->host_opt},
        {.name = "host-latency", .kind = CLI_DOUBLE, .dst = &o->host_us, .dlo = 0, .dhi = 1e6, .given = &o->host_opt},
        CLI_OPT_FLAG("pingpong", &o->pingpong),
        CLI_OPT_STR("data", &o->data),
        CLI_OPT_DOUBLE("max-rel-l2", &o->max_rel, 1e-12, 1e6),
        CLI_OPT_STR("outputs", &o->outputs),
        CLI_OPT_FLAG("outputs-ref", &o->outputs_ref),
        CLI_OPT_CHOICE("split", &o->split, split_words),
        {.name = "threads", .kind = CLI_U64, .dst = &o->threads, .lo = 1, .hi = 64, .words = auto_words},
    };
    _Static_assert(CLI_NOPTS(opts) <= CMD_MAX_OPTS, "run: too many options");
    memcpy(t, opts, sizeof opts);
    return CLI_NOPTS(opts);
}

int cmd_run_options(cli_opt *out, int max)
{
    run_opts scratch;
    cli_opt t[CMD_MAX_OPTS];
    return cli_opts_export(t, run_table(&scratch, t), out, max);
}

/* Parses argv into o: CLI_GO, 0 (--help printed), or CLI_EXIT_BAD_INPUT. */
static int parse_opts(int argc, char **argv, run_opts *o)
{
    *o = (run_opts){.hbm_text = "attacc-hbm3-5200", .layers_text = "1", .wave_cycles = 4000, .lanes = 16, .kv_block = 32,
                    .stacks = 5, .seed = 1, .logit = 1.0, .host_gbs = 64, .host_us = 10, .split = PLAN_SPLIT_FIT,
                    .power = -1};
    cli_opt t[CMD_MAX_OPTS];
    int n = run_table(o, t);
    return cli_options("run", run_help, t, n, argc, argv, NULL);
}

/* Options that exclude or need each other. */
static int check_opts(const run_opts *o)
{
    if (o->model_name && o->model_file)
        return cli_bad("run", "--model and --model-file are mutually exclusive");
    if (o->ctx_text && o->ctx_file)
        return cli_bad("run", "--ctx and --ctx-file are mutually exclusive");
    if (o->rtl_spec && !o->rtl)
        return cli_bad("run", "--rtl-banks needs --mode rtl");
    if (o->data && o->logit_given)
        return cli_bad("run", "--data and --logit-scale are mutually exclusive (the scale applies to generated queries)");
    if (o->host_opt && !o->host)
        return cli_bad("run", "--host-bw and --host-latency need --host-tier");
    if (o->host && !o->splitk)
        return cli_bad("run", "--host-tier needs --softmax splitk (the buffer flow's one softmax row per head is on the buffer "
                   "die, the host's tokens are not)");
    if (o->wave && !o->rtl)
        return cli_bad("run", "--wave needs --mode rtl (the waveform is a Verilated unit's)");
    if (!o->wave && o->wave_bank)
        return cli_bad("run", "--wave-bank needs --wave FILE");
    if (o->outputs_ref && !o->outputs)
        return cli_bad("run", "--outputs-ref needs --outputs FILE");
    if (o->tree && o->group_given && o->group != 1)
        return cli_bad("run", "--group applies to --gemv systolic (the tree unit has one row)");
    if (o->kvfmt && o->acc16)
        return cli_bad("run", "--kv-format %s accumulates in FP32 (allowed with it: --acc fp32)", kv_words[o->kvfmt]);
    if (o->kvfmt == 1 && o->data)
        return cli_bad("run", "--kv-format bf16 and --data are mutually exclusive (a data file holds FP16 values)");
    if (o->kv_block_given && o->kvfmt != 2)
        return cli_bad("run", "--kv-block applies to --kv-format int8 (allowed: --kv-block with --kv-format int8 only)");
    if (o->kv_block % 32)
        return cli_bad("run", "--kv-block: %" PRIu64 " (allowed: a multiple of 32, the tokens of a probability word)",
                       o->kv_block);
    if (o->lanes & (o->lanes - 1))
        return cli_bad("run", "--softmax-lanes: %" PRIu64 " (allowed: 1, 2, 4, 8, 16)", o->lanes);
    return 0;
}

int cmd_run(int argc, char **argv)
{
    run_opts o;
    int status = parse_opts(argc, argv, &o);
    if (status != CLI_GO)
        return status;
    if ((status = check_opts(&o)))
        return status;
    attn_cfg c;
    run_alloc a = {0};
    if (!(status = run_configure(&o, &c, &a)))
        status = run_execute(&o, &c);
    run_config_free(&a);
    return status;
}
