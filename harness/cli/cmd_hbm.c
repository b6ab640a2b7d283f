/* pimattn hbm: runs a request trace (or a synthetic all-bank MAC stream) through the in-order controller
 * (hbm_run.h) and the HBM3-PIM timing engine (hbm.h); reports cycles, bandwidth, energy and speed, and
 * optionally writes the command log that `pimattn check-trace` verifies. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "hbm.h"
#include "outfile.h"
#include "progress.h"
#include "textio.h"

static const char *hbm_help =
    "usage: pimattn hbm [options] (--trace FILE | --synthetic macab)\n"
    "Runs memory requests through an in-order, open-page controller with eager refresh and the HBM3-PIM\n"
    "timing engine (docs/hbm.md); prints cycles, bandwidth, row hits, refresh time, energy by component.\n"
    "  --hbm P        preset (hbm3-6400, attacc-hbm3-5200) or YAML file (default attacc-hbm3-5200);\n"
    "                 --preset is the same option\n"
    "  --trace FILE   one request per line ('#' comments), an optional arrival cycle first (decimal,\n"
    "                 0..1000000000 CK):\n"
    "                   [CYCLE] R ADDR | [CYCLE] W ADDR       one burst; ADDR in bytes (decimal or 0x hex)\n"
    "                   [CYCLE] MAC ST CH PC|* ROW COL        one all-bank MAC (MACAB) of a PC or channel\n"
    "                 ADDR maps, from the least significant end: burst offset, channel, pseudo-channel,\n"
    "                 column, bank group, bank, SID, row, stack (mixed radix of the configuration)\n"
    "  --synthetic macab  every channel streams channel-wide MACABs row after row (32 per row)\n"
    "  --commands N   MACABs of the synthetic stream (default 1000000; 1..10^10)\n"
    "  --log FILE     write the command log (format v1, docs/hbm.md) for pimattn check-trace\n"
    "  --help         this text\n";

#define ERRN 512
#define ARRIVAL_MAX 1000000000ull /* CK: 0.3 s of hbm3-6400 time; the controller simulates every idle cycle's refresh */

/* One trace line into a request; returns 1 (request), 0 (blank/comment) or -1 (err filled). */
static int parse_req(const hbm_cfg *c, char *line, hbm_req *q, char *err, size_t n)
{
    char *tok[8];
    int nt = 0;
    for (char *s = strtok(line, " \t\r\n"); s && nt < 8; s = strtok(NULL, " \t\r\n"))
        tok[nt++] = s;
    if (nt == 0 || tok[0][0] == '#')
        return 0;
    memset(q, 0, sizeof *q);
    int i = 0;
    uint64_t v;
    if (isdigit((unsigned char)tok[0][0])) {
        if (cli_parse_u64(tok[0], 0, &q->arrival) || q->arrival > ARRIVAL_MAX) {
            snprintf(err, n, "bad arrival cycle '%.40s' (allowed: a decimal integer 0..%llu)", tok[0], ARRIVAL_MAX);
            return -1;
        }
        i = 1;
    }
    if (i >= nt) {
        snprintf(err, n, "missing request after the cycle (allowed: R ADDR, W ADDR, MAC ST CH PC ROW COL)");
        return -1;
    }
    const char *op = tok[i++];
    if (!strcmp(op, "R") || !strcmp(op, "W")) {
        if (nt - i != 1 || cli_parse_u64(tok[i], 1, &v)) {
            snprintf(err, n, "%s needs one address in bytes (decimal or 0x hex)", op);
            return -1;
        }
        uint64_t a = v / c->burst_bytes;
        q->ch = (uint8_t)(a % c->channels), a /= c->channels;
        q->pc = (uint8_t)(a % c->pcs), a /= c->pcs;
        q->col = (uint32_t)(a % c->columns), a /= c->columns;
        q->bg = (uint8_t)(a % c->bank_groups), a /= c->bank_groups;
        q->ba = (uint8_t)(a % c->banks), a /= c->banks;
        q->sid = (uint8_t)(a % c->sids), a /= c->sids;
        q->row = (uint32_t)(a % c->rows), a /= c->rows;
        if (a >= c->stacks) {
            snprintf(err, n, "address %.40s is beyond the configuration's %" PRIu64 " bytes (allowed: 0..%" PRIu64 ")",
                     tok[i], (uint64_t)hbm_cfg_pcs_total(c) * hbm_cfg_banks_per_pc(c) * c->rows * hbm_cfg_row_bytes(c),
                     (uint64_t)hbm_cfg_pcs_total(c) * hbm_cfg_banks_per_pc(c) * c->rows * hbm_cfg_row_bytes(c) - 1);
            return -1;
        }
        q->st = (uint8_t)a;
        q->kind = op[0] == 'R' ? HBM_REQ_RD : HBM_REQ_WR;
        return 1;
    }
    if (!strcmp(op, "MAC")) {
        uint64_t f[5];
        static const char *const names[5] = {"stack", "channel", "pseudo-channel", "row", "column"};
        const uint64_t lim[5] = {c->stacks, c->channels, c->pcs, c->rows, c->columns};
        if (nt - i != 5) {
            snprintf(err, n, "MAC needs ST CH PC|* ROW COL");
            return -1;
        }
        for (int k = 0; k < 5; k++) {
            if (k == 2 && !strcmp(tok[i + k], "*")) {
                f[k] = HBM_PC_ALL;
                continue;
            }
            if (cli_parse_u64(tok[i + k], 0, &f[k]) || f[k] >= lim[k]) {
                snprintf(err, n, "MAC %s '%s' out of range (allowed: 0..%" PRIu64 "%s)", names[k], tok[i + k],
                         lim[k] - 1, k == 2 ? " or *" : "");
                return -1;
            }
        }
        q->kind = HBM_REQ_MAC;
        q->st = (uint8_t)f[0], q->ch = (uint8_t)f[1], q->pc = (uint8_t)f[2];
        q->row = (uint32_t)f[3], q->col = (uint32_t)f[4];
        return 1;
    }
    snprintf(err, n, "unknown request '%s' (allowed: R, W, MAC)", op);
    return -1;
}

static void report(const hbm *h, const hbm_run *r, uint64_t reqs, double secs)
{
    const hbm_cfg *c = hbm_config(h);
    const hbm_stats *all = hbm_get_stats(h), *idle = hbm_run_idle(r);
    hbm_stats used; /* the trace's own figures: everything but the idle channels' refresh */
    hbm_stats_diff(idle, all, &used);
    const hbm_stats *s = &used;
    const unsigned nused = hbm_run_channels_used(r), nch = c->stacks * c->channels;
    uint64_t cyc = all->done_cycle ? all->done_cycle : 1, ncmd = 0;
    double ns = cyc * c->tck_ps * 1e-3, peak = hbm_cfg_ext_bytes_per_ck(c) * nused / nch;
    printf("  requests          %" PRIu64 "\n", reqs);
    printf("  channels          %u of %u used (figures below: the used channels; idle channels apart)\n", nused, nch);
    printf("  cycles            %" PRIu64 " (%.3f us at %u ps; data commands from cycle %" PRIu64 " to %" PRIu64 ")\n",
           cyc, ns * 1e-3, c->tck_ps, hbm_run_first_data(r), hbm_run_last_data(r));
    printf("  commands         ");
    for (unsigned i = 0; i < HBM_NOPS; i++)
        if (s->cmds[i]) {
            printf(" %s %" PRIu64, hbm_op_name(i), s->cmds[i]);
            ncmd += s->cmds[i];
        }
    printf("\n");
    printf("  I/O bytes         %" PRIu64 " = %.1f GB/s (%.1f %% of the used channels' %.1f GB/s I/O peak)\n", s->ext_bytes,
           s->ext_bytes / ns, 100.0 * s->ext_bytes / (peak * cyc), peak / (c->tck_ps * 1e-3));
    printf("  PIM bytes         %" PRIu64 " = %.1f GB/s (%.2f x that I/O peak)\n", s->pim_bytes, s->pim_bytes / ns,
           s->pim_bytes / (peak * cyc));
    printf("  row hits, misses  %" PRIu64 ", %" PRIu64 " bursts (hit rate %.1f %%)\n", s->row_hits, s->row_misses,
           100.0 * s->row_hits / (double)(s->row_hits + s->row_misses ? s->row_hits + s->row_misses : 1));
    printf("  refresh           %.0f PC-cycles (%.2f %% of the used PCs' time)\n", s->refresh_cycles,
           100.0 * s->refresh_cycles / ((double)nused * c->pcs * cyc));
    double e = hbm_energy_total(&s->energy), bytes = (double)(s->ext_bytes + s->pim_bytes);
    printf("  energy            %.3f uJ (%.2f pJ/B moved):", e * 1e-6, bytes ? e / bytes : 0.0);
#define E_PRINT(x) printf(" " #x " %.1f%%", e ? 100.0 * s->energy.x / e : 0.0);
    HBM_ENERGY(E_PRINT)
#undef E_PRINT
    printf("\n");
    if (nused < nch)
        printf("  idle channels     %u: their refresh (%" PRIu64 " REFAB, %" PRIu64 " REFPB) %.3f uJ, not in the figures "
               "above\n", nch - nused, idle->cmds[HBM_REFAB], idle->cmds[HBM_REFPB],
               hbm_energy_total(&idle->energy) * 1e-6);
    for (unsigned i = 0; i < HBM_NOPS; i++)
        ncmd += idle->cmds[i];
    printf("  simulated         %" PRIu64 " commands in %.2f s = %.2f M commands/s\n", ncmd, secs,
           ncmd / (secs > 0 ? secs : 1e-9) / 1e6);
}

/* Synthetic MACAB stream: every channel, channel-wide, 32 MACs per row, rows in order. */
static int synthetic(hbm_run *r, const hbm_cfg *c, uint64_t macs, progress *pg, char *err, size_t n)
{
    uint64_t nch = (uint64_t)c->stacks * c->channels;
    for (uint64_t i = 0; i < macs; i++) {
        if (i % 65536 == 0)
            progress_update(pg, (double)i / (double)macs, i);
        uint64_t chn = i % nch, k = i / nch;
        hbm_req q = {.kind = HBM_REQ_MAC, .st = (uint8_t)(chn / c->channels), .ch = (uint8_t)(chn % c->channels),
                     .pc = HBM_PC_ALL, .row = (uint32_t)(k / c->columns % c->rows), .col = (uint32_t)(k % c->columns)};
        if (hbm_run_req(r, &q, err, n))
            return -1;
    }
    return 0;
}

/* The requests of a trace file through the controller; *reqs counts them. The exit status so far: 0, 1
 * (the controller refused a request) or CLI_EXIT_BAD_INPUT (a malformed line, no requests). */
static int replay(hbm_run *r, const hbm_cfg *cfg, lines *in, const char *trace, progress *pg, uint64_t *reqs)
{
    char err[ERRN], *line;
    hbm_req q;
    int rc = 0;
    for (int got; rc == 0 && (got = lines_next(in, &line, err, sizeof err)) != 0;) {
        uint64_t ln = lines_number(in);
        int k = got < 0 ? -1 : parse_req(cfg, line, &q, err, sizeof err);
        if (k < 0) {
            if (got < 0)
                fprintf(stderr, "pimattn hbm: --trace: %s\n", err);
            else
                fprintf(stderr, "pimattn hbm: %s:%" PRIu64 ": %s\n", trace, ln, err);
            rc = CLI_EXIT_BAD_INPUT;
        } else if (k && hbm_run_req(r, &q, err, sizeof err)) {
            fprintf(stderr, "pimattn hbm: %s:%" PRIu64 ": %s\n", trace, ln, err);
            rc = 1;
        }
        *reqs += k > 0;
        if (*reqs % 65536 == 0)
            progress_update(pg, -1, *reqs);
    }
    if (rc == 0 && *reqs == 0) {
        fprintf(stderr, "pimattn hbm: --trace: %s: no requests (allowed: one request per line, see --help)\n", trace);
        rc = CLI_EXIT_BAD_INPUT;
    }
    return rc;
}

int cmd_hbm(int argc, char **argv)
{
    static const char *const patterns[] = {"macab", NULL};
    const char *preset = "attacc-hbm3-5200", *trace = NULL, *logname = NULL;
    int synth = -1;
    uint64_t macs = 1000000;
    const cli_opt opts[] = {CLI_OPT_STR("hbm", &preset),          CLI_OPT_STR("preset", &preset),
                            CLI_OPT_STR("trace", &trace),         CLI_OPT_CHOICE("synthetic", &synth, patterns),
                            CLI_OPT_U64("commands", &macs, 1, 10000000000ull), CLI_OPT_STR("log", &logname)};
    int st = cli_options("hbm", hbm_help, opts, CLI_NOPTS(opts), argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    synth = synth >= 0;
    if (!trace == !synth) {
        fprintf(stderr, "pimattn hbm: give exactly one of --trace FILE and --synthetic macab\n");
        return CLI_EXIT_BAD_INPUT;
    }
    hbm_cfg cfg;
    char err[ERRN];
    if (hbm_cfg_resolve(preset, &cfg, err, sizeof err)) {
        fprintf(stderr, "pimattn hbm: --hbm: %s\n", err);
        return CLI_EXIT_BAD_INPUT;
    }
    out_set *outs = out_set_new();
    out_file *logo = outs ? out_add(outs, "--log", logname) : NULL;
    lines *in = NULL;
    FILE *log = NULL;
    int rc = 0;
    if (outs) {
        out_add_input(outs, "--trace", trace);
        out_add_input(outs, "--hbm", preset);
    }
    const char *what = "";
    if (!outs)
        snprintf(err, sizeof err, "out of memory");
    if (!outs || out_check(outs, err, sizeof err) ||
        (trace && (what = "--trace: ", !(in = lines_open(trace, err, sizeof err))))) {
        fprintf(stderr, "pimattn hbm: %s%s\n", what, err);
        out_set_free(outs);
        return CLI_EXIT_BAD_INPUT;
    }
    if (logo && !(log = out_open(logo, err, sizeof err))) {
        fprintf(stderr, "pimattn hbm: %s\n", err);
        lines_close(in);
        out_set_free(outs);
        return 1;
    }
    hbm *h = hbm_new(&cfg);
    hbm_run *r = h ? hbm_run_new(h) : NULL;
    uint64_t reqs = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (!r) {
        fprintf(stderr, "pimattn hbm: out of memory\n");
        rc = 1;
        goto out;
    }
    hbm_set_log(h, log);
    progress pg;
    progress_init(&pg, "pimattn hbm");
    if (synth) {
        reqs = macs;
        if (synthetic(r, &cfg, macs, &pg, err, sizeof err)) {
            fprintf(stderr, "pimattn hbm: %s\n", err);
            rc = 1;
        }
    } else {
        rc = replay(r, &cfg, in, trace, &pg, &reqs);
    }
    progress_done(&pg);
    if (!rc && hbm_run_finish(r, err, sizeof err)) {
        fprintf(stderr, "pimattn hbm: %s\n", err);
        rc = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && logo && out_commit(logo, err, sizeof err)) {
        fprintf(stderr, "pimattn hbm: %s\n", err);
        rc = 1;
    }
    if (!rc) {
        printf("pimattn hbm: %s, %s\n", cfg.name, trace ? trace : "synthetic channel-wide MACAB stream");
        report(h, r, reqs, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
        if (logo)
            printf("  command log       %s\n", logname);
    }
out:
    hbm_run_free(r);
    hbm_free(h);
    lines_close(in);
    out_set_free(outs);
    return rc;
}
