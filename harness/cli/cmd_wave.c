/* pimattn wave: a short traced co-simulation of one unit, an FST file and a GTKWave save file. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "cmd.h"
#include "gtkw.h"
#include "outfile.h"
#include "cosim.h"

static const char *wave_help =
    "usage: pimattn wave --unit UNIT [options]\n"
    "Runs a short co-simulation of UNIT with FST tracing, checked against the golden model, and writes\n"
    "DIR/NAME.fst and DIR/NAME.gtkw (open: gtkwave DIR/NAME.fst DIR/NAME.gtkw).\n"
    "  --unit UNIT     fp16_mul, fp16_mul32, fp16_add, fp32_add, fp16_mac32, sm_prob, sm_norm,\n"
    "                  fp32_scale2 (most pipelined build), gemv_tree, gemv_systolic, or softmax (the\n"
    "                  softmax unit, build sm_l4_h: short random rows and merges)\n"
    "  --g G           gemv_systolic: rows (query heads per KV head) of the build to trace (default 4;\n"
    "                  the builds linked are listed by pimattn gemv)\n"
    "  --pattern P     GEMV command stream: score, context or random (default score)\n"
    "  --dir DIR       output directory (default build/wave; created if missing)\n"
    "  --cycles N      commands (vectors, score beats) to run and dump (default 64 for primitives, 160\n"
    "                  for GEMV units, whose streams begin by filling the vector buffers, and softmax;\n"
    "                  1..1000000)\n"
    "  --seed S        random seed (default 1)\n"
    "  --needs         print the build the wave loads, as the unit directory's NAME or trace/NAME (make wave\n"
    "                  builds build/vunits/that.so first), and do nothing else\n"
    "NAME is the unit, or the GEMV build (e.g. gemv_sys_g4_f32).\n";

#define WAVE_SM_BUILD "sm_l4_h" /* the softmax unit's build a wave traces: short rows and merges */
#define NSIG 40
#define SIGLEN 192

/* Signal names for gtkw groups: a small arena of formatted names. */
typedef struct sigs {
    char name[NSIG][SIGLEN];
    int n;
} sigs;

__attribute__((format(printf, 2, 3))) static const char *sig(sigs *s, const char *fmt, ...)
{
    if (s->n >= NSIG)
        return NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->name[s->n], SIGLEN, fmt, ap);
    va_end(ap);
    return s->name[s->n++];
}

/* Internal signals of the softmax datapath tops (the FP tops, thin wrappers of rtl/common/fp_pipe.sv,
 * show the rounding step of their result instead). */
static const char *const sm_core[][8] = {
    {"sm_prob", "y[31:0]", "u_exp2.u_a.t[24:0]", "u_exp2.u_a.idx[5:0]", "u_exp2.u_b.mant[23:0]",
     "u_exp2.u_a.etop[7:0]", "p[15:0]", NULL},
    {"sm_norm", "u_recip.d[23:0]", "u_recip.x0[30:0]", "u_recip.x1[30:0]", "u_recip.x2[30:0]", "rl[31:0]",
     "o[31:0]", NULL},
    {"fp32_scale2", "u_core.kc[11:0]", "u_core.etop[11:0]", "y[31:0]", NULL},
};

/* The two outputs of a wave: DIR/NAME.fst (written by the FST writer into a temporary) and DIR/NAME.gtkw. */
typedef struct wave_out {
    out_set *set;
    out_file *fst, *sav;
    char fst_name[4096], sav_name[4096], base[256];
    const char *trace; /* the temporary the FST writer writes */
} wave_out;

/* Checks and prepares the outputs; 0, or CLI_EXIT_BAD_INPUT / 1 after the message. */
static int wave_begin(wave_out *w, const char *dir, const char *name)
{
    char err[1024];
    snprintf(w->base, sizeof w->base, "%s.fst", name);
    snprintf(w->fst_name, sizeof w->fst_name, "%s/%s.fst", dir, name);
    snprintf(w->sav_name, sizeof w->sav_name, "%s/%s.gtkw", dir, name);
    if (!(w->set = out_set_new()))
        return fprintf(stderr, "pimattn wave: out of memory\n"), 1;
    w->fst = out_add(w->set, "--dir", w->fst_name);
    w->sav = out_add(w->set, "--dir", w->sav_name);
    if (out_check(w->set, err, sizeof err)) {
        fprintf(stderr, "pimattn wave: %s\n", err);
        out_set_free(w->set);
        return CLI_EXIT_BAD_INPUT;
    }
    if (!(w->trace = out_path(w->fst, err, sizeof err))) {
        fprintf(stderr, "pimattn wave: %s\n", err);
        out_set_free(w->set);
        return 1;
    }
    return 0;
}

/* Writes the save file (the groups, or a GEMV build's view) and finishes both outputs; status 0 or 1 (an
 * output could not be written). */
static int wave_end(wave_out *w, int trace_failed, const gtkw_group *groups, size_t ngroups, const vgemv_ops *gemv)
{
    char err[1024];
    int rc = 0;
    FILE *f = NULL;
    if (trace_failed)
        out_writer_failed(w->fst, err, sizeof err), rc = 1;
    else if (!(f = out_open(w->sav, err, sizeof err)) ||
             (gemv ? gemv_gtkw_emit(gemv, f, w->base) : gtkw_emit(f, w->base, groups, ngroups)) ||
             out_commit(w->sav, err, sizeof err) || out_commit(w->fst, err, sizeof err))
        rc = 1;
    if (rc)
        fprintf(stderr, "pimattn wave: %s\n", err);
    out_set_free(w->set);
    return rc;
}

/* The build of a primitive top a wave traces: its most pipelined. */
static const vu_spec *pick_prim(const char *unit)
{
    size_t nb;
    const vu_spec *spec = vunit_specs(VU_PRIM, &nb), *best = NULL;
    for (size_t i = 0; i < nb; i++)
        if (!strcmp(spec[i].top, unit) && (!best || spec[i].p[0] > best->p[0]))
            best = &spec[i];
    return best;
}

static int wave_prim(const char *unit, const char *dir, uint64_t cycles, uint64_t seed)
{
    const vu_spec *best = pick_prim(unit);
    char lerr[1024];
    const vprim_ops *pick = best ? vunit_load_traced(VU_PRIM, best->name, lerr, sizeof lerr) : NULL;
    if (!pick) {
        fprintf(stderr, "pimattn wave: %s\n", best ? lerr : "no build of this unit");
        return 1;
    }
    wave_out w;
    int st = wave_begin(&w, dir, unit);
    if (st)
        return st;
    prim_cosim_cfg cfg = {.seed = seed, .vectors = cycles, .gap_rate = 0.25, .trace_path = w.trace,
                          .trace_from = 0, .trace_cycles = cycles + 8};
    prim_cosim_res r;
    int k = prim_cosim_run(pick, &cfg, &r);
    if (k < 0) {
        fprintf(stderr, "pimattn wave: %s\n", r.first_error);
        out_set_free(w.set);
        return 1;
    }
    const prim_desc *d = prim_desc_find(unit);
    int is_sm = 0;
    for (size_t t = 0; t < sizeof sm_core / sizeof sm_core[0]; t++)
        is_sm |= !strcmp(sm_core[t][0], unit);
    /* fp_pipe instance u_fp: y_d is its core's result, g_core.u_core the operation that rounds it (a
     * multiply-only top: fp_mul, which rounds in u_pack; an add: fp_add, which rounds in u_post) */
    const char *fp = is_sm ? "" : "u_fp.",
               *rnd = strstr(unit, "_mul") ? "u_fp.g_core.u_core.u_pack.u_round" : "u_fp.g_core.u_core.u_post.u_round";
    char w_in[16], w_out[16];
    snprintf(w_in, sizeof w_in, "%d:0", d->a_fmt.ebits + d->a_fmt.mbits);
    snprintf(w_out, sizeof w_out, "%d:0", d->y_fmt.ebits + d->y_fmt.mbits);
    sigs s = {.n = 0};
    const char *ctl[] = {sig(&s, "top.%s.clk_i", unit), sig(&s, "top.%s.rst_ni", unit),
                         sig(&s, "top.%s.valid_i", unit), NULL};
    const char *ops[] = {sig(&s, "top.%s.a_i[%s]", unit, w_in), sig(&s, "top.%s.b_i[%s]", unit, w_in),
                         d->has_c ? sig(&s, "top.%s.c_i[31:0]", unit) : NULL, NULL};
    char vq[64];
    snprintf(vq, sizeof vq, "%d:0", pick->stages - 1);
    const char *core[9] = {sig(&s, "top.%s.%sy_d[%s]", unit, fp, w_out),
                           sig(&s, "top.%s.%s.rnd", unit, rnd),
                           sig(&s, "top.%s.%s.stk", unit, rnd),
                           sig(&s, "top.%s.%s.up", unit, rnd),
                           sig(&s, "top.%s.%s.carry", unit, rnd),
                           NULL};
    for (size_t t = 0; t < sizeof sm_core / sizeof sm_core[0]; t++)
        if (!strcmp(sm_core[t][0], unit)) {
            int n = 0;
            for (const char *const *c = &sm_core[t][1]; *c; c++)
                core[n++] = sig(&s, "top.%s.%s", unit, *c);
            core[n] = NULL;
        }
    for (int n = 0; n < 8; n++)
        if (!core[n]) {
            core[n] = pick->stages ? sig(&s, "top.%s.%su_pipe.g_pipe.valid_q[%s]", unit, fp, vq) : NULL;
            core[n + 1] = NULL;
            break;
        }
    const char *out[] = {sig(&s, "top.%s.valid_o", unit), sig(&s, "top.%s.y_o[%s]", unit, w_out), NULL};
    const gtkw_group groups[] = {{"control", ctl}, {"operands", ops}, {"datapath and pipeline", core}, {"result", out}};
    if (wave_end(&w, r.trace_failed, groups, 4, NULL))
        return 1;
    printf("pimattn wave: %s (%s, Stages=%d): %llu cycles, %llu vectors checked, %llu mismatches\n", unit,
           pick->build, pick->stages, (unsigned long long)r.cycles, (unsigned long long)r.vectors,
           (unsigned long long)r.mismatches);
    if (k)
        printf("first mismatch: %s\n", r.first_error);
    printf("wrote %s and %s\nopen with: gtkwave %s %s\n", w.fst_name, w.sav_name, w.fst_name, w.sav_name);
    return k ? 1 : 0;
}

/* The GEMV build of `top` with `rows` rows (FP32 accumulation and depth 8 preferred), or NULL. */
static const vu_spec *pick_gemv(const char *top, int rows)
{
    size_t n;
    const vu_spec *s = vunit_specs(VU_GEMV, &n), *pick = NULL;
    int best = -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s[i].top, top) || s[i].p[0] != rows)
            continue;
        int score = 2 * s[i].p[3] + (s[i].p[1] == 8);
        if (score > best)
            best = score, pick = &s[i];
    }
    return pick;
}

int gemv_gtkw_emit(const vgemv_ops *pick, FILE *f, const char *base)
{
    const int aw = pick->cfg.acc_fp32 ? 32 : 16, slots = pick->cfg.slots;
    const int slotw = slots > 1 ? (int)(sizeof(unsigned) * 8) - __builtin_clz((unsigned)slots - 1u) : 1;
    char lanes[16], sl[16], op[16];
    snprintf(lanes, sizeof lanes, "%d:0", 16 * aw - 1);
    snprintf(sl, sizeof sl, "%d:0", slotw - 1);
    snprintf(op, sizeof op, "%d:0", slots - 1);
    /* the stages after S1 (gemv_core.sv NS: M2 and the five adder levels when pipelined; the latency
     * counts fire, S1 and the holder besides) */
    const int nstage = GEMV_LATENCY(GEMV_PIPE) - 2;
    char ns[16], nsl[16];
    snprintf(ns, sizeof ns, "%d:0", nstage - 1);
    snprintf(nsl, sizeof nsl, "%d:0", nstage * slotw - 1);
    const char *u = pick->top;
    sigs s = {.n = 0};
    const char *in[] = {sig(&s, "top.%s.clk_i", u),        sig(&s, "top.%s.rst_ni", u),
                        sig(&s, "top.%s.cmd_valid_i", u),  sig(&s, "top.%s.cmd_ready_o", u),
                        sig(&s, "top.%s.cmd_i[31:0]", u),  sig(&s, "top.%s.data_valid_i", u),
                        sig(&s, "top.%s.data_i[255:0]", u), NULL};
    const char *pipe[] = {sig(&s, "top.%s.u_core.fire", u),
                          sig(&s, "top.%s.u_core.bad", u),
                          sig(&s, "top.%s.u_core.stall", u),
                          sig(&s, "top.%s.u_core.hazard", u),
                          sig(&s, "top.%s.u_core.open_q[%s]", u, op),
                          sig(&s, "top.%s.u_core.valid_s1_q", u),
                          sig(&s, "top.%s.u_core.ctx_s1_q", u),
                          sig(&s, "top.%s.u_core.lv_valid_q[%s]", u, ns),
                          sig(&s, "top.%s.u_core.lv_first_q[%s]", u, ns),
                          sig(&s, "top.%s.u_core.lv_last_q[%s]", u, ns),
                          sig(&s, "top.%s.u_core.lv_slot_q[%s]", u, nsl),
                          NULL};
    /* every row's adder outputs (lane 15 = the score accumulator) for at most 8 rows */
    const char *row[10];
    int nr = pick->cfg.rows < 8 ? pick->cfg.rows : 8;
    for (int i = 0; i < nr; i++) /* INT8 rows (gemv_row_i8): their 32 result lanes */
        row[i] = pick->cfg.kv_fmt == GEMV_KV_INT8
                     ? sig(&s, "{row %d results} top.%s.u_core.g_row[%d].g_i8.u_row.res_o[1023:0]", i, u, i)
                     : sig(&s, "{row %d adders} top.%s.u_core.g_row[%d].g_fp.u_row.sum_o[%s]", i, u, i, lanes);
    row[nr] = NULL;
    const char *out[] = {sig(&s, "top.%s.res_valid_o", u), sig(&s, "top.%s.res_ready_i", u),
                         sig(&s, "top.%s.res_info_o[15:0]", u),
                         sig(&s, "top.%s.res_data_o[%s]", u, lanes), sig(&s, "top.%s.err_o", u), NULL};
    const gtkw_group groups[] = {{"command and data streams", in},
                                 {"pipeline: fire, S1 (multipliers), the adder-level stages (bit j: stage j; the last holds the accumulators)", pipe},
                                 {"rows: adder outputs (score: lane 15 is the accumulator)", row},
                                 {"result stream", out}};
    return gtkw_emit(f, base, groups, 4);
}

static int wave_gemv(const char *unit, int rows, gemv_pattern pattern, const char *dir, uint64_t cycles,
                     uint64_t seed)
{
    const vu_spec *spec = pick_gemv(unit, rows);
    if (!spec) {
        size_t n;
        const vu_spec *s = vunit_specs(VU_GEMV, &n);
        fprintf(stderr, "pimattn wave: --g: no %s build with G = %d (allowed:", unit, rows);
        for (size_t i = 0; i < n; i++) {
            int seen = 0; /* each G once */
            for (size_t j = 0; j < i; j++)
                seen |= !strcmp(s[j].top, unit) && s[j].p[0] == s[i].p[0];
            if (!strcmp(s[i].top, unit) && !seen)
                fprintf(stderr, " %d", s[i].p[0]);
        }
        fprintf(stderr, ")\n");
        return CLI_EXIT_BAD_INPUT;
    }
    char lerr[1024];
    const vgemv_ops *pick = vunit_load_traced(VU_GEMV, spec->name, lerr, sizeof lerr);
    if (!pick) {
        fprintf(stderr, "pimattn wave: %s\n", lerr);
        return 1;
    }
    const char *bn = pick->build;
    wave_out w;
    int st = wave_begin(&w, dir, bn);
    if (st)
        return st;
    gemv_cosim_cfg cfg = {.seed = seed, .commands = cycles, .pattern = pattern, .trace_path = w.trace,
                          .trace_from = 0, .trace_cycles = cycles + 32};
    if (pattern == GEMV_RANDOM) {
        cfg.gap_rate = cfg.stall_rate = 0.2;
        cfg.special_rate = 0.01;
    } else {
        cfg.stall_rate = 0.1; /* some back-pressure so the stall path is visible */
    }
    gemv_cosim_res r;
    int k = gemv_cosim_run(pick, &cfg, &r);
    if (k < 0) {
        fprintf(stderr, "pimattn wave: %s\n", r.first_error);
        out_set_free(w.set);
        return 1;
    }
    if (wave_end(&w, r.trace_failed, NULL, 0, pick))
        return 1;
    printf("pimattn wave: %s (%s: rows %d, depth %d, slots %d, %s accumulation): %llu cycles, %llu commands, "
           "%llu result beats checked, %llu mismatches\n",
           unit, bn, pick->cfg.rows, pick->cfg.depth, pick->cfg.slots, pick->cfg.acc_fp32 ? "FP32" : "FP16",
           (unsigned long long)r.cycles, (unsigned long long)r.commands, (unsigned long long)r.beats,
           (unsigned long long)r.mismatches);
    if (k)
        printf("first mismatch: %s\n", r.first_error);
    printf("wrote %s and %s\nopen with: gtkwave %s %s\n", w.fst_name, w.sav_name, w.fst_name, w.sav_name);
    return k ? 1 : 0;
}

/* The softmax unit's build sm_l4_h (4 lanes, FP16 scores): short random rows and merges. */
static int wave_softmax(const char *dir, uint64_t beats, uint64_t seed)
{
    char lerr[1024];
    const vsm_ops *pick = vunit_load_traced(VU_SM, WAVE_SM_BUILD, lerr, sizeof lerr);
    if (!pick) {
        fprintf(stderr, "pimattn wave: %s\n", lerr);
        return 1;
    }
    wave_out w;
    int st = wave_begin(&w, dir, pick->build);
    if (st)
        return st;
    sm_cosim_cfg cfg = {.seed = seed, .scores = beats, .max_len = 24, .gap_rate = 0.1, .stall_rate = 0.1,
                        .special_rate = 0.01, .trace_path = w.trace, .trace_from = 0, .trace_cycles = 4 * beats + 400};
    sm_cosim_res r;
    int k = sm_cosim_run(pick, &cfg, &r);
    if (k < 0) {
        fprintf(stderr, "pimattn wave: %s\n", r.first_error);
        out_set_free(w.set);
        return 1;
    }
    const char *u = "top.softmax_unit";
    int lb = pick->cfg.lanes * 32 - 1, vw = 0;
    while ((1 << vw) < pick->cfg.merge_d + 1)
        vw++;
    sigs s = {.n = 0};
    const char *in[] = {sig(&s, "%s.clk_i", u),           sig(&s, "%s.rst_ni", u),
                        sig(&s, "%s.in_valid_i", u),      sig(&s, "%s.in_ready_o", u),
                        sig(&s, "%s.in_cmd_i[95:0]", u),  sig(&s, "%s.in_data_i[%d:0]", u, lb),
                        sig(&s, "%s.a_v_q", u),           sig(&s, "%s.a_cmd_q[95:0]", u),
                        sig(&s, "%s.hold", u),            sig(&s, "%s.issue", u),
                        sig(&s, "%s.bad", u),             NULL};
    const char *row[] = {sig(&s, "%s.st_q[1:0]", u),      sig(&s, "%s.pos_q[31:0]", u),
                         sig(&s, "%s.masked[%d:0]", u, pick->cfg.lanes - 1),
                         sig(&s, "%s.pv_q[8:1]", u),      sig(&s, "%s.pexp_q[8:1]", u),
                         sig(&s, "%s.x2[%d:0]", u, lb),   sig(&s, "%s.xmax_q[31:0]", u),
                         sig(&s, "%s.any_q", u),          sig(&s, "%s.nan_q", u),
                         sig(&s, "%s.m_row_q[31:0]", u),  sig(&s, "%s.p7[%d:0]", u, pick->cfg.lanes * 16 - 1),
                         sig(&s, "%s.lane_q[%d:0]", u, lb), sig(&s, "%s.tail_q[4:0]", u),
                         sig(&s, "%s.l_tree[31:0]", u),   sig(&s, "%s.rl_out[31:0]", u),
                         sig(&s, "%s.pend_row_q", u),     sig(&s, "%s.rr_v_q", u),
                         NULL};
    const char *merge[] = {sig(&s, "%s.vpos_q[%d:0]", u, vw - 1), sig(&s, "%s.part_q[4:0]", u),
                           sig(&s, "%s.mm_q[31:0]", u),           sig(&s, "%s.ml_q[31:0]", u),
                           sig(&s, "%s.sa_q[31:0]", u),           sig(&s, "%s.sb_q[31:0]", u),
                           sig(&s, "%s.drain_q", u),              sig(&s, "%s.dcnt_q[4:0]", u),
                           sig(&s, "%s.oidx_q[%d:0]", u, vw - 1), NULL};
    const char *out[] = {sig(&s, "%s.out_valid_o", u),       sig(&s, "%s.out_ready_i", u),
                         sig(&s, "%s.out_kind_o[1:0]", u),   sig(&s, "%s.out_flags_o[1:0]", u),
                         sig(&s, "%s.out_aux_o[95:0]", u),   sig(&s, "%s.out_data_o[%d:0]", u, lb),
                         sig(&s, "%s.err_o", u),             NULL};
    const gtkw_group groups[] = {{"input stream (op in cmd[2:0]: 0 ROW 1 MAX 2 EXP 3 PART 4 PVEC 5 MEND)", in},
                                 {"row: mask, pipeline valid bits (P1-P8), scaled scores (P2), maximum, probabilities (P7), lane "
                                  "sums, row result",
                                  row},
                                 {"split-K merge", merge},
                                 {"output stream (kind: 0 PROB 1 ROW_RES 2 OVEC 3 MERGE_RES; aux = rl, l, m)", out}};
    if (wave_end(&w, r.trace_failed, groups, 4, NULL))
        return 1;
    printf("pimattn wave: softmax (%s: %d lanes, %d pieces, %s scores, merge length %d): %llu cycles, %llu rows, "
           "%llu merges, %llu output beats checked, %llu mismatches\n",
           pick->build, pick->cfg.lanes, pick->cfg.exp_pieces, pick->cfg.in_fp16 ? "FP16" : "FP32",
           pick->cfg.merge_d, (unsigned long long)r.cycles, (unsigned long long)r.rows,
           (unsigned long long)r.merges, (unsigned long long)r.beats_out, (unsigned long long)r.mismatches);
    if (k)
        printf("first mismatch: %s\n", r.first_error);
    printf("wrote %s and %s\nopen with: gtkwave %s %s\n", w.fst_name, w.sav_name, w.fst_name, w.sav_name);
    return k ? 1 : 0;
}

int cmd_wave(int argc, char **argv)
{
    const char *unit = NULL, *dir = "build/wave";
    uint64_t cycles = 0, seed = 1, g = 0;
    int pattern = GEMV_SCORE_STREAM, pattern_set = 0, needs = 0;
    const cli_opt opts[] = {CLI_OPT_STR("unit", &unit), CLI_OPT_STR("dir", &dir),
                            CLI_OPT_U64("cycles", &cycles, 1, 1000000), CLI_OPT_U64("seed", &seed, 0, UINT64_MAX),
                            CLI_OPT_U64("g", &g, 1, 16),
                            {.name = "pattern", .kind = CLI_CHOICE, .dst = &pattern, .words = gemv_pattern_names,
                             .given = &pattern_set},
                            CLI_OPT_FLAG("needs", &needs)};
    int st = cli_options("wave", wave_help, opts, CLI_NOPTS(opts), argc, argv, NULL);
    if (st != CLI_GO)
        return st;
    int is_gemv = unit && (!strcmp(unit, "gemv_tree") || !strcmp(unit, "gemv_systolic"));
    int is_sm = unit && !strcmp(unit, "softmax");
    if (!unit || (!is_gemv && !is_sm && !prim_desc_find(unit))) {
        fprintf(stderr,
                "pimattn wave: --unit: %s '%s' (allowed: fp16_mul, fp16_mul32, fp16_add, fp32_add, fp16_mac32, "
                "sm_prob, sm_norm, fp32_scale2, gemv_tree, gemv_systolic, softmax)\n",
                unit ? "unknown unit" : "missing", unit ? unit : "");
        return CLI_EXIT_BAD_INPUT;
    }
    if (g && strcmp(unit, "gemv_systolic") != 0) {
        fprintf(stderr, "pimattn wave: --g: only gemv_systolic has a G parameter (gemv_tree is one row)\n");
        return CLI_EXIT_BAD_INPUT;
    }
    if (pattern_set && !is_gemv) {
        fprintf(stderr, "pimattn wave: --pattern: only the GEMV units take a command pattern\n");
        return CLI_EXIT_BAD_INPUT;
    }
    const int rows = !strcmp(unit, "gemv_tree") ? 1 : (g ? (int)g : 4);
    if (needs) { /* the build the wave loads (for make wave); a GEMV G without a build: wave_gemv says so */
        const vu_spec *s = is_sm ? NULL : is_gemv ? pick_gemv(unit, rows) : pick_prim(unit);
        if (is_sm || s)
            return printf("%s%s\n", is_gemv || is_sm ? "trace/" : "", is_sm ? WAVE_SM_BUILD : s->name) < 0;
    }
    struct stat dst;
    if (!needs && stat(dir, &dst) == 0 && !S_ISDIR(dst.st_mode)) {
        fprintf(stderr, "pimattn wave: --dir: '%s' is not a directory (allowed: a directory, created if missing)\n", dir);
        return CLI_EXIT_BAD_INPUT;
    }
    if (!needs && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "pimattn wave: --dir: cannot create '%s': %s\n", dir, strerror(errno));
        return CLI_EXIT_BAD_INPUT;
    }
    if (is_sm)
        return wave_softmax(dir, cycles ? cycles : 160, seed);
    if (!is_gemv)
        return wave_prim(unit, dir, cycles ? cycles : 64, seed);
    if (!cycles)
        cycles = 160;
    return wave_gemv(unit, rows, (gemv_pattern)pattern, dir, cycles, seed);
}
