/* chanrun.c — one layer's channels, on the calling thread and timing threads (chanrun.h). */
#include "chanrun.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ERRN 1024
/* Channels a thread takes at once: consecutive ones, so that two threads work on channels far apart.
 * The engine keeps each rule's registers of all channels in one array, channel after channel (8 bytes a
 * channel at channel scope, 16 at PC scope): neighbouring channels on two threads would share cache
 * lines that every command writes (measured: twice the CPU time of one thread for the same work). */
#define CHUNK 16

typedef struct shared {
    const chan_run *r;
    sched_stats *stats;
    unsigned *todo; /* the channels without hooks, in channel order */
    unsigned ntodo;
    atomic_uint next;  /* the next index of todo to take */
    atomic_uint done;  /* channels finished */
    atomic_int failed; /* some channel failed: take no more */
    pthread_mutex_t mu;
    unsigned fail_ch; /* the lowest failing channel so far (r->channels: none) */
    int fail_rc;
    char fail_err[ERRN];
} shared;

static void note_failure(shared *s, unsigned ch, int rc, const char *err)
{
    pthread_mutex_lock(&s->mu);
    if (ch < s->fail_ch) {
        s->fail_ch = ch;
        s->fail_rc = rc;
        snprintf(s->fail_err, sizeof s->fail_err, "%s", err);
    }
    pthread_mutex_unlock(&s->mu);
    atomic_store(&s->failed, 1);
}

/* Channel ch's passes with hooks hk (may be NULL). 0 or nonzero (err). */
static int one(shared *s, unsigned ch, const sched_hooks *hk, char *err, size_t n)
{
    const chan_run *r = s->r;
    size_t k0 = r->ch_first[ch], np = r->ch_first[ch + 1] - k0;
    sched_cfg sc = *r->sc;
    sc.st = ch / r->per_stack;
    sc.ch = ch % r->per_stack;
    sc.merge_done = r->merge_done + k0;
    return sched_channel(r->h, r->g, &sc, r->pass + k0, np, r->start, hk, &s->stats[ch], err, n) ? 1 : 0;
}

/* Takes channels without hooks until none is left or one has failed. */
static void drain(shared *s, char *err, size_t n)
{
    for (;;) {
        if (atomic_load(&s->failed))
            return;
        unsigned i0 = atomic_fetch_add(&s->next, CHUNK);
        if (i0 >= s->ntodo)
            return;
        for (unsigned i = i0; i < i0 + CHUNK && i < s->ntodo && !atomic_load(&s->failed); i++) {
            int rc = one(s, s->todo[i], NULL, err, n);
            if (rc)
                note_failure(s, s->todo[i], rc, err);
            atomic_fetch_add(&s->done, 1);
        }
    }
}

static void *worker(void *arg)
{
    char err[ERRN];
    drain(arg, err, sizeof err);
    return NULL;
}

static int used(const chan_run *r, unsigned ch) { return r->ch_first[ch + 1] > r->ch_first[ch]; }

static void progress(shared *s)
{
    if (s->r->progress)
        s->r->progress(s->r->ctx, atomic_load(&s->done));
}

int chan_run_layer(const chan_run *r, sched_stats *stats, char *err, size_t n)
{
    memset(stats, 0, r->channels * sizeof *stats);
    shared s = {.r = r, .stats = stats, .fail_ch = r->channels};
    atomic_init(&s.next, 0);
    atomic_init(&s.done, 0);
    atomic_init(&s.failed, 0);
    if (r->workers && !(s.todo = malloc(r->channels * sizeof *s.todo)))
        return snprintf(err, n, "out of memory"), -1;
    for (unsigned ch = 0; r->workers && ch < r->channels; ch++)
        if (used(r, ch) && !(r->hooks_of && r->hooks_of(r->ctx, ch)))
            s.todo[s.ntodo++] = ch;
    pthread_mutex_init(&s.mu, NULL);
    pthread_t tid[64];
    unsigned nt = 0;
    while (nt < r->workers && nt < 64 && s.ntodo > nt && pthread_create(&tid[nt], NULL, worker, &s) == 0)
        nt++;
    int rc = 0;
    for (unsigned ch = 0; ch < r->channels && !atomic_load(&s.failed); ch++) {
        if (!used(r, ch))
            continue;
        const sched_hooks *hk = r->hooks_of ? r->hooks_of(r->ctx, ch) : NULL;
        if (!hk && r->workers)
            continue; /* on a timing thread, or below */
        if (r->begin && hk)
            r->begin(r->ctx, ch);
        int k = one(&s, ch, hk, err, n);
        if (!k && hk && r->end)
            k = r->end(r->ctx, ch, err, n);
        if (k)
            note_failure(&s, ch, k, err);
        atomic_fetch_add(&s.done, 1);
        progress(&s);
    }
    drain(&s, err, n); /* the calling thread helps with what is left */
    for (unsigned t = 0; t < nt; t++)
        pthread_join(tid[t], NULL);
    progress(&s);
    if (s.fail_ch < r->channels) {
        snprintf(err, n, "%s", s.fail_err);
        rc = s.fail_rc;
    }
    pthread_mutex_destroy(&s.mu);
    free(s.todo);
    return rc;
}
