/* sm_unit.c — see sm_unit.h. Mirrors rtl/softmax/softmax_unit.sv beat by beat. */
#include "sm_unit.h"

#include <stdlib.h>
#include <string.h>

#define NEG_INF 0xFF800000u
#define NEG_ZERO 0x80000000u
#define QNAN32 0x7FC00000u

enum { ST_IDLE = 0, ST_PASS1 = 1, ST_PASS2 = 2, ST_MERGE = 3 };

struct smu {
    smu_cfg cfg;
    int state, err;
    /* row */
    fp32_t scale, xmax;
    sm_mask mask;
    uint32_t pos; /* position of lane 0 of the next beat in this pass */
    int any, nan;
    fp32_t lane[16];
    /* merge */
    int m_any, m_nan, skip, sa, sb;
    uint32_t vpos; /* vector entries of the current partial seen; merge_d when complete */
    fp32_t mm, ml;
    fp32_t acc[256];
};

const char *smu_cfg_check(const smu_cfg *c)
{
    sm_cfg s = {c->lanes, c->exp_pieces, c->in_fp16};
    const char *why = sm_cfg_check(&s);
    if (why)
        return why;
    if (c->merge_d < c->lanes || c->merge_d > 256 || c->merge_d % c->lanes)
        return "merge_d must be a multiple of lanes, at most 256";
    return NULL;
}

static void merge_reset(smu *u)
{
    u->m_any = u->m_nan = u->skip = 0;
    u->sa = u->sb = 0;
    u->vpos = (uint32_t)u->cfg.merge_d;
    u->mm = NEG_INF;
    u->ml = 0;
    memset(u->acc, 0, sizeof u->acc);
}

smu *smu_new(const smu_cfg *c)
{
    if (smu_cfg_check(c))
        return NULL;
    smu *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->cfg = *c;
    merge_reset(u);
    return u;
}

void smu_free(smu *u) { free(u); }
int smu_error(const smu *u) { return u->err; }
int smu_state(const smu *u) { return u->state; }
int smu_vec_complete(const smu *u) { return u->vpos == (uint32_t)u->cfg.merge_d; }

void smu_encode(const smu_cmd *c, uint32_t w[3])
{
    w[0] = ((uint32_t)c->op & 7u) | (c->causal & 1u) << 3 | (c->normalise & 1u) << 4 | (c->last & 1u) << 5 |
           (c->window & 0xFFFFFFu) << 8;
    w[1] = c->op == SMU_PART ? c->m : c->len;
    w[2] = c->op == SMU_PART ? c->l : (uint32_t)c->delta;
}

/* The rules the RTL enforces. */
const char *smu_check(const smu *u, const uint32_t w[3], const uint32_t *data)
{
    unsigned op = w[0] & 7u, causal = (w[0] >> 3) & 1u, norm = (w[0] >> 4) & 1u, last = (w[0] >> 5) & 1u;
    uint32_t window = w[0] >> 8;
    if (op > SMU_MEND)
        return "unknown op (0 ROW, 1 MAX, 2 EXP, 3 PART, 4 PVEC, 5 MEND)";
    if (w[0] & 0xC0u)
        return "reserved command bits 7:6 must be 0";
    int row = op == SMU_ROW;
    if (!row && (causal || window))
        return "causal and window belong to ROW";
    if (op != SMU_MEND && norm)
        return "normalise belongs to MEND";
    if (op != SMU_EXP && last)
        return "last belongs to EXP";
    if (op != SMU_ROW && op != SMU_PART && (w[1] || w[2]))
        return "command words 1 and 2 are used by ROW and PART only";
    switch (op) {
    case SMU_ROW:
        if (u->state != ST_IDLE)
            return "ROW while a row or a merge is in progress";
        if (sm_row_check(data[0], 1))
            return "ROW scale must be a normal FP32 in (0, 1]";
        if (w[1] > (1u << 24))
            return "ROW len must be <= 2^24";
        return NULL;
    case SMU_MAX: return u->state == ST_PASS1 ? NULL : "MAX outside pass 1 of a row";
    case SMU_EXP: return (u->state == ST_PASS1 || u->state == ST_PASS2) ? NULL : "EXP outside a row";
    case SMU_PART:
        if (!(u->state == ST_IDLE || (u->state == ST_MERGE && smu_vec_complete(u))))
            return "PART while a row or the previous partial's vector is in progress";
        return sm_partial_check(w[1], w[2]);
    case SMU_PVEC: return (u->state == ST_MERGE && !smu_vec_complete(u)) ? NULL : "PVEC without an incomplete partial";
    default:
        if (!(u->state == ST_IDLE || (u->state == ST_MERGE && smu_vec_complete(u))))
            return "MEND while a row or a partial's vector is in progress";
        return NULL;
    }
}

/* The FP32 operations of a beat through the host's binary32 arithmetic (fp.h: fp32_mul_native, fp32_add_native,
 * fp16_to_fp32_native give the bits of fp32_mul, fp32_add, fp16_to_fp32); sm_scaled, as a host multiply.
 * tests/test_softmax_golden compares this model with sm_row and sm_merge_*, which keep the step-by-step ones. */
static fp32_t scaled(const smu *u, uint32_t s)
{
    return fp32_mul_native(u->cfg.in_fp16 ? fp16_to_fp32_native((fp16_t)s) : s, u->scale);
}

static void row_max(smu *u, const uint32_t *data)
{
    for (int i = 0; i < u->cfg.lanes; i++) {
        if (sm_masked(&u->mask, u->pos + (uint32_t)i))
            continue;
        fp32_t x = scaled(u, data[i]);
        if (fp32_classify(x) == FP_CLASS_NAN || x == 0x7F800000u)
            u->nan = 1;
        else if (x != NEG_INF) {
            u->any = 1;
            if (fp32_order_key(x) > fp32_order_key(u->xmax))
                u->xmax = x;
        }
    }
    u->pos += (uint32_t)u->cfg.lanes;
}

static int row_exp(smu *u, const uint32_t *data, int last, smu_beat *out)
{
    if (u->state == ST_PASS1) {
        u->state = ST_PASS2;
        u->pos = 0;
    }
    fp32_t m = u->any ? fp32_ceil(u->xmax) : NEG_INF;
    memset(&out[0], 0, sizeof out[0]);
    out[0].kind = SMU_PROB;
    for (int i = 0; i < u->cfg.lanes; i++) {
        fp16_t p = 0;
        if (!sm_masked(&u->mask, u->pos + (uint32_t)i)) {
            if (u->nan)
                p = FP16_QNAN;
            else if (u->any)
                p = sm_exp2(u->cfg.exp_pieces, fp32_add_native(scaled(u, data[i]), m ^ NEG_ZERO));
        }
        out[0].data[i] = p;
        u->lane[i] = fp32_add_native(u->lane[i], fp16_to_fp32_native(p));
    }
    u->pos += (uint32_t)u->cfg.lanes;
    if (!last)
        return 1;
    fp32_t t[16];
    memcpy(t, u->lane, sizeof t);
    for (int w = u->cfg.lanes; w > 1; w /= 2)
        for (int k = 0; k < w / 2; k++)
            t[k] = fp32_add_native(t[2 * k], t[2 * k + 1]);
    smu_beat *r = &out[1];
    memset(r, 0, sizeof *r);
    r->kind = SMU_ROW_RES;
    r->m = m;
    r->nan = u->nan;
    r->empty = !u->nan && !u->any;
    r->l = r->empty ? 0 : (u->nan ? QNAN32 : t[0]);
    r->rl = r->empty ? 0 : sm_recip(r->l);
    u->state = ST_IDLE;
    return 2;
}

static void part_header(smu *u, fp32_t m, fp32_t l)
{
    u->state = ST_MERGE;
    u->vpos = 0;
    u->skip = 1;
    if (fp32_classify(m) == FP_CLASS_NAN || fp32_classify(l) == FP_CLASS_NAN) {
        u->m_nan = 1;
        return;
    }
    if (fp32_classify(l) == FP_CLASS_ZERO || m == NEG_INF)
        return;
    fp32_t mn = (!u->m_any || fp32_order_key(m) > fp32_order_key(u->mm)) ? m : u->mm;
    u->sa = u->m_any ? sm_shift(u->mm, mn) : -512;
    u->sb = sm_shift(m, mn);
    u->ml = fp32_add_native(fp32_scale2(u->ml, u->sa), fp32_scale2(l, u->sb));
    u->mm = mn;
    u->m_any = 1;
    u->skip = 0;
}

static int merge_end(smu *u, int normalise, smu_beat *out)
{
    int nb = u->cfg.merge_d / u->cfg.lanes;
    fp32_t rl = u->m_nan ? QNAN32 : (u->m_any ? sm_recip(u->ml) : 0);
    for (int b = 0; b < nb; b++) {
        memset(&out[b], 0, sizeof out[b]);
        out[b].kind = SMU_OVEC;
        for (int i = 0; i < u->cfg.lanes; i++) {
            fp32_t a = u->acc[b * u->cfg.lanes + i];
            out[b].data[i] = u->m_nan ? QNAN32 : (!u->m_any ? 0 : (normalise ? fp32_mul_native(a, rl) : a));
        }
    }
    smu_beat *r = &out[nb];
    memset(r, 0, sizeof *r);
    r->kind = SMU_MERGE_RES;
    r->nan = u->m_nan;
    r->empty = !u->m_nan && !u->m_any;
    r->m = u->mm;
    r->l = u->m_nan ? QNAN32 : (u->m_any ? u->ml : 0);
    r->rl = rl;
    merge_reset(u);
    u->state = ST_IDLE;
    return nb + 1;
}

int smu_exec(smu *u, const uint32_t w[3], const uint32_t *data, smu_beat *out)
{
    if (smu_check(u, w, data)) {
        u->err = 1;
        return -1;
    }
    switch ((smu_op)(w[0] & 7u)) {
    case SMU_ROW:
        u->state = ST_PASS1;
        u->scale = data[0];
        u->mask = (sm_mask){.len = w[1], .causal = (int)((w[0] >> 3) & 1u), .delta = (int32_t)w[2],
                            .window = w[0] >> 8};
        u->pos = 0;
        u->any = u->nan = 0;
        u->xmax = NEG_INF;
        for (int i = 0; i < 16; i++)
            u->lane[i] = NEG_ZERO;
        return 0;
    case SMU_MAX: row_max(u, data); return 0;
    case SMU_EXP: return row_exp(u, data, (int)((w[0] >> 5) & 1u), out);
    case SMU_PART: part_header(u, w[1], w[2]); return 0;
    case SMU_PVEC:
        for (int i = 0; i < u->cfg.lanes; i++) {
            fp32_t *a = &u->acc[u->vpos + (uint32_t)i];
            if (!u->skip)
                *a = fp32_add_native(fp32_scale2(*a, u->sa), fp32_scale2(data[i], u->sb));
        }
        u->vpos += (uint32_t)u->cfg.lanes;
        return 0;
    default: return merge_end(u, (int)((w[0] >> 4) & 1u), out);
    }
}
