/* pimattn run: a model's decode-step attention on HBM3-PIM stacks, co-simulated (attn.h), reported as
 * text (report.h) and optionally JSON; the command log for `pimattn check-trace`. */
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run.h"
#include "cli.h"
#include "cmd.h"
#include "hbm_cfg.h"
#include "outfile.h"
#include "progress.h"
#include "rng.h"
#include "run_args.h"
#include "cosim.h"

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
    "  --numerics all|N   work items per layer whose numbers are computed and checked [all]\n"
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

#define ERRN 1024

static int bad(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "pimattn run: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return CLI_EXIT_BAD_INPUT;
}

static int choice(const char *opt, const char *text, const char *a, const char *b, int *out)
{
    if (!strcmp(text, a))
        return *out = 0, 0;
    if (!strcmp(text, b))
        return *out = 1, 0;
    fprintf(stderr, "pimattn run: %s: '%s' (allowed: %s, %s)\n", opt, text, a, b);
    return -1;
}

/* The options as given. */
typedef struct run_opts {
    const char *model_name, *model_file, *ctx_text, *ctx_file, *hbm_text, *rtl_spec, *json, *logp, *power;
    const char *layers_text, *wave, *wave_bank, *data, *outputs;
    int logit_given, tree, acc16, splitk, rtl, group_given, host, host_opt, pingpong, outputs_ref, split;
    uint64_t wave_from, wave_cycles, batch, group, lanes, stacks, seed, numerics, threads;
    double logit, host_gbs, host_us, max_rel;
} run_opts;

/* Parses argv into o: 0, 1 (--help printed: exit 0), or CLI_EXIT_BAD_INPUT. */
static int parse_opts(int argc, char **argv, run_opts *o)
{
    static const struct option opts[] = {
        {"model", 1, 0, 'm'},         {"model-file", 1, 0, 'M'},   {"batch", 1, 0, 'b'},    {"ctx", 1, 0, 'c'},
        {"ctx-file", 1, 0, 'C'},      {"gemv", 1, 0, 'g'},         {"group", 1, 0, 'G'},    {"acc", 1, 0, 'a'},
        {"softmax", 1, 0, 's'},       {"softmax-lanes", 1, 0, 'S'}, {"hbm", 1, 0, 'H'},     {"stacks", 1, 0, 'k'},
        {"power-limit", 1, 0, 'P'},   {"layers", 1, 0, 'l'},       {"mode", 1, 0, 'o'},     {"rtl-banks", 1, 0, 'r'},
        {"numerics", 1, 0, 'n'},      {"logit-scale", 1, 0, 'x'},  {"seed", 1, 0, 'e'},     {"json", 1, 0, 'j'},
        {"log-commands", 1, 0, 'L'},  {"wave", 1, 0, 'w'},         {"wave-bank", 1, 0, 'B'}, {"wave-from", 1, 0, 'f'},
        {"wave-cycles", 1, 0, 'y'},   {"host-tier", 0, 0, 't'},    {"host-bw", 1, 0, 'W'},  {"host-latency", 1, 0, 'T'},
        {"pingpong", 0, 0, 'p'},      {"data", 1, 0, 'D'},         {"max-rel-l2", 1, 0, 'R'}, {"outputs", 1, 0, 'O'},
        {"outputs-ref", 0, 0, 'F'},   {"split", 1, 0, 'X'},        {"threads", 1, 0, 'N'},  {"help", 0, 0, 'h'},
        {0, 0, 0, 0}};
    *o = (run_opts){.hbm_text = "attacc-hbm3-5200", .layers_text = "1", .wave_cycles = 4000, .lanes = 16,
                    .stacks = 5, .seed = 1, .logit = 1.0, .host_gbs = 64, .host_us = 10, .split = PLAN_SPLIT_FIT};
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        int rc = 0;
        switch (c) {
        case 'm': o->model_name = optarg; break;
        case 'M': o->model_file = optarg; break;
        case 'b': rc = cli_u64("run", "--batch", optarg, 1, RUN_MAX_BATCH, &o->batch); break;
        case 'c': o->ctx_text = optarg; break;
        case 'C': o->ctx_file = optarg; break;
        case 'g': rc = choice("--gemv", optarg, "systolic", "tree", &o->tree); break;
        case 'G': rc = cli_u64("run", "--group", optarg, 1, 16, &o->group), o->group_given = 1; break;
        case 'a': rc = choice("--acc", optarg, "fp32", "fp16", &o->acc16); break;
        case 's': rc = choice("--softmax", optarg, "buffer", "splitk", &o->splitk); break;
        case 'S': rc = cli_u64("run", "--softmax-lanes", optarg, 1, 16, &o->lanes); break;
        case 'H': o->hbm_text = optarg; break;
        case 'k': rc = cli_u64("run", "--stacks", optarg, 1, 64, &o->stacks); break;
        case 'P': o->power = optarg; break;
        case 'l': o->layers_text = optarg; break;
        case 'o': rc = choice("--mode", optarg, "fast", "rtl", &o->rtl); break;
        case 'r': o->rtl_spec = optarg; break;
        case 'n': rc = strcmp(optarg, "all") ? cli_u64("run", "--numerics", optarg, 1, UINT32_MAX, &o->numerics) : 0; break;
        case 'x': rc = cli_double("run", "--logit-scale", optarg, 1e-3, 100, &o->logit), o->logit_given = 1; break;
        case 'D': o->data = optarg; break;
        case 'N': rc = strcmp(optarg, "auto") ? cli_u64("run", "--threads", optarg, 1, 64, &o->threads) : 0; break;
        case 'e': rc = cli_u64("run", "--seed", optarg, 0, UINT64_MAX, &o->seed); break;
        case 'j': o->json = optarg; break;
        case 'L': o->logp = optarg; break;
        case 'w': o->wave = optarg; break;
        case 'B': o->wave_bank = optarg; break;
        case 'f': rc = cli_u64("run", "--wave-from", optarg, 0, UINT64_MAX / 2, &o->wave_from); break;
        case 'y': rc = cli_u64("run", "--wave-cycles", optarg, 1, 100000000, &o->wave_cycles); break;
        case 't': o->host = 1; break;
        case 'p': o->pingpong = 1; break;
        case 'W': rc = cli_double("run", "--host-bw", optarg, 0.001, 1e6, &o->host_gbs), o->host_opt = 1; break;
        case 'T': rc = cli_double("run", "--host-latency", optarg, 0, 1e6, &o->host_us), o->host_opt = 1; break;
        case 'R': rc = cli_double("run", "--max-rel-l2", optarg, 1e-12, 1e6, &o->max_rel); break;
        case 'O': o->outputs = optarg; break;
        case 'F': o->outputs_ref = 1; break;
        case 'X':
            o->split = !strcmp(optarg, "off") ? PLAN_SPLIT_OFF : !strcmp(optarg, "fit") ? PLAN_SPLIT_FIT
                     : !strcmp(optarg, "balance") ? PLAN_SPLIT_BALANCE : -1;
            if (o->split < 0)
                rc = (fprintf(stderr, "pimattn run: --split: '%s' (allowed: off, fit, balance)\n", optarg), -1);
            break;
        case 'h': fputs(run_help, stdout); return 1;
        default: return cli_bad_option("run", argc, argv, optind, optopt);
        }
        if (rc)
            return CLI_EXIT_BAD_INPUT;
    }
    if (optind < argc)
        return bad("unexpected argument '%s' (options start with --; see --help)", argv[optind]);
    return 0;
}

/* Options that exclude or need each other. */
static int check_opts(const run_opts *o)
{
    if (o->model_name && o->model_file)
        return bad("--model and --model-file are mutually exclusive");
    if (o->ctx_text && o->ctx_file)
        return bad("--ctx and --ctx-file are mutually exclusive");
    if (o->rtl_spec && !o->rtl)
        return bad("--rtl-banks needs --mode rtl");
    if (o->data && o->logit_given)
        return bad("--data and --logit-scale are mutually exclusive (the scale applies to generated queries)");
    if (o->host_opt && !o->host)
        return bad("--host-bw and --host-latency need --host-tier");
    if (o->host && !o->splitk)
        return bad("--host-tier needs --softmax splitk (the buffer flow's one softmax row per head is on the buffer "
                   "die, the host's tokens are not)");
    if (o->wave && !o->rtl)
        return bad("--wave needs --mode rtl (the waveform is a Verilated unit's)");
    if (!o->wave && o->wave_bank)
        return bad("--wave-bank needs --wave FILE");
    if (o->outputs_ref && !o->outputs)
        return bad("--outputs-ref needs --outputs FILE");
    if (o->tree && o->group_given && o->group != 1)
        return bad("--group applies to --gemv systolic (the tree unit has one row)");
    if (o->lanes & (o->lanes - 1))
        return bad("--softmax-lanes: %" PRIu64 " (allowed: 1, 2, 4, 8, 16)", o->lanes);
    return 0;
}

/* Model, group and HBM configuration into c; 0 or CLI_EXIT_BAD_INPUT. */
static int configure_model_hbm(run_opts *o, attn_cfg *c)
{
    char err[ERRN];
    if (o->model_file) {
        if (model_load(o->model_file, &c->m, err, sizeof err))
            return bad("--model-file: %s", err);
    } else if (model_preset(o->model_name ? o->model_name : "llama2-70b", &c->m)) {
        return bad("--model: unknown model '%s' (allowed: %s)", o->model_name, model_preset_names);
    }
    const uint32_t G = model_group(&c->m);
    if (!o->tree && !o->group_given) /* all of them, or the largest divisor a unit's 16 rows can hold */
        for (o->group = G < 16 ? G : 16; G % o->group; o->group--)
            ;
    if (!o->tree && G % o->group)
        return bad("--group: %" PRIu64 " does not divide the model's %u query heads per KV head (allowed: a divisor of %u)",
                   o->group, G, G);
    if (hbm_cfg_resolve(o->hbm_text, &c->hbm, err, sizeof err))
        return bad("--hbm: %s", err);
    c->hbm.stacks = (uint32_t)o->stacks;
    if (o->power) {
        int off;
        if (choice("--power-limit", o->power, "on", "off", &off))
            return CLI_EXIT_BAD_INPUT;
        c->hbm.power_limit = !off;
    }
    if (hbm_cfg_validate(&c->hbm, err, sizeof err))
        return bad("--hbm: %s", err);
    return 0;
}

/* The batch and each request's context length (*lens allocated); 0 or CLI_EXIT_BAD_INPUT. */
static int configure_ctx(run_opts *o, uint32_t **lens)
{
    char err[ERRN];
    uint32_t *ctx = NULL, nctx = 0;
    if (o->data && !o->ctx_file && !o->ctx_text) { /* the file's batch and lengths */
        if (kvdata_peek(o->data, &nctx, &ctx, err, sizeof err))
            return bad("--data: %s", err);
        if (o->batch && o->batch != nctx) {
            free(ctx);
            return bad("--data: the file has %u requests, --batch %" PRIu64 " (allowed: the file's batch, or no --batch)",
                       nctx, o->batch);
        }
        o->batch = nctx;
    }
    if (o->ctx_file && run_parse_ctx_file(o->ctx_file, &ctx, &nctx))
        return CLI_EXIT_BAD_INPUT;
    if (o->ctx_text && run_parse_ctx_list(o->ctx_text, &ctx, &nctx))
        return CLI_EXIT_BAD_INPUT;
    if (!o->batch)
        o->batch = o->ctx_file ? nctx : (ctx && nctx > 1 ? nctx : 4);
    if (ctx && nctx > 1 && nctx != o->batch) {
        free(ctx);
        return bad("%u context lengths given for --batch %" PRIu64 " (allowed: one length, or one per request)", nctx,
                   o->batch);
    }
    uint32_t *v = malloc(o->batch * sizeof *v);
    if (!v)
        return free(ctx), bad("out of memory");
    rng r;
    rng_seed(&r, o->seed ^ 0xC7Cu);
    for (uint64_t i = 0; i < o->batch; i++)
        v[i] = ctx ? ctx[nctx > 1 ? i : 0] : 1024 + (uint32_t)rng_below(&r, 1025);
    free(ctx);
    *lens = v;
    return 0;
}

/* The Verilated builds and units of --mode rtl (rbank, rchan allocated); 0 or CLI_EXIT_BAD_INPUT. */
static int configure_rtl(const run_opts *o, attn_cfg *c, uint8_t **rbank, uint8_t **rchan)
{
    const unsigned nch = c->hbm.stacks * c->hbm.channels, upc = hbm_cfg_banks_per_pc(&c->hbm) / (o->pingpong ? 2 : 1),
                   bch = upc * c->hbm.pcs; /* GEMV units per PC and per channel */
    *rbank = calloc((size_t)nch * bch, 1);
    *rchan = calloc(nch, 1);
    if (!*rbank || !*rchan)
        return bad("out of memory");
    if (run_parse_rtl_banks(o->rtl_spec ? o->rtl_spec : "pc", &c->hbm, upc, *rbank, *rchan))
        return CLI_EXIT_BAD_INPUT;
    /* the backend chooses the builds; asking it now turns a missing build into bad input before any work */
    const gemv_cfg g = {(int)c->group, (int)(c->m.head_dim / 16), 4, c->acc_fp32};
    const char *gname, *sname;
    char lerr[1024];
    if (backend_rtl_builds(&g, &c->smu, &gname, &sname, lerr, sizeof lerr))
        return bad("--mode rtl: %s", lerr);
    if (!gemv_build_load(gname, lerr, sizeof lerr) || !sm_build_load(sname, lerr, sizeof lerr))
        return bad("--mode rtl: %s", lerr);
    c->rtl = 1;
    c->rtl_bank = *rbank;
    c->rtl_channel = *rchan;
    if (!o->wave)
        return 0;
    long u = -1;
    if (o->wave_bank) {
        if (run_parse_wave_bank(o->wave_bank, &c->hbm, bch, &u))
            return CLI_EXIT_BAD_INPUT;
        if (!(*rbank)[u])
            return bad("--wave-bank: %s is not one of the --rtl-banks", o->wave_bank);
    }
    for (size_t b = 0; b < (size_t)nch * bch && u < 0; b++)
        if ((*rbank)[b])
            u = (long)b;
    c->wave_unit = u;
    c->wave_from = o->wave_from;
    c->wave_cycles = o->wave_cycles;
    return 0;
}

static void on_progress(void *ctx, double done) { progress_update(ctx, done, 0); }

/* The outputs and inputs of the run, checked before any work; 0 or CLI_EXIT_BAD_INPUT. */
typedef struct run_files {
    out_set *set;
    out_file *json, *log, *wave, *sav, *outputs;
    char sav_name[4096];
} run_files;

static int plan_files(const run_opts *o, run_files *f)
{
    char err[ERRN];
    if (!(f->set = out_set_new()))
        return bad("out of memory");
    f->json = out_add(f->set, "--json", o->json);
    f->log = out_add(f->set, "--log-commands", o->logp);
    f->outputs = out_add(f->set, "--outputs", o->outputs);
    f->wave = out_add(f->set, "--wave", o->wave);
    if (o->wave) {
        snprintf(f->sav_name, sizeof f->sav_name, "%s.gtkw", o->wave);
        f->sav = out_add(f->set, "--wave (its .gtkw save file)", f->sav_name);
    }
    out_add_input(f->set, "--data", o->data);
    out_add_input(f->set, "--ctx-file", o->ctx_file);
    out_add_input(f->set, "--model-file", o->model_file);
    out_add_input(f->set, "--hbm", o->hbm_text);
    if (out_check(f->set, err, sizeof err))
        return bad("%s", err);
    return 0;
}

/* Opens the outputs written during the run; 0 or 1 (cannot create a temporary: exit 1). */
static int open_files(run_files *f, attn_cfg *c, run_outputs *ow, const run_opts *o)
{
    char err[ERRN];
    if (f->log && !(c->log = out_open(f->log, err, sizeof err)))
        goto fail;
    if (f->wave && !(c->wave_path = out_path(f->wave, err, sizeof err)))
        goto fail;
    if (f->outputs) {
        if (!(ow->f = out_open(f->outputs, err, sizeof err)))
            goto fail;
        ow->with_ref = o->outputs_ref;
        run_outputs_header(ow, c->layers, c->batch, c->m.heads, c->m.head_dim);
        c->on_output = run_outputs_record;
        c->out_ctx = ow;
    }
    return 0;
fail:
    fprintf(stderr, "pimattn run: %s\n", err);
    return 1;
}

/* Writes the JSON and the save file, commits every output; 0, or 1 with the first failure printed. */
static int finish_files(run_files *f, const attn_cfg *c, const attn_res *r, const report_info *in, const report_fig *fig,
                        const run_opts *o)
{
    char err[ERRN];
    FILE *j;
    if (f->json && (!(j = out_open(f->json, err, sizeof err)) || report_json(j, c, r, in, fig) ||
                    out_commit(f->json, err, sizeof err)))
        goto fail;
    if (f->log && out_commit(f->log, err, sizeof err))
        goto fail;
    if (f->outputs && out_commit(f->outputs, err, sizeof err))
        goto fail;
    if (f->wave) {
        const char *base = strrchr(o->wave, '/');
        FILE *s;
        if (r->be.wave_failed) {
            out_writer_failed(f->wave, err, sizeof err);
            goto fail;
        }
        const vgemv_ops *ops = gemv_build_find(r->be.rtl_gemv_build);
        if (!ops)
            snprintf(err, sizeof err, "--wave: the build %s is gone", r->be.rtl_gemv_build);
        if (!ops || !(s = out_open(f->sav, err, sizeof err)) || gemv_gtkw_emit(ops, s, base ? base + 1 : o->wave) ||
            out_commit(f->sav, err, sizeof err) || out_commit(f->wave, err, sizeof err))
            goto fail;
        printf("  waveform: bank unit %ld, DRAM cycles %llu..%llu: %s (open with: gtkwave %s %s)\n", c->wave_unit,
               (unsigned long long)c->wave_from, (unsigned long long)(c->wave_from + c->wave_cycles), o->wave, o->wave,
               f->sav_name);
    }
    return 0;
fail:
    fprintf(stderr, "pimattn run: %s\n", err);
    return 1;
}

/* Runs, prints the report, applies the checks; the exit status. */
static int run_and_report(const run_opts *o, attn_cfg *c, run_files *files)
{
    char err[ERRN];
    run_outputs ow = {0};
    if (open_files(files, c, &ow, o))
        return 1;
    progress prog;
    progress_init(&prog, "pimattn run");
    c->progress = on_progress;
    c->progress_ctx = &prog;
    attn_res res;
    int rc = attn_run(c, &res, err, sizeof err);
    progress_done(&prog);
    if (rc) {
        fprintf(stderr, "pimattn run: %s\n", err);
        attn_res_free(&res);
        return rc == 2 ? CLI_EXIT_BAD_INPUT : 1;
    }
    report_fig fig;
    report_derive(c, &res, &fig);
    uint32_t cmin = UINT32_MAX, cmax = 0;
    double csum = 0;
    for (uint32_t i = 0; i < c->batch; i++) {
        cmin = c->ctx[i] < cmin ? c->ctx[i] : cmin;
        cmax = c->ctx[i] > cmax ? c->ctx[i] : cmax;
        csum += c->ctx[i];
    }
    report_info info = {.model = c->m.name, .hbm = c->hbm.name, .mode = o->rtl ? "rtl" : "fast",
                        .gemv = o->tree ? "tree" : "systolic", .acc = o->acc16 ? "fp16" : "fp32",
                        .softmax = o->splitk ? "splitk" : "buffer", .group = o->tree ? model_group(&c->m) : c->group,
                        .ctx_min = cmin, .ctx_max = cmax, .ctx_mean = csum / c->batch,
                        .rtl_banks = o->rtl_spec ? o->rtl_spec : "pc", .seed = o->seed};
    report_text(stdout, c, &res, &info, &fig);
    int status = 0;
    if (fig.layer_cycles < (double)fig.lower_bound) {
        fprintf(stderr, "pimattn run: analytic cross-check failed: %.0f cycles per layer is below the lower bound %llu\n",
                fig.layer_cycles, (unsigned long long)fig.lower_bound);
        status = 1;
    }
    if (status == 0)
        status = finish_files(files, c, &res, &info, &fig, o);
    if (status == 0 && o->max_rel > 0 && (fig.over_heads || fig.nonfinite_heads)) {
        fprintf(stderr, "pimattn run: --max-rel-l2 %g: %llu checked head(s) above it (max %.3e), %llu non-finite\n",
                o->max_rel, (unsigned long long)fig.over_heads, fig.max_rel_l2, (unsigned long long)fig.nonfinite_heads);
        status = 1;
    }
    attn_res_free(&res);
    return status;
}

int cmd_run(int argc, char **argv)
{
    run_opts o;
    int status = parse_opts(argc, argv, &o);
    if (status)
        return status == 1 ? 0 : status;
    if ((status = check_opts(&o)))
        return status;
    attn_cfg c;
    memset(&c, 0, sizeof c);
    uint32_t *lens = NULL;
    uint8_t *rbank = NULL, *rchan = NULL;
    run_files files = {0};
    if ((status = configure_model_hbm(&o, &c)) || (status = configure_ctx(&o, &lens)))
        goto done;
    uint64_t layers = c.m.layers;
    status = CLI_EXIT_BAD_INPUT;
    if (strcmp(o.layers_text, "all") && (cli_parse_u64(o.layers_text, 0, &layers) || layers < 1 || layers > c.m.layers)) {
        fprintf(stderr, "pimattn run: --layers: '%s' (allowed: all, or 1..%u: the model's layers)\n", o.layers_text,
                c.m.layers);
        goto done;
    }
    c.batch = (uint32_t)o.batch;
    c.ctx = lens;
    c.systolic = !o.tree;
    c.pingpong = o.pingpong;
    c.group = o.tree ? 1 : (uint32_t)o.group;
    c.acc_fp32 = !o.acc16;
    c.splitk = o.splitk;
    c.smu = (smu_cfg){(int)o.lanes, 16, o.acc16, (int)c.m.head_dim};
    c.seed = o.seed;
    c.logit_scale = o.logit;
    c.data_path = o.data;
    c.numerics = (uint32_t)o.numerics;
    c.max_rel_l2 = o.max_rel;
    c.threads = (unsigned)o.threads;
    c.split = o.split;
    c.host_tier = o.host;
    c.host_gbs = o.host_gbs;
    c.host_latency_us = o.host_us;
    c.layers = (uint32_t)layers;
    const char *why = smu_cfg_check(&c.smu);
    if (why) {
        fprintf(stderr, "pimattn run: softmax unit for head_dim %u with %" PRIu64 " lanes: %s\n", c.m.head_dim, o.lanes, why);
        goto done;
    }
    if ((o.rtl && (status = configure_rtl(&o, &c, &rbank, &rchan))) || (status = plan_files(&o, &files)))
        goto done;
    status = run_and_report(&o, &c, &files);
done:
    out_set_free(files.set);
    free(rbank);
    free(rchan);
    free(lens);
    return status;
}
