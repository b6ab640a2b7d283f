/* layer.c — the closed forms of one transformer layer on one GPU shard, the prefill, the LM head, the
 * memory each GPU needs, the link and refresh figures (sysmodel.h, docs/system.md). */
#include "sysmodel.h"

#include <math.h>

/* Tokens a request attends over: the whole context, or a sliding window's worth of it. */
static double attended(const model *m, uint32_t ctx) { return m->window && ctx > m->window ? m->window : ctx; }

/* FFN columns per GPU, norms and residual adds: shared by decode and prefill for m token rows. */
static void fc_ops(const sys_gen_cfg *c, const sys_shard *s, double m, sys_layer_ops *o)
{
    const model *md = &c->m;
    const double d = md->d_model, hd = md->head_dim, f = (double)md->ffn / c->sys.tp;
    o->op[SYS_QKV] = sys_gemm(m, (s->nq + 2.0 * s->nkv) * hd, d);
    o->op[SYS_PROJ] = sys_gemm(m, d, s->nq * hd);
    if (md->ffn) {
        sys_op up = sys_gemm(m, f * (md->gated ? 2 : 1), d), act = sys_elementwise(m * f, md->gated ? 9 : 8, 0),
               down = sys_gemm(m, d, f);
        o->op[SYS_FFN] = up;
        sys_op_add(&o->op[SYS_FFN], &act);
        sys_op_add(&o->op[SYS_FFN], &down);
    }
    sys_op norm = sys_elementwise(2 * m * d, 5, 4), res = sys_elementwise(2 * m * d, 1, 6); /* FP16 in and out */
    o->op[SYS_NORM] = norm;
    sys_op_add(&o->op[SYS_NORM], &res);
    o->ar_bytes = m * d * 2;
}

void sys_decode_ops(const sys_gen_cfg *c, const sys_shard *s, uint32_t batch, const uint32_t *ctx, int pim,
                    sys_layer_ops *o)
{
    *o = (sys_layer_ops){0};
    const model *md = &c->m;
    const double hd = md->head_dim, B = batch;
    fc_ops(c, s, B, o);
    const double new_kv = B * s->nkv * hd * 4, q_out = B * s->nq * hd * 2; /* FP16 K and V; q or o */
    if (pim) {
        o->xfer_in = q_out + new_kv;
        o->xfer_out = q_out;
        return;
    }
    double tokens = 0;
    for (uint32_t b = 0; b < batch; b++)
        tokens += attended(md, ctx[b]);
    /* every K and V once per KV head (its query heads read them together), the new K and V written, q
     * read and o written; two MACs per token, dimension and query head (q.k and p.v), softmax 5 per score */
    o->op[SYS_ATTN] = (sys_op){.flops = tokens * s->nq * (4 * hd + 5), .macs = tokens * s->nq * 2 * hd,
                               .bytes = tokens * s->nkv * hd * 4 + new_kv + 2 * q_out};
}

/* Tiles the causal tiling mask keeps for L tokens in tiles of T (a sliding window keeps at most w of a row). */
static double kept_tiles(const model *m, uint32_t L, uint32_t T)
{
    const double n = ceil((double)L / T), w = m->window ? ceil((double)m->window / T) + 1 : n;
    if (w >= n)
        return n * (n + 1) / 2;
    return w * (w + 1) / 2 + (n - w) * w; /* rows 0..w-1 grow, the rest hold w tiles */
}

void sys_prefill_ops(const sys_gen_cfg *c, const sys_shard *s, uint32_t batch, const uint32_t *lin, int pim,
                     sys_layer_ops *o)
{
    *o = (sys_layer_ops){0};
    const model *md = &c->m;
    const double hd = md->head_dim, T = c->flash_tile;
    double m = 0, tiles = 0;
    for (uint32_t b = 0; b < batch; b++) {
        m += lin[b];
        tiles += kept_tiles(md, lin[b], c->flash_tile);
    }
    fc_ops(c, s, m, o);
    const double kv = m * s->nkv * hd * 4;
    /* per query head: Q read and O written once, a K and a V tile read for every kept tile */
    o->op[SYS_ATTN] = (sys_op){.flops = tiles * s->nq * (4 * T * T * hd + 5 * T * T),
                               .macs = tiles * s->nq * 2 * T * T * hd,
                               .bytes = s->nq * (4 * m * hd + tiles * 4 * T * hd) + (pim ? 0 : kv)};
    if (pim)
        o->xfer_in = kv;
}

sys_op sys_lm_head(const sys_gen_cfg *c, uint32_t batch)
{
    const double d = c->m.d_model, B = batch;
    sys_op o = sys_elementwise(B * d, 5, 4);
    if (c->m.vocab) {
        sys_op g = sys_gemm(B, (double)c->m.vocab / c->sys.tp, d);
        sys_op_add(&o, &g);
    }
    return o;
}

double sys_weight_bytes(const model *m, const sys_shard *s, uint32_t tp)
{
    const double d = m->d_model, hd = m->head_dim, f = (double)m->ffn / tp;
    double layer = d * (s->nq + 2.0 * s->nkv) * hd + s->nq * hd * d + (m->gated ? 3 : 2) * d * f + 2 * d;
    return 2 * (layer * m->layers + 2 * (double)m->vocab / tp * d + d); /* embedding and LM head, final norm */
}

double sys_kv_bytes_gpu(const model *m, const sys_shard *s, uint32_t batch, const uint32_t *ctx)
{
    double tokens = 0;
    for (uint32_t b = 0; b < batch; b++)
        tokens += attended(m, ctx[b]);
    return tokens * s->nkv * m->head_dim * 4.0 * m->layers;
}

double sys_act_bytes(const sys_gen_cfg *c, const sys_shard *s, uint32_t batch, const uint32_t *lin)
{
    const model *md = &c->m;
    double m = 0, wide = md->d_model, qkv = (s->nq + 2.0 * s->nkv) * md->head_dim,
           ffn = (double)md->ffn / c->sys.tp * (md->gated ? 2 : 1);
    for (uint32_t b = 0; b < batch; b++)
        m += lin[b];
    wide = qkv > wide ? qkv : wide;
    wide = ffn > wide ? ffn : wide;
    return 2 * m * (md->d_model + wide);
}

double sys_refresh_watts(const hbm_cfg *h)
{
    if (h->ref_mode == HBM_REF_OFF)
        return 0;
    double pcs = hbm_cfg_pcs_total(h), row_bits = 8.0 * hbm_cfg_row_bytes(h);
    double pj = h->e_act * row_bits * h->rows_per_ref * hbm_cfg_banks_per_pc(h); /* one REFAB of one PC */
    return pcs * pj / ((double)h->nREFI * h->tck_ps);                           /* pJ per ps = W */
}

double sys_xfer_seconds(const sys_cfg *c, double bytes)
{
    return bytes > 0 ? c->pim_link_lat_us * 1e-6 + bytes / (c->pim_link_gbs * 1e9) : 0;
}

void sys_layer_cost(const sys_cfg *c, const sys_layer_ops *o, double part_s[SYS_NPARTS], double e_j[SYS_E_NPARTS])
{
    for (int p = 0; p < SYS_NPARTS; p++)
        part_s[p] = sys_op_seconds(c, &o->op[p]);
    part_s[SYS_ALLREDUCE] = 2 * sys_allreduce_seconds(c, o->ar_bytes);
    part_s[SYS_XFER] = sys_xfer_seconds(c, o->xfer_in) + sys_xfer_seconds(c, o->xfer_out);
    part_s[SYS_REFRESH] = 0;
    for (int k = 0; k < SYS_E_NPARTS; k++)
        e_j[k] = 0;
    for (int p = 0; p < SYS_NPARTS; p++)
        sys_op_energy(c, &o->op[p], &e_j[SYS_E_GPU_COMPUTE], &e_j[SYS_E_GPU_MEMORY]);
    e_j[SYS_E_NVLINK] = 2 * sys_allreduce_bytes(c, o->ar_bytes) * c->nvl_pj * 1e-12;
    e_j[SYS_E_PIM_LINK] = (o->xfer_in + o->xfer_out) * c->pim_link_pj * 1e-12;
}
