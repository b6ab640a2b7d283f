/* hbm_check.h — the independent DRAM protocol checker: reads a command log (format v1, docs/hbm.md) and
 * verifies every timing, state and refresh rule. It shares no code with the timing engine (hbm.c): each
 * new command is compared with every earlier command of its channel inside a sliding look-back window
 * (pairwise rule table over bank-set patterns), plus per-bank state and per-PC refresh counts.
 *
 * Contract
 *  - hbm_checker_new(cfg): cfg copied; NULL on no memory.
 *  - hbm_checker_line(c, line, err, n): one log line, with or without its '\n' ('#' comments and blank
 *    lines are accepted). Returns 0 (legal), 1 (a rule is violated: err is "RULE: CMD at cycle T needs
 *    cycle >= N (EARLIER at cycle T', line L: distance)", RULE being a rule name of docs/hbm.md, or
 *    state / refresh / order with what is wrong), or -1 (malformed: err says what and what is allowed).
 *    A rejected command does not change the checker; a stream should stop at the first non-zero return.
 *  - hbm_checker_finish(c, err, n): the refresh lower bound of every PC at the last cycle seen (the
 *    maximum over channels); 0 or 1.
 *  - hbm_checker_commands(c): commands accepted so far.
 *  - hbm_check_stream(cfg, f, name, ...): a whole log, stopping at the first problem; 0 every rule holds,
 *    1 violation, 2 malformed, a NUL byte, an I/O error or no command at all; err = "NAME:LINE: message";
 *    *ncmds = commands checked. Lines may be of any length. tick (may be NULL) is called every 65536
 *    lines with the lines read so far (progress).
 */
#ifndef PIMATTN_HBM_CHECK_H
#define PIMATTN_HBM_CHECK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "hbm_cfg.h"

typedef struct hbm_checker hbm_checker;

hbm_checker *hbm_checker_new(const hbm_cfg *cfg);
void hbm_checker_free(hbm_checker *c);
int hbm_checker_line(hbm_checker *c, const char *line, char *err, size_t n);
int hbm_checker_finish(hbm_checker *c, char *err, size_t n);
uint64_t hbm_checker_commands(const hbm_checker *c);
int hbm_check_stream(const hbm_cfg *cfg, FILE *f, const char *name, char *err, size_t n, uint64_t *ncmds,
                     void (*tick)(void *ctx, uint64_t lines), void *tick_ctx);

#endif
