/* devsim.c — the PIM devices' attention in a generation (gen.h): every device shape simulated by
 * pimattn run's scheduler at the steps step_stride picks, on worker threads, the others interpolated. */
#include "gen.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

attn_cfg gen_attn_cfg(const gen *g, const shape *s, uint32_t batch, const uint32_t *ctx, uint64_t seed)
{
    const sys_cfg *y = &g->c->sys;
    attn_cfg a;
    memset(&a, 0, sizeof a);
    a.m = s->dm;
    a.hbm = g->dev;
    a.batch = batch;
    a.ctx = ctx;
    a.systolic = !y->pim_tree;
    a.pingpong = y->pim_pingpong;
    a.group = s->group;
    a.acc_fp32 = !y->pim_acc16;
    a.splitk = y->pim_splitk;
    a.smu = (smu_cfg){(int)y->pim_lanes, 16, y->pim_acc16, (int)s->dm.head_dim};
    a.layers = 1;
    a.seed = seed;
    a.logit_scale = 1.0;
    a.numerics = g->c->numerics;
    a.split = y->pim_split;
    a.host_tier = g->c->host_tier;
    a.host_gbs = g->c->host_gbs;
    a.host_latency_us = g->c->host_latency_us;
    a.threads = g->attn_threads;
    a.fit_hint = "(allowed: more pim.stacks, a smaller --batch, shorter --lin or --lout, or --host-tier with "
                 "pim.softmax=splitk)";
    return a;
}

static void num_add(func_stats *a, const func_stats *b)
{
    a->heads += b->heads;
    a->sum_rel_l2 += b->sum_rel_l2;
    a->max_rel_l2 = b->max_rel_l2 > a->max_rel_l2 ? b->max_rel_l2 : a->max_rel_l2;
    a->nonfinite_heads += b->nonfinite_heads;
    a->over_heads += b->over_heads;
    a->score_nonfinite += b->score_nonfinite;
    a->ctx_nonfinite += b->ctx_nonfinite;
}

/* One worker thread: its own contexts, and what it checked (added to the result after the join). */
typedef struct worker {
    gen *g;
    struct pool *pool;
    uint32_t *ctx, *half[2], nhalf[2];
    func_stats num;
    uint64_t layers;
    pthread_t tid;
} worker;

static int simulate(worker *w, const shape *s, uint32_t batch, const uint32_t *ctx, uint64_t seed, dev_sim *out,
                    char *err, size_t n)
{
    attn_cfg a = gen_attn_cfg(w->g, s, batch, ctx, seed);
    attn_res res;
    int rc = attn_run(&a, &res, err, n);
    if (rc == 0) {
        const attn_layer *ly = &res.layer[0];
        report_fig fig;
        report_derive(&a, &res, &fig);
        double softmax_pj = fig.energy_pj[4] / a.m.layers;
        out->cycles = (double)ly->cycles;
        out->debt = (double)ly->refresh_after;
        out->joules = (hbm_energy_total(&ly->hbm.energy) - ly->hbm.energy.refresh + softmax_pj) * 1e-12;
        num_add(&w->num, &ly->num);
        w->layers++;
    }
    attn_res_free(&res);
    return rc;
}

void gen_step_ctx(const sys_gen_cfg *c, uint32_t step, uint32_t *ctx, uint32_t *half[2], uint32_t nhalf[2])
{
    nhalf[0] = nhalf[1] = 0;
    for (uint32_t b = 0; b < c->batch; b++) {
        ctx[b] = c->lin[b] + step;
        half[b % 2][nhalf[b % 2]++] = ctx[b];
    }
}

/* Every device shape's attention at decode step `step` (and each half's with sub-batches). */
static int simulate_step(worker *w, uint32_t step, char *err, size_t n)
{
    gen *g = w->g;
    gen_step_ctx(g->c, step, w->ctx, w->half, w->nhalf);
    for (uint32_t k = 0; k < g->nsh; k++) {
        uint64_t seed = g->c->seed + step;
        int rc = simulate(w, &g->sh[k], g->c->batch, w->ctx, seed, sim_at(g, step, k, WHOLE), err, n);
        for (int h = 0; h < 2 && g->sub && rc == 0; h++)
            rc = simulate(w, &g->sh[k], w->nhalf[h], w->half[h], seed, sim_at(g, step, k, HALF_A + h), err, n);
        if (rc)
            return rc;
    }
    return 0;
}

/* The steps between simulated ones: linear in the step. */
static void interpolate(gen *g, uint32_t s0, uint32_t s1)
{
    for (uint32_t s = s0 + 1; s < s1; s++) {
        double w = (double)(s - s0) / (s1 - s0);
        for (uint32_t k = 0; k < g->nsh; k++)
            for (int set = 0; set < NSETS; set++) {
                const dev_sim *a = sim_at(g, s0, k, set), *b = sim_at(g, s1, k, set);
                *sim_at(g, s, k, set) = (dev_sim){a->cycles + w * (b->cycles - a->cycles),
                                                  a->debt + w * (b->debt - a->debt),
                                                  a->joules + w * (b->joules - a->joules)};
            }
    }
}

/* The steps to simulate, shared by the workers: each takes the next. */
typedef struct pool {
    pthread_mutex_t mu;
    const uint32_t *steps;
    uint32_t nsteps, next, done;
    int rc;
    char err[1024];
} pool;

static void *work(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    const sys_gen_cfg *c = w->g->c;
    char err[1024];
    for (;;) {
        pthread_mutex_lock(&p->mu);
        uint32_t i = p->rc ? p->nsteps : p->next++;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->nsteps)
            return NULL;
        int rc = simulate_step(w, p->steps[i], err, sizeof err);
        pthread_mutex_lock(&p->mu);
        if (rc && !p->rc) {
            p->rc = rc;
            snprintf(p->err, sizeof p->err, "%s", err);
        } else if (!rc) {
            w->g->r->steps[p->steps[i] - 1].simulated = 1;
            if (c->progress)
                c->progress(c->progress_ctx, (double)++p->done / p->nsteps);
        }
        pthread_mutex_unlock(&p->mu);
    }
}

static int worker_init(worker *w, gen *g, pool *p)
{
    uint32_t b = g->c->batch;
    *w = (worker){.g = g, .pool = p};
    w->ctx = malloc(b * sizeof *w->ctx);
    w->half[0] = malloc((b / 2 + 1) * sizeof *w->half[0]);
    w->half[1] = malloc((b / 2 + 1) * sizeof *w->half[1]);
    return w->ctx && w->half[0] && w->half[1] ? 0 : -1;
}

static void worker_free(worker *w)
{
    free(w->ctx);
    free(w->half[0]);
    free(w->half[1]);
}

/* Workers: the online CPUs (at most 8) or c->threads, no more than the steps; with more than one, the
 * numbers inside each attn_run stay on its own thread. */
static unsigned workers_for(const sys_gen_cfg *c, uint32_t nsim)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned t = c->threads ? c->threads : ncpu > 1 ? (unsigned)(ncpu < 8 ? ncpu : 8) : 1;
    return t < nsim ? t : nsim ? nsim : 1;
}

int gen_simulate_all(gen *g, char *err, size_t n)
{
    const sys_gen_cfg *c = g->c;
    const uint32_t ns = g->r->nsteps, k = c->step_stride;
    uint32_t *steps = malloc((ns ? ns : 1) * sizeof *steps), nsim = 0;
    if (!steps)
        return snprintf(err, n, "out of memory"), -1;
    for (uint32_t s = 1; s <= ns; s++)
        if ((s - 1) % k == 0 || s == ns)
            steps[nsim++] = s;
    pool p = {.steps = steps, .nsteps = nsim};
    pthread_mutex_init(&p.mu, NULL);
    unsigned nw = workers_for(c, nsim), started = 0;
    g->attn_threads = nw > 1 ? 1 : c->threads;
    worker *w = calloc(nw, sizeof *w);
    int rc = w ? 0 : -1;
    for (unsigned i = 0; rc == 0 && i < nw; i++)
        rc = worker_init(&w[i], g, &p);
    if (rc)
        snprintf(p.err, sizeof p.err, "out of memory");
    else if (nw == 1)
        work(&w[0]);
    else
        for (; started < nw; started++)
            if (pthread_create(&w[started].tid, NULL, work, &w[started])) {
                pthread_mutex_lock(&p.mu);
                p.rc = -1;
                snprintf(p.err, sizeof p.err, "cannot start a worker thread");
                pthread_mutex_unlock(&p.mu);
                break;
            }
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].tid, NULL);
    for (unsigned i = 0; w && i < nw; i++) {
        num_add(&g->r->num, &w[i].num);
        g->r->sim_layers += w[i].layers;
        worker_free(&w[i]);
    }
    free(w);
    pthread_mutex_destroy(&p.mu);
    rc = rc ? rc : p.rc;
    if (rc)
        snprintf(err, n, "%s", p.err);
    for (uint32_t i = 1; rc == 0 && i < nsim; i++)
        interpolate(g, steps[i - 1], steps[i]);
    free(steps);
    return rc;
}
