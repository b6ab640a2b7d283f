/* hbm.h — the HBM3-PIM timing engine: per-bank state and "next legal cycle" registers per bank, bank
 * group, SID, pseudo-channel and channel, for every command and rule of docs/hbm.md; statistics and
 * energy per command; an optional command log in the v1 text format that `pimattn check-trace` reads.
 *
 * Contract
 *  - hbm_new(cfg): cfg must have passed hbm_cfg_validate (it is copied). NULL on no memory.
 *  - hbm_earliest(h, c, from, &rule): the smallest cycle >= from at which c is legal by every timing rule,
 *    given the commands issued so far, or HBM_NEVER when c is illegal in the current state (bank open or
 *    closed as needed, address out of range, refresh command the mode forbids); *rule (may be NULL) names
 *    the binding rule ("from" when none binds, or "state"/"refresh").
 *  - hbm_issue(h, c, t, err, n): issues c at cycle t. Returns 0, or -1 (state unchanged, err says why) if
 *    c is not legal at t, or if t is past some PC's refresh deadline in c's channel. Within a channel t
 *    must not decrease.
 *  - hbm_issue_proven(h, c, t, err, n): hbm_issue for a caller that has proven, from its own exact copy of
 *    the registers, that c is legal in the current state and that t is hbm_earliest(c, t): the state and
 *    timing-rule checks are skipped (built with -DHBM_CHECK_PROVEN they are made and a failing one is an
 *    error); the refresh deadlines are still checked. The memory controller is its one caller.
 *  - hbm_refresh_deadline(h, st, ch, pc): the last cycle at which commands may still issue in that PC
 *    before it owes more refreshes than refresh.max_postpone (UINT64_MAX with refresh off); the next
 *    refresh (REFAB, or REFPB to hbm_refresh_next_bank) must issue by then.
 *  - Addresses: bank fields index within their level; pc = HBM_PC_ALL means every PC of the channel.
 *  - Statistics and energy (hbm_stats) accumulate over every issued command, per channel in whole units
 *    (bursts, banks): hbm_get_stats adds the channels up in channel order and turns the counts into
 *    energies, so the figures do not depend on the order the channels' commands were issued in.
 *  - Threads: commands of different channels share no state but the command log, so hbm_earliest,
 *    hbm_issue and the per-channel queries may run on several threads at once for different channels
 *    when no log is set; hbm_new, hbm_set_log and hbm_get_stats must not run beside them.
 */
#ifndef PIMATTN_HBM_H
#define PIMATTN_HBM_H

#include <stdint.h>
#include <stdio.h>

#include "hbm_cfg.h"

#define HBM_OPS(X)                                                                                           \
    X(ACT) X(PRE) X(PREA) X(RD) X(WR) X(REFAB) X(REFPB) X(ACTAB) X(ACTBG) X(MACAB) X(MACBG) X(MACSB) X(WRGB)  \
    X(MVSB) X(MVGB) X(SFM) X(BARRIER)
#define HBM_OP_ENUM(x) HBM_##x,
typedef enum { HBM_OPS(HBM_OP_ENUM) HBM_NOPS } hbm_op;

#define HBM_PC_ALL 0xFF
#define HBM_NEVER UINT64_MAX

typedef struct {
    uint8_t op, st, ch, pc, sid, bg, ba;
    uint32_t row, col, n;
} hbm_cmd;

/* Energy components, pJ. */
#define HBM_ENERGY(X) X(act) X(cell) X(column) X(global_io) X(tsv) X(io) X(alu) X(refresh)
#define HBM_E_MEMBER(x) double x;
typedef struct {
    HBM_ENERGY(HBM_E_MEMBER)
} hbm_energy;

typedef struct {
    uint64_t cmds[HBM_NOPS];
    uint64_t ext_bytes;      /* RD/WR bytes over the I/O */
    uint64_t pim_bytes;      /* bytes delivered to GEMV units by MACs */
    uint64_t row_hits;       /* bursts (RD, WR, each bank of a MAC) to a row already accessed since its ACT */
    uint64_t row_misses;     /* first burst after an ACT */
    double refresh_cycles;   /* PC-cycles spent refreshing: nRFC per REFAB, nRFCpb/banks-per-PC per REFPB */
    uint64_t data_busy;      /* PC-cycles of I/O data-path occupancy */
    uint64_t last_cycle;     /* largest issue cycle */
    uint64_t done_cycle;     /* largest completion cycle (docs/hbm.md done()) */
    hbm_energy energy;
} hbm_stats;

typedef struct hbm hbm;

/* The difference b - a of two statistics snapshots (counters and energies); last and done cycles are b's. */
void hbm_stats_diff(const hbm_stats *a, const hbm_stats *b, hbm_stats *out);

hbm *hbm_new(const hbm_cfg *cfg);
void hbm_free(hbm *h);
const hbm_cfg *hbm_config(const hbm *h);

uint64_t hbm_earliest(const hbm *h, const hbm_cmd *c, uint64_t from, const char **rule);
int hbm_issue(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n);
int hbm_issue_proven(hbm *h, const hbm_cmd *c, uint64_t t, char *err, size_t n);

/* Issue cycle of the channel's last command (0 before any): where its next command may go at the earliest. */
uint64_t hbm_channel_last(const hbm *h, unsigned st, unsigned ch);
/* Open row of a bank, or -1 when closed. */
int64_t hbm_open_row(const hbm *h, unsigned st, unsigned ch, unsigned pc, unsigned sid, unsigned bg, unsigned ba);
uint64_t hbm_refresh_deadline(const hbm *h, unsigned st, unsigned ch, unsigned pc);
/* Per-bank mode: the flat bank index within the PC (sid, bg, ba order) due for the next REFPB. */
unsigned hbm_refresh_next_bank(const hbm *h, unsigned st, unsigned ch, unsigned pc);

const hbm_stats *hbm_get_stats(const hbm *h);
double hbm_energy_total(const hbm_energy *e);

/* Command log: every issued command is written to f (NULL stops); the header names the configuration. */
void hbm_set_log(hbm *h, FILE *f);
const char *hbm_op_name(unsigned op);
/* Formats c as a log line without the cycle ("ACT st=0 ch=1 ..."); returns buf. */
const char *hbm_cmd_str(const hbm_cmd *c, char *buf, size_t n);

#endif
