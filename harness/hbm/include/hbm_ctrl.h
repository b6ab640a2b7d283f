/* hbm_ctrl.h — the memory controller in front of the timing engine (hbm.h), used by the trace runner
 * (`pimattn hbm`) and the closed-form tests. Configured by the `controller:` section of the HBM
 * configuration (hbm_cfg.h); docs/hbm.md "Controller and trace runner" is its specification.
 *
 * Contract
 *  - Per pseudo-channel a read queue and a write queue (controller.read_queue / write_queue entries). A
 *    request enters its queue at max(its arrival, the previous request's entry): hbm_ctrl_add first issues
 *    every command of the request's channel that the controller would issue before that cycle, and when
 *    the queue is full it waits (issuing that channel's commands) until a data command frees an entry;
 *    the cycles waited are the trace's stall cycles and delay every later request (back-pressure).
 *  - Scheduling per channel, one command at a time at the smallest cycle any candidate may issue (the
 *    engine's hbm_earliest); ties: refresh, then row hits, then the oldest request, then close-page PREs by bank
 *    (the channel's lowest PC, then bank, first). Candidates per bank:
 *    frfcfs: the oldest request's data command if it hits the open row, else the oldest hit, else the
 *    oldest request's PRE or ACT; frfcfs-cap N: as frfcfs, but after N hits have bypassed the bank's
 *    oldest request (a miss) only that request; fcfs: only the PC's oldest request of the active queue (its
 *    PRE, ACT, data command: no bank parallelism). Write drain per PC: the write queue is served (and
 *    reads wait) from when it holds write_high entries, or when no read waits, until it holds write_low
 *    (or none). Page open: a bank stays open until a request needs another row; close: a bank is
 *    precharged as soon as no queued request (read or write) hits its open row.
 *  - Refresh (engine refresh.mode all-bank or per-bank): eager: a PC's refresh is due every interval
 *    (nREFI, per-bank nREFIpb; with refresh.max_postpone 0 at the interval's start); postpone N: while
 *    the PC has requests queued the refresh waits until N intervals are owed; either way it is forced
 *    early enough that it always lands before the engine's deadline (hbm_refresh_deadline). A PC whose
 *    refresh is due issues no request commands (per-bank: to the bank due) until the REFAB (after PREA)
 *    or REFPB (after PRE) has issued; no command of the channel issues so late that a refresh could no
 *    longer close the banks and make its deadline.
 *  - HBM_REQ_MAC (one MACAB over a PC, or the channel with pc = HBM_PC_ALL) is not reordered: the
 *    queues of its PCs are drained first, then the MAC issues in order (PREA and ACTAB when the banks do
 *    not all hold its row), refreshes as the in-order controller before it did. A MAC that cannot issue
 *    between the refreshes the configuration demands (per-bank refresh, all-bank ACTs) fails with err.
 *  - hbm_ctrl_drain: issues every queued request of every channel (no final refresh). hbm_ctrl_finish:
 *    drains, then refreshes every PC up to the last cycle any channel reached (idle channels too, counted
 *    apart in hbm_ctrl_idle). Both return 0 or -1 with err (an engine refusal: a bug, reported).
 *  - Every function returns 0, or -1 with err; nothing exits. The engine must outlive the controller, and
 *    from hbm_ctrl_new on the controller must be its only issuer: it mirrors the banks' open rows and the
 *    refresh deadlines instead of asking the engine for them at every step.
 */
#ifndef PIMATTN_HBM_CTRL_H
#define PIMATTN_HBM_CTRL_H

#include <stddef.h>
#include <stdint.h>

#include "hbm.h"

enum { HBM_REQ_RD, HBM_REQ_WR, HBM_REQ_MAC };

typedef struct {
    uint64_t arrival;
    uint8_t kind, st, ch, pc, sid, bg, ba;
    uint32_t row, col;
} hbm_req;

/* What the controller measured (hbm_ctrl_summary). */
typedef struct {
    uint64_t reads, writes, macs;   /* requests served */
    uint64_t first_data, last_data; /* issue cycles of the first and last data command (RD, WR, MACAB) */
    uint64_t now;                   /* largest cycle any channel reached */
    unsigned channels_used, pcs_used;
    uint64_t stall_cycles;          /* cycles requests waited for a queue entry (the trace stalled) */
    double lat_avg;                 /* read latency: queue entry to data returned (RD + nCL + nBL), CK */
    uint64_t lat_p99, lat_max;      /* p99 exact below 65536 CK, else 65536 */
    double rq_avg, wq_avg;          /* queue occupancy, time-average over [0, now] per used PC */
    unsigned rq_max, wq_max;        /* largest occupancy of any PC */
    uint64_t turnarounds;           /* RD <-> WR direction switches of the PCs' data commands */
} hbm_ctrl_summary;

typedef struct hbm_ctrl hbm_ctrl;

hbm_ctrl *hbm_ctrl_new(hbm *h);
void hbm_ctrl_free(hbm_ctrl *r);
int hbm_ctrl_add(hbm_ctrl *r, const hbm_req *q, char *err, size_t n);
int hbm_ctrl_drain(hbm_ctrl *r, char *err, size_t n);
int hbm_ctrl_finish(hbm_ctrl *r, char *err, size_t n);
void hbm_ctrl_summarize(const hbm_ctrl *r, hbm_ctrl_summary *s);
/* Issue cycle of the last data command so far (after hbm_ctrl_drain: of the last request). */
uint64_t hbm_ctrl_last_data(const hbm_ctrl *r);
uint64_t hbm_ctrl_now(const hbm_ctrl *r);
/* Commands, cycles and energy hbm_ctrl_finish spent refreshing channels no request used. */
const hbm_stats *hbm_ctrl_idle(const hbm_ctrl *r);

#endif
