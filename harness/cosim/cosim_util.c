#include "cosim_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fifo {
    unsigned char *v;
    size_t esz, cap, head, n;
};

fifo *fifo_new(size_t elem_size)
{
    fifo *q = calloc(1, sizeof *q);
    if (q)
        q->esz = elem_size;
    return q;
}

void fifo_free(fifo *q)
{
    if (q) {
        free(q->v);
        free(q);
    }
}

int fifo_push(fifo *q, const void *elem)
{
    if (q->n == q->cap) {
        size_t nc = q->cap ? 2 * q->cap : 64;
        unsigned char *nv = malloc(nc * q->esz);
        if (!nv)
            return -1;
        for (size_t i = 0; i < q->n; i++)
            memcpy(nv + i * q->esz, q->v + ((q->head + i) % q->cap) * q->esz, q->esz);
        free(q->v);
        q->v = nv, q->cap = nc, q->head = 0;
    }
    memcpy(q->v + ((q->head + q->n++) % q->cap) * q->esz, elem, q->esz);
    return 0;
}

const void *fifo_front(const fifo *q) { return q->n ? q->v + q->head * q->esz : NULL; }

void fifo_pop(fifo *q)
{
    if (q->n) {
        q->head = (q->head + 1) % q->cap;
        q->n--;
    }
}

size_t fifo_len(const fifo *q) { return q->n; }

int cosim_fail(char *buf, size_t n, uint64_t *count, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, n, fmt, ap);
    va_end(ap);
    (*count)++;
    return 1;
}

void cosim_vargs(cosim_args *a, uint64_t seed, int rand_reset)
{
    snprintf(a->seed, sizeof a->seed, "+verilator+seed+%u", (unsigned)(seed % 1000000007u) + 1u);
    a->argv[0] = "pimattn";
    a->argv[1] = rand_reset ? "+verilator+rand+reset+2" : "+verilator+rand+reset+0";
    a->argv[2] = a->seed;
}

double cosim_seconds(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0->tv_nsec);
}

void cosim_trace_error(char *buf, size_t n, int rc, const char *build, const char *path)
{
    if (rc == -2)
        snprintf(buf, n, "%s was Verilated without tracing: pimattn wave loads its traced build "
                         "(build/vunits/trace/%s.so, made by make wave)", build, build);
    else
        snprintf(buf, n, "cannot write waveform '%s'", path);
}
