/* tb_hbm.h — the rig the HBM tests share (test_hbm.c, test_hbm_ctrl.c): an engine, its controller and a
 * command log in a temporary file that the independent checker reads when the rig closes.
 *
 *  - tb_hbm_open(g, c): c validated (a failure names it), engine and controller made, the log attached.
 *  - tb_hbm_close(g, keep, what): the controller finishes (idle channels refreshed), its summary and the
 *    engine's statistics are kept in g, the whole log passes hbm_check_stream and holds every command the
 *    engine counted; the log stays open, rewound, when keep (the caller closes it). `what` starts any
 *    failure message (the configuration, a seed to replay). */
#ifndef PIMATTN_TB_HBM_H
#define PIMATTN_TB_HBM_H

#include <stdio.h>

#include "hbm.h"
#include "hbm_check.h"
#include "hbm_ctrl.h"

typedef struct {
    hbm_cfg cfg;
    hbm *h;
    hbm_ctrl *r;
    FILE *log;
    hbm_ctrl_summary sum;
    hbm_stats st;
} tb_hbm;

static inline void tb_hbm_open(tb_hbm *g, const hbm_cfg *c)
{
    char err[512];
    g->cfg = *c;
    if (hbm_cfg_validate(c, err, sizeof err))
        fail_msg("%s: %s", c->name, err);
    g->h = hbm_new(c);
    g->r = g->h ? hbm_ctrl_new(g->h) : NULL;
    g->log = tmpfile();
    assert_true(g->h && g->r && g->log);
    hbm_set_log(g->h, g->log);
}

static inline void tb_hbm_close(tb_hbm *g, int keep, const char *what)
{
    char err[512];
    uint64_t n = 0, total = 0;
    if (hbm_ctrl_finish(g->r, err, sizeof err))
        fail_msg("%s: %s", what, err);
    hbm_ctrl_summarize(g->r, &g->sum);
    g->st = *hbm_get_stats(g->h);
    fflush(g->log);
    rewind(g->log);
    if (hbm_check_stream(&g->cfg, g->log, "log", err, sizeof err, &n, NULL, NULL))
        fail_msg("%s: the engine's log fails the checker: %s", what, err);
    for (unsigned i = 0; i < HBM_NOPS; i++)
        total += g->st.cmds[i];
    if (n != total)
        fail_msg("%s: the log holds %llu commands, the engine counted %llu", what, (unsigned long long)n,
                 (unsigned long long)total);
    rewind(g->log);
    if (!keep)
        fclose(g->log), g->log = NULL;
    hbm_ctrl_free(g->r);
    hbm_free(g->h);
}

#endif
