/* report.c — what `pimattn system` prints and writes (system.h): the PIM system beside its GPU-only twin,
 * per-layer breakdowns, refresh, overlap modes, energy by part, capacity, the SLO search. */
#include "system.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

const char *const sys_part_names[SYS_NPARTS] = {"qkv", "attention", "projection", "ffn", "norm",
                                                "allreduce", "transfers", "refresh_exposed"};
const char *const sys_energy_names[SYS_E_NPARTS] = {"gpu_compute", "gpu_memory", "nvlink", "pim_dram", "pim_link",
                                                    "dram_refresh", "static"};
static const char *const mode_names[4] = {"none", "transfer", "subbatch", "subbatch+transfer"};

#define GIB 1073741824.0

/* The mean over the decode steps of a layer's part p (seconds), and of the refresh debt. */
static double mean_part(const sys_gen_res *r, int p)
{
    double t = 0;
    for (uint32_t s = 0; s < r->nsteps; s++)
        t += p < 0 ? r->steps[s].refresh_debt_s : r->steps[s].part[p];
    return r->nsteps ? t / r->nsteps : 0;
}

static void head(FILE *f, const sys_point *pt)
{
    const sys_gen_cfg *c = pt->cfg;
    const sys_cfg *y = &c->sys;
    fprintf(f, "pimattn system: %s on %s (%u GPU%s, tp %u", c->m.name, y->name, y->gpus, y->gpus > 1 ? "s" : "", y->tp);
    if (y->pim)
        fprintf(f, "; one PIM device of %u x %s per GPU, %s GEMV units, %s softmax", y->pim_stacks, y->pim_hbm,
                y->pim_tree ? "tree" : "systolic", y->pim_splitk ? "split-K" : "buffer-die");
    fprintf(f, ")\n");
    double lmin = 1e30, lmax = 0;
    for (uint32_t b = 0; b < c->batch; b++) {
        lmin = c->lin[b] < lmin ? c->lin[b] : lmin;
        lmax = c->lin[b] > lmax ? c->lin[b] : lmax;
    }
    fprintf(f, "  generation: batch %u per replica, prompt %.0f", c->batch, lmin);
    if (lmax > lmin)
        fprintf(f, "..%.0f", lmax);
    fprintf(f, " tokens, %u generated (%u decode steps", c->lout, c->lout - 1);
    if (y->pim && c->lout > 1)
        fprintf(f, c->step_stride > 1 ? "; every %u-th simulated, the others interpolated" : "; every one simulated",
                c->step_stride);
    fprintf(f, ")\n");
}

static void placement(FILE *f, const sys_point *pt)
{
    const sys_gen_res *r = pt->res;
    const sys_shard *s = &r->shard[0], *l = &r->shard[r->shards - 1];
    fprintf(f, "  placement: %u query head%s and %u KV head%s per GPU", s->nq, s->nq > 1 ? "s" : "", s->nkv,
            s->nkv > 1 ? "s" : "");
    if (l->nq != s->nq) {
        uint32_t k = 0;
        for (uint32_t i = 0; i < r->shards; i++)
            k += r->shard[i].nq == l->nq;
        fprintf(f, " (%u of them %u)", k, l->nq);
    }
    if (pt->cfg->sys.pim)
        fprintf(f, "; each device holds its GPU's KV heads for every request (%u device shape%s simulated)",
                r->distinct_shards, r->distinct_shards > 1 ? "s" : "");
    fprintf(f, "\n");
}

static void memory(FILE *f, const sys_point *pt)
{
    const sys_gen_res *r = pt->res;
    fprintf(f, "  memory, %s at batch %u: per GPU weights %.1f GiB, KV cache %.1f GiB, activations %.1f GiB of %.0f GiB",
            pt->cfg->sys.name, pt->cfg->batch, r->weights_bytes_gpu / GIB, r->kv_bytes_gpu / GIB, r->act_bytes_gpu / GIB,
            r->gpu_capacity / GIB);
    if (pt->cfg->sys.pim)
        fprintf(f, "; per device KV cache %.1f GiB of %.0f GiB", r->kv_bytes_device / GIB, r->device_capacity / GIB);
    fprintf(f, "\n");
}

static void row(FILE *f, const char *what, const char *unit, double a, double b, int have_a, int have_b, int ratio)
{
    fprintf(f, "  %-30s", what);
    if (have_a)
        fprintf(f, " %14.4g %-5s", a, unit);
    else
        fprintf(f, " %14s %-5s", "-", "");
    if (have_b)
        fprintf(f, " %14.4g %-5s", b, unit);
    else
        fprintf(f, " %14s %-5s", "-", "");
    if (have_a && have_b && ratio && a > 0 && b > 0)
        fprintf(f, " %8.2fx", ratio > 0 ? a / b : b / a);
    fprintf(f, "\n");
}

static void layer_table(FILE *f, const sys_point *pt, const char *label)
{
    const sys_gen_res *r = pt->res;
    fprintf(f, "  %-12s", label);
    for (int p = 0; p < SYS_NPARTS; p++)
        fprintf(f, " %9.2f", mean_part(r, p) * 1e6);
    double prefill = 0;
    for (int p = 0; p < SYS_NPARTS; p++)
        prefill += r->prefill_part[p];
    fprintf(f, "   | prefill layer %.2f us\n", prefill * 1e6);
}

static void energy_line(FILE *f, const sys_point *pt, const char *label)
{
    const sys_gen_res *r = pt->res;
    const double tok = (double)pt->cfg->batch * pt->cfg->lout;
    fprintf(f, "  %-12s", label);
    for (int k = 0; k < SYS_E_NPARTS; k++)
        fprintf(f, " %s %.3f", sys_energy_names[k], r->energy[k] / tok * 1e3);
    fprintf(f, " mJ/token\n");
}

static void pim_details(FILE *f, const sys_point *pt)
{
    const sys_gen_res *r = pt->res;
    double debt = mean_part(r, -1), exposed = mean_part(r, SYS_REFRESH);
    fprintf(f, "  refresh per layer (mean): debt %.2f us after the attention, %.2f us exposed, %.2f us hidden behind "
            "GPU work\n", debt * 1e6, exposed * 1e6, (debt - exposed) * 1e6);
    fprintf(f, "  overlap (mean per-token latency):");
    for (int m = 0; m < 4; m++)
        if (r->mode_tpot_s[m] >= 0)
            fprintf(f, " %s %.3f ms%s", mode_names[m], r->mode_tpot_s[m] * 1e3, m == r->overlap ? " (reported)" : "");
    fprintf(f, "\n  simulation: %llu attention layers simulated in %.2f s",
            (unsigned long long)r->sim_layers, r->wall_seconds);
    const func_stats *n = &r->num;
    uint64_t fin = n->heads - n->nonfinite_heads;
    if (n->heads)
        fprintf(f, "; numerics: %llu query heads checked against FP64, rel-L2 max %.3e, mean %.3e%s",
                (unsigned long long)n->heads, n->max_rel_l2, fin ? n->sum_rel_l2 / fin : 0,
                n->nonfinite_heads ? " (some not finite)" : "");
    fprintf(f, "\n");
}

static void slo_line(FILE *f, const sys_point *pt, const char *label)
{
    const sys_slo *s = pt->slo;
    if (!s)
        return;
    fprintf(f, "  SLO %.1f ms, %-12s", s->slo_s * 1e3, label);
    if (!s->batch)
        fprintf(f, " no batch meets it (largest that fits: %u)\n", s->max_batch);
    else
        fprintf(f, " batch %u: %.3f ms per token, %.0f tokens/s, %.3f mJ/token (batch %u: %s; largest that fits %u)\n",
                s->batch, s->tpot_s * 1e3, s->tokens_per_s, s->joules_per_token * 1e3, s->batch + 1,
                s->next_tpot_s < 0 ? "does not fit" : "above it", s->max_batch);
}

/* Decode energy per generated token (the prefill's apart). */
static double decode_mj(const sys_point *pt)
{
    const sys_gen_res *r = pt->res;
    return r->nsteps ? r->decode_j / ((double)pt->cfg->batch * r->nsteps) * 1e3 : 0;
}

void sys_report_text(FILE *f, const sys_point *pim, const sys_point *gpu)
{
    const sys_point *main = pim ? pim : gpu;
    head(f, main);
    if (main->res)
        placement(f, main);
    const sys_gen_res *a = gpu ? gpu->res : NULL, *b = pim ? pim->res : NULL;
    if (a)
        memory(f, gpu);
    if (b)
        memory(f, pim);
    if (gpu && !a)
        fprintf(f, "  %s at batch %u: %s\n", gpu->cfg->sys.name, gpu->cfg->batch, gpu->why);
    fprintf(f, "\n  %-30s %20s %20s %9s\n", "", gpu ? gpu->cfg->sys.name : "-", pim ? pim->cfg->sys.name : "-",
            "PIM gain");
    row(f, "batch per replica", "", gpu ? gpu->cfg->batch : 0, pim ? pim->cfg->batch : 0, !!gpu, !!pim, 0);
    row(f, "prefill (time to first token)", "ms", a ? a->prefill_s * 1e3 : 0, b ? b->prefill_s * 1e3 : 0, !!a, !!b, 1);
    row(f, "per-token latency (mean)", "ms", a ? a->tpot_s * 1e3 : 0, b ? b->tpot_s * 1e3 : 0, !!a, !!b, 1);
    row(f, "decode throughput", "tok/s", a ? a->tokens_per_s_decode : 0, b ? b->tokens_per_s_decode : 0, !!a, !!b, -1);
    row(f, "end-to-end throughput", "tok/s", a ? a->tokens_per_s : 0, b ? b->tokens_per_s : 0, !!a, !!b, -1);
    row(f, "energy per token (all)", "mJ", a ? a->joules_per_token * 1e3 : 0, b ? b->joules_per_token * 1e3 : 0, !!a,
        !!b, 1);
    row(f, "energy per token (decode)", "mJ", a ? decode_mj(gpu) : 0, b ? decode_mj(pim) : 0, !!a, !!b, 1);
    fprintf(f, "\n  decode layer, us (mean over steps):");
    for (int p = 0; p < SYS_NPARTS; p++)
        fprintf(f, " %s", sys_part_names[p]);
    fprintf(f, "\n");
    if (a)
        layer_table(f, gpu, "GPU only");
    if (b)
        layer_table(f, pim, "GPU + PIM");
    fprintf(f, "  energy by part (whole generation per token):\n");
    if (a)
        energy_line(f, gpu, "GPU only");
    if (b)
        energy_line(f, pim, "GPU + PIM");
    if (b)
        pim_details(f, pim);
    if (gpu)
        slo_line(f, gpu, "GPU only");
    if (pim)
        slo_line(f, pim, "GPU + PIM");
    fprintf(f, "  model: GPU operations as a roofline, attention on PIM simulated command by command; every layer of a "
               "step shares its shape and placement, so one is simulated per step and device shape "
               "(docs/system.md)\n");
}

/* ---- JSON and CSV ---------------------------------------------------------------------------------------------- */

static cJSON *parts_json(const double *v, int n, const char *const *names, double scale)
{
    cJSON *o = cJSON_CreateObject();
    for (int k = 0; k < n; k++)
        cJSON_AddNumberToObject(o, names[k], v[k] * scale);
    return o;
}

static cJSON *slo_json(const sys_slo *s)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "slo_ms", s->slo_s * 1e3);
    cJSON_AddNumberToObject(o, "largest_batch_that_fits", s->max_batch);
    cJSON_AddNumberToObject(o, "batch", s->batch);
    cJSON_AddNumberToObject(o, "per_token_ms", s->tpot_s * 1e3);
    cJSON_AddNumberToObject(o, "tokens_per_s", s->tokens_per_s);
    cJSON_AddNumberToObject(o, "mj_per_token", s->joules_per_token * 1e3);
    cJSON_AddNumberToObject(o, "next_batch_per_token_ms", s->next_tpot_s * 1e3);
    cJSON *pts = cJSON_AddArrayToObject(o, "points");
    for (uint32_t i = 0; i < s->npt; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddNumberToObject(p, "batch", s->pt[i].batch);
        cJSON_AddNumberToObject(p, "per_token_ms", s->pt[i].tpot_s * 1e3);
        cJSON_AddNumberToObject(p, "tokens_per_s", s->pt[i].tokens_per_s);
        cJSON_AddItemToArray(pts, p);
    }
    return o;
}

static cJSON *point_json(const sys_point *pt)
{
    const sys_gen_cfg *c = pt->cfg;
    const sys_gen_res *r = pt->res;
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "system", c->sys.name);
    cJSON_AddBoolToObject(o, "pim", c->sys.pim);
    cJSON_AddNumberToObject(o, "batch", c->batch);
    if (c->sys.pim && r) { /* the bank unit, as make area's table names it (pimattn sweep --area) */
        cJSON *u = cJSON_AddObjectToObject(o, "unit");
        cJSON_AddStringToObject(u, "gemv", c->sys.pim_tree ? "tree" : "systolic");
        cJSON_AddNumberToObject(u, "group", r->unit_rows);
        cJSON_AddStringToObject(u, "acc", c->sys.pim_acc16 ? "fp16" : "fp32");
        cJSON_AddBoolToObject(u, "pingpong", c->sys.pim_pingpong);
    }
    if (pt->slo)
        cJSON_AddItemToObject(o, "slo", slo_json(pt->slo));
    if (!r) {
        cJSON_AddStringToObject(o, "does_not_fit", pt->why ? pt->why : "");
        return o;
    }
    cJSON *m = cJSON_AddObjectToObject(o, "memory_gib");
    cJSON_AddNumberToObject(m, "gpu_weights", r->weights_bytes_gpu / GIB);
    cJSON_AddNumberToObject(m, "gpu_kv_cache", r->kv_bytes_gpu / GIB);
    cJSON_AddNumberToObject(m, "gpu_activations", r->act_bytes_gpu / GIB);
    cJSON_AddNumberToObject(m, "gpu_capacity", r->gpu_capacity / GIB);
    cJSON_AddNumberToObject(m, "device_kv_cache", r->kv_bytes_device / GIB);
    cJSON_AddNumberToObject(m, "device_capacity", r->device_capacity / GIB);
    cJSON_AddNumberToObject(o, "prefill_ms", r->prefill_s * 1e3);
    cJSON_AddItemToObject(o, "prefill_layer_us", parts_json(r->prefill_part, SYS_NPARTS, sys_part_names, 1e6));
    cJSON_AddNumberToObject(o, "per_token_ms", r->tpot_s * 1e3);
    cJSON_AddNumberToObject(o, "decode_tokens_per_s", r->tokens_per_s_decode);
    cJSON_AddNumberToObject(o, "tokens_per_s", r->tokens_per_s);
    cJSON_AddNumberToObject(o, "mj_per_token", r->joules_per_token * 1e3);
    cJSON_AddNumberToObject(o, "mj_per_token_decode", decode_mj(pt));
    cJSON_AddStringToObject(o, "overlap", mode_names[r->overlap]);
    cJSON *ov = cJSON_AddObjectToObject(o, "per_token_ms_by_overlap");
    for (int k = 0; k < 4; k++)
        if (r->mode_tpot_s[k] >= 0)
            cJSON_AddNumberToObject(ov, mode_names[k], r->mode_tpot_s[k] * 1e3);
    double tok = (double)c->batch * c->lout, layer[SYS_NPARTS];
    for (int p = 0; p < SYS_NPARTS; p++)
        layer[p] = mean_part(r, p);
    cJSON_AddItemToObject(o, "decode_layer_us", parts_json(layer, SYS_NPARTS, sys_part_names, 1e6));
    cJSON_AddNumberToObject(o, "refresh_debt_us", mean_part(r, -1) * 1e6);
    cJSON_AddItemToObject(o, "mj_per_token_by_part", parts_json(r->energy, SYS_E_NPARTS, sys_energy_names, 1e3 / tok));
    cJSON_AddNumberToObject(o, "steps", r->nsteps);
    cJSON_AddNumberToObject(o, "attention_layers_simulated", (double)r->sim_layers);
    cJSON_AddNumberToObject(o, "wall_seconds", r->wall_seconds);
    return o;
}

int sys_report_json(FILE *f, const sys_point *pim, const sys_point *gpu)
{
    const sys_point *main = pim ? pim : gpu;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "model", main->cfg->m.name);
    cJSON_AddNumberToObject(root, "lout", main->cfg->lout);
    cJSON_AddNumberToObject(root, "step_stride", main->cfg->step_stride);
    cJSON *sys = cJSON_AddArrayToObject(root, "systems");
    if (gpu)
        cJSON_AddItemToArray(sys, point_json(gpu));
    if (pim)
        cJSON_AddItemToArray(sys, point_json(pim));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return -1;
    int ok = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    free(text);
    return ok ? 0 : -1;
}

static void csv_rows(FILE *f, const sys_point *pt)
{
    const sys_gen_res *r = pt->res;
    if (!r)
        return;
    const char *name = pt->cfg->sys.name;
    double lin = 0;
    for (uint32_t b = 0; b < pt->cfg->batch; b++)
        lin += pt->cfg->lin[b];
    fprintf(f, "%s,%u,0,1,%.3f", name, pt->cfg->batch, lin / pt->cfg->batch);
    for (int p = 0; p < SYS_NPARTS; p++)
        fprintf(f, ",%.6g", r->prefill_part[p] * 1e6);
    fprintf(f, ",%.6g,,%.6g,%.6g\n", r->prefill_s * 1e3, r->prefill_j, 0.0);
    for (uint32_t s = 0; s < r->nsteps; s++) {
        const sys_step *st = &r->steps[s];
        fprintf(f, "%s,%u,%u,%u,%.3f", name, pt->cfg->batch, st->step, st->simulated, st->ctx_mean);
        for (int p = 0; p < SYS_NPARTS; p++)
            fprintf(f, ",%.6g", st->part[p] * 1e6);
        fprintf(f, ",%.6g,%.6g,%.6g,%.6g\n", st->mode_s[r->overlap] * 1e3, st->refresh_debt_s * 1e6,
                st->mode_j[r->overlap], st->pim_cycles);
    }
}

int sys_report_csv(FILE *f, const sys_point *pim, const sys_point *gpu)
{
    fprintf(f, "system,batch,step,simulated,ctx_mean");
    for (int p = 0; p < SYS_NPARTS; p++)
        fprintf(f, ",%s_us", sys_part_names[p]);
    fprintf(f, ",step_ms,refresh_debt_us,step_j,pim_cycles\n");
    if (gpu)
        csv_rows(f, gpu);
    if (pim)
        csv_rows(f, pim);
    return ferror(f) ? -1 : 0;
}
