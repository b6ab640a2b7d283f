/* system.h — the public face of harness/system/: a serving system (GPUs with tensor parallelism, optionally
 * one HBM3-PIM device per GPU) and one whole generation on it — prefill, then decode steps whose attention
 * is simulated command by command on each PIM device (run.h) — with latency, tokens/s, energy, capacity
 * and the largest batch under a latency SLO (`pimattn system`).
 *
 * Parts (in this order below): the system configuration (presets and YAML), the GPU operation model,
 * the generation, the report.
 */
#ifndef PIMATTN_SYSTEM_H
#define PIMATTN_SYSTEM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hbm_cfg.h"
#include "run.h"

/* ==== the system configuration ============================================================================== */
/* A system: `gpus` GPUs, `tp` of them per model replica (tensor parallelism; gpus / tp replicas serve
 * independent batches), the GPUs' links (NVLink), and optionally one PIM device per GPU holding that
 * GPU's share of the KV cache.
 *
 * Contract
 *  - Every field is listed once in the SYS_CFG_* X-macro tables below (section, YAML key, member, kind,
 *    allowed range, meaning): the struct, the YAML reader, validation, `--set` and printing come from
 *    them. Kinds as in hbm_cfg.h: U uint32_t, F double, B int (YAML bool), E int (one of a word list:
 *    sys_cfg_words), S a string of at most 63 characters.
 *  - sys_cfg_preset(name, out): a built-in system (sys_cfg_preset_names): "a100-hbm3" and "h100" (one GPU),
 *    "dgx-a100-hbm3" and "dgx-h100" (8 GPUs, tp 8); any of them with "+pim" appended gets one PIM device per
 *    GPU (pim.enabled, defaults below). Returns 0, or -1 for an unknown name.
 *  - sys_cfg_load(path, out, err, n): a YAML file; with `base: PRESET` every other field is optional and
 *    overrides the preset, without it every field is required. Errors (unknown keys, wrong types,
 *    out-of-range values, missing fields, sys_cfg_validate) are "FILE:LINE: KEY: what (allowed: ...)";
 *    returns 0 or -1, *out untouched on error.
 *  - sys_cfg_resolve(text, out, err, n): a preset name, else a YAML file (as hbm_cfg_resolve).
 *  - sys_cfg_set(cfg, "section.key", value, err, n): one override as on the command line (`--set`), with
 *    the YAML reader's checks and messages ("pim.gemv: 'x' (allowed: systolic, tree)"); 0 or -1. Run
 *    sys_cfg_validate after the last one.
 *  - sys_cfg_validate(cfg, err, n): ranges and cross-field rules: tp divides gpus; pim.hbm names a preset or
 *    a readable HBM YAML file; pim.softmax_lanes a power of two; pim.group 0 (auto) or 1..16, and 1 with
 *    the tree unit; returns 0 or -1 with "KEY: what (allowed: ...)".
 *  - sys_cfg_write(cfg, f): a complete YAML file that sys_cfg_load reads back identically.
 *
 * Preset values and their sources are in docs/system.md (GPUs: docs REFERENCE §5, AttAcc's system model;
 * energy: AttAcc after O'Connor et al., MICRO 2017).
 */
/* X(section, key, member, kind, lo, hi, meaning) */
#define SYS_CFG_TOP(X)                                                                                       \
    X(top, gpus, gpus, U, 1, 4096, "GPUs in the system")                                                     \
    X(top, tp, tp, U, 1, 4096, "tensor-parallel degree: GPUs per model replica (divides gpus)")

#define SYS_CFG_GPU(X)                                                                                       \
    X(gpu, tflops, gpu_tflops, F, 0.001, 1e6, "peak dense FP16 TFLOPS of one GPU")                          \
    X(gpu, mem_gbs, gpu_mem_gbs, F, 0.001, 1e6, "HBM bandwidth of one GPU, GB/s (1e9 B/s)")                 \
    X(gpu, mem_gib, gpu_mem_gib, F, 0.001, 1e6, "HBM capacity of one GPU, GiB")                             \
    X(gpu, eff_compute, gpu_eff_c, F, 0.01, 1, "fraction of peak FLOPS a GEMM/GEMV reaches")                \
    X(gpu, eff_memory, gpu_eff_m, F, 0.01, 1, "fraction of peak bandwidth a stream reaches")                \
    X(gpu, static_w, gpu_static_w, F, 0, 1e5, "static power of one GPU, W (energy: x time)")

#define SYS_CFG_NVLINK(X)                                                                                    \
    X(nvlink, gbs, nvl_gbs, F, 0.001, 1e6, "GPU-to-GPU link bandwidth per GPU and direction, GB/s")         \
    X(nvlink, latency_us, nvl_lat_us, F, 0, 1e6, "latency of one hop of a ring all-reduce, us")             \
    X(nvlink, pj_per_byte, nvl_pj, F, 0, 1e6, "energy per byte moved, pJ")

#define SYS_CFG_PIM(X)                                                                                       \
    X(pim, enabled, pim, B, 0, 1, "one PIM device per GPU holds that GPU's KV cache")                        \
    X(pim, stacks, pim_stacks, U, 1, 64, "HBM3-PIM stacks per device")                                       \
    X(pim, hbm, pim_hbm, S, 0, 0, "HBM preset or YAML file of the device (pimattn run --hbm)")              \
    X(pim, gemv, pim_tree, E, 0, 1, "bank GEMV unit: systolic | tree")                                       \
    X(pim, group, pim_group, U, 0, 16, "systolic rows, 0 = the most the model's group allows")              \
    X(pim, acc, pim_acc16, E, 0, 1, "GEMV accumulation: fp32 | fp16")                                        \
    X(pim, softmax, pim_splitk, E, 0, 1, "softmax flow: buffer | splitk")                                    \
    X(pim, softmax_lanes, pim_lanes, U, 1, 16, "softmax unit lanes (a power of two)")                        \
    X(pim, pingpong, pim_pingpong, B, 0, 1, "two banks share one GEMV unit and alternate rows")              \
    X(pim, split, pim_split, E, 0, 2, "items split over channels: off | fit | balance")                      \
    X(pim, link_gbs, pim_link_gbs, F, 0.001, 1e6, "GPU-to-device link bandwidth per direction, GB/s")       \
    X(pim, link_latency_us, pim_link_lat_us, F, 0, 1e6, "latency of one transfer on that link, us")         \
    X(pim, link_pj_per_byte, pim_link_pj, F, 0, 1e6, "energy per byte on that link, pJ")                     \
    X(pim, static_w, pim_static_w, F, 0, 1e5, "static power of one device, W (energy: x time)")

#define SYS_CFG_ENERGY(X)                                                                                    \
    X(energy, gpu_mac_pj, e_mac, F, 0, 1e6, "one FP16 multiply-add in a GPU ALU, pJ")                        \
    X(energy, gpu_reg_pj_per_byte, e_reg, F, 0, 1e6, "register file, pJ per byte (3 operands of 2 B per MAC)")\
    X(energy, gpu_l1_pj_per_byte, e_l1, F, 0, 1e6, "L1/shared memory, pJ per byte read from HBM")          \
    X(energy, gpu_l2_pj_per_byte, e_l2, F, 0, 1e6, "L2, pJ per byte read from HBM")                         \
    X(energy, gpu_hbm_pj_per_byte, e_hbm, F, 0, 1e6, "GPU HBM read or write, pJ per byte")

#define SYS_CFG_ALL(X) SYS_CFG_TOP(X) SYS_CFG_GPU(X) SYS_CFG_NVLINK(X) SYS_CFG_PIM(X) SYS_CFG_ENERGY(X)

#define SYS_CFG_CTYPE_U uint32_t
#define SYS_CFG_CTYPE_F double
#define SYS_CFG_CTYPE_B int
#define SYS_CFG_CTYPE_E int
#define SYS_CFG_CTYPE_S char
#define SYS_CFG_DIM_U
#define SYS_CFG_DIM_F
#define SYS_CFG_DIM_B
#define SYS_CFG_DIM_E
#define SYS_CFG_DIM_S [64]
#define SYS_CFG_MEMBER(sec, key, member, kind, lo, hi, doc) SYS_CFG_CTYPE_##kind member SYS_CFG_DIM_##kind;

typedef struct sys_cfg {
    char name[64]; /* preset name or the YAML `name:` */
    SYS_CFG_ALL(SYS_CFG_MEMBER)
} sys_cfg;

extern const char *const sys_cfg_preset_names; /* "a100-hbm3, h100, dgx-a100-hbm3, dgx-h100 (+pim)" */

/* The words of an E field ("pim.gemv" -> {"systolic", "tree", NULL}), or NULL. */
const char *const *sys_cfg_words(const char *section, const char *key);

int sys_cfg_preset(const char *name, sys_cfg *out);
int sys_cfg_load(const char *path, sys_cfg *out, char *err, size_t n);
int sys_cfg_resolve(const char *text, sys_cfg *out, char *err, size_t n);
int sys_cfg_set(sys_cfg *cfg, const char *dotted_key, const char *value, char *err, size_t n);
int sys_cfg_validate(const sys_cfg *cfg, char *err, size_t n);
void sys_cfg_write(const sys_cfg *cfg, FILE *f);

/* ==== the GPU operation model =============================================================================== */
/* An operation of one GPU as a roofline (docs/system.md): time = max(FLOPs / (peak x eff_compute),
 * bytes / (bandwidth x eff_memory)); energy = MACs x (gpu_mac_pj + 6 B x gpu_reg_pj_per_byte) + bytes x
 * (gpu_hbm + gpu_l2 + gpu_l1 pJ per byte). A GEMM of an m x k activation by a k x n weight: 2mnk FLOPs,
 * mnk MACs, (kn + mk + mn) x 2 B from HBM (the weights read once for the whole batch). */
typedef struct sys_op {
    double flops, macs, bytes;
} sys_op;

sys_op sys_gemm(double m, double n, double k);
sys_op sys_elementwise(double elements, double flops_each, double bytes_each);
void sys_op_add(sys_op *a, const sys_op *b);
double sys_op_seconds(const sys_cfg *c, const sys_op *op);
/* Joules of the ALUs and registers (*compute) and of the memory hierarchy (*memory), added to them. */
void sys_op_energy(const sys_cfg *c, const sys_op *op, double *compute, double *memory);
/* A ring all-reduce of `bytes` over p GPUs: 2(p - 1)/p x bytes / link bandwidth + 2(p - 1) hops of latency;
 * 0 for p = 1. Bytes moved per GPU: 2(p - 1)/p x bytes. */
double sys_allreduce_seconds(const sys_cfg *c, double bytes);
double sys_allreduce_bytes(const sys_cfg *c, double bytes);

/* ==== tensor-parallel placement ============================================================================== */
/* GPU g of a replica owns query heads [q0, q0 + nq) (the first heads mod tp GPUs one more) and the KV heads
 * those read: [kv0, kv0 + nkv). With fewer KV heads than tp a KV head is replicated on every GPU that reads
 * it (kv_copies counts the copies, for capacity). Its PIM device holds exactly those KV heads' cache, for
 * every request of the batch, laid out by run/'s mapping as a model of nkv KV heads with group_max query
 * heads each (group_max > a KV head's own count only where tp splits a group: those passes are padded). */
typedef struct sys_shard {
    uint32_t q0, nq, kv0, nkv, group_max;
} sys_shard;

/* The shards of one replica (tp of them) into out; 0, or -1 with err (a shard with no query head). */
int sys_place(const model *m, uint32_t tp, sys_shard *out, char *err, size_t n);
/* The device model of a shard: m with heads = nkv x group_max, kv_heads = nkv. */
model sys_shard_model(const model *m, const sys_shard *s);

/* ==== one generation ========================================================================================= */
/* A batch's prompt (prefill on the GPUs) and its decode steps. Step s = 1 .. lout - 1 attends over
 * lin[b] + s tokens of request b; its attention is simulated on every distinct shard's device (run.h,
 * one layer: every layer of a step has the same shape and placement) unless step_stride skips it, in
 * which case it is interpolated linearly between the simulated steps around it (the first and last are
 * always simulated).
 *
 * Contract
 *  - sys_gen(): 0; 2 bad input the system cannot take (the weights or the KV cache do not fit: err
 *    gives bytes needed and available per GPU or device; a model the placement cannot split); 1 a check
 *    failed in the simulated attention (err); -1 no memory.
 *  - Times are seconds, energies joules; per layer parts in sys_part order.
 *  - Refresh: each simulated layer leaves a refresh debt on its device (attn_layer.refresh_after); the
 *    device is busy until it is paid, so the next layer's attention starts no earlier. The part of the
 *    debt longer than the GPU work between two attentions is exposed (SYS_REFRESH), the rest hidden.
 *  - Overlap (docs/system.md): SYS_OVL_TRANSFER streams requests, so a device's q and output transfers
 *    overlap its attention; SYS_OVL_SUBBATCH splits the batch in two halves whose attention on the
 *    devices runs while the GPUs do the other half's FC work (a two-stage cyclic pipeline per layer).
 */
enum sys_part {
    SYS_QKV,       /* QKV projection */
    SYS_ATTN,      /* attention: GPU (roofline) or PIM (simulated), the busiest device */
    SYS_PROJ,      /* output projection */
    SYS_FFN,       /* feed-forward (2 or 3 matrices and the activation) */
    SYS_NORM,      /* layer norms and residual adds */
    SYS_ALLREDUCE, /* the two ring all-reduces */
    SYS_XFER,      /* PIM: q and the new K, V to the device, the attention output back */
    SYS_REFRESH,   /* PIM: refresh debt not hidden behind GPU work */
    SYS_NPARTS
};
extern const char *const sys_part_names[SYS_NPARTS];

enum { SYS_OVL_TRANSFER = 1, SYS_OVL_SUBBATCH = 2 };

/* Energy by part: GPU ALUs and registers, GPU memory hierarchy (HBM, L2, L1), NVLink, the PIM devices
 * (DRAM, units, softmax, the new K and V written), the GPU-device links, the refresh of every DRAM stack
 * (the GPUs' HBM and the devices', by time at the pim.hbm preset's refresh power per GiB), static power. */
enum sys_energy_part { SYS_E_GPU_COMPUTE, SYS_E_GPU_MEMORY, SYS_E_NVLINK, SYS_E_PIM_DRAM, SYS_E_PIM_LINK,
                       SYS_E_REFRESH, SYS_E_STATIC, SYS_E_NPARTS };
extern const char *const sys_energy_names[SYS_E_NPARTS];

typedef struct sys_gen_cfg {
    sys_cfg sys;
    model m;
    uint32_t batch;
    const uint32_t *lin; /* prompt tokens of each request */
    uint32_t lout;       /* tokens generated per request (the first by the prefill) */
    uint32_t step_stride; /* simulate every step_stride-th decode step (1: all) */
    int overlap;          /* SYS_OVL_* bits */
    int host_tier;        /* a KV cache too large for a device keeps its overflow on the host (run.h) */
    double host_gbs, host_latency_us;
    uint32_t flash_tile;  /* prefill attention tile (FlashAttention), tokens */
    uint64_t seed;
    uint32_t numerics;    /* items per simulated layer checked against FP64 (run.h's --numerics) */
    unsigned threads;
    void (*progress)(void *ctx, double done);
    void *progress_ctx;
} sys_gen_cfg;

/* One decode step (per layer, and the step: layers x layer + the LM head). Overlap modes are indexed by
 * their SYS_OVL_* bits (0 none .. 3 both); a mode not computed has seconds < 0. */
typedef struct sys_step {
    uint32_t step, simulated; /* simulated: 0 = interpolated */
    double ctx_mean;
    double part[SYS_NPARTS];  /* seconds per layer, no overlap (the slowest GPU or device per part) */
    double refresh_debt_s;    /* per layer: the largest device debt; part[SYS_REFRESH] of it is exposed */
    double lm_head_s;
    double mode_s[4], mode_j[4]; /* the whole step: seconds and joules (one replica) per overlap mode */
    double mode_e[4][SYS_E_NPARTS]; /* the joules of each mode by part */
    double pim_cycles;        /* the busiest device's attention layer, CK */
} sys_step;

typedef struct sys_gen_res {
    uint32_t replicas, shards, distinct_shards; /* distinct: device shapes simulated per step */
    uint32_t unit_rows;                         /* the bank GEMV unit's rows G (1: tree), as resolved */
    sys_shard shard[64];                        /* of one replica (tp <= 64 for the report) */
    double weights_bytes_gpu, kv_bytes_gpu, act_bytes_gpu, gpu_capacity; /* per GPU, at the last step;
                                                                         * activations: the longest prompt's */
    double kv_bytes_device, device_capacity;   /* per device (PIM), as placed */
    double prefill_s, prefill_j;
    double prefill_part[SYS_NPARTS];           /* seconds per prefill layer, the prompts one after the other */
    uint32_t nsteps;                           /* lout - 1 decode steps */
    sys_step *steps;
    int overlap;                               /* the mode of the figures below (the configuration's, if available) */
    double decode_s, decode_j;                 /* sum over the steps */
    double mode_tpot_s[4];                     /* mean step per overlap mode, < 0 if not computed */
    double energy[SYS_E_NPARTS];               /* the whole generation */
    double tpot_s;                             /* mean decode step (time per output token) */
    double tokens_per_s_decode;                /* batch x replicas / tpot */
    double tokens_per_s;                       /* batch x replicas x lout / (prefill + decode) */
    double joules_per_token;
    uint64_t sim_layers;                       /* attention layers simulated */
    func_stats num;                            /* the checked heads of the simulated layers */
    double wall_seconds;
} sys_gen_res;

int sys_gen(const sys_gen_cfg *c, sys_gen_res *r, char *err, size_t n);
void sys_gen_res_free(sys_gen_res *r);

/* The largest batch whose KV cache and weights fit (c's batch and lin ignored: request b's prompt is
 * lin[b % nlin]), by the placement's own capacity check; 0 if not even one fits. */
uint32_t sys_max_batch(const sys_gen_cfg *c, const uint32_t *lin, uint32_t nlin);

/* ==== the SLO search ======================================================================================== */
/* The largest batch whose mean per-token latency (decode step) is at most slo_s: a search over batches
 * 1 .. sys_max_batch, each point one whole generation (sys_gen; request b's prompt is lin[b % nlin]),
 * assuming the latency does not fall as the batch grows; the points are kept in out. */
typedef struct sys_slo_point {
    uint32_t batch;
    double tpot_s, tokens_per_s, joules_per_token;
} sys_slo_point;

typedef struct sys_slo {
    double slo_s;
    uint32_t max_batch;  /* the largest that fits */
    uint32_t batch;      /* the answer: 0 if not even batch 1 meets the SLO */
    double tpot_s, tokens_per_s, joules_per_token; /* at the answer */
    double next_tpot_s;  /* at batch + 1 (< 0 if that does not fit) */
    sys_slo_point pt[64];
    uint32_t npt;
} sys_slo;

/* 0, or sys_gen's status with err. */
int sys_slo_search(const sys_gen_cfg *c, const uint32_t *lin, uint32_t nlin, double slo_s, sys_slo *out, char *err,
                   size_t n);

/* ==== the report ============================================================================================== */
/* One evaluated system: its configuration and generation (res NULL and why set if it could not run). */
typedef struct sys_point {
    const sys_gen_cfg *cfg;
    const sys_gen_res *res;
    const char *why;      /* why res is NULL (the capacity message) */
    const sys_slo *slo;   /* optional */
} sys_point;

/* report_text: the PIM system (may be NULL) beside its GPU-only twin (may be NULL), ratios where both
 * ran. report_json / report_csv (one row per system and step, step 0 the prefill): 0, or -1 if a write
 * failed or memory ran out. */
void sys_report_text(FILE *f, const sys_point *pim, const sys_point *gpu);
int sys_report_json(FILE *f, const sys_point *pim, const sys_point *gpu);
int sys_report_csv(FILE *f, const sys_point *pim, const sys_point *gpu);

#endif
