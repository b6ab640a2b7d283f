/* pimattn hbm: runs a request trace (or a synthetic stream) through the controller (hbm_ctrl.h) and the
 * HBM3-PIM timing engine (hbm.h); reports cycles, bandwidth, latency, queues, energy and speed, and
 * optionally writes the command log that `pimattn check-trace` verifies. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cmd.h"
#include "cmd_hbm.h"
#include "hbm.h"
#include "outfile.h"
#include "progress.h"
#include "textio.h"

static const char *hbm_help =
    "usage: pimattn hbm [options] (--trace FILE | --synthetic macab|stream|random)\n"
    "Runs memory requests through the controller (per pseudo-channel read and write queues, FR-FCFS or\n"
    "FCFS, open or close page, write drain, eager or postponed refresh) and the HBM3-PIM timing engine\n"
    "(docs/hbm.md); prints cycles, bandwidth, read latency, queue occupancy, row hits, refresh time,\n"
    "energy by component and commands simulated per second.\n"
    "  --hbm P        preset (hbm3-6400, attacc-hbm3-5200) or YAML file (default attacc-hbm3-5200);\n"
    "                 --preset is the same option; its controller: section sets the defaults below\n"
    "  --trace FILE   one request per line ('#' comments), an optional arrival cycle first (decimal,\n"
    "                 0..1000000000 CK; none: 0, the queues take requests as fast as they drain):\n"
    "                   [CYCLE] R ADDR | [CYCLE] W ADDR       one burst; ADDR in bytes (decimal or 0x hex)\n"
    "                   [CYCLE] MAC ST CH PC|* ROW COL        one all-bank MAC (MACAB) of a PC or channel\n"
    "                 ADDR maps, from the least significant end: burst offset, channel, pseudo-channel,\n"
    "                 column, bank group, bank, SID, row, stack (mixed radix of the configuration)\n"
    "  --synthetic macab   every channel streams channel-wide MACABs row after row (32 per row)\n"
    "  --synthetic stream  reads, PC after PC of --pcs; in a PC bank after bank (bank group fastest, then\n"
    "                 bank, SID), each bank's bursts in order (bank k starts k x columns/banks bursts in)\n"
    "  --synthetic random  reads at uniformly random SID, bank group, bank, row, column (--seed), PC after\n"
    "                 PC of --pcs\n"
    "  --commands N   requests of the synthetic stream (default 1000000; 1..10^10)\n"
    "  --pcs N        stream/random: the first N pseudo-channels (channel 0's PCs, then channel 1's ...;\n"
    "                 default all of the configuration)\n"
    "  --seed S       random: the generator's seed (default 1)\n"
    "  --rate R       open loop: request i arrives at cycle floor(i / R) (R requests per CK, 1e-6..64);\n"
    "                 a trace must then give no cycles\n"
    "  --sched S      fcfs | frfcfs | frfcfs-cap:N (at most N row hits bypass an older miss, N 0..1024)\n"
    "  --page P       open | close\n"
    "  --refresh R    eager | postpone:N (N intervals owed while requests wait, N 0..8 and at most\n"
    "                 refresh.max_postpone)\n"
    "  --log FILE     write the command log (format v1, docs/hbm.md) for pimattn check-trace\n"
    "  --help         this text\n";

#define ERRN 512

static void report(const hbm *h, const hbm_ctrl *r, uint64_t reqs, double secs)
{
    const hbm_cfg *c = hbm_config(h);
    const hbm_stats *all = hbm_get_stats(h), *idle = hbm_ctrl_idle(r);
    hbm_ctrl_summary m;
    hbm_ctrl_summarize(r, &m);
    hbm_stats used; /* the trace's own figures: everything but the idle channels' refresh */
    hbm_stats_diff(idle, all, &used);
    const hbm_stats *s = &used;
    const unsigned nused = m.channels_used, nch = c->stacks * c->channels;
    uint64_t cyc = all->done_cycle ? all->done_cycle : 1, ncmd = 0;
    double ns = cyc * c->tck_ps * 1e-3, peak = hbm_cfg_ext_bytes_per_ck(c) * nused / nch;
    printf("  requests          %" PRIu64 "\n", reqs);
    printf("  channels          %u of %u used (figures below: the used channels; idle channels apart)\n", nused, nch);
    printf("  cycles            %" PRIu64 " (%.3f us at %u ps; data commands from cycle %" PRIu64 " to %" PRIu64 ")\n",
           cyc, ns * 1e-3, c->tck_ps, m.first_data, m.last_data);
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
    if (m.reads + m.writes) {
        double pcpeak = (double)c->burst_bytes / c->nBL * m.pcs_used; /* bytes per CK */
        printf("  PCs used          %u of %u: I/O %.1f GB/s = %.1f %% of their %.1f GB/s peak\n", m.pcs_used,
               hbm_cfg_pcs_total(c), s->ext_bytes / ns, 100.0 * s->ext_bytes / (pcpeak * cyc), pcpeak / (c->tck_ps * 1e-3));
        printf("  controller        %s", hbm_cfg_schedulers[c->sched]);
        if (c->sched == HBM_SCHED_CAP)
            printf(" %u", c->cap);
        printf(", %s page, %s refresh", hbm_cfg_pages[c->page], hbm_cfg_ref_policies[c->ref_policy]);
        if (c->ref_policy == HBM_REFPOL_POSTPONE)
            printf(" %u", c->postpone);
        printf(" (%s); queues %u R + %u W per PC, write drain %u..%u\n", hbm_cfg_ref_modes[c->ref_mode], c->read_queue,
               c->write_queue, c->write_high, c->write_low);
        printf("  read latency      avg %.1f CK, p99 %" PRIu64 "%s CK, max %" PRIu64 " CK (%" PRIu64 " reads; queue entry to "
               "data: RD + nCL + nBL)\n", m.lat_avg, m.lat_p99, m.lat_p99 >= 65536 ? "+" : "", m.lat_max, m.reads);
        printf("  queues            read avg %.2f max %u, write avg %.2f max %u (per used PC); %" PRIu64
               " RD<->WR turnarounds\n", m.rq_avg, m.rq_max, m.wq_avg, m.wq_max, m.turnarounds);
        printf("  stalls            %" PRIu64 " cycles requests waited for a queue entry\n", m.stall_cycles);
    }
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

/* --sched, --refresh: WORD or WORD:N into the configuration; 0, or -1 with the message printed. */
static int parse_sched(const char *t, hbm_cfg *c)
{
    uint64_t v;
    if (!strcmp(t, "fcfs") || !strcmp(t, "frfcfs"))
        return c->sched = t[1] == 'c' ? HBM_SCHED_FCFS : HBM_SCHED_FRFCFS, 0;
    if (!strncmp(t, "frfcfs-cap:", 11) && !cli_parse_u64(t + 11, 0, &v) && v <= 1024)
        return c->sched = HBM_SCHED_CAP, c->cap = (uint32_t)v, 0;
    fprintf(stderr, "pimattn hbm: --sched: '%s' (allowed: fcfs, frfcfs, frfcfs-cap:N with N 0..1024)\n", t);
    return -1;
}

static int parse_refresh(const char *t, hbm_cfg *c)
{
    uint64_t v;
    if (!strcmp(t, "eager"))
        return c->ref_policy = HBM_REFPOL_EAGER, 0;
    if (!strncmp(t, "postpone:", 9) && !cli_parse_u64(t + 9, 0, &v) && v <= 8) {
        if (v > c->max_postpone) {
            fprintf(stderr, "pimattn hbm: --refresh: '%s': %s allows %u refreshes owed (allowed: postpone:N with N "
                            "0..%u)\n", t, c->name, c->max_postpone, c->max_postpone);
            return -1;
        }
        return c->ref_policy = HBM_REFPOL_POSTPONE, c->postpone = (uint32_t)v, 0;
    }
    fprintf(stderr, "pimattn hbm: --refresh: '%s' (allowed: eager, postpone:N with N 0..8)\n", t);
    return -1;
}

int cmd_hbm(int argc, char **argv)
{
    static const char *const patterns[] = {"macab", "stream", "random", NULL};
    static const char *const pages[] = {"open", "close", NULL};
    const char *preset = "attacc-hbm3-5200", *trace = NULL, *logname = NULL, *sched = NULL, *refresh = NULL;
    int synth = -1, page = -1;
    uint64_t count = 1000000, pcs = 0, seed = 1;
    double rate = 0;
    const cli_opt opts[] = {CLI_OPT_STR("hbm", &preset),          CLI_OPT_STR("preset", &preset),
                            CLI_OPT_STR("trace", &trace),         CLI_OPT_CHOICE("synthetic", &synth, patterns),
                            CLI_OPT_U64("commands", &count, 1, 10000000000ull), CLI_OPT_STR("log", &logname),
                            CLI_OPT_U64("pcs", &pcs, 1, 1u << 20), CLI_OPT_U64("seed", &seed, 0, UINT64_MAX),
                            CLI_OPT_DOUBLE("rate", &rate, 1e-6, 64), CLI_OPT_STR("sched", &sched),
                            CLI_OPT_CHOICE("page", &page, pages), CLI_OPT_STR("refresh", &refresh)};
    int st = cli_options("hbm", hbm_help, opts, CLI_NOPTS(opts), argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    if (!trace == (synth < 0)) {
        fprintf(stderr, "pimattn hbm: give exactly one of --trace FILE and --synthetic macab|stream|random\n");
        return CLI_EXIT_BAD_INPUT;
    }
    hbm_cfg cfg;
    char err[ERRN];
    if (hbm_cfg_resolve(preset, &cfg, err, sizeof err)) {
        fprintf(stderr, "pimattn hbm: --hbm: %s\n", err);
        return CLI_EXIT_BAD_INPUT;
    }
    if ((sched && parse_sched(sched, &cfg)) || (refresh && parse_refresh(refresh, &cfg)))
        return CLI_EXIT_BAD_INPUT;
    if (page >= 0)
        cfg.page = page;
    if (pcs > hbm_cfg_pcs_total(&cfg)) {
        fprintf(stderr, "pimattn hbm: --pcs: %" PRIu64 " exceeds the %u pseudo-channels of %s (allowed: 1..%u)\n", pcs,
                hbm_cfg_pcs_total(&cfg), cfg.name, hbm_cfg_pcs_total(&cfg));
        return CLI_EXIT_BAD_INPUT;
    }
    hbm_front f = {.synth = synth, .count = count, .pcs = pcs ? pcs : hbm_cfg_pcs_total(&cfg), .seed = seed,
                   .rate = rate, .trace = trace};
    out_set *outs = out_set_new();
    out_file *logo = outs ? out_add(outs, "--log", logname) : NULL;
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
        (trace && (what = "--trace: ", !(f.in = lines_open(trace, err, sizeof err))))) {
        fprintf(stderr, "pimattn hbm: %s%s\n", what, err);
        out_set_free(outs);
        return CLI_EXIT_BAD_INPUT;
    }
    if (logo && !(log = out_open(logo, err, sizeof err))) {
        fprintf(stderr, "pimattn hbm: %s\n", err);
        lines_close(f.in);
        out_set_free(outs);
        return 1;
    }
    hbm *h = hbm_new(&cfg);
    hbm_ctrl *r = h ? hbm_ctrl_new(h) : NULL;
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
    rc = hbm_front_run(r, &cfg, &f, &pg, &reqs);
    progress_done(&pg);
    if (!rc && hbm_ctrl_finish(r, err, sizeof err)) {
        fprintf(stderr, "pimattn hbm: %s\n", err);
        rc = 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!rc && logo && out_commit(logo, err, sizeof err)) {
        fprintf(stderr, "pimattn hbm: %s\n", err);
        rc = 1;
    }
    if (!rc) {
        static const char *const what[] = {"synthetic channel-wide MACAB stream", "synthetic stream of reads",
                                           "synthetic random reads"};
        printf("pimattn hbm: %s, %s", cfg.name, trace ? trace : what[synth]);
        if (synth > 0)
            printf(" over %" PRIu64 " PC(s)%s", f.pcs, synth == HBM_SYN_RANDOM ? "" : "");
        if (synth == HBM_SYN_RANDOM)
            printf(", seed %" PRIu64, seed);
        if (rate > 0)
            printf(", %g requests per CK", rate);
        printf("\n");
        report(h, r, reqs, (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
        if (logo)
            printf("  command log       %s\n", logname);
    }
out:
    hbm_ctrl_free(r);
    hbm_free(h);
    lines_close(f.in);
    out_set_free(outs);
    return rc;
}
