/* place.h — the run's placement file (docs/hazards.md, "Placement file"): what the data-hazard checker
 * (harness/hazard/) needs besides the command log to know which pass each command belongs to — the
 * geometry, the schedule's parameters, and per layer, per channel, per pass in schedule order the item, its
 * query heads, its tokens and its first K and V rows; per layer the final merges of the split items.
 *
 * Contract
 *  - place_write_layer(): appends layer l's lines (the header first when l == 0) to f, from the plan as
 *    attn.c has set it for the layer (k_row, v_row, host_ready of every pass). Write errors are left in f
 *    (ferror) for the caller's commit to report.
 *  - The format is written here and read only by harness/hazard/hazard_place.c, which shares no code with
 *    this file or the scheduler: every value it can re-derive (shapes, counts) it re-derives and compares.
 */
#ifndef PIMATTN_PLACE_H
#define PIMATTN_PLACE_H

#include <stdint.h>
#include <stdio.h>

#include "plan.h"
#include "run.h"
#include "schedule.h"

void place_write_layer(FILE *f, const attn_cfg *c, const plan *p, const sched_cfg *sc, uint32_t l, uint64_t start,
                       uint64_t host_cycles);

#endif
