/* funcpool.c — recorded hook calls replayed on worker threads (funcpool.h). */
#include "funcpool.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EV_WRGB, EV_MAC, EV_SFM_ROW, EV_MVGB, EV_SFM_MERGE, EV_PART_MERGE };

typedef struct fevent { /* one hook call */
    const sched_pass *p;
    uint64_t cycle;
    uint32_t a, b; /* wrgb: row, word; mac: row, col; mvgb: pc, chunk; part merge: owner, channel */
    uint8_t kind, context;
} fevent;

typedef struct fhead { /* one checked head */
    uint32_t req, head;
    double e;
    int finite;
} fhead;

typedef struct fjob {
    unsigned chan, layer;
    size_t index; /* submission order = the single-threaded order */
    fevent *ev;
    size_t nev, evcap;
    fhead *h;
    size_t nh, hcap;
    fp32_t *o;   /* nh x d outputs, kept only for on_output */
    double *ref; /* nh x d FP64 references, the same */
    uint64_t score_nf, ctx_nf; /* accumulator overflows the job saw (func_stats) */
    int barrier; /* the split items' final merges of a layer: after every job before it, before any after */
    int state;   /* 0 queued, 1 running, 2 done */
    char *err;   /* the failure, if it failed */
} fjob;

typedef struct worker {
    fpool *pool;
    func *f;
    kvdata *data;
    sched_hooks hk;
    char err[1024];
    fjob *cur;
    pthread_t th;
    int started;
} worker;

struct fpool {
    func_cfg c;
    unsigned nthreads; /* workers; w[nthreads] is the calling thread's */
    worker *w;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    int sync_ok, stop;
    fjob **jobs;
    size_t njobs, jcap, first_open, ndone, nrunning, maxq, fail_index;
    uint8_t *busy; /* per channel: a job of it is running */
    size_t nbusy;
    fjob *rec; /* being recorded */
    char *rec_err;
    size_t rec_errn;
};

static void job_free(fjob *j)
{
    if (j) {
        free(j->ev), free(j->h), free(j->o), free(j->ref), free(j->err);
        free(j);
    }
}

/* ---- recording (the calling thread, inside sched_channel) ---------------------------------------------- */

static int record(fpool *p, fevent e)
{
    fjob *j = p->rec;
    if (j->nev == j->evcap) {
        size_t cap = j->evcap ? 2 * j->evcap : 1024;
        fevent *g = realloc(j->ev, cap * sizeof *g);
        if (!g)
            return snprintf(p->rec_err, p->rec_errn, "out of memory recording the functional work"), -1;
        j->ev = g, j->evcap = cap;
    }
    j->ev[j->nev++] = e;
    return 0;
}
static int rec_wrgb(void *ctx, const sched_pass *p, unsigned row, unsigned word, uint64_t cycle)
{
    return record(ctx, (fevent){.p = p, .cycle = cycle, .a = row, .b = word, .kind = EV_WRGB});
}
static int rec_mac(void *ctx, const sched_pass *p, int context, uint32_t row, unsigned col, uint64_t cycle)
{
    return record(ctx,
                  (fevent){.p = p, .cycle = cycle, .a = row, .b = col, .kind = EV_MAC, .context = (uint8_t)context});
}
static int rec_sfm_row(void *ctx, const sched_pass *p, uint64_t cycle)
{
    return record(ctx, (fevent){.p = p, .cycle = cycle, .kind = EV_SFM_ROW});
}
static int rec_mvgb(void *ctx, const sched_pass *p, unsigned pc, uint32_t chunk, uint64_t cycle)
{
    return record(ctx, (fevent){.p = p, .cycle = cycle, .a = pc, .b = chunk, .kind = EV_MVGB});
}
static int rec_sfm_merge(void *ctx, const sched_pass *p, uint64_t cycle)
{
    return record(ctx, (fevent){.p = p, .cycle = cycle, .kind = EV_SFM_MERGE});
}

/* ---- running a job -------------------------------------------------------------------------------------- */

static void on_head(void *ctx, const func_output *fo, double e, int finite)
{
    worker *w = ctx;
    fjob *j = w->cur;
    const unsigned d = fo->d;
    const int keep = w->pool->c.on_output != NULL;
    if (j->err)
        return;
    if (j->nh == j->hcap) {
        size_t cap = j->hcap ? 2 * j->hcap : 64;
        fhead *g = realloc(j->h, cap * sizeof *g);
        if (g)
            j->h = g;
        fp32_t *go = keep ? realloc(j->o, cap * d * sizeof *go) : NULL;
        if (go)
            j->o = go;
        double *gr = keep ? realloc(j->ref, cap * d * sizeof *gr) : NULL;
        if (gr)
            j->ref = gr;
        if (!g || (keep && (!go || !gr))) {
            j->err = strdup("out of memory keeping the checked heads");
            return;
        }
        j->hcap = cap;
    }
    j->h[j->nh] = (fhead){fo->req, fo->head, e, finite};
    if (keep) {
        memcpy(j->o + j->nh * d, fo->o, d * sizeof *fo->o);
        memcpy(j->ref + j->nh * d, fo->ref, d * sizeof *fo->ref);
    }
    j->nh++;
}

static void run_job(worker *w, fjob *j)
{
    const sched_hooks *hk = &w->hk;
    func_begin_channel(w->f, j->chan, j->layer);
    w->cur = j;
    for (size_t i = 0; i < j->nev && !j->err; i++) {
        const fevent *e = &j->ev[i];
        int rc = 0;
        switch (e->kind) {
        case EV_WRGB: rc = hk->wrgb(hk->ctx, e->p, e->a, e->b, e->cycle); break;
        case EV_MAC: rc = hk->mac(hk->ctx, e->p, e->context, e->a, e->b, e->cycle); break;
        case EV_SFM_ROW: rc = hk->sfm_row(hk->ctx, e->p, e->cycle); break;
        case EV_MVGB: rc = hk->mvgb(hk->ctx, e->p, e->a, e->b, e->cycle); break;
        case EV_SFM_MERGE: rc = hk->sfm_merge(hk->ctx, e->p, e->cycle); break;
        default:
            func_begin_channel(w->f, e->b, j->layer);
            rc = func_part_merge(w->f, e->a, e->cycle);
            break;
        }
        if (rc && !(j->err = strdup(w->err[0] ? w->err : "functional model failed")))
            j->err = strdup("out of memory");
    }
    if (j->err)
        func_reset(w->f);
    func_stats st; /* the heads are in j->h, added up in order by fpool_finish; the overflows too */
    func_take_stats(w->f, &st);
    j->score_nf = st.score_nonfinite, j->ctx_nf = st.ctx_nonfinite;
    w->cur = NULL;
    free(j->ev);
    j->ev = NULL, j->nev = j->evcap = 0;
}

/* ---- the queue (under p->mu) ---------------------------------------------------------------------------- */

/* The first queued job whose channel has no job running and which comes before any failed job and any
 * unfinished barrier; a barrier itself once every job before it is done. */
static fjob *pick(fpool *p)
{
    for (size_t i = p->first_open; i < p->njobs && i < p->fail_index; i++) {
        fjob *j = p->jobs[i];
        if (j->barrier && j->state != 2)
            return j->state == 0 && i == p->first_open && !p->nrunning ? j : NULL;
        if (j->state == 0 && !p->busy[j->chan])
            return j;
    }
    return NULL;
}

/* Runs j on worker w: called and returns with p->mu held. */
static void run_locked(fpool *p, worker *w, fjob *j)
{
    j->state = 1;
    p->busy[j->chan] = 1;
    p->nrunning++;
    pthread_mutex_unlock(&p->mu);
    run_job(w, j);
    pthread_mutex_lock(&p->mu);
    j->state = 2;
    p->busy[j->chan] = 0;
    p->nrunning--;
    p->ndone++;
    if (j->err && j->index < p->fail_index)
        p->fail_index = j->index;
    while (p->first_open < p->njobs && p->jobs[p->first_open]->state == 2)
        p->first_open++;
    pthread_cond_broadcast(&p->work); /* the channel's next job may run now */
    pthread_cond_broadcast(&p->done);
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    fpool *p = w->pool;
    pthread_mutex_lock(&p->mu);
    for (;;) {
        fjob *j = pick(p);
        if (j)
            run_locked(p, w, j);
        else if (p->stop)
            break;
        else
            pthread_cond_wait(&p->work, &p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* ---- the interface --------------------------------------------------------------------------------------- */

fpool *fpool_new(const func_cfg *c, const fpool_data *data, unsigned threads, char *err, size_t n)
{
    fpool *p = calloc(1, sizeof *p);
    if (!p)
        return snprintf(err, n, "out of memory"), NULL;
    p->c = *c;
    p->nthreads = threads;
    p->maxq = 4 + 2 * (size_t)threads;
    p->fail_index = SIZE_MAX;
    if (pthread_mutex_init(&p->mu, NULL) || pthread_cond_init(&p->work, NULL) || pthread_cond_init(&p->done, NULL)) {
        free(p);
        return snprintf(err, n, "cannot create the worker threads' locks"), NULL;
    }
    p->sync_ok = 1;
    if (!(p->w = calloc((size_t)threads + 1, sizeof *p->w))) {
        fpool_free(p);
        return snprintf(err, n, "out of memory"), NULL;
    }
    for (unsigned i = 0; i <= threads; i++) {
        worker *w = &p->w[i];
        func_cfg fc = *c;
        w->pool = p;
        if (data && !(w->data = kvdata_open(data->path, data->batch, data->kv_heads, data->head_dim, data->group,
                                            data->ctx, err, n))) {
            fpool_free(p);
            return NULL;
        }
        fc.data = w->data;
        fc.on_output = NULL;
        fc.on_head = on_head;
        fc.head_ctx = w;
        if (!(w->f = func_new(&fc))) {
            fpool_free(p);
            return snprintf(err, n, "out of memory"), NULL;
        }
        func_hooks(w->f, &w->hk, w->err, sizeof w->err);
    }
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&p->w[i].th, NULL, worker_main, &p->w[i])) {
            fpool_free(p);
            return snprintf(err, n, "cannot start worker thread %u of %u", i + 1, threads), NULL;
        }
        p->w[i].started = 1;
    }
    return p;
}

void fpool_begin(fpool *p, unsigned chan, unsigned layer, sched_hooks *hk, char *err, size_t n)
{
    fpool_drop(p);
    p->rec = calloc(1, sizeof *p->rec);
    if (p->rec)
        p->rec->chan = chan, p->rec->layer = layer;
    p->rec_err = err, p->rec_errn = n;
    *hk = (sched_hooks){.ctx = p, .wrgb = rec_wrgb, .mac = rec_mac, .sfm_row = rec_sfm_row, .mvgb = rec_mvgb,
                        .sfm_merge = rec_sfm_merge, .err = err, .errn = n};
    if (!p->rec) /* every hook then fails with this */
        *hk = (sched_hooks){.err = err, .errn = n}, snprintf(err, n, "out of memory");
}

int fpool_part_merge(fpool *p, unsigned layer, unsigned chan, uint32_t owner, uint64_t cycle, char *err, size_t n)
{
    if (!p->rec || !p->rec->barrier || p->rec->layer != layer) {
        fpool_drop(p);
        if (!(p->rec = calloc(1, sizeof *p->rec)))
            return snprintf(err, n, "out of memory"), -1;
        p->rec->layer = layer, p->rec->chan = chan, p->rec->barrier = 1;
        p->rec_err = err, p->rec_errn = n;
    }
    return record(p, (fevent){.cycle = cycle, .a = owner, .b = chan, .kind = EV_PART_MERGE});
}

void fpool_drop(fpool *p)
{
    job_free(p->rec);
    p->rec = NULL;
}

int fpool_submit(fpool *p, char *err, size_t n)
{
    fjob *j = p->rec;
    p->rec = NULL;
    if (!j || !j->nev) {
        job_free(j);
        return j ? 0 : (snprintf(err, n, "out of memory"), -1);
    }
    pthread_mutex_lock(&p->mu);
    int rc = 0;
    if (j->chan >= p->nbusy) {
        size_t nb = 2 * (size_t)j->chan + 64;
        uint8_t *g = realloc(p->busy, nb);
        if (g)
            memset(g + p->nbusy, 0, nb - p->nbusy), p->busy = g, p->nbusy = nb;
        else
            rc = -1;
    }
    if (!rc && p->njobs == p->jcap) {
        size_t cap = p->jcap ? 2 * p->jcap : 256;
        fjob **g = realloc(p->jobs, cap * sizeof *g);
        if (g)
            p->jobs = g, p->jcap = cap;
        else
            rc = -1;
    }
    if (rc) {
        pthread_mutex_unlock(&p->mu);
        job_free(j);
        return snprintf(err, n, "out of memory"), -1;
    }
    j->index = p->njobs;
    p->jobs[p->njobs++] = j;
    pthread_cond_signal(&p->work);
    while (p->fail_index == SIZE_MAX && p->njobs - p->ndone > p->maxq) { /* far enough ahead: lend a hand */
        fjob *x = pick(p);
        if (x)
            run_locked(p, &p->w[p->nthreads], x);
        else
            pthread_cond_wait(&p->done, &p->mu);
    }
    if (p->fail_index != SIZE_MAX) /* the jobs after a failed one never run: stop; fpool_finish says why */
        rc = 1, snprintf(err, n, "functional model failed");
    pthread_mutex_unlock(&p->mu);
    return rc;
}

void fpool_done(fpool *p, size_t *done, size_t *submitted)
{
    pthread_mutex_lock(&p->mu);
    *done = p->ndone;
    *submitted = p->njobs;
    pthread_mutex_unlock(&p->mu);
}

/* Runs what is left (with the workers), waits for the running jobs, stops the workers. */
static void drain(fpool *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    for (;;) {
        fjob *x = pick(p);
        if (x)
            run_locked(p, &p->w[p->nthreads], x);
        else if (p->nrunning)
            pthread_cond_wait(&p->done, &p->mu);
        else
            break;
    }
    pthread_mutex_unlock(&p->mu);
    for (unsigned i = 0; i < p->nthreads; i++)
        if (p->w[i].started)
            pthread_join(p->w[i].th, NULL), p->w[i].started = 0;
}

int fpool_finish(fpool *p, func_stats *stats, unsigned layers, char *err, size_t n)
{
    drain(p);
    for (size_t i = 0; i < p->njobs; i++) {
        fjob *j = p->jobs[i];
        if (i == p->fail_index)
            return snprintf(err, n, "%s", j->err), -1;
        if (j->layer >= layers)
            continue;
        stats[j->layer].score_nonfinite += j->score_nf;
        stats[j->layer].ctx_nonfinite += j->ctx_nf;
        for (size_t k = 0; k < j->nh; k++) {
            func_stats_add(&stats[j->layer], j->h[k].e, j->h[k].finite, p->c.max_rel_l2);
            if (p->c.on_output) {
                const unsigned d = p->c.head_dim;
                func_output fo = {j->layer, j->h[k].req, j->h[k].head, d, j->o + k * d, j->ref + k * d};
                p->c.on_output(p->c.out_ctx, &fo);
            }
        }
    }
    return 0;
}

void fpool_free(fpool *p)
{
    if (!p)
        return;
    if (p->sync_ok)
        drain(p);
    for (unsigned i = 0; p->w && i <= p->nthreads; i++) {
        func_free(p->w[i].f);
        kvdata_close(p->w[i].data);
    }
    for (size_t i = 0; i < p->njobs; i++)
        job_free(p->jobs[i]);
    job_free(p->rec);
    free(p->jobs);
    free(p->busy);
    free(p->w);
    if (p->sync_ok) {
        pthread_mutex_destroy(&p->mu);
        pthread_cond_destroy(&p->work);
        pthread_cond_destroy(&p->done);
    }
    free(p);
}
