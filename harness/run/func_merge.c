/* func_merge.c — the merges of the functional model (func.h): each pass's partial outputs into the channel's
 * softmax unit, the host tier's partial, a split item's final merge, and each head's check against FP64
 * attention. */
#include "func_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attn_ref.h"
#include "fp.h"
#include "kvquant.h"

/* One partial into the channel's softmax unit: PART (m, l), then the vector in lanes-wide PVEC beats. */
static int merge_in(func *f, fp32_t m, fp32_t l, const fp32_t *v, uint64_t cycle)
{
    const smu_cfg *k = &f->c.smu;
    smu_beat ob[258];
    uint32_t w[3], data[16] = {0};
    smu_cmd c = {.op = SMU_PART, .m = m, .l = l};
    smu_encode(&c, w);
    if (backend_smu(f->c.be, f->chan, w, data, cycle, ob, f->hk->err, f->hk->errn) < 0)
        return -1;
    c = (smu_cmd){.op = SMU_PVEC};
    smu_encode(&c, w);
    for (unsigned i = 0; i < f->c.head_dim; i += (unsigned)k->lanes)
        if (backend_smu(f->c.be, f->chan, w, v + i, cycle, ob, f->hk->err, f->hk->errn) < 0)
            return -1;
    return 0;
}

/* MEND: the merged vector into o, the merge's (M, l) into *m, *l. */
static int merge_end(func *f, int normalise, fp32_t *o, fp32_t *m, fp32_t *l, uint64_t cycle)
{
    const smu_cfg *k = &f->c.smu;
    smu_beat ob[258];
    uint32_t w[3], data[16] = {0};
    smu_cmd c = {.op = SMU_MEND, .normalise = (unsigned)normalise};
    smu_encode(&c, w);
    int nb = backend_smu(f->c.be, f->chan, w, data, cycle, ob, f->hk->err, f->hk->errn);
    if (nb < 0)
        return -1;
    unsigned pos = 0;
    for (int i = 0; i < nb; i++) {
        for (int j = 0; ob[i].kind == SMU_OVEC && j < k->lanes && pos < f->c.head_dim; j++)
            o[pos++] = ob[i].data[j];
        if (ob[i].kind == SMU_MERGE_RES)
            *m = ob[i].m, *l = ob[i].l;
    }
    if (pos != f->c.head_dim)
        return func_fail(f, "softmax unit %u: merge returned %u of %u output values", f->chan, pos, f->c.head_dim);
    return 0;
}

/* The format of the values attention is computed on: an INT8 run's reference is its unquantised FP16 data. */
static kvf_fmt16 ref_fmt(const func *f) { return f->c.kv_fmt == KVF_BF16 ? KVF_BF16 : KVF_FP16; }

/* A finished query head: compared with FP64 attention over its ntok tokens, handed to on_output and
 * on_head, added to the statistics. */
static void check_head(func *f, const func_item *it, uint32_t g, const fp16_t *q, const fp16_t *K, const fp16_t *V,
                       size_t ntok, const fp32_t *o)
{
    const unsigned dim = f->c.head_dim;
    double ref[256];
    attn_ref(ref_fmt(f), q, K, V, ntok, (int)dim, dim, 1.0 / sqrt((double)dim), ref, NULL);
    func_output fo = {f->layer, it->req, it->kvh * f->c.group + g, dim, o, ref};
    int finite = 1;
    for (unsigned i = 0; i < dim; i++)
        finite &= (o[i] & 0x7F800000u) != 0x7F800000u;
    double e = attn_rel_l2(ref, o, (int)dim);
    if (f->c.on_output)
        f->c.on_output(f->c.out_ctx, &fo);
    func_stats_add(&f->st, e, finite, f->c.max_rel_l2);
    if (f->c.on_head)
        f->c.on_head(f->c.head_ctx, &fo, e, finite);
}

/* The host's tokens of an item: their 16-bit values, and in an INT8 run their INT8 values and block scales. */
typedef struct host_kv {
    const fp16_t *K, *V;
    const int8_t *K8, *V8;
    const fp16_t *ks, *vs;
} host_kv;

/* The host tier's partial over its L_host tokens (h), for query q. */
static int merge_host(func *f, const func_item *it, const host_kv *h, const fp16_t *q, uint64_t cycle)
{
    const unsigned dim = f->c.head_dim;
    fp32_t hm, hl, ho[256];
    if (f->c.kv_fmt == GEMV_KV_INT8)
        attn_host_partial_i8(q, h->K8, h->ks, h->V8, h->vs, it->L_host, (int)dim, dim, f->scale, &hm, &hl, ho);
    else
        attn_host_partial(ref_fmt(f), q, h->K, h->V, it->L_host, (int)dim, dim, f->scale, &hm, &hl, ho);
    return merge_in(f, hm, hl, ho, cycle);
}

int func_hk_sfm_merge(void *ctx, const sched_pass *p, uint64_t cycle)
{
    func *f = ctx;
    pdata *d = func_pass_data(f, p);
    if (!d)
        return -1;
    const map_geom *g = f->c.g;
    const unsigned dim = f->c.head_dim;
    const func_item *it = &f->c.items[p->item];
    const int whole = it->nparts == 1;
    if (!whole && !f->c.part_store[p->item] && !(f->c.part_store[p->item] = malloc((size_t)f->c.group * (dim + 2) * sizeof(fp32_t))))
        return func_fail(f, "out of memory");
    for (uint32_t r = 0; r < p->rows; r++) {
        for (uint32_t t = 0; t < g->parts; t++) {
            if (!map_part_tokens(&p->shape, t))
                continue;
            const sm_res *rs = &d->res[r * (f->c.splitk ? g->parts : 1) + (f->c.splitk ? t : 0)];
            if (merge_in(f, rs->m, rs->l, d->part + ((size_t)r * g->parts + t) * dim, cycle))
                return -1;
        }
        const size_t at = (size_t)it->L_pim * dim; /* the host's tokens follow the stacks' (func_pass_data) */
        const int i8 = f->c.kv_fmt == GEMV_KV_INT8;
        const host_kv h = {d->K + at, d->V + at, i8 ? d->K8 + at : NULL, i8 ? d->V8 + at : NULL,
                           i8 ? d->ks + it->L_pim : NULL, i8 ? d->vs + it->L_pim : NULL};
        if (whole && it->L_host && merge_host(f, it, &h, d->q + (size_t)r * dim, cycle))
            return -1;
        fp32_t o[256], m = 0, l = 0;
        if (merge_end(f, whole && f->c.splitk, o, &m, &l, cycle))
            return -1;
        if (!whole) { /* a part: its unnormalised partial waits for the item's final merge (func_part_merge) */
            fp32_t *st = f->c.part_store[p->item] + (size_t)(p->h0 + r) * (dim + 2);
            st[0] = f->c.splitk ? m : d->res[r].m; /* the buffer flow's partials share the row's m and l */
            st[1] = f->c.splitk ? l : d->res[r].l;
            memcpy(st + 2, o, dim * sizeof *o);
            continue;
        }
        if (!f->c.splitk) /* deferred normalisation of the summed partials */
            for (unsigned i = 0; i < dim; i++)
                o[i] = fp32_mul_native(o[i], d->res[r].rl); /* = fp32_mul (fp.h) */
        check_head(f, it, p->h0 + r, d->q + (size_t)r * dim, d->K, d->V, (size_t)it->L + it->L_host, o);
    }
    for (size_t i = 0; i < f->nlive; i++)
        if (f->live[i].p == p)
            f->live[i].p = NULL; /* the slot keeps its buffers and data */
    return 0;
}

int func_part_merge(func *f, uint32_t owner, uint64_t cycle)
{
    const func_item *it = &f->c.items[owner];
    const unsigned dim = f->c.head_dim, G = f->c.group;
    const size_t all = (size_t)it->L_pim + it->L_host, at = (size_t)it->L_pim * dim, nh = (size_t)it->L_host;
    const int int8 = f->c.kv_fmt == GEMV_KV_INT8 && nh;
    fp16_t *K = malloc(all * dim * sizeof *K), *V = malloc(all * dim * sizeof *V), *q = malloc((size_t)G * dim * sizeof *q);
    int8_t *K8 = int8 ? malloc(2 * nh * dim) : NULL;
    fp16_t *ks = int8 ? malloc(2 * nh * sizeof *ks) : NULL;
    int rc = !K || !V || !q || (int8 && (!K8 || !ks)) ? func_fail(f, "out of memory")
                                                      : func_item_data(f, it, 0, (uint32_t)all, K, V, 0, G, q);
    host_kv h = {0};
    if (rc == 0)
        h = (host_kv){K + at, V + at, K8, int8 ? K8 + nh * dim : NULL, ks, int8 ? ks + nh : NULL};
    if (rc == 0 && int8) { /* the host's INT8 cache, as func_pass_data makes it for a whole item */
        kvq_ranges(K + at, nh, dim, nh, f->c.g->block, K8, ks);
        kvq_ranges(V + at, nh, dim, nh, f->c.g->block, K8 + nh * dim, ks + nh);
    }
    for (uint32_t j = 0; rc == 0 && j < it->nparts; j++)
        if (!f->c.part_store[owner + j])
            rc = func_fail(f, "request %u, KV head %u: part %u has no partial for the final merge", it->req, it->kvh, j);
    for (uint32_t g = 0; rc == 0 && g < G; g++) {
        for (uint32_t j = 0; rc == 0 && j < it->nparts; j++) {
            const fp32_t *st = f->c.part_store[owner + j] + (size_t)g * (dim + 2);
            rc = merge_in(f, st[0], st[1], st + 2, cycle);
        }
        if (rc == 0 && it->L_host)
            rc = merge_host(f, it, &h, q + (size_t)g * dim, cycle);
        fp32_t o[256], m, l;
        if (rc == 0 && (rc = merge_end(f, 1, o, &m, &l, cycle)) == 0)
            check_head(f, it, g, q + (size_t)g * dim, K, V, all, o);
    }
    for (uint32_t j = 0; j < it->nparts; j++) {
        free(f->c.part_store[owner + j]);
        f->c.part_store[owner + j] = NULL;
    }
    free(K), free(V), free(q), free(K8), free(ks);
    return rc;
}
