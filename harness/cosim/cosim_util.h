/* cosim_util.h — pieces every co-simulation runner shares.
 *
 * Contract
 *  - fifo: a growable queue of fixed-size elements (the golden model's expected output beats, waiting
 *    for the RTL's). fifo_push copies the element; returns 0, or -1 on no memory (queue unchanged).
 *    fifo_front is NULL on an empty queue.
 *  - cosim_fail: formats the first failure into buf (size n), counts it, and returns 1 (the runners'
 *    "mismatch" result).
 */
#ifndef PIMATTN_COSIM_UTIL_H
#define PIMATTN_COSIM_UTIL_H

#include <stddef.h>
#include <stdint.h>

typedef struct fifo fifo;

fifo *fifo_new(size_t elem_size);
void fifo_free(fifo *q);
int fifo_push(fifo *q, const void *elem);
const void *fifo_front(const fifo *q);
void fifo_pop(fifo *q);
size_t fifo_len(const fifo *q);

int cosim_fail(char *buf, size_t n, uint64_t *count, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
