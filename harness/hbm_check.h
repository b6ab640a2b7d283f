/* hbm_check.h — the independent DRAM protocol checker: reads a command log (format v1, docs/hbm.md) and
 * verifies every timing, state and refresh rule. It shares no code with the timing engine (hbm.c): each
 * new command is compared with every earlier command of its channel inside a look-back window (pairwise
 * rule table), plus per-bank state and refresh counts.
 *
 * Contract
 *  - hbm_checker_new(cfg): cfg copied; NULL on no memory.
 *  - hbm_checker_line(c, line, err, n): one log line ('#' comments and blank lines accepted). Returns 0
 *    (legal), 1 (a rule is violated: err starts with "RULE: ", the rule name of docs/hbm.md, then the
 *    command, its cycle, the needed cycle and the earlier command with its line), or -1 (malformed: err
 *    says what and what is allowed). After a non-zero return the checker should not be fed further.
 *  - hbm_checker_finish(c, err, n): the refresh lower bound of every PC at the last cycle seen; 0 or 1.
 *  - hbm_check_stream(cfg, f, name, ...): a whole log; 0 every rule holds, 1 violation, 2 malformed or
 *    I/O error; err = "NAME:LINE: message"; *ncmds = commands checked.
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
int hbm_check_stream(const hbm_cfg *cfg, FILE *f, const char *name, char *err, size_t n, uint64_t *ncmds);

#endif
