/* cosim_util.h — pieces every co-simulation runner shares.
 *
 * Contract
 *  - fifo: a growable queue of fixed-size elements (the golden model's expected output beats, waiting
 *    for the RTL's). fifo_push copies the element; returns 0, or -1 on no memory (queue unchanged).
 *    fifo_front is NULL on an empty queue.
 *  - cosim_fail: formats the first failure into buf (size n), counts it, and returns 1 (the runners'
 *    "mismatch" result).
 *  - cosim_vargs: the Verilator run-time arguments of a runner's model: its own seed (from the run's) and
 *    the reset values of its registers (rand_reset: random, else zero); argv[3] points into a.
 *  - cosim_seconds: the wall time from t0 to now.
 *  - cosim_trace_error: the message for a trace_window() that failed with rc (-1: the file cannot be
 *    written; -2: the build was Verilated without tracing, its traced build is build/vunits/trace/).
 */
#ifndef PIMATTN_COSIM_UTIL_H
#define PIMATTN_COSIM_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct fifo fifo;

fifo *fifo_new(size_t elem_size);
void fifo_free(fifo *q);
int fifo_push(fifo *q, const void *elem);
const void *fifo_front(const fifo *q);
void fifo_pop(fifo *q);
size_t fifo_len(const fifo *q);

typedef struct cosim_args {
    char seed[64];
    const char *argv[3];
} cosim_args;

void cosim_vargs(cosim_args *a, uint64_t seed, int rand_reset);
double cosim_seconds(const struct timespec *t0);

void cosim_trace_error(char *buf, size_t n, int rc, const char *build, const char *path);

int cosim_fail(char *buf, size_t n, uint64_t *count, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
