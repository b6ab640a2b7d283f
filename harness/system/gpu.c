/* gpu.c — the GPU operation model (roofline, energy, ring all-reduce) and the tensor-parallel placement
 * (system.h). */
#include "system.h"

#include <stdio.h>

sys_op sys_gemm(double m, double n, double k)
{
    return (sys_op){.flops = 2 * m * n * k, .macs = m * n * k, .bytes = 2 * (k * n + m * k + m * n)};
}

sys_op sys_elementwise(double elements, double flops_each, double bytes_each)
{
    return (sys_op){.flops = elements * flops_each, .macs = 0, .bytes = elements * bytes_each};
}

void sys_op_add(sys_op *a, const sys_op *b)
{
    a->flops += b->flops;
    a->macs += b->macs;
    a->bytes += b->bytes;
}

double sys_op_seconds(const sys_cfg *c, const sys_op *op)
{
    double tc = op->flops / (c->gpu_tflops * 1e12 * c->gpu_eff_c);
    double tm = op->bytes / (c->gpu_mem_gbs * 1e9 * c->gpu_eff_m);
    return tc > tm ? tc : tm;
}

void sys_op_energy(const sys_cfg *c, const sys_op *op, double *compute, double *memory)
{
    *compute += op->macs * (c->e_mac + 6.0 * c->e_reg) * 1e-12; /* 3 operands of 2 B through the registers */
    *memory += op->bytes * (c->e_hbm + c->e_l2 + c->e_l1) * 1e-12;
}

double sys_allreduce_bytes(const sys_cfg *c, double bytes)
{
    double p = c->tp;
    return p > 1 ? 2 * (p - 1) / p * bytes : 0;
}

double sys_allreduce_seconds(const sys_cfg *c, double bytes)
{
    if (c->tp < 2)
        return 0;
    return sys_allreduce_bytes(c, bytes) / (c->nvl_gbs * 1e9) + 2.0 * (c->tp - 1) * c->nvl_lat_us * 1e-6;
}

int sys_place(const model *m, uint32_t tp, sys_shard *out, char *err, size_t n)
{
    if (tp > m->heads)
        return snprintf(err, n, "tp: %u GPUs for %u query heads (allowed: at most one GPU per query head)", tp,
                        m->heads), -1;
    const uint32_t G = m->heads / m->kv_heads, base = m->heads / tp, extra = m->heads % tp;
    uint32_t q = 0;
    for (uint32_t g = 0; g < tp; g++) {
        sys_shard *s = &out[g];
        s->q0 = q;
        s->nq = base + (g < extra);
        q += s->nq;
        s->kv0 = s->q0 / G;
        s->nkv = (s->q0 + s->nq - 1) / G - s->kv0 + 1;
        s->group_max = 0;
        for (uint32_t kv = s->kv0; kv < s->kv0 + s->nkv; kv++) { /* query heads of this KV head on this GPU */
            uint32_t lo = kv * G > s->q0 ? kv * G : s->q0, hi = (kv + 1) * G < q ? (kv + 1) * G : q;
            if (hi - lo > s->group_max)
                s->group_max = hi - lo;
        }
    }
    return 0;
}

model sys_shard_model(const model *m, const sys_shard *s)
{
    model d = *m;
    d.kv_heads = s->nkv;
    d.heads = s->nkv * s->group_max;
    return d;
}
