/* hazard.h — the data-hazard checker for PIM command logs (docs/hazards.md): replays a command log of
 * `pimattn run` (format v1, docs/hbm.md) with the run's placement file (docs/hazards.md, "Placement file")
 * and proves, per channel, per unit and per pass, that every PIM command reads data that is there: the
 * score MACs' query words written and landed, the context MACs' probability words moved down by every
 * pseudo-channel that holds them, the movers' results computed (nMACLAT), the softmax unit's inputs moved up,
 * the probability ring not overwritten before it is read, and each pass's K and V rows disjoint and inside
 * the channel. Where the protocol checker (harness/hbm/check) knows what DRAM timing allows, this one knows
 * what the commands mean.
 *
 * It is written from docs/architecture.md ("Mapping", "Schedule of one channel") and docs/hbm.md alone and
 * shares no code with the scheduler (harness/run/schedule*.c) or the mapping (harness/run/mapping.c): it is
 * compiled with the configuration's header only (make check-seams proves it); every shape it needs
 * (keys per unit, rows, chunks, burst counts, softmax cycles) it derives itself and compares with what the
 * placement file states.
 *
 * Contract
 *  - hz_check_stream(): place and log are read to their end (or the first problem). Returns 0 when every
 *    rule holds, 1 at the first violation (err: "NAME:LINE: RULE: CMD at cycle T (pass ...): needs ..."; NAME
 *    the log, or the placement file for a rule of the placement alone; RULE a name of docs/hazards.md),
 *    2 for malformed input or a placement that does not belong to the configuration (err: "NAME:LINE: what,
 *    and what is allowed"), -1 on no memory. *ncmds (may be NULL): commands replayed.
 *  - cfg: the configuration the log was made with (the same one the protocol checker gets); the placement's
 *    header must agree with it on the organisation and on nBL, nCWL, nMACLAT.
 *  - No globals; the checker's memory is freed before it returns.
 */
#ifndef PIMATTN_HAZARD_H
#define PIMATTN_HAZARD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hbm_cfg.h"

int hz_check_stream(const hbm_cfg *cfg, FILE *place, const char *place_name, FILE *log, const char *log_name,
                    char *err, size_t n, uint64_t *ncmds);

#endif
