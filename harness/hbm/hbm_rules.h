/* hbm_rules.h — the timing engine's rule table (harness/hbm/hbm_rules.c): every timing rule of docs/hbm.md
 * that is a distance from an earlier command Y to a later command X is one row here, and that row alone
 * drives both hbm_earliest (X waits for it) and hbm_issue (Y starts it).
 *
 * A row says: when a command in `y` issues at t, no command in `x` may issue, in the `scope` instances
 * (channel, PC, SID, bank group or bank) that Y touches (rel SAME) or in the other instances of the same
 * parent (rel OTHER: e.g. the other SIDs of the PC), before
 *     t + sum of the cfg fields in `add` - the field `sub` + `cst` + extra(Y)
 * where extra(Y) is one of: stagger(Y), dur(Y) (nBL, or n x nBL for MVSB/MVGB), n(Y), ceil(k(Y)/4) x nFAW,
 * or done(Y) (docs/hbm.md). With `nth` > 0 the row counts from the nth-latest Y instead of the latest
 * (the four-activation window). `cond` switches a row on with a configuration flag.
 *
 * Not rows: the channel order (a state rule), the refresh window (refresh) and the MAC power window
 * (macpow), which hbm.c keeps as they are (docs/hbm.md "How the engine applies the rules"). This header
 * is private to harness/hbm/ and to tests/test_hbm_rules.c, which checks that every row has a directed test. */
#ifndef PIMATTN_HBM_RULES_H
#define PIMATTN_HBM_RULES_H

#include <stddef.h>
#include <stdint.h>

typedef enum { HBM_SC_CH, HBM_SC_PC, HBM_SC_SID, HBM_SC_BG, HBM_SC_BANK, HBM_NSCOPES } hbm_scope;
enum { HBM_REL_SAME, HBM_REL_OTHER };
enum { HBM_EX_NONE, HBM_EX_STAGGER, HBM_EX_DUR, HBM_EX_N, HBM_EX_KFAW, HBM_EX_DONE };
enum { HBM_IF_ALWAYS, HBM_IF_AB_ACT_FAW };

typedef struct {
    const char *name; /* as reported by hbm_earliest and the checker (docs/hbm.md "Timing rules") */
    uint8_t scope, rel;
    uint32_t y, x;   /* command sets: bit (1 << hbm_op) */
    uint16_t add[3]; /* offsetof(hbm_cfg, timing field) of the parameters added; 0 = none */
    uint16_t sub;    /* offsetof of a parameter subtracted; 0 = none */
    uint8_t cst, extra, nth, cond;
} hbm_rule;

extern const hbm_rule hbm_rules[];
extern const unsigned hbm_nrules;

#endif
