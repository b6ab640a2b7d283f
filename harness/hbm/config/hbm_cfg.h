/* hbm_cfg.h — HBM3(-PIM) device configuration: organisation, timing (in CK), refresh, PIM timing and
 * energy per bit; built-in presets and YAML files that start from a preset and override fields.
 *
 * Contract
 *  - Every field is listed once in the HBM_CFG_* X-macro tables below (section, YAML key, member, kind,
 *    allowed range, meaning); the struct and the field table of the configuration reader (cfgfile.h,
 *    which loads, range-checks and writes) are generated from them, so a new field is one line.
 *  - hbm_cfg_preset(name, out): copies a built-in preset ("hbm3-6400", "attacc-hbm3-5200"); returns 0, or
 *    -1 for an unknown name (hbm_cfg_preset_names lists the allowed ones).
 *  - hbm_cfg_load(path, out, err, n): reads a YAML file. With a top-level `base: PRESET` key every other
 *    field is optional and overrides the preset; without it every field is required. Unknown keys, wrong
 *    types, missing fields, out-of-range values and inconsistent combinations (hbm_cfg_validate) are
 *    errors: returns -1 with "FILE:LINE: message (allowed: ...)" in err; returns 0 and fills *out on
 *    success. *out is untouched on error.
 *  - hbm_cfg_validate(cfg, err, n): range and cross-field checks (e.g. nRAS <= nRC, nRCDRD < nRAS);
 *    returns 0, or -1 with "KEY: message (allowed: ...)" in err (KEY = section.key).
 *  - hbm_cfg_write(cfg, f): writes cfg as a complete YAML file that hbm_cfg_load reads back identically.
 *  - Derived quantities (hbm_cfg_*() inline helpers) are the only place their formulas live.
 */
#ifndef PIMATTN_HBM_CFG_H
#define PIMATTN_HBM_CFG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Kinds: U = uint32_t, F = double, B = int (YAML bool), E = enum (int, YAML string from a fixed list: each E
 * member's words are hbm_cfg.c's WORDS_<member>). */
/* X(section, key, member, kind, lo, hi, meaning) */
#define HBM_CFG_ORG(X)                                                                                       \
    X(org, stacks, stacks, U, 1, 64, "HBM stacks")                                                           \
    X(org, channels, channels, U, 1, 64, "channels per stack")                                               \
    X(org, pseudo_channels, pcs, U, 1, 4, "pseudo-channels per channel")                                     \
    X(org, sids, sids, U, 1, 8, "stack IDs (SIDs) per pseudo-channel")                                        \
    X(org, bank_groups, bank_groups, U, 1, 16, "bank groups per SID")                                        \
    X(org, banks_per_group, banks, U, 1, 16, "banks per bank group")                                         \
    X(org, rows, rows, U, 1, 1048576, "rows per bank")                                                       \
    X(org, columns, columns, U, 1, 1024, "column bursts per row")                                            \
    X(org, burst_bytes, burst_bytes, U, 1, 256, "bytes per column burst (per PC)")                           \
    X(org, tck_ps, tck_ps, U, 100, 10000, "clock period CK in ps")

#define HBM_CFG_TIMING(X)                                                                                    \
    X(timing, nBL, nBL, U, 1, 64, "data-bus occupancy of one burst")                                         \
    X(timing, nCL, nCL, U, 1, 255, "read latency")                                                            \
    X(timing, nCWL, nCWL, U, 1, 255, "write latency")                                                         \
    X(timing, nRCDRD, nRCDRD, U, 1, 255, "ACT to RD/MAC, same bank")                                         \
    X(timing, nRCDWR, nRCDWR, U, 1, 255, "ACT to WR, same bank")                                             \
    X(timing, nRP, nRP, U, 1, 255, "PRE to ACT, same bank")                                                  \
    X(timing, nRAS, nRAS, U, 1, 1023, "ACT to PRE, same bank")                                               \
    X(timing, nRC, nRC, U, 1, 1023, "ACT to ACT, same bank")                                                 \
    X(timing, nWR, nWR, U, 1, 255, "write recovery: end of write data to PRE")                              \
    X(timing, nRTP, nRTP, U, 1, 255, "RD/MAC to PRE, same bank")                                             \
    X(timing, nCCDS, nCCDS, U, 1, 255, "column to column, same SID, other bank group")                       \
    X(timing, nCCDL, nCCDL, U, 1, 255, "column to column, same bank group")                                  \
    X(timing, nCCDR, nCCDR, U, 1, 255, "column to column, other SID of the same PC")                         \
    X(timing, nRRDS, nRRDS, U, 1, 255, "ACT to ACT, same PC, other bank group")                              \
    X(timing, nRRDL, nRRDL, U, 1, 255, "ACT to ACT, same bank group")                                        \
    X(timing, nFAW, nFAW, U, 1, 1023, "window holding at most 4 ACTs per PC")                                \
    X(timing, nWTRS, nWTRS, U, 1, 255, "end of write data to RD, other bank group")                          \
    X(timing, nWTRL, nWTRL, U, 1, 255, "end of write data to RD, same bank group")                           \
    X(timing, nRTW, nRTW, U, 1, 255, "RD to WR, same PC")                                                    \
    X(timing, nPPD, nPPD, U, 1, 255, "PRE to PRE, same PC")

#define HBM_CFG_REFRESH(X)                                                                                   \
    X(refresh, mode, ref_mode, E, 0, 2, "all-bank | per-bank | off")                                        \
    X(refresh, nREFI, nREFI, U, 16, 1000000, "average all-bank refresh interval per PC")                    \
    X(refresh, nRFC, nRFC, U, 1, 100000, "REFab to ACT, same PC")                                            \
    X(refresh, nRFCpb, nRFCpb, U, 1, 100000, "REFpb to ACT, same bank")                                      \
    X(refresh, nRREFD, nRREFD, U, 1, 255, "REFpb to REFpb or ACT of another bank, same PC")                 \
    X(refresh, max_postpone, max_postpone, U, 0, 16, "refresh commands a PC may owe or be ahead")            \
    X(refresh, rows_per_ref, rows_per_ref, U, 1, 1024, "rows each bank refreshes per REF (energy)")

#define HBM_CFG_PIM(X)                                                                                       \
    X(pim, nMAC, nMAC, U, 1, 255, "MAC to MAC sharing a bank")                                               \
    X(pim, power_limit, power_limit, B, 0, 1, "limit MAC bursts per channel to one channel-full per nMACpow")\
    X(pim, nMACpow, nMACpow, U, 1, 255, "window of the MAC power limit")                                     \
    X(pim, allbank_act_faw, ab_act_faw, B, 0, 1, "all-bank/bank-group ACTs obey the activation window")      \
    X(pim, nMACLAT, nMACLAT, U, 1, 255, "MAC command to its result in the GEMV unit")                        \
    X(pim, gemv_lanes, gemv_lanes, U, 1, 64, "MACs per burst per GEMV unit (energy)")

#define HBM_CFG_ENERGY(X)                                                                                    \
    X(energy, act_pre, e_act, F, 0, 100, "cell activate + precharge, pJ per bit of the row")                \
    X(energy, cell_rw, e_cell, F, 0, 100, "cell read/write, pJ per bit")                                     \
    X(energy, column_path, e_col, F, 0, 100, "column decoder to bank-group mux, pJ per bit")                \
    X(energy, global_io, e_gio, F, 0, 100, "bank-group mux to global I/O, pJ per bit")                       \
    X(energy, tsv, e_tsv, F, 0, 100, "TSV, pJ per bit")                                                      \
    X(energy, io, e_io, F, 0, 100, "interposer I/O, pJ per bit")                                              \
    X(energy, mac_pj, e_mac, F, 0, 100, "one FP16 MAC in a GEMV unit, pJ")                                 \
    X(energy, mac_int8_pj, e_mac8, F, 0, 100, "one INT8 MAC (INT32 sum) in an INT8 GEMV unit, pJ")          \
    X(energy, scale_int8_pj, e_scale8, F, 0, 100, "one FP32 scaling in an INT8 GEMV unit (multiply and add), pJ")

/* The trace controller (hbm_ctrl.h): only `pimattn hbm` and the tests use it; the PIM scheduler (harness/run)
 * issues its own commands. */
#define HBM_CFG_CTRL(X)                                                                                      \
    X(controller, read_queue, read_queue, U, 1, 1024, "read queue entries per pseudo-channel")              \
    X(controller, write_queue, write_queue, U, 1, 1024, "write queue entries per pseudo-channel")           \
    X(controller, scheduler, sched, E, 0, 2, "fcfs | frfcfs | frfcfs-cap")                                   \
    X(controller, cap, cap, U, 0, 1024, "frfcfs-cap: row hits that may bypass an older miss to the bank")   \
    X(controller, write_high, write_high, U, 1, 1024, "write queue entries that start a write drain")      \
    X(controller, write_low, write_low, U, 0, 1023, "write queue entries that end a write drain")          \
    X(controller, page, page, E, 0, 1, "open | close")                                                       \
    X(controller, refresh_policy, ref_policy, E, 0, 1, "eager | postpone")                                   \
    X(controller, postpone, postpone, U, 0, 8, "postpone: refresh intervals owed while requests wait")

#define HBM_CFG_ALL(X)                                                                                       \
    HBM_CFG_ORG(X) HBM_CFG_TIMING(X) HBM_CFG_REFRESH(X) HBM_CFG_PIM(X) HBM_CFG_ENERGY(X) HBM_CFG_CTRL(X)

enum { HBM_REF_ALLBANK = 0, HBM_REF_PERBANK = 1, HBM_REF_OFF = 2 };
enum { HBM_SCHED_FCFS = 0, HBM_SCHED_FRFCFS = 1, HBM_SCHED_CAP = 2 };
enum { HBM_PAGE_OPEN = 0, HBM_PAGE_CLOSE = 1 };
enum { HBM_REFPOL_EAGER = 0, HBM_REFPOL_POSTPONE = 1 };

#define HBM_CFG_CTYPE_U uint32_t
#define HBM_CFG_CTYPE_F double
#define HBM_CFG_CTYPE_B int
#define HBM_CFG_CTYPE_E int
#define HBM_CFG_MEMBER(sec, key, member, kind, lo, hi, doc) HBM_CFG_CTYPE_##kind member;

typedef struct hbm_cfg {
    char name[64]; /* preset name or the YAML `name:` */
    HBM_CFG_ALL(HBM_CFG_MEMBER)
} hbm_cfg;

extern const char *const hbm_cfg_preset_names; /* "hbm3-6400, attacc-hbm3-5200" */
extern const char *const hbm_cfg_ref_modes[3]; /* "all-bank", "per-bank", "off" */
extern const char *const hbm_cfg_schedulers[3]; /* "fcfs", "frfcfs", "frfcfs-cap" */
extern const char *const hbm_cfg_pages[2];      /* "open", "close" */
extern const char *const hbm_cfg_ref_policies[2]; /* "eager", "postpone" */

int hbm_cfg_preset(const char *name, hbm_cfg *out);
int hbm_cfg_load(const char *path, hbm_cfg *out, char *err, size_t n);
/* hbm_cfg_resolve(text, ...): a preset name, or else a YAML file path (hbm_cfg_load); the error for an
 * unknown name that is not a readable file lists the presets. Returns 0 or -1 (err filled). */
int hbm_cfg_resolve(const char *text, hbm_cfg *out, char *err, size_t n);
int hbm_cfg_validate(const hbm_cfg *cfg, char *err, size_t n);
void hbm_cfg_write(const hbm_cfg *cfg, FILE *f);

/* Derived organisation. */
static inline uint32_t hbm_cfg_banks_per_pc(const hbm_cfg *c) { return c->sids * c->bank_groups * c->banks; }
static inline uint32_t hbm_cfg_pcs_total(const hbm_cfg *c) { return c->stacks * c->channels * c->pcs; }
static inline uint32_t hbm_cfg_row_bytes(const hbm_cfg *c) { return c->columns * c->burst_bytes; }
/* Per-bank refresh interval of one PC: nREFI / banks per PC (integer division; JEDEC tREFIpb). */
static inline uint32_t hbm_cfg_nrefipb(const hbm_cfg *c) { return c->nREFI / hbm_cfg_banks_per_pc(c); }
/* External (I/O) peak bandwidth of the whole configuration, bytes per CK: one burst per nBL per PC. */
static inline double hbm_cfg_ext_bytes_per_ck(const hbm_cfg *c)
{
    return (double)hbm_cfg_pcs_total(c) * c->burst_bytes / c->nBL;
}

#endif
