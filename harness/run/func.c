/* func.c — real numbers for the scheduler's commands (func.h). */
#include "func_int.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fp.h"
#include "gauss.h"
#include "kvquant.h"
#include "rng.h"


int func_fail(func *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->hk->err, f->hk->errn, fmt, ap);
    va_end(ap);
    return -1;
}

func *func_new(const func_cfg *c)
{
    func *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->c = *c;
    f->gauss = gauss_new();
    f->vpart = malloc(c->g->units * sizeof *f->vpart);
    f->vslice = malloc(c->g->units * sizeof *f->vslice);
    if (!c->part_store) /* one thread: the parts' partials are its own */
        f->own_store = f->c.part_store = calloc(c->nitems ? c->nitems : 1, sizeof *f->c.part_store);
    if (!f->gauss || !f->vpart || !f->vslice || !f->c.part_store) {
        func_free(f);
        return NULL;
    }
    for (unsigned b = 0; b < c->g->units; b++)
        f->vpart[b] = map_v_part(c->g, b, &f->vslice[b]);
    /* 1/sqrt(d) with log2(e) folded in: the softmax unit works in base 2 */
    f->scale = float_to_fp32((float)(1.4426950408889634 / sqrt((double)c->head_dim)));
    return f;
}

static void pdata_free(pdata *d)
{
    free(d->K);
    free(d->V);
    free(d->q);
    free(d->scores);
    free(d->prob);
    free(d->res);
    free(d->part);
    free(d->K8), free(d->V8), free(d->q8), free(d->ks), free(d->vs), free(d->qs), free(d->pws);
    memset(d, 0, sizeof *d);
}

void func_free(func *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nlive; i++)
        pdata_free(&f->live[i]);
    for (size_t i = 0; f->own_store && i < f->c.nitems; i++)
        free(f->own_store[i]);
    free(f->own_store);
    free(f->live);
    gauss_free(f->gauss);
    free(f->vpart);
    free(f->vslice);
    free(f);
}

void func_begin_channel(func *f, unsigned chan, unsigned layer)
{
    f->chan = chan;
    f->layer = layer;
}

void func_take_stats(func *f, func_stats *out)
{
    *out = f->st;
    memset(&f->st, 0, sizeof f->st);
}

void func_stats_add(func_stats *st, double e, int finite, double gate)
{
    st->heads++;
    if (!finite || !isfinite(e)) {
        st->nonfinite_heads++;
    } else {
        st->sum_rel_l2 += e;
        if (e > st->max_rel_l2)
            st->max_rel_l2 = e;
        st->over_heads += gate > 0 && e > gate;
    }
}

void func_reset(func *f)
{
    for (size_t i = 0; i < f->nlive; i++)
        f->live[i].p = NULL, f->live[i].kv_valid = 0;
}

static uint64_t mix(uint64_t a, uint64_t b) { return rng_splitmix64(&a) ^ (b * 0x9E3779B97F4A7C15ull); }

/* *buf holds at least `bytes` (zeroed when zero is set); 0, or -1 on no memory. */
static int need(void *buf, size_t *cap, size_t bytes, int zero)
{
    void **b = buf;
    if (bytes > *cap) {
        free(*b);
        *cap = 0;
        if (!(*b = malloc(bytes)))
            return -1;
        *cap = bytes;
    }
    if (zero)
        memset(*b, 0, bytes);
    return 0;
}

/* Tokens tok0 .. tok0+count-1 of item `it` (of its L_pim + L_host: the host's are the newest) into K and
 * V (K NULL: only the queries), and query heads h0 .. h0+rows-1 of its group into q: from the data file,
 * or the seeded values, which are drawn for the whole item so every part sees the same numbers (a BF16 run:
 * the same values rounded to BF16; a data file holds FP16 values, so BF16 runs take none). 0, or -1 (err). */
int func_item_data(func *f, const func_item *it, uint32_t tok0, uint32_t count, fp16_t *K, fp16_t *V, uint32_t h0,
                     uint32_t rows, fp16_t *q)
{
    const size_t all = (size_t)it->L_pim + it->L_host, dim = f->c.head_dim;
    if (f->c.data)
        return kvdata_read(f->c.data, f->layer, it->req, it->kvh, (uint32_t)all, tok0, count, K, V, h0, rows, q,
                           f->hk->err, f->hk->errn);
    rng r;
    uint64_t item_seed = mix(mix(mix(f->c.seed, f->layer), it->req), it->kvh);
    rng_seed(&r, item_seed);
    if (K && tok0 == 0 && count == all) {
        gauss16(f->gauss, &r, K, all * dim, 1.0); /* the values of gauss16_ref, faster (gauss.h) */
        gauss16(f->gauss, &r, V, all * dim, 1.0);
    } else if (K) {
        fp16_t *tmp = malloc(all * dim * sizeof *tmp);
        if (!tmp)
            return func_fail(f, "out of memory for the data of request %u, KV head %u", it->req, it->kvh);
        gauss16(f->gauss, &r, tmp, all * dim, 1.0);
        memcpy(K, tmp + (size_t)tok0 * dim, (size_t)count * dim * sizeof *K);
        gauss16(f->gauss, &r, tmp, all * dim, 1.0);
        memcpy(V, tmp + (size_t)tok0 * dim, (size_t)count * dim * sizeof *V);
        free(tmp);
    }
    for (uint32_t g = 0; g < rows; g++) {
        rng_seed(&r, mix(item_seed ^ 0x51u, it->kvh * f->c.group + h0 + g));
        gauss16(f->gauss, &r, q + g * dim, dim, f->c.logit_scale);
    }
    if (f->c.kv_fmt == KVF_BF16) { /* the same values rounded to BF16 */
        const size_t nkv = K ? (size_t)count * dim : 0;
        for (size_t i = 0; i < nkv; i++) {
            K[i] = kvf_bf16_of_fp16(K[i]);
            V[i] = kvf_bf16_of_fp16(V[i]);
        }
        for (size_t i = 0; i < (size_t)rows * dim; i++)
            q[i] = kvf_bf16_of_fp16(q[i]);
    }
    return 0;
}

/* An INT8 pass: its K and V quantised in the blocks of the mapping (a unit's keys, a V partition's tokens,
 * each in blocks of B), the host's last `host` of the L tokens in blocks of B from its first (one range:
 * the host tier's cache is INT8 too, and no block spans the two tiers), its queries, and its probability
 * words' scales cleared. 0, or -1 (err). */
static int quantise(func *f, pdata *d, const sched_pass *p, size_t L, size_t host)
{
    const size_t dim = f->c.head_dim;
    const unsigned B = f->c.g->block;
    if (need(&d->K8, &d->cap[7], L * dim, 0) || need(&d->V8, &d->cap[8], L * dim, 0) ||
        need(&d->q8, &d->cap[9], p->rows * dim, 0) || need(&d->ks, &d->cap[10], L * sizeof *d->ks, 0) ||
        need(&d->vs, &d->cap[11], L * sizeof *d->vs, 0) || need(&d->qs, &d->cap[12], p->rows * sizeof *d->qs, 0) ||
        need(&d->pws, &d->cap[13], (size_t)f->c.g->parts * p->rows * 16 * sizeof *d->pws, 1))
        return func_fail(f, "out of memory for the INT8 data of a pass");
    const size_t Lp = L - host;
    kvq_ranges(d->K, Lp, (unsigned)dim, p->shape.n, B, d->K8, d->ks);
    kvq_ranges(d->V, Lp, (unsigned)dim, p->shape.nt, B, d->V8, d->vs);
    if (host) {
        kvq_ranges(d->K + Lp * dim, host, (unsigned)dim, host, B, d->K8 + Lp * dim, d->ks + Lp);
        kvq_ranges(d->V + Lp * dim, host, (unsigned)dim, host, B, d->V8 + Lp * dim, d->vs + Lp);
    }
    for (uint32_t r = 0; r < p->rows; r++)
        d->qs[r] = kvq_vec(d->q + r * dim, dim, d->q8 + r * dim);
    return 0;
}

/* The data of a pass, made at its first command: the part's tokens, and for a whole item the host's too
 * (its partial joins the pass's merge). */
pdata *func_pass_data(func *f, const sched_pass *p)
{
    const int seeded = !f->c.data;
    pdata *free_slot = NULL, *same = NULL; /* same: a slot holding this item's K and V */
    for (size_t i = 0; i < f->nlive; i++) {
        pdata *x = &f->live[i];
        if (x->p == p)
            return x;
        int mine = seeded && x->kv_valid && x->kv_item == p->item && x->kv_layer == f->layer;
        if (mine && !same)
            same = x;
        if (!x->p && (!free_slot || (mine && free_slot != same)))
            free_slot = x;
    }
    if (!free_slot) {
        size_t at = same ? (size_t)(same - f->live) : 0;
        pdata *grown = realloc(f->live, (f->nlive + 4) * sizeof *grown);
        if (!grown)
            return func_fail(f, "out of memory"), NULL;
        memset(grown + f->nlive, 0, 4 * sizeof *grown);
        f->live = grown;
        same = same ? &f->live[at] : NULL;
        free_slot = &f->live[f->nlive];
        f->nlive += 4;
    }
    pdata *d = free_slot;
    const func_item *it = &f->c.items[p->item];
    size_t L = (size_t)it->L + (it->nparts == 1 ? it->L_host : 0), dim = f->c.head_dim;
    size_t parts = f->c.splitk ? f->c.g->parts : 1;
    if (need(&d->K, &d->cap[0], L * dim * sizeof *d->K, 0) || need(&d->V, &d->cap[1], L * dim * sizeof *d->V, 0) ||
        need(&d->q, &d->cap[2], p->rows * dim * sizeof *d->q, 0) ||
        need(&d->scores, &d->cap[3], p->rows * L * sizeof *d->scores, 1) ||
        need(&d->prob, &d->cap[4], p->rows * L * sizeof *d->prob, 1) ||
        need(&d->res, &d->cap[5], p->rows * parts * sizeof *d->res, 1) ||
        need(&d->part, &d->cap[6], (size_t)p->rows * f->c.g->parts * dim * sizeof *d->part, 1)) {
        d->kv_valid = 0;
        return func_fail(f, "out of memory for the data of request %u, KV head %u", it->req, it->kvh), NULL;
    }
    d->p = p;
    if (same && same != d) { /* another pass over the same part: its K and V, and this pass's queries */
        memcpy(d->K, same->K, L * dim * sizeof *d->K);
        memcpy(d->V, same->V, L * dim * sizeof *d->V);
    }
    if (func_item_data(f, it, it->tok0, (uint32_t)L, same ? NULL : d->K, d->V, p->h0, p->rows, d->q) ||
        (f->c.kv_fmt == GEMV_KV_INT8 && quantise(f, d, p, L, L - it->L))) {
        d->p = NULL, d->kv_valid = 0;
        return NULL;
    }
    if (seeded)
        d->kv_valid = 1, d->kv_item = p->item, d->kv_layer = f->layer;
    return d;
}

/* A result lane in the accumulation format: finite? */
static int lane_finite(const func *f, uint32_t x)
{
    return f->c.acc_fp32 ? (x & 0x7F800000u) != 0x7F800000u : (x & 0x7C00u) != 0x7C00u;
}

static unsigned unit_of(const func *f, unsigned bank) { return f->chan * f->c.g->units + bank; }

static int unit_cmd(func *f, unsigned bank, uint32_t cmd, const uint16_t *data, uint64_t cycle, gemv_beat *out)
{
    return backend_gemv(f->c.be, unit_of(f, bank), cmd, data, cycle, out, f->hk->err, f->hk->errn);
}

static int hk_wrgb(void *ctx, const sched_pass *p, unsigned row, unsigned word, uint64_t cycle)
{
    func *f = ctx;
    pdata *d = func_pass_data(f, p);
    if (!d)
        return -1;
    gemv_cmd c = {.op = GEMV_OP_WR, .buf = 0, .row = row, .word = word};
    gemv_beat out[GEMV_MAX_BEATS];
    uint16_t data[16];
    const uint16_t *src = d->q + row * f->c.head_dim + 16 * word;
    if (f->c.kv_fmt == GEMV_KV_INT8) { /* words of 32 values; after them one beat of the row's word scales */
        if (word < f->c.g->words) {
            kvq_pack(d->q8 + row * f->c.head_dim + 32 * word, data);
        } else {
            c = (gemv_cmd){.op = GEMV_OP_SCL, .buf = 0, .row = row, .word = 0};
            for (int i = 0; i < 16; i++)
                data[i] = d->qs[row];
        }
        src = data;
    }
    for (unsigned b = 0; b < f->c.g->units; b++)
        if (unit_cmd(f, b, gemv_encode(&c), src, cycle, out) < 0)
            return -1;
    return 0;
}

/* INT8: a block-scale burst into unit b (SCL with last: lane 0 of the burst). */
static int block_scale(func *f, unsigned b, fp16_t scale, uint64_t cycle)
{
    gemv_cmd c = {.op = GEMV_OP_SCL, .last = 1, .elem = 0};
    uint16_t data[16] = {scale};
    gemv_beat out[GEMV_MAX_BEATS];
    return unit_cmd(f, b, gemv_encode(&c), data, cycle, out) < 0 ? -1 : 0;
}

/* A MACAB: in every unit the burst at (row, col) of the pass's K (score MAC) or V (context MAC), the unit's
 * key or token and burst by the mapping's inverse (mapping.h; the burst index is the same in every unit). */
static int hk_mac(void *ctx, const sched_pass *p, int context, uint32_t row, unsigned col, uint64_t cycle)
{
    func *f = ctx;
    pdata *d = func_pass_data(f, p);
    if (!d)
        return -1;
    const map_geom *g = f->c.g;
    const map_shape *sh = &p->shape;
    const size_t dim = f->c.head_dim, L = sh->L;
    const uint32_t idx = row * g->cols + col;
    const int int8 = f->c.kv_fmt == GEMV_KV_INT8;
    gemv_beat out[GEMV_MAX_BEATS];
    uint16_t data[16];
    if (!context) { /* map_k_token: key b * n + i of unit b, burst w (INT8: or the scale of the block at i) */
        uint32_t i;
        unsigned w;
        const int key = map_k_burst(g, idx, &i, &w);
        gemv_cmd c = {.op = GEMV_OP_SCORE, .buf = 0, .word = w, .slot = 0, .last = w == g->words - 1};
        const uint32_t cw = gemv_encode(&c);
        for (unsigned b = 0; i < sh->n && b < g->units; b++) {
            uint64_t j = (uint64_t)b * sh->n + i;
            if (j >= L)
                break; /* and every later unit */
            if (!key) {
                if (block_scale(f, b, d->ks[j], cycle))
                    return -1;
                continue;
            }
            if (int8)
                kvq_pack(d->K8 + (size_t)j * dim + 32 * w, data);
            int nb = unit_cmd(f, b, cw, int8 ? data : d->K + (size_t)j * dim + 16 * w, cycle, out);
            if (nb < 0)
                return -1;
            for (uint32_t r = 0; nb == 1 && r < p->rows; r++) {
                d->scores[r * L + (size_t)j] = out[0].lane[r];
                f->st.score_nonfinite += !lane_finite(f, out[0].lane[r]);
            }
        }
        return 0;
    }
    uint32_t u; /* map_v_token: token t * nt + u of unit b's partition t, slice w (INT8: or a block's scale) */
    const int tok = map_v_burst(g, idx, &u);
    if (u >= sh->nt)
        return 0;
    const unsigned lanes = g->lanes;
    gemv_cmd c = {.op = GEMV_OP_CTX, .buf = 1, .word = (u / lanes) % f->c.ring, .elem = u % lanes, .slot = 1,
                  .wend = int8 && u % lanes == lanes - 1};
    const uint32_t cw = gemv_encode(&c);
    c.last = 1;
    const uint32_t cw_last = gemv_encode(&c);
    for (unsigned b = 0; b < g->units; b++) {
        int t = f->vpart[b];
        unsigned w = f->vslice[b];
        uint64_t j = (uint64_t)t * sh->nt + u;
        if (t < 0 || j >= L)
            continue;
        if (!tok) {
            if (block_scale(f, b, d->vs[j], cycle))
                return -1;
            continue;
        }
        const uint32_t cmd = u + 1 == map_part_tokens(sh, (uint32_t)t) ? cw_last : cw;
        if (int8)
            kvq_pack(d->V8 + (size_t)j * dim + 32 * w, data);
        int nb = unit_cmd(f, b, cmd, int8 ? data : d->V + (size_t)j * dim + 16 * w, cycle, out);
        if (nb < 0)
            return -1;
        for (int k = 0; k < nb; k++) {
            fp32_t *o = d->part + ((size_t)out[k].row * g->parts + (size_t)t) * dim + lanes * w + 16 * out[k].half;
            for (int i = 0; i < 16; i++) {
                o[i] = f->c.acc_fp32 ? out[k].lane[i] : fp16_to_fp32_native((fp16_t)out[k].lane[i]);
                f->st.ctx_nonfinite += !lane_finite(f, out[k].lane[i]);
            }
        }
    }
    return 0;
}

/* One softmax row of n scores (token order) on the channel's unit: probabilities into prob[0..n). */
static int sm_row_run(func *f, const uint32_t *s, uint32_t n, int64_t delta, fp16_t *prob, sm_res *res, uint64_t cycle)
{
    const smu_cfg *k = &f->c.smu;
    smu_beat ob[2];
    uint32_t w[3], data[16] = {f->scale};
    smu_cmd c = {.op = SMU_ROW, .causal = 1, .len = n, .delta = (int32_t)delta};
    smu_encode(&c, w);
    if (backend_smu(f->c.be, f->chan, w, data, cycle, ob, f->hk->err, f->hk->errn) < 0)
        return -1;
    uint32_t beats = (n + (uint32_t)k->lanes - 1) / (uint32_t)k->lanes;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t b = 0; b < beats; b++) {
            for (int i = 0; i < k->lanes; i++) {
                uint32_t j = b * (uint32_t)k->lanes + (uint32_t)i;
                data[i] = j < n ? s[j] : 0; /* entries j >= len are masked */
            }
            c = (smu_cmd){.op = pass ? SMU_EXP : SMU_MAX, .last = pass && b + 1 == beats};
            smu_encode(&c, w);
            int nb = backend_smu(f->c.be, f->chan, w, data, cycle, ob, f->hk->err, f->hk->errn);
            if (nb < 0)
                return -1;
            for (int o = 0; o < nb; o++) {
                if (ob[o].kind == SMU_PROB) {
                    for (int i = 0; i < k->lanes && b * (uint32_t)k->lanes + (uint32_t)i < n; i++)
                        prob[b * (uint32_t)k->lanes + (uint32_t)i] = (fp16_t)ob[o].data[i];
                } else {
                    *res = (sm_res){ob[o].m, ob[o].l, ob[o].rl, ob[o].empty, ob[o].nan};
                }
            }
        }
    return 0;
}

static int hk_sfm_row(void *ctx, const sched_pass *p, uint64_t cycle)
{
    func *f = ctx;
    pdata *d = func_pass_data(f, p);
    if (!d)
        return -1;
    const uint32_t L = p->shape.L;
    const func_item *it = &f->c.items[p->item]; /* the query is the newest token, counted from the part's first */
    const int64_t qpos = (int64_t)it->L_pim + it->L_host - 1 - it->tok0;
    for (uint32_t r = 0; r < p->rows; r++) {
        if (!f->c.splitk) {
            if (sm_row_run(f, d->scores + (size_t)r * L, L, qpos, d->prob + (size_t)r * L, &d->res[r], cycle))
                return -1;
            continue;
        }
        for (uint32_t t = 0; t < f->c.g->parts; t++) {
            uint32_t k = map_part_tokens(&p->shape, t), lo = t * p->shape.nt;
            if (k && sm_row_run(f, d->scores + (size_t)r * L + lo, k, qpos - lo, d->prob + (size_t)r * L + lo,
                                &d->res[r * f->c.g->parts + t], cycle))
                return -1;
        }
    }
    return 0;
}

static int hk_mvgb(void *ctx, const sched_pass *p, unsigned pc, uint32_t chunk, uint64_t cycle)
{
    func *f = ctx;
    pdata *d = func_pass_data(f, p);
    if (!d)
        return -1;
    const map_geom *g = f->c.g;
    gemv_beat out[GEMV_MAX_BEATS];
    for (uint32_t t = pc * g->parts_pc; t < (pc + 1) * g->parts_pc; t++) {
        uint32_t k = map_part_tokens(&p->shape, t), lo = t * p->shape.nt;
        if (k <= 16 * chunk)
            continue;
        for (uint32_t r = 0; r < p->rows; r++) {
            const unsigned lanes = g->lanes, rw = chunk % f->c.ring;
            uint16_t word[32], scales[16];
            for (uint32_t e = 0; e < lanes; e++)
                word[e] = lanes * chunk + e < k ? d->prob[(size_t)r * p->shape.L + lo + lanes * chunk + e] : 0;
            gemv_cmd c = {.op = GEMV_OP_WR, .buf = 1, .row = r, .word = rw};
            uint32_t cw[2] = {gemv_encode(&c), 0};
            if (g->block) { /* INT8: the word quantised, then its scale with the others of the row (kept) */
                int8_t p8[32];
                fp16_t *ws = d->pws + ((size_t)t * p->rows + r) * 16;
                ws[rw % 16] = kvq_vec(word, 32, p8);
                kvq_pack(p8, word);
                memcpy(scales, ws, sizeof scales);
                c = (gemv_cmd){.op = GEMV_OP_SCL, .buf = 1, .row = r, .word = rw / 16 * 16};
                cw[1] = gemv_encode(&c);
            }
            const unsigned b0 = (t / g->parts_pc) * g->units_pc + (t % g->parts_pc) * g->words;
            for (unsigned w = 0; w < g->words; w++)
                for (int s = 0; s < 1 + !!g->block; s++)
                    if (unit_cmd(f, b0 + w, cw[s], s ? scales : word, cycle, out) < 0)
                        return -1;
        }
    }
    return 0;
}


void func_hooks(func *f, sched_hooks *hk, char *err, size_t n)
{
    *hk = (sched_hooks){.ctx = f, .wrgb = hk_wrgb, .mac = hk_mac, .sfm_row = hk_sfm_row, .mvgb = hk_mvgb,
                        .sfm_merge = func_hk_sfm_merge, .err = err, .errn = n};
    f->hk = hk;
}
