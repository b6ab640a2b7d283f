/* tb_check.h — what the protocol checker's tests (test_hbm_check.c: the rules' mutations; test_hbm_check_stream.c:
 * malformed lines, long streams) share: a hand-built trace, the checker run on it, and the spec's derived
 * quantities computed from the configuration (docs/hbm.md), never from the code under test. */
#ifndef PIMATTN_TB_CHECK_H
#define PIMATTN_TB_CHECK_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "hbm_check.h"

#define A "st=0 ch=0 pc=0 sid=0 bg=0 ba=0"  /* bank A */
#define B "st=0 ch=0 pc=0 sid=0 bg=0 ba=1"  /* same bank group as A */
#define C "st=0 ch=0 pc=0 sid=0 bg=1 ba=0"  /* same SID, other bank group */
#define D "st=0 ch=0 pc=0 sid=1 bg=0 ba=0"  /* other SID */
#define E "st=0 ch=0 pc=1 sid=0 bg=0 ba=0"  /* other PC */
#define P0 "st=0 ch=0 pc=0"
#define P1 "st=0 ch=0 pc=1"
#define PS "st=0 ch=0 pc=*"
#define CH0 "st=0 ch=0"

typedef struct {
    char text[16384];
    size_t len;
    unsigned lines;
} trace;

static inline void add(trace *t, uint64_t cyc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void add(trace *t, uint64_t cyc, const char *fmt, ...)
{
    va_list ap;
    t->len += (size_t)snprintf(t->text + t->len, sizeof t->text - t->len, "%" PRIu64 " ", cyc);
    va_start(ap, fmt);
    t->len += (size_t)vsnprintf(t->text + t->len, sizeof t->text - t->len, fmt, ap);
    va_end(ap);
    t->len += (size_t)snprintf(t->text + t->len, sizeof t->text - t->len, "\n");
    t->lines++;
    assert_true(t->len < sizeof t->text - 1);
}

/* Runs hbm_check_stream on a trace: 0 pass, 1 violation, 2 malformed; err gets "trace:LINE: ...". */
static inline int check(const hbm_cfg *c, const trace *t, char *err, size_t n)
{
    FILE *f = fmemopen((void *)t->text, t->len, "r");
    assert_non_null(f);
    uint64_t cmds;
    err[0] = '\0';
    int rc = hbm_check_stream(c, f, "trace", err, n, &cmds, NULL, NULL);
    fclose(f);
    return rc;
}

/* ---- the spec's derived quantities, computed here from the configuration ------------------------------ */

static inline uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static inline uint32_t k_ab(const hbm_cfg *c) { return c->sids * c->bank_groups * c->banks; } /* ACTAB: every bank */
static inline uint32_t k_bg(const hbm_cfg *c) { return c->sids * c->bank_groups; }            /* ACTBG: one per BG */
static inline uint64_t stagger(const hbm_cfg *c, uint32_t k) { return c->ab_act_faw ? ((k + 3) / 4 - 1) * c->nFAW : 0; }
static inline uint64_t actwin(const hbm_cfg *c, uint32_t k) { return (k + 3) / 4 * (uint64_t)c->nFAW; }
static inline uint64_t ival(const hbm_cfg *c)
{
    return c->ref_mode == HBM_REF_PERBANK ? c->nREFI / k_ab(c) : c->nREFI;
}

#endif
