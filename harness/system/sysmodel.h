/* sysmodel.h — the closed forms of the system model, private to harness/system (docs/system.md): the
 * operations of one layer on one GPU shard for a decode step or the prefill, the bytes a PIM device's
 * link carries, the memory each GPU and device needs, and a device's refresh power.
 *
 * Contract
 *  - sys_decode_ops(): one decode layer of `batch` requests whose contexts are ctx[] (tokens attended,
 *    the new one included) on shard s. pim: attention is on the device (op[SYS_ATTN] stays zero; the
 *    link carries q and the new K, V in, the FP16 output back); else the GPU streams the KV cache
 *    (roofline) and writes the new K, V. op[SYS_ALLREDUCE] holds no FLOPs or bytes of HBM: the two
 *    all-reduces' payload is ar_bytes each (sys_allreduce_*).
 *  - sys_prefill_ops(): the same layer over the prompts lin[] (m = sum of lin), attention FlashAttention-
 *    style: tiles of `tile` x `tile` tokens, only those the causal tiling mask keeps (generated from the
 *    tile offsets: n(n+1)/2 of n x n per request); the KV cache written to the GPU's HBM or sent to the
 *    device (xfer_in).
 *  - sys_lm_head(): the final norm and LM head for `batch` tokens (vocab / tp columns per GPU).
 *  - sys_weight_bytes(), sys_kv_bytes_gpu(): per GPU of shard s; sys_act_bytes(): the largest
 *    activation buffers of a prefill of lin[] (input and output of its widest GEMM).
 *  - sys_refresh_watts(): a device's refresh power at the nominal rate (docs/hbm.md: one REFAB per nREFI
 *    per PC, act_pre x row bits x rows_per_ref x banks).
 *  - sys_xfer_seconds(): one transfer on the GPU-device link: latency + bytes / bandwidth.
 */
#ifndef PIMATTN_SYSMODEL_H
#define PIMATTN_SYSMODEL_H

#include "system.h"

typedef struct sys_layer_ops {
    sys_op op[SYS_NPARTS];
    double ar_bytes;            /* payload of one of the layer's two all-reduces */
    double xfer_in, xfer_out;   /* bytes to and from the device (pim) */
} sys_layer_ops;

void sys_decode_ops(const sys_gen_cfg *c, const sys_shard *s, uint32_t batch, const uint32_t *ctx, int pim,
                    sys_layer_ops *o);
void sys_prefill_ops(const sys_gen_cfg *c, const sys_shard *s, uint32_t batch, const uint32_t *lin, int pim,
                     sys_layer_ops *o);
sys_op sys_lm_head(const sys_gen_cfg *c, uint32_t batch);

double sys_weight_bytes(const model *m, const sys_shard *s, uint32_t tp);
double sys_kv_bytes_gpu(const model *m, const sys_shard *s, uint32_t batch, const uint32_t *ctx);
double sys_act_bytes(const sys_gen_cfg *c, const sys_shard *s, uint32_t batch, const uint32_t *lin);

double sys_refresh_watts(const hbm_cfg *h);
double sys_xfer_seconds(const sys_cfg *c, double bytes);

/* GPU time and energy of a layer's parts (no overlap): seconds per part (SYS_ALLREDUCE from ar_bytes,
 * SYS_XFER from the link), joules by energy part. */
void sys_layer_cost(const sys_cfg *c, const sys_layer_ops *o, double part_s[SYS_NPARTS], double e_j[SYS_E_NPARTS]);

#endif
