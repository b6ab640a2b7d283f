/* fuzz_data — `pimattn run --data` files (kvdata.h): the header read by kvdata_peek, then kvdata_open against a
 * run made for that header (its KV heads, head dim and group as a model would give them: 1..64, 16..256 in
 * steps of 16, 1..64), then every (request, KV head)'s newest tokens read: data or a message, never a crash. */
#include <string.h>

#include "fuzz_util.h"
#include "kvdata.h"
#include "run.h"

static uint32_t le32(const uint8_t *p) { return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_file(data, size, ".kv");
    uint32_t batch = 0, *ctx = NULL;
    char err[1024];
    if (kvdata_peek(path, &batch, &ctx, err, sizeof err)) {
        if (!err[0])
            abort();
        return 0;
    }
    if (!ctx || !batch || size < 28)
        abort(); /* peek accepted a header it could not have read */
    const uint32_t kvh = le32(data + 16), dim = le32(data + 20), group = le32(data + 24);
    if (kvh < 1 || kvh > 64 || dim < 16 || dim > 256 || dim % 16 || group < 1 || group > 64)
        return free(ctx), 0; /* no model makes such a run */
    kvdata *d = kvdata_open(path, batch, kvh, dim, group, ctx, err, sizeof err);
    if (!d) {
        if (!err[0])
            abort();
        return free(ctx), 0;
    }
    enum { TOK = 4 };
    fp16_t K[TOK * 256], V[TOK * 256], q[64 * 256];
    for (uint32_t r = 0; r < batch && r < 8; r++)
        for (uint32_t h = 0; h < kvh && h < 4; h++) {
            uint32_t count = ctx[r] < TOK ? ctx[r] : TOK;
            if (kvdata_read(d, 1, r, h, count, 0, count, K, V, 0, group, q, err, sizeof err))
                abort(); /* a file kvdata_open accepted must be readable */
        }
    kvdata_close(d);
    free(ctx);
    return 0;
}
