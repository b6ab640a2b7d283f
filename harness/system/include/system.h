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

#endif
