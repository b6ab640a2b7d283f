/* pimattn run: a model's decode-step attention on HBM3-PIM stacks, co-simulated (attn.h), reported as
 * text (report.h) and optionally JSON; the command log for `pimattn check-trace`. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attn.h"
#include "cli.h"
#include "cmd.h"
#include "hbm_cfg.h"
#include "kvdata.h"
#include "model.h"
#include "report.h"
#include "rng.h"
#include "sm_sim.h"

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
    "  --data FILE        q, K, V from a file (format in harness/kvdata.h: per data set, request, KV head: K, V,\n"
    "                     then the group's queries, FP16); its batch and lengths unless --batch/--ctx are given\n"
    "  --seed S           data and random context lengths [1]\n"
    "  --threads N|auto   fast mode: threads computing the numbers while the timing goes on (the results are\n"
    "                     the same for any N; 1: one thread does everything) [auto: the online CPUs]\n"
    "  --json FILE        the report as JSON\n"
    "  --log-commands FILE  the command log (docs/hbm.md v1) for pimattn check-trace\n"
    "  --wave FILE        rtl mode: an FST of one Verilated bank unit (and FILE.gtkw for GTKWave); that\n"
    "                     unit is clocked with the DRAM, so its cycles are the command log's\n"
    "  --wave-bank S.C.B  the unit: stack, channel, unit in the channel (0..63; 0..31 ping-pong) [the first RTL one]\n"
    "  --wave-from CYCLE  first DRAM cycle dumped [0]      --wave-cycles N  cycles dumped [4000]\n"
    "  --help             this text\n"
    "Exit status: 0 done, 1 a check failed (RTL mismatch, schedule refused), 2 bad input.\n";

#define ERRN 1024
#define MAX_BATCH 65536

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

/* "N" or "N,N,...": lengths into *out (allocated), count in *k. */
static int parse_ctx_list(const char *text, uint32_t **out, uint32_t *k)
{
    uint32_t cap = 16, n = 0;
    uint32_t *v = malloc(cap * sizeof *v);
    char *dup = strdup(text), *save = NULL;
    if (!v || !dup)
        return free(v), free(dup), -1;
    for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        uint64_t x;
        if (cli_u64("run", "--ctx", t, 1, 1u << 24, &x))
            return free(v), free(dup), -1;
        if (n == cap && !(v = realloc(v, (cap *= 2) * sizeof *v)))
            return free(dup), -1;
        v[n++] = (uint32_t)x;
    }
    free(dup);
    if (n == 0) {
        fprintf(stderr, "pimattn run: --ctx: '%s' has no length (allowed: N or N,N,... with 1 <= N <= 16777216)\n", text);
        return free(v), -1;
    }
    *out = v, *k = n;
    return 0;
}

static int parse_ctx_file(const char *path, uint32_t **out, uint32_t *k)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "pimattn run: --ctx-file: %s: %s\n", path, strerror(errno));
        return -1;
    }
    uint32_t cap = 64, n = 0;
    uint32_t *v = malloc(cap * sizeof *v);
    char line[256];
    unsigned ln = 0;
    int rc = v ? 0 : -1;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        ln++;
        char *s = line;
        while (*s == ' ' || *s == '\t')
            s++;
        s[strcspn(s, "\r\n")] = '\0';
        if (!*s || *s == '#')
            continue;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        char *end;
        errno = 0;
        unsigned long long x = strtoull(s, &end, 10);
        if (s[0] < '0' || s[0] > '9' || *end || errno || x < 1 || x > (1u << 24)) {
            fprintf(stderr, "pimattn run: %s:%u: '%s' is not a context length (allowed: one integer 1..16777216 per line)\n",
                    path, ln, s);
            rc = -1;
        } else if (n == MAX_BATCH) {
            fprintf(stderr, "pimattn run: %s:%u: more than %d requests\n", path, ln, MAX_BATCH);
            rc = -1;
        } else {
            if (n == cap && !(v = realloc(v, (cap *= 2) * sizeof *v)))
                rc = -1;
            else
                v[n++] = (uint32_t)x;
        }
    }
    fclose(f);
    if (rc == 0 && n == 0) {
        fprintf(stderr, "pimattn run: %s: no context lengths (allowed: one integer 1..16777216 per line)\n", path);
        rc = -1;
    }
    if (rc)
        return free(v), -1;
    *out = v, *k = n;
    return 0;
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

/* The RTL units of a --rtl-banks spec (bpc units per PC) into the per-unit and per-channel masks. */
static int parse_rtl_banks(const char *spec, const hbm_cfg *h, unsigned bpc, uint8_t *bank, uint8_t *chan)
{
    const unsigned bch = bpc * h->pcs, nch = h->stacks * h->channels;
    const char *use = !strcmp(spec, "pc") ? "0.0.0" : !strcmp(spec, "channel") ? "0.0" : spec;
    if (!strcmp(spec, "all")) {
        memset(bank, 1, (size_t)nch * bch);
        memset(chan, 1, nch);
        return 0;
    }
    char *dup = strdup(use), *save = NULL;
    if (!dup)
        return -1;
    int rc = 0;
    for (char *t = strtok_r(dup, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
        unsigned s, c, p = 0;
        char extra;
        int k = sscanf(t, "%u.%u.%u%c", &s, &c, &p, &extra);
        if (k < 2 || k > 3 || (k == 2 && sscanf(t, "%u.%u%c", &s, &c, &extra) != 2) || s >= h->stacks ||
            c >= h->channels || p >= h->pcs) {
            fprintf(stderr, "pimattn run: --rtl-banks: '%s' (allowed: pc, channel, all, or S.C / S.C.P with S < %u, C < %u, "
                            "P < %u)\n", t, h->stacks, h->channels, h->pcs);
            rc = -1;
            break;
        }
        unsigned ch = s * h->channels + c;
        chan[ch] = 1;
        for (unsigned b = (k == 3 ? p * bpc : 0); b < (k == 3 ? (p + 1) * bpc : bch); b++)
            bank[(size_t)ch * bch + b] = 1;
    }
    free(dup);
    return rc;
}

typedef struct progress_state {
    double t0;
    int shown;
} progress_state;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A progress bar on stderr (a terminal only), once the run has taken a second. */
static void progress(void *ctx, double done)
{
    progress_state *p = ctx;
    if (now_s() - p->t0 < 1.0)
        return;
    int w = (int)(done * 40 + 0.5);
    fprintf(stderr, "\rpimattn run [%.*s%*s] %3.0f%%", w, "========================================", 40 - w, "", 100 * done);
    fflush(stderr);
    p->shown = 1;
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        {"model", 1, 0, 'm'},         {"model-file", 1, 0, 'M'},   {"batch", 1, 0, 'b'},    {"ctx", 1, 0, 'c'},
        {"ctx-file", 1, 0, 'C'},      {"gemv", 1, 0, 'g'},         {"group", 1, 0, 'G'},    {"acc", 1, 0, 'a'},
        {"softmax", 1, 0, 's'},       {"softmax-lanes", 1, 0, 'S'}, {"hbm", 1, 0, 'H'},     {"stacks", 1, 0, 'k'},
        {"power-limit", 1, 0, 'P'},   {"layers", 1, 0, 'l'},       {"mode", 1, 0, 'o'},     {"rtl-banks", 1, 0, 'r'},
        {"numerics", 1, 0, 'n'},      {"logit-scale", 1, 0, 'x'},  {"seed", 1, 0, 'e'},     {"json", 1, 0, 'j'},
        {"log-commands", 1, 0, 'L'},  {"wave", 1, 0, 'w'},         {"wave-bank", 1, 0, 'B'}, {"wave-from", 1, 0, 'f'},
        {"wave-cycles", 1, 0, 'y'},   {"host-tier", 0, 0, 't'},    {"host-bw", 1, 0, 'W'},  {"host-latency", 1, 0, 'T'},
        {"pingpong", 0, 0, 'p'},     {"data", 1, 0, 'D'},         {"threads", 1, 0, 'N'},
        {"help", 0, 0, 'h'},          {0, 0, 0, 0}};
    const char *model_name = NULL, *model_file = NULL, *ctx_text = NULL, *ctx_file = NULL, *hbm_text = "attacc-hbm3-5200";
    const char *rtl_spec = NULL, *json = NULL, *logp = NULL, *power = NULL, *layers_text = "1", *wave = NULL;
    const char *wave_bank = NULL, *data = NULL;
    int logit_given = 0;
    uint64_t wave_from = 0, wave_cycles = 4000;
    uint64_t batch = 0, group = 0, lanes = 16, stacks = 5, seed = 1, numerics = 0, threads = 0;
    int tree = 0, acc16 = 0, splitk = 0, rtl = 0, group_given = 0, host = 0, host_opt = 0, pingpong = 0;
    double logit = 1.0, host_gbs = 64, host_us = 10;
    optind = 1;
    for (int o; (o = getopt_long(argc, argv, "", opts, NULL)) != -1;) {
        int rc = 0;
        switch (o) {
        case 'm': model_name = optarg; break;
        case 'M': model_file = optarg; break;
        case 'b': rc = cli_u64("run", "--batch", optarg, 1, MAX_BATCH, &batch); break;
        case 'c': ctx_text = optarg; break;
        case 'C': ctx_file = optarg; break;
        case 'g': rc = choice("--gemv", optarg, "systolic", "tree", &tree); break;
        case 'G': rc = cli_u64("run", "--group", optarg, 1, 16, &group), group_given = 1; break;
        case 'a': rc = choice("--acc", optarg, "fp32", "fp16", &acc16); break;
        case 's': rc = choice("--softmax", optarg, "buffer", "splitk", &splitk); break;
        case 'S': rc = cli_u64("run", "--softmax-lanes", optarg, 1, 16, &lanes); break;
        case 'H': hbm_text = optarg; break;
        case 'k': rc = cli_u64("run", "--stacks", optarg, 1, 64, &stacks); break;
        case 'P': power = optarg; break;
        case 'l': layers_text = optarg; break;
        case 'o': rc = choice("--mode", optarg, "fast", "rtl", &rtl); break;
        case 'r': rtl_spec = optarg; break;
        case 'n': rc = strcmp(optarg, "all") ? cli_u64("run", "--numerics", optarg, 1, UINT32_MAX, &numerics) : 0; break;
        case 'x': rc = cli_double("run", "--logit-scale", optarg, 1e-3, 100, &logit), logit_given = 1; break;
        case 'D': data = optarg; break;
        case 'N': rc = strcmp(optarg, "auto") ? cli_u64("run", "--threads", optarg, 1, 64, &threads) : 0; break;
        case 'e': rc = cli_u64("run", "--seed", optarg, 0, UINT64_MAX, &seed); break;
        case 'j': json = optarg; break;
        case 'L': logp = optarg; break;
        case 'w': wave = optarg; break;
        case 'B': wave_bank = optarg; break;
        case 'f': rc = cli_u64("run", "--wave-from", optarg, 0, UINT64_MAX / 2, &wave_from); break;
        case 'y': rc = cli_u64("run", "--wave-cycles", optarg, 1, 100000000, &wave_cycles); break;
        case 't': host = 1; break;
        case 'p': pingpong = 1; break;
        case 'W': rc = cli_double("run", "--host-bw", optarg, 0.001, 1e6, &host_gbs), host_opt = 1; break;
        case 'T': rc = cli_double("run", "--host-latency", optarg, 0, 1e6, &host_us), host_opt = 1; break;
        case 'h': fputs(run_help, stdout); return 0;
        default: fputs(run_help, stderr); return CLI_EXIT_BAD_INPUT;
        }
        if (rc)
            return CLI_EXIT_BAD_INPUT;
    }
    if (optind < argc)
        return bad("unexpected argument '%s' (options start with --; see --help)", argv[optind]);
    if (model_name && model_file)
        return bad("--model and --model-file are mutually exclusive");
    if (ctx_text && ctx_file)
        return bad("--ctx and --ctx-file are mutually exclusive");
    if (rtl_spec && !rtl)
        return bad("--rtl-banks needs --mode rtl");
    if (data && logit_given)
        return bad("--data and --logit-scale are mutually exclusive (the scale applies to generated queries)");
    if (host_opt && !host)
        return bad("--host-bw and --host-latency need --host-tier");
    if (host && !splitk)
        return bad("--host-tier needs --softmax splitk (the buffer flow's one softmax row per head is on the buffer "
                   "die, the host's tokens are not)");
    if (wave && !rtl)
        return bad("--wave needs --mode rtl (the waveform is a Verilated unit's)");
    if (!wave && wave_bank)
        return bad("--wave-bank needs --wave FILE");
    if (tree && group_given && group != 1)
        return bad("--group applies to --gemv systolic (the tree unit has one row)");
    if (lanes & (lanes - 1))
        return bad("--softmax-lanes: %" PRIu64 " (allowed: 1, 2, 4, 8, 16)", lanes);

    attn_cfg c;
    memset(&c, 0, sizeof c);
    char err[ERRN];
    if (model_file) {
        if (model_load(model_file, &c.m, err, sizeof err))
            return bad("--model-file: %s", err);
    } else if (model_preset(model_name ? model_name : "llama2-70b", &c.m)) {
        return bad("--model: unknown model '%s' (allowed: %s)", model_name, model_preset_names);
    }
    const uint32_t G = model_group(&c.m);
    if (!tree && !group_given) /* all of them, or the largest divisor a unit's 16 rows can hold */
        for (group = G < 16 ? G : 16; G % group; group--)
            ;
    if (!tree && G % group)
        return bad("--group: %" PRIu64 " does not divide the model's %u query heads per KV head (allowed: a divisor of %u)",
                   group, G, G);
    if (hbm_cfg_resolve(hbm_text, &c.hbm, err, sizeof err))
        return bad("--hbm: %s", err);
    c.hbm.stacks = (uint32_t)stacks;
    if (power) {
        int off;
        if (choice("--power-limit", power, "on", "off", &off))
            return CLI_EXIT_BAD_INPUT;
        c.hbm.power_limit = !off;
    }
    if (hbm_cfg_validate(&c.hbm, err, sizeof err))
        return bad("--hbm: %s", err);

    uint32_t *ctx = NULL, nctx = 0;
    if (data && !ctx_file && !ctx_text) { /* the file's batch and lengths */
        if (kvdata_peek(data, &nctx, &ctx, err, sizeof err))
            return bad("--data: %s", err);
        if (batch && batch != nctx) {
            free(ctx);
            return bad("--data: the file has %u requests, --batch %" PRIu64, nctx, batch);
        }
        batch = nctx;
    }
    if (ctx_file && parse_ctx_file(ctx_file, &ctx, &nctx))
        return CLI_EXIT_BAD_INPUT;
    if (ctx_text && parse_ctx_list(ctx_text, &ctx, &nctx))
        return CLI_EXIT_BAD_INPUT;
    if (!batch)
        batch = ctx_file ? nctx : (ctx && nctx > 1 ? nctx : 4);
    if (ctx && nctx > 1 && nctx != batch) {
        free(ctx);
        return bad("%u context lengths given for --batch %" PRIu64 " (allowed: one length, or one per request)", nctx, batch);
    }
    uint32_t *lens = malloc(batch * sizeof *lens);
    if (!lens)
        return free(ctx), 1;
    rng r;
    rng_seed(&r, seed ^ 0xC7Cu);
    for (uint64_t i = 0; i < batch; i++)
        lens[i] = ctx ? ctx[nctx > 1 ? i : 0] : 1024 + (uint32_t)rng_below(&r, 1025);
    free(ctx);

    c.batch = (uint32_t)batch;
    c.ctx = lens;
    c.systolic = !tree;
    c.pingpong = pingpong;
    c.group = tree ? 1 : (uint32_t)group;
    c.acc_fp32 = !acc16;
    c.splitk = splitk;
    c.smu = (smu_cfg){(int)lanes, 16, acc16, (int)c.m.head_dim};
    c.seed = seed;
    c.logit_scale = logit;
    c.data_path = data;
    c.numerics = (uint32_t)numerics;
    c.threads = (unsigned)threads;
    c.host_tier = host;
    c.host_gbs = host_gbs;
    c.host_latency_us = host_us;
    uint64_t layers = c.m.layers;
    int status = CLI_EXIT_BAD_INPUT;
    uint8_t *rbank = NULL, *rchan = NULL;
    FILE *logf = NULL;
    char logtmp[4096] = "";
    if (strcmp(layers_text, "all") && cli_u64("run", "--layers", layers_text, 1, c.m.layers, &layers))
        goto done;
    c.layers = (uint32_t)layers;
    const char *why = smu_cfg_check(&c.smu);
    if (why) {
        fprintf(stderr, "pimattn run: softmax unit for head_dim %u with %" PRIu64 " lanes: %s\n", c.m.head_dim, lanes, why);
        goto done;
    }
    if (rtl) {
        const unsigned nch = c.hbm.stacks * c.hbm.channels, upc = hbm_cfg_banks_per_pc(&c.hbm) / (pingpong ? 2 : 1),
                       bch = upc * c.hbm.pcs; /* GEMV units per PC and per channel */
        rbank = calloc((size_t)nch * bch, 1);
        rchan = calloc(nch, 1);
        if (!rbank || !rchan || parse_rtl_banks(rtl_spec ? rtl_spec : "pc", &c.hbm, upc, rbank, rchan))
            goto done;
        const vgemv_ops *const *gb;
        size_t ng = gemv_builds(&gb);
        for (size_t i = 0; i < ng && !c.rtl_gemv; i++) /* gemv_systolic G = 1 is gemv_tree bit for bit */
            if (gb[i]->cfg.rows == (int)c.group && gb[i]->cfg.depth == (int)(c.m.head_dim / 16) &&
                gb[i]->cfg.acc_fp32 == c.acc_fp32 && gb[i]->cfg.slots >= 2)
                c.rtl_gemv = gb[i];
        const vsm_ops *const *sb;
        size_t ns = sm_builds(&sb);
        for (size_t i = 0; i < ns && !c.rtl_smu; i++)
            if (!memcmp(&sb[i]->cfg, &c.smu, sizeof c.smu))
                c.rtl_smu = sb[i];
        if (!c.rtl_gemv || !c.rtl_smu) {
            fprintf(stderr, "pimattn run: --mode rtl: no Verilated %s build for %u rows, depth %u, %s accumulation "
                            "(GEMV builds:", !c.rtl_gemv ? "GEMV" : "softmax", c.group, c.m.head_dim / 16, acc16 ? "FP16" : "FP32");
            for (size_t i = 0; i < ng; i++)
                fprintf(stderr, " %s", gb[i]->build);
            fprintf(stderr, "; softmax builds (lanes, pieces, FP16 in, merge length):");
            for (size_t i = 0; i < ns; i++)
                fprintf(stderr, " %s (%d, %d, %d, %d)", sb[i]->build, sb[i]->cfg.lanes, sb[i]->cfg.exp_pieces,
                        sb[i]->cfg.in_fp16, sb[i]->cfg.merge_d);
            fprintf(stderr, "; this run needs softmax (%" PRIu64 ", 16, %d, %u))\n", lanes, acc16, c.m.head_dim);
            goto done;
        }
        c.rtl_bank = rbank;
        c.rtl_channel = rchan;
        if (wave) {
            long u = -1;
            unsigned ws, wc, wb;
            char extra;
            if (wave_bank) {
                if (sscanf(wave_bank, "%u.%u.%u%c", &ws, &wc, &wb, &extra) != 3 || ws >= c.hbm.stacks ||
                    wc >= c.hbm.channels || wb >= bch) {
                    fprintf(stderr, "pimattn run: --wave-bank: '%s' (allowed: S.C.B with S < %u, C < %u, B < %u)\n",
                            wave_bank, c.hbm.stacks, c.hbm.channels, bch);
                    goto done;
                }
                u = (long)(((size_t)ws * c.hbm.channels + wc) * bch + wb);
                if (!rbank[u]) {
                    fprintf(stderr, "pimattn run: --wave-bank: %s is not one of the --rtl-banks\n", wave_bank);
                    goto done;
                }
            } else {
                for (size_t b = 0; b < (size_t)nch * bch && u < 0; b++)
                    if (rbank[b])
                        u = (long)b;
            }
            c.wave_path = wave;
            c.wave_unit = u;
            c.wave_from = wave_from;
            c.wave_cycles = wave_cycles;
        }
    }
    if (logp) {
        snprintf(logtmp, sizeof logtmp, "%s.tmp%ld", logp, (long)getpid());
        if (!(logf = fopen(logtmp, "w"))) {
            fprintf(stderr, "pimattn run: --log-commands: %s: %s\n", logp, strerror(errno));
            goto done;
        }
        c.log = logf;
    }
    progress_state prog = {.t0 = now_s()};
    if (isatty(STDERR_FILENO)) {
        c.progress = progress;
        c.progress_ctx = &prog;
    }
    attn_res res;
    int rc = attn_run(&c, &res, err, sizeof err);
    if (prog.shown)
        fprintf(stderr, "\r%60s\r", "");
    if (rc) {
        fprintf(stderr, "pimattn run: %s\n", err);
        status = rc == 2 ? CLI_EXIT_BAD_INPUT : 1;
        attn_res_free(&res);
        goto done;
    }
    report_fig fig;
    report_derive(&c, &res, &fig);
    uint32_t cmin = UINT32_MAX, cmax = 0;
    double csum = 0;
    for (uint32_t i = 0; i < c.batch; i++) {
        cmin = lens[i] < cmin ? lens[i] : cmin;
        cmax = lens[i] > cmax ? lens[i] : cmax;
        csum += lens[i];
    }
    report_info info = {.model = c.m.name, .hbm = c.hbm.name, .mode = rtl ? "rtl" : "fast", .gemv = tree ? "tree" : "systolic",
                        .acc = acc16 ? "fp16" : "fp32", .softmax = splitk ? "splitk" : "buffer", .group = tree ? G : c.group,
                        .ctx_min = cmin, .ctx_max = cmax, .ctx_mean = csum / c.batch,
                        .rtl_banks = rtl_spec ? rtl_spec : "pc", .seed = seed};
    report_text(stdout, &c, &res, &info, &fig);
    status = 0;
    if (fig.layer_cycles < (double)fig.lower_bound) {
        fprintf(stderr, "pimattn run: analytic cross-check failed: %.0f cycles per layer is below the lower bound %llu\n",
                fig.layer_cycles, (unsigned long long)fig.lower_bound);
        status = 1;
    }
    if (status == 0 && json && report_json(json, &c, &res, &info, &fig, err, sizeof err)) {
        fprintf(stderr, "pimattn run: --json: %s\n", err);
        status = 1;
    }
    if (status == 0 && wave) {
        char sav[4096];
        const char *base = strrchr(wave, '/');
        snprintf(sav, sizeof sav, "%s.gtkw", wave);
        if (gemv_gtkw_write(c.rtl_gemv, sav, base ? base + 1 : wave)) {
            fprintf(stderr, "pimattn run: --wave: cannot write '%s'\n", sav);
            status = 1;
        } else {
            printf("  waveform: bank unit %ld, DRAM cycles %llu..%llu: %s (open with: gtkwave %s %s)\n", c.wave_unit,
                   (unsigned long long)wave_from, (unsigned long long)(wave_from + wave_cycles), wave, wave, sav);
        }
    }
    attn_res_free(&res);
done:
    if (wave && status != 0)
        remove(wave);
    if (logf) {
        int ok = fclose(logf) == 0;
        if (status == 0 && ok && rename(logtmp, logp) == 0)
            logtmp[0] = '\0';
        else if (status == 0) {
            fprintf(stderr, "pimattn run: --log-commands: %s: %s\n", logp, strerror(errno));
            status = 1;
        }
        if (logtmp[0])
            remove(logtmp);
    }
    free(rbank);
    free(rchan);
    free(lens);
    return status;
}
