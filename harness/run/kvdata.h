/* kvdata.h — the functional data of `pimattn run --data FILE`, instead of seeded Gaussian values.
 *
 * Format (docs/outputs.md; all little-endian): the 8 bytes "PIMATTN1"; uint32 sets, batch, kv_heads, head_dim, group;
 * uint32 ctx[batch]; then `sets` data sets, each request by request and within a request KV head by
 * KV head: K (ctx x head_dim FP16, token-major), V (the same), q (group x head_dim FP16: the query
 * heads kv_head * group .. + group - 1). Layer l uses set l mod sets.
 *
 * Contract
 *  - kvdata_open(): checks the header against the run (batch, KV heads, head dim, group, every context
 *    length), the file size, and that every value is a finite FP16 number (one pass over the file); NULL
 *    with "FILE: what differs (allowed: ...)" or "FILE: offset N (..., head, token, dimension): NaN" in err.
 *  - kvdata_peek(): the header's batch and context lengths (*ctx allocated), for a run that takes them
 *    from the file. 0 or -1 (err).
 *  - kvdata_read(): of the newest `tokens` tokens of (request, KV head) (a sliding-window model keeps only
 *    those), tokens tok0 .. tok0+count-1 into K and V (a part of a split item reads its own), and query
 *    heads h0 .. h0+rows-1 of the group into q. 0 or -1 (err).
 */
#ifndef PIMATTN_KVDATA_H
#define PIMATTN_KVDATA_H

#include <stddef.h>
#include <stdint.h>

#include "fp.h"

typedef struct kvdata kvdata;

kvdata *kvdata_open(const char *path, uint32_t batch, uint32_t kv_heads, uint32_t head_dim, uint32_t group,
                    const uint32_t *ctx, char *err, size_t n);
void kvdata_close(kvdata *d);
int kvdata_read(kvdata *d, uint32_t layer, uint32_t req, uint32_t kvh, uint32_t tokens, uint32_t tok0, uint32_t count,
                fp16_t *K, fp16_t *V, uint32_t h0, uint32_t rows, fp16_t *q, char *err, size_t n);

#endif
