/* report.c — text and JSON reports of `pimattn run` (report.h). */
#include "run.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"

static const char *const energy_names[6] = {"dram_array", "column_path", "gemv_macs", "buffer_die_transfers",
                                            "softmax", "total"};

/* Energy groups of one engine statistics block, softmax excluded (pJ). */
static void group_energy(const hbm_energy *e, double g[6])
{
    g[0] = e->act + e->cell + e->refresh;
    g[1] = e->column;
    g[2] = e->alu;
    g[3] = e->global_io + e->tsv + e->io;
    g[4] = 0;
    g[5] = g[0] + g[1] + g[2] + g[3];
}

static double softmax_pj(const attn_cfg *c)
{
    double scores = 0;
    for (uint32_t i = 0; i < c->batch; i++)
        scores += (c->m.window && c->ctx[i] > c->m.window) ? c->m.window : c->ctx[i];
    /* two passes over every score of every query head, and the merged partial vectors */
    return REPORT_SM_PJ * c->m.heads * (2.0 * scores + (double)c->batch * c->m.head_dim * 16);
}

void report_derive(const attn_cfg *c, const attn_res *r, report_fig *f)
{
    const hbm_cfg *h = &c->hbm;
    memset(f, 0, sizeof *f);
    f->tck_ns = h->tck_ps / 1000.0;
    /* bursts per CK per channel: every unit one per nMAC, all banks together at most one channel-full per
     * nMACpow (power limit); s = CK between a unit's bursts */
    const double banks = (double)hbm_cfg_banks_per_pc(h) * h->pcs, units = banks / (c->pingpong ? 2 : 1);
    double b = units / h->nMAC;
    if (h->power_limit && banks / h->nMACpow < b)
        b = banks / h->nMACpow;
    const double s = units / b;
    f->peak_bw = b * r->channels * h->burst_bytes / (f->tck_ns * 1e-9);
    /* one row buffer per bank, all banks switching together (docs/architecture.md): an ACTAB of k banks
     * completes after (ceil(k/4) - 1) nFAW with the activation window (pim.allbank_act_faw) */
    const double bpc = hbm_cfg_banks_per_pc(h), quad = h->ab_act_faw ? h->nFAW : 0;
    double stagger = (ceil(bpc / 4) - 1) * quad, act = h->nRCDRD + stagger + (h->columns - 1) * s + h->nRTP;
    if (act < h->nRAS + stagger)
        act = h->nRAS + stagger;
    f->row_period = act + h->nRP < h->nRC + stagger ? h->nRC + stagger : act + h->nRP;
    if (c->pingpong) /* the other bank of each unit switches while this one streams: the ceiling is the MAC
                      * bound of the units (what is left of the switch shows as the gap to it) */
        f->row_period = h->columns * s;
    f->ceiling_bw = f->peak_bw * h->columns * s / f->row_period;
    /* cycles are whole: a layer takes at least the next whole cycle above bytes / peak */
    f->lower_bound = (uint64_t)ceil((double)r->kv_bytes_layer / (f->peak_bw * f->tck_ns * 1e-9));
    double cyc = 0, e[6] = {0};
    for (uint32_t l = 0; l < r->layers; l++) {
        double g[6];
        cyc += (double)r->layer[l].cycles;
        group_energy(&r->layer[l].hbm.energy, g);
        for (int k = 0; k < 6; k++)
            e[k] += g[k];
        const func_stats *ns = &r->layer[l].num;
        f->heads_checked += ns->heads;
        f->nonfinite_heads += ns->nonfinite_heads;
        f->over_heads += ns->over_heads;
        f->score_nonfinite += ns->score_nonfinite;
        f->ctx_nonfinite += ns->ctx_nonfinite;
        f->mean_rel_l2 += ns->sum_rel_l2;
        if (ns->max_rel_l2 > f->max_rel_l2)
            f->max_rel_l2 = ns->max_rel_l2;
    }
    uint32_t L = r->layers ? r->layers : 1;
    f->layer_cycles = cyc / L;
    f->step_seconds = f->layer_cycles * c->m.layers * f->tck_ns * 1e-9;
    f->tokens_per_s = f->step_seconds > 0 ? c->batch / f->step_seconds : 0;
    for (int k = 0; k < 6; k++)
        f->energy_pj[k] = e[k] / L * c->m.layers;
    f->energy_pj[4] = softmax_pj(c) * c->m.layers;
    f->energy_pj[5] += f->energy_pj[4];
    uint64_t finite = f->heads_checked - f->nonfinite_heads;
    f->mean_rel_l2 = finite ? f->mean_rel_l2 / (double)finite : 0;
    f->gate = c->max_rel_l2;
}

/* The numerics lines: checked heads, max and mean over the finite ones, the non-finite ones, the gate,
 * and a warning when an accumulator overflowed. */
static void report_numerics(FILE *o, const attn_cfg *c, const attn_res *r, const report_fig *f)
{
    const uint64_t per_layer = (uint64_t)r->items * model_group(&c->m);
    if (!f->heads_checked) {
        fprintf(o, "  numerics: no functional pass (timing only)\n");
        return;
    }
    fprintf(o, "  numerics: %llu of %llu query heads checked against FP64 attention (%u layer(s)%s): rel-L2 max %.3e, "
               "mean %.3e over the %llu finite heads",
            (unsigned long long)f->heads_checked, (unsigned long long)(per_layer * r->layers), r->layers,
            c->numerics ? ", --numerics" : r->layers > 1 && c->numerics_later ? ", every item of the first, a sample of the others" : "", f->max_rel_l2, f->mean_rel_l2,
            (unsigned long long)(f->heads_checked - f->nonfinite_heads));
    if (f->nonfinite_heads)
        fprintf(o, "; %llu head(s) NON-FINITE (NaN or Inf in the output)", (unsigned long long)f->nonfinite_heads);
    fputc('\n', o);
    if (f->gate > 0)
        fprintf(o, "  numerics gate --max-rel-l2 %.3e: %s (%llu head(s) above it, %llu non-finite)\n", f->gate,
                f->over_heads || f->nonfinite_heads ? "FAILED" : "passed", (unsigned long long)f->over_heads,
                (unsigned long long)f->nonfinite_heads);
    if (f->score_nonfinite || f->ctx_nonfinite)
        fprintf(o, "  warning: %s accumulation overflowed in the checked heads: %llu score(s) q.k and %llu partial-output "
                   "value(s) p.V came out Inf/NaN (FP16 holds |x| <= 65504; docs/numerics.md, \"Range\")\n",
                c->acc_fp32 ? "FP32" : "FP16", (unsigned long long)f->score_nonfinite,
                (unsigned long long)f->ctx_nonfinite);
}

void report_text(FILE *o, const attn_cfg *c, const attn_res *r, const report_info *in, const report_fig *f)
{
    const hbm_cfg *h = &c->hbm;
    char blk[48] = "";
    if (c->kv_fmt == GEMV_KV_INT8)
        snprintf(blk, sizeof blk, " (scale blocks of %u tokens)", c->kv_block);
    fprintf(o, "pimattn run: %s decode attention, batch %u, ctx %u..%u (mean %.0f), %s%s G=%u%s, KV %s%s, acc %s, softmax "
               "%s, %s mode\n",
            in->model, c->batch, in->ctx_min, in->ctx_max, in->ctx_mean, in->gemv, c->systolic ? "" : " (G passes)",
            in->group, c->pingpong ? ", ping-pong (2 banks per unit)" : "", in->kv, blk, in->acc, in->softmax, in->mode);
    fprintf(o, "  hbm %s, %u stack(s) = %u channels x %u banks; power limit %s; seed %llu\n", in->hbm, h->stacks,
            r->channels, hbm_cfg_banks_per_pc(h) * h->pcs, h->power_limit ? "on" : "off", (unsigned long long)in->seed);
    fprintf(o, "  KV cache %.3f GB of %.3f GB (%u layers); %u work items (request x KV head) on %u of %u channels, "
               "%u passes per layer\n",
            r->kv_bytes_needed / 1e9, r->kv_bytes_avail / 1e9, c->m.layers, r->items, r->channels_used, r->channels,
            r->passes_per_layer);
    if (r->split_items)
        fprintf(o, "  split: %u item(s) in %u parts over channels of a stack (--split %s); each part's partial is merged "
                   "by log-sum-exp on its owner's buffer-die softmax unit after the layer's passes\n",
                r->split_items, r->parts - (r->items - r->split_items), c->split == PLAN_SPLIT_BALANCE ? "balance" : "fit");
    if (r->host_tokens)
        fprintf(o, "  host tier: %llu tokens x KV heads per layer on the host (%.1f %% of the KV cache), %.2f MB per layer "
                   "at %.0f GB/s + %.1f us = %llu CK, in parallel with the stacks, merged by log-sum-exp\n",
                (unsigned long long)r->host_tokens, 100.0 * r->kv_bytes_host_layer / r->kv_bytes_layer,
                r->kv_bytes_host_layer / 1e6, c->host_gbs, c->host_latency_us, (unsigned long long)r->host_cycles);
    if (c->rtl)
        fprintf(o, "  rtl: %s bank units (%s) and their channels' softmax units (%s) in Verilator, the rest golden\n",
                in->rtl_banks, r->be.rtl_gemv_build, r->be.rtl_smu_build);
    fprintf(o, "\n%-6s %10s %9s %10s %8s %6s %7s %8s %7s %7s %9s %10s %10s\n", "layer", "cycles", "time_us", "KV_read_MB",
            "GB/s", "%peak", "%ceil", "bound_x", "MACAB", "ACTAB", "hit_rate", "energy_uJ", "max_relL2");
    for (uint32_t l = 0; l < r->layers; l++) {
        const attn_layer *y = &r->layer[l];
        double t = y->cycles * f->tck_ns * 1e-9, bw = t > 0 ? y->hbm.pim_bytes / t : 0, g[6];
        group_energy(&y->hbm.energy, g);
        uint64_t bursts = y->hbm.row_hits + y->hbm.row_misses;
        char rel[16]; /* a layer with a non-finite head says so instead of its finite maximum */
        snprintf(rel, sizeof rel, y->num.nonfinite_heads ? "NaN/Inf" : "%.2e", y->num.max_rel_l2);
        fprintf(o, "%-6u %10llu %9.3f %10.2f %8.1f %6.1f %7.1f %8.3f %7llu %7llu %8.1f%% %10.3f %10s\n", l,
                (unsigned long long)y->cycles, t * 1e6, y->hbm.pim_bytes / 1e6, bw / 1e9, 100 * bw / f->peak_bw,
                100 * bw / f->ceiling_bw, (double)y->cycles / (double)f->lower_bound,
                (unsigned long long)y->hbm.cmds[HBM_MACAB], (unsigned long long)y->hbm.cmds[HBM_ACTAB],
                bursts ? 100.0 * y->hbm.row_hits / bursts : 0, g[5] / 1e6, rel);
    }
    const attn_layer *y0 = &r->layer[0];
    fprintf(o, "\n  peak all-bank MAC bandwidth %.1f GB/s%s; row-switch-aware ceiling %.1f GB/s (%.0f CK per 1 KB row)\n",
            f->peak_bw / 1e9, c->pingpong ? " (ping-pong: half the units)" : "", f->ceiling_bw / 1e9, f->row_period);
    fprintf(o, "  lower bound (unique KV bytes %.2f MB / peak) %llu CK; simulated / bound = %.3f (must be >= 1)\n",
            r->kv_bytes_layer / 1e6, (unsigned long long)f->lower_bound, f->layer_cycles / (double)f->lower_bound);
    fprintf(o, "  data path (layer 0): the busiest PC carries %llu CK of WRGB, MVSB and MVGB (n x nBL each) = %.1f %% of the "
               "layer; a bound like the row ceiling\n",
            (unsigned long long)y0->datapath, y0->cycles ? 100.0 * y0->datapath / y0->cycles : 0);
    fprintf(o, "  channels: busiest %llu CK, least busy %llu CK (layer 0); softmax unit busy %llu CK summed over channels\n",
            (unsigned long long)y0->busiest_channel_cycles, (unsigned long long)y0->idlest_channel_cycles,
            (unsigned long long)y0->sfm_cycles);
    fprintf(o, "  commands (layer 0):");
    for (int op = 0; op < HBM_NOPS; op++)
        if (y0->hbm.cmds[op])
            fprintf(o, " %s %llu", hbm_op_name((unsigned)op), (unsigned long long)y0->hbm.cmds[op]);
    fprintf(o, "\n  refresh (layer 0): %llu REFAB during attention (%.2f %% of PC time), postponed as allowed; %llu after "
               "it, done %llu CK after the layer (during the xPU's FC layers)\n",
            (unsigned long long)y0->refreshes,
            y0->cycles ? 100.0 * y0->refreshes * h->nRFC / ((double)y0->cycles * r->channels * h->pcs) : 0,
            (unsigned long long)(y0->hbm.cmds[HBM_REFAB] - y0->refreshes), (unsigned long long)y0->refresh_after);
    fprintf(o, "\n  decode step: %u layers%s: %.3f us attention, %.0f tokens/s (attention only; the whole model: pimattn system)\n",
            c->m.layers, r->layers < c->m.layers ? " (the unsimulated ones repeat the simulated layers' mean)" : "",
            f->step_seconds * 1e6, f->tokens_per_s);
    fprintf(o, "  energy per step: %.3f mJ = dram array %.3f, column path %.3f, GEMV MACs %.3f, buffer-die transfers %.3f, "
               "softmax %.3f mJ\n",
            f->energy_pj[5] / 1e9, f->energy_pj[0] / 1e9, f->energy_pj[1] / 1e9, f->energy_pj[2] / 1e9,
            f->energy_pj[3] / 1e9, f->energy_pj[4] / 1e9);
    report_numerics(o, c, r, f);
    if (c->rtl)
        fprintf(o, "  rtl: %llu Verilated units, %llu GEMV commands and %llu softmax beats checked bit for bit, 0 "
                   "mismatches; %llu unit cycles in %.2f s\n",
                (unsigned long long)r->be.rtl_units, (unsigned long long)r->be.rtl_gemv_cmds,
                (unsigned long long)r->be.rtl_smu_beats, (unsigned long long)r->be.rtl_cycles, r->be.rtl_seconds);
    double simcyc = 0;
    for (uint32_t l = 0; l < r->layers; l++)
        simcyc += (double)r->layer[l].cycles;
    uint64_t ncmd = 0;
    for (int op = 0; op < HBM_NOPS; op++)
        ncmd += r->hbm.cmds[op];
    double w = r->wall_seconds > 0 ? r->wall_seconds : 1e-9;
    fprintf(o, "  simulation: %u layer(s), %llu commands in %.2f s wall: %.3g simulated cycles/s (%.3g channel-cycles/s), "
               "%.3g commands/s\n",
            r->layers, (unsigned long long)ncmd, r->wall_seconds, simcyc / w, simcyc * r->channels_used / w, ncmd / w);
}

static cJSON *stats_json(const hbm_stats *s, double tck_ns)
{
    cJSON *o = cJSON_CreateObject(), *cm = cJSON_AddObjectToObject(o, "commands"), *e;
    for (int op = 0; op < HBM_NOPS; op++)
        cJSON_AddNumberToObject(cm, hbm_op_name((unsigned)op), (double)s->cmds[op]);
    cJSON_AddNumberToObject(o, "pim_bytes", (double)s->pim_bytes);
    cJSON_AddNumberToObject(o, "io_bytes", (double)s->ext_bytes);
    cJSON_AddNumberToObject(o, "row_hits", (double)s->row_hits);
    cJSON_AddNumberToObject(o, "row_misses", (double)s->row_misses);
    cJSON_AddNumberToObject(o, "refresh_pc_cycles", s->refresh_cycles);
    cJSON_AddNumberToObject(o, "refresh_pc_ns", s->refresh_cycles * tck_ns);
    double g[6];
    group_energy(&s->energy, g);
    e = cJSON_AddObjectToObject(o, "energy_pj");
    for (int k = 0; k < 6; k++)
        if (k != 4)
            cJSON_AddNumberToObject(e, energy_names[k], g[k]);
    return o;
}

/* The run's configuration ("config"). */
static void json_config(cJSON *root, const attn_cfg *c, const attn_res *r, const report_info *in)
{
    cJSON *cf = cJSON_AddObjectToObject(root, "config");
    cJSON_AddStringToObject(cf, "model", in->model);
    cJSON_AddNumberToObject(cf, "layers", c->m.layers);
    cJSON_AddNumberToObject(cf, "heads", c->m.heads);
    cJSON_AddNumberToObject(cf, "kv_heads", c->m.kv_heads);
    cJSON_AddNumberToObject(cf, "head_dim", c->m.head_dim);
    cJSON_AddNumberToObject(cf, "batch", c->batch);
    cJSON *ctx = cJSON_AddArrayToObject(cf, "ctx");
    for (uint32_t i = 0; i < c->batch; i++)
        cJSON_AddItemToArray(ctx, cJSON_CreateNumber(c->ctx[i]));
    cJSON_AddStringToObject(cf, "gemv", in->gemv);
    cJSON_AddBoolToObject(cf, "pingpong", c->pingpong);
    cJSON_AddNumberToObject(cf, "group", in->group);
    cJSON_AddStringToObject(cf, "acc", in->acc);
    cJSON_AddStringToObject(cf, "kv_format", in->kv);
    if (c->kv_fmt == GEMV_KV_INT8)
        cJSON_AddNumberToObject(cf, "kv_block", c->kv_block);
    cJSON_AddStringToObject(cf, "softmax", in->softmax);
    cJSON_AddStringToObject(cf, "hbm", in->hbm);
    cJSON_AddNumberToObject(cf, "stacks", c->hbm.stacks);
    cJSON_AddBoolToObject(cf, "power_limit", c->hbm.power_limit);
    cJSON_AddStringToObject(cf, "mode", in->mode);
    if (c->rtl) {
        cJSON_AddStringToObject(cf, "rtl_banks", in->rtl_banks);
        cJSON_AddStringToObject(cf, "rtl_gemv_build", r->be.rtl_gemv_build);
        cJSON_AddStringToObject(cf, "rtl_softmax_build", r->be.rtl_smu_build);
    }
    cJSON_AddNumberToObject(cf, "seed", (double)in->seed);
    cJSON_AddNumberToObject(cf, "logit_scale", c->logit_scale);
}

/* The KV cache's placement ("mapping") and the host tier's share. */
static void json_mapping(cJSON *root, const attn_cfg *c, const attn_res *r)
{
    cJSON *m = cJSON_AddObjectToObject(root, "mapping");
    cJSON_AddNumberToObject(m, "work_items", r->items);
    cJSON_AddNumberToObject(m, "passes_per_layer", r->passes_per_layer);
    cJSON_AddNumberToObject(m, "channels_used", r->channels_used);
    cJSON_AddNumberToObject(m, "parts", r->parts);
    cJSON_AddNumberToObject(m, "split_items", r->split_items);
    cJSON_AddStringToObject(m, "split", c->split == PLAN_SPLIT_BALANCE ? "balance" : c->split == PLAN_SPLIT_FIT ? "fit" : "off");
    cJSON_AddNumberToObject(m, "channels", r->channels);
    cJSON_AddNumberToObject(m, "kv_bytes_per_layer", (double)r->kv_bytes_layer);
    cJSON_AddNumberToObject(m, "kv_bytes_needed", (double)r->kv_bytes_needed);
    cJSON_AddNumberToObject(m, "kv_bytes_available", (double)r->kv_bytes_avail);
    if (c->host_tier) {
        cJSON *ht = cJSON_AddObjectToObject(root, "host_tier");
        cJSON_AddNumberToObject(ht, "tokens_per_layer", (double)r->host_tokens);
        cJSON_AddNumberToObject(ht, "kv_bytes_per_layer", (double)r->kv_bytes_host_layer);
        cJSON_AddNumberToObject(ht, "bandwidth_gbs", c->host_gbs);
        cJSON_AddNumberToObject(ht, "latency_us", c->host_latency_us);
        cJSON_AddNumberToObject(ht, "cycles_per_layer", (double)r->host_cycles);
    }
}

/* One simulated layer: its DRAM statistics, time, bandwidth against the bounds, refresh and numerics. */
static cJSON *json_layer(const attn_layer *y, uint32_t l, const report_fig *f)
{
    cJSON *o = stats_json(&y->hbm, f->tck_ns);
    double t = y->cycles * f->tck_ns * 1e-9, bw = t > 0 ? y->hbm.pim_bytes / t : 0;
    cJSON_AddNumberToObject(o, "layer", l);
    cJSON_AddNumberToObject(o, "start_cycle", (double)y->start);
    cJSON_AddNumberToObject(o, "cycles", (double)y->cycles);
    cJSON_AddNumberToObject(o, "time_ns", t * 1e9);
    cJSON_AddNumberToObject(o, "bandwidth_gbs", bw / 1e9);
    cJSON_AddNumberToObject(o, "fraction_of_peak", bw / f->peak_bw);
    cJSON_AddNumberToObject(o, "fraction_of_row_ceiling", bw / f->ceiling_bw);
    cJSON_AddNumberToObject(o, "cycles_over_lower_bound", (double)y->cycles / (double)f->lower_bound);
    cJSON_AddNumberToObject(o, "busiest_channel_cycles", (double)y->busiest_channel_cycles);
    cJSON_AddNumberToObject(o, "least_busy_channel_cycles", (double)y->idlest_channel_cycles);
    cJSON_AddNumberToObject(o, "softmax_busy_cycles", (double)y->sfm_cycles);
    cJSON_AddNumberToObject(o, "datapath_busiest_pc_cycles", (double)y->datapath);
    cJSON_AddNumberToObject(o, "refreshes_during", (double)y->refreshes);
    cJSON_AddNumberToObject(o, "refreshes_after", (double)(y->hbm.cmds[HBM_REFAB] - y->refreshes));
    cJSON_AddNumberToObject(o, "refresh_after_cycles", (double)y->refresh_after);
    cJSON *nm = cJSON_AddObjectToObject(o, "numerics");
    cJSON_AddNumberToObject(nm, "heads_checked", (double)y->num.heads);
    cJSON_AddNumberToObject(nm, "max_rel_l2", y->num.max_rel_l2);
    uint64_t fin = y->num.heads - y->num.nonfinite_heads;
    cJSON_AddNumberToObject(nm, "mean_rel_l2", fin ? y->num.sum_rel_l2 / (double)fin : 0);
    cJSON_AddNumberToObject(nm, "nonfinite_heads", (double)y->num.nonfinite_heads);
    cJSON_AddNumberToObject(nm, "scores_nonfinite", (double)y->num.score_nonfinite);
    cJSON_AddNumberToObject(nm, "partial_values_nonfinite", (double)y->num.ctx_nonfinite);
    return o;
}

/* The decode step (all layers) and the bounds it is compared with. */
static void json_step(cJSON *root, const attn_cfg *c, const attn_res *r, const report_fig *f)
{
    cJSON *s = cJSON_AddObjectToObject(root, "decode_step");
    cJSON_AddNumberToObject(s, "layers", c->m.layers);
    cJSON_AddNumberToObject(s, "layers_simulated", r->layers);
    cJSON_AddBoolToObject(s, "timing_reused", r->layers < c->m.layers);
    if (r->layers < c->m.layers)
        cJSON_AddStringToObject(s, "reuse", "layers not simulated repeat the mean of the simulated layers (same shapes)");
    cJSON_AddNumberToObject(s, "mean_layer_cycles", f->layer_cycles);
    cJSON_AddNumberToObject(s, "attention_seconds", f->step_seconds);
    cJSON_AddNumberToObject(s, "tokens_per_s_attention_only", f->tokens_per_s);
    cJSON *e = cJSON_AddObjectToObject(s, "energy_pj");
    for (int k = 0; k < 6; k++)
        cJSON_AddNumberToObject(e, energy_names[k], f->energy_pj[k]);
    cJSON *b = cJSON_AddObjectToObject(root, "bounds");
    cJSON_AddNumberToObject(b, "peak_bandwidth_gbs", f->peak_bw / 1e9);
    cJSON_AddNumberToObject(b, "row_ceiling_bandwidth_gbs", f->ceiling_bw / 1e9);
    cJSON_AddNumberToObject(b, "row_period_cycles", f->row_period);
    cJSON_AddNumberToObject(b, "lower_bound_cycles", (double)f->lower_bound);
}

/* The numbers checked against FP64 and the --max-rel-l2 gate. */
static void json_numerics(cJSON *root, const attn_cfg *c, const attn_res *r, const report_fig *f)
{
    cJSON *nu = cJSON_AddObjectToObject(root, "numerics");
    cJSON_AddNumberToObject(nu, "heads_checked", (double)f->heads_checked);
    cJSON_AddNumberToObject(nu, "heads_total", (double)r->items * model_group(&c->m) * r->layers);
    cJSON_AddNumberToObject(nu, "max_rel_l2", f->max_rel_l2);
    cJSON_AddNumberToObject(nu, "mean_rel_l2", f->mean_rel_l2);
    cJSON_AddStringToObject(nu, "max_mean_over", "finite heads");
    cJSON_AddNumberToObject(nu, "nonfinite_heads", (double)f->nonfinite_heads);
    cJSON_AddNumberToObject(nu, "scores_nonfinite", (double)f->score_nonfinite);
    cJSON_AddNumberToObject(nu, "partial_values_nonfinite", (double)f->ctx_nonfinite);
    if (f->gate > 0) {
        cJSON *g = cJSON_AddObjectToObject(nu, "gate");
        cJSON_AddNumberToObject(g, "max_rel_l2", f->gate);
        cJSON_AddNumberToObject(g, "heads_above", (double)f->over_heads);
        cJSON_AddBoolToObject(g, "passed", !f->over_heads && !f->nonfinite_heads);
    }
}

/* What the simulation cost and what ran in RTL. */
static void json_simulation(cJSON *root, const attn_res *r, const report_fig *f)
{
    cJSON *sim = cJSON_AddObjectToObject(root, "simulation");
    cJSON_AddNumberToObject(sim, "wall_seconds", r->wall_seconds);
    cJSON_AddItemToObject(sim, "total", stats_json(&r->hbm, f->tck_ns));
    cJSON_AddNumberToObject(sim, "rtl_units", (double)r->be.rtl_units);
    cJSON_AddNumberToObject(sim, "rtl_gemv_commands", (double)r->be.rtl_gemv_cmds);
    cJSON_AddNumberToObject(sim, "rtl_softmax_beats", (double)r->be.rtl_smu_beats);
    cJSON_AddNumberToObject(sim, "rtl_unit_cycles", (double)r->be.rtl_cycles);
    cJSON_AddNumberToObject(sim, "rtl_seconds", r->be.rtl_seconds);
}

int report_json(FILE *out, const attn_cfg *c, const attn_res *r, const report_info *in, const report_fig *f)
{
    cJSON *root = cJSON_CreateObject();
    json_config(root, c, r, in);
    json_mapping(root, c, r);
    cJSON *ls = cJSON_AddArrayToObject(root, "layers");
    for (uint32_t l = 0; l < r->layers; l++)
        cJSON_AddItemToArray(ls, json_layer(&r->layer[l], l, f));
    json_step(root, c, r, f);
    json_numerics(root, c, r, f);
    json_simulation(root, r, f);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return -1;
    int ok = fputs(text, out) >= 0 && fputc('\n', out) != EOF;
    free(text);
    return ok ? 0 : -1;
}
