/* cmd_hbm.h — the request front end of `pimattn hbm` (cmd_hbm_trace.c): trace lines and synthetic
 * patterns into controller requests (hbm_ctrl.h), arrivals from the trace or from --rate.
 *
 * Contract
 *  - hbm_front: what the options chose. rate > 0: request i arrives at floor(i / rate) and a trace line
 *    with its own cycle is an error naming the line.
 *  - hbm_front_run(): feeds every request to the controller; *reqs counts them. Returns 0, 1 (the
 *    controller refused a request: err printed) or CLI_EXIT_BAD_INPUT (a malformed trace line, no
 *    requests: message printed "pimattn hbm: FILE:LINE: ...").
 */
#ifndef PIMATTN_CMD_HBM_H
#define PIMATTN_CMD_HBM_H

#include <stdint.h>

#include "hbm_ctrl.h"
#include "progress.h"
#include "textio.h"

enum { HBM_SYN_NONE = -1, HBM_SYN_MACAB = 0, HBM_SYN_STREAM = 1, HBM_SYN_RANDOM = 2 };

typedef struct {
    int synth;            /* HBM_SYN_* */
    uint64_t count;       /* synthetic requests */
    uint64_t pcs;         /* synthetic stream/random: PCs used (the first of the configuration) */
    uint64_t seed;        /* synthetic random */
    double rate;          /* requests per CK; 0: arrivals from the trace (or 0) */
    const char *trace;    /* trace file name */
    lines *in;            /* its lines */
} hbm_front;

#define HBM_ARRIVAL_MAX 1000000000ull /* CK: 0.3 s of hbm3-6400 time; the controller simulates every idle cycle's refresh */

int hbm_front_run(hbm_ctrl *r, const hbm_cfg *c, const hbm_front *f, progress *pg, uint64_t *reqs);
/* The flat PC index k (< hbm_cfg_pcs_total) of synthetic request i, and its request (arrival 0). */
void hbm_front_stream(const hbm_cfg *c, uint64_t pcs, uint64_t i, hbm_req *q);

#endif
