/* hbm_run.h — a simple memory controller in front of the timing engine (hbm.h), used by the trace runner
 * (`pimattn hbm`) and the closed-form tests: in order per channel, open page, no reordering, eager
 * refresh (a PC is refreshed as soon as it owes one, with max_postpone 0 as soon as its interval begins:
 * PREA/PRE first if needed), and before each command of a request any PC whose deadline is too close for
 * that command's bank to be closed again in time.
 *
 * Contract
 *  - Requests of one channel issue in the order given; channels advance independently (each has its own
 *    "now"). A request issues no earlier than its arrival cycle.
 *  - HBM_REQ_RD / HBM_REQ_WR: one burst at a bank/row/col (PRE and ACT as needed).
 *  - HBM_REQ_MAC: one all-bank MAC (MACAB) of column col over the PC (pc = HBM_PC_ALL: the channel),
 *    after PREA + ACTAB when the banks do not all hold row.
 *  - A request that cannot issue between the refreshes the configuration demands (all-bank MACs with
 *    per-bank refresh and a max_postpone too small for nRFCpb) fails with err saying so.
 *  - hbm_run_finish: refreshes every PC up to the last cycle any channel reached, so the whole log obeys
 *    the refresh bounds (idle channels refresh too, as a real device does). Returns 0, or -1 with err (an
 *    engine refusal: a bug, reported not hidden).
 *  - hbm_run_channels_used(): channels that got a request; hbm_run_idle(): the commands, cycles and
 *    energy hbm_run_finish spent refreshing the channels no request used, so a report can show the
 *    trace's own figures and the idle channels' refresh apart.
 */
#ifndef PIMATTN_HBM_RUN_H
#define PIMATTN_HBM_RUN_H

#include "hbm.h"

enum { HBM_REQ_RD, HBM_REQ_WR, HBM_REQ_MAC };

typedef struct {
    uint64_t arrival;
    uint8_t kind, st, ch, pc, sid, bg, ba;
    uint32_t row, col;
} hbm_req;

typedef struct hbm_run hbm_run;

hbm_run *hbm_run_new(hbm *h);
void hbm_run_free(hbm_run *r);
int hbm_run_req(hbm_run *r, const hbm_req *q, char *err, size_t n);
int hbm_run_finish(hbm_run *r, char *err, size_t n);
/* Largest cycle any channel has reached (issue cycle of its last command). */
uint64_t hbm_run_now(const hbm_run *r);
/* Issue cycle of the first and the last data command (RD, WR or MAC) so far. */
uint64_t hbm_run_first_data(const hbm_run *r);
uint64_t hbm_run_last_data(const hbm_run *r);
unsigned hbm_run_channels_used(const hbm_run *r);
const hbm_stats *hbm_run_idle(const hbm_run *r);

#endif
