/* kvdata.c — functional data from a file (kvdata.h). */
#include "kvdata.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kvdata {
    FILE *f;
    char path[1024];
    uint32_t sets, batch, kv_heads, head_dim, group;
    uint32_t *ctx;
    uint64_t *req_off; /* byte offset of each request's block within a set */
    uint64_t set_bytes, data0;
};

static int rd_u32(FILE *f, uint32_t *v)
{
    unsigned char b[4];
    if (fread(b, 1, 4, f) != 4)
        return -1;
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

void kvdata_close(kvdata *d)
{
    if (!d)
        return;
    if (d->f)
        fclose(d->f);
    free(d->ctx);
    free(d->req_off);
    free(d);
}

/* Every value of the file must be a finite FP16 number: a NaN or an Inf is bad input, found before the run
 * (the first one is named by its file offset, data set, request, head, token and dimension). */
static int scan_finite(kvdata *d, char *err, size_t n)
{
    static const char *const part[3] = {"K", "V", "q"};
    unsigned char buf[1 << 16];
    const uint64_t dim = d->head_dim;
    uint64_t off = d->data0;
    if (fseek(d->f, (long)off, SEEK_SET))
        return snprintf(err, n, "%s: cannot seek: %s", d->path, strerror(errno)), -1;
    for (uint32_t set = 0; set < d->sets; set++)
        for (uint32_t r = 0; r < d->batch; r++)
            for (uint32_t k = 0; k < d->kv_heads; k++)
                for (int p = 0; p < 3; p++) {
                    uint64_t count = (p < 2 ? d->ctx[r] : d->group) * dim;
                    for (uint64_t done = 0; done < count;) {
                        size_t m = count - done > sizeof buf / 2 ? sizeof buf / 2 : (size_t)(count - done);
                        if (fread(buf, 2, m, d->f) != m)
                            return snprintf(err, n, "%s: cannot read at offset %llu: %s", d->path,
                                            (unsigned long long)off, ferror(d->f) ? strerror(errno) : "end of file"),
                                   -1;
                        for (size_t i = 0; i < m; i++) {
                            unsigned v = buf[2 * i] | (unsigned)buf[2 * i + 1] << 8;
                            if ((v & 0x7C00u) != 0x7C00u)
                                continue;
                            uint64_t at = done + i, row = at / dim;
                            char who[96];
                            if (p < 2)
                                snprintf(who, sizeof who, "KV head %u, %s of token %llu", k, part[p], (unsigned long long)row);
                            else
                                snprintf(who, sizeof who, "query head %llu", (unsigned long long)(k * d->group + row));
                            return snprintf(err, n, "%s: offset %llu (data set %u, request %u, %s, dimension %llu): %s "
                                            "(allowed: finite FP16 values)", d->path, (unsigned long long)(off + 2 * i),
                                            set, r, who, (unsigned long long)(at % dim), (v & 0x3FFu) ? "NaN" : "Inf"),
                                   -1;
                        }
                        done += m;
                        off += 2 * m;
                    }
                }
    return 0;
}

kvdata *kvdata_open(const char *path, uint32_t batch, uint32_t kv_heads, uint32_t head_dim, uint32_t group,
                    const uint32_t *ctx, char *err, size_t n)
{
    kvdata *d = calloc(1, sizeof *d);
    if (!d)
        return snprintf(err, n, "out of memory"), NULL;
    snprintf(d->path, sizeof d->path, "%s", path);
    d->f = fopen(path, "rb");
    char magic[8];
    uint32_t h[5];
    if (!d->f) {
        snprintf(err, n, "%s: cannot open: %s", path, strerror(errno));
        goto fail;
    }
    if (fread(magic, 1, 8, d->f) != 8 || memcmp(magic, "PIMATTN1", 8)) {
        snprintf(err, n, "%s: not a pimattn data file (allowed: the format of docs/outputs.md, magic PIMATTN1)", path);
        goto fail;
    }
    for (int i = 0; i < 5; i++)
        if (rd_u32(d->f, &h[i])) {
            snprintf(err, n, "%s: the header is cut short", path);
            goto fail;
        }
    d->sets = h[0], d->batch = h[1], d->kv_heads = h[2], d->head_dim = h[3], d->group = h[4];
    const char *names[] = {"batch", "KV heads", "head dim", "group (query heads per KV head)"};
    const uint32_t want[] = {batch, kv_heads, head_dim, group}, got[] = {d->batch, d->kv_heads, d->head_dim, d->group};
    if (d->sets == 0) {
        snprintf(err, n, "%s: 0 data sets (allowed: 1 or more)", path);
        goto fail;
    }
    for (int i = 0; i < 4; i++)
        if (got[i] != want[i]) {
            snprintf(err, n, "%s: %s %u, the run has %u (allowed: data made for this model and batch)", path, names[i],
                     got[i], want[i]);
            goto fail;
        }
    d->ctx = malloc(batch * sizeof *d->ctx);
    d->req_off = malloc(batch * sizeof *d->req_off);
    if (!d->ctx || !d->req_off) {
        snprintf(err, n, "out of memory");
        goto fail;
    }
    uint64_t off = 0;
    for (uint32_t r = 0; r < batch; r++) {
        if (rd_u32(d->f, &d->ctx[r])) {
            snprintf(err, n, "%s: the header is cut short", path);
            goto fail;
        }
        if (d->ctx[r] != ctx[r]) {
            snprintf(err, n, "%s: request %u has %u tokens, the run %u (allowed: the run's --ctx)", path, r, d->ctx[r],
                     ctx[r]);
            goto fail;
        }
        d->req_off[r] = off;
        off += (uint64_t)kv_heads * (2ull * ctx[r] + group) * head_dim * 2;
    }
    d->set_bytes = off;
    d->data0 = 8 + 20 + 4ull * batch;
    if (fseek(d->f, 0, SEEK_END) || (uint64_t)ftell(d->f) != d->data0 + d->sets * d->set_bytes) {
        snprintf(err, n, "%s: the file has %ld bytes, its header needs %llu (allowed: a complete data file, format in "
                 "docs/outputs.md)", path, ftell(d->f), (unsigned long long)(d->data0 + d->sets * d->set_bytes));
        goto fail;
    }
    if (scan_finite(d, err, n))
        goto fail;
    return d;
fail:
    kvdata_close(d);
    return NULL;
}

static int rd16(kvdata *d, uint64_t off, fp16_t *out, size_t count, char *err, size_t n)
{
    unsigned char buf[512];
    if (fseek(d->f, (long)off, SEEK_SET))
        return snprintf(err, n, "%s: cannot seek: %s", d->path, strerror(errno)), -1;
    for (size_t done = 0; done < count;) {
        size_t k = count - done > 256 ? 256 : count - done;
        if (fread(buf, 2, k, d->f) != k)
            return snprintf(err, n, "%s: cannot read: %s", d->path, strerror(errno)), -1;
        for (size_t i = 0; i < k; i++)
            out[done + i] = (fp16_t)(buf[2 * i] | buf[2 * i + 1] << 8);
        done += k;
    }
    return 0;
}

int kvdata_read(kvdata *d, uint32_t layer, uint32_t req, uint32_t kvh, uint32_t tokens, uint32_t tok0, uint32_t count,
                fp16_t *K, fp16_t *V, uint32_t h0, uint32_t rows, fp16_t *q, char *err, size_t n)
{
    const uint64_t dim = d->head_dim, L = d->ctx[req], skip = L - tokens + tok0;
    uint64_t base = d->data0 + (uint64_t)(layer % d->sets) * d->set_bytes + d->req_off[req] +
                    (uint64_t)kvh * (2 * L + d->group) * dim * 2;
    if (rd16(d, base + skip * dim * 2, K, count * dim, err, n) ||
        rd16(d, base + (L + skip) * dim * 2, V, count * dim, err, n) ||
        rd16(d, base + (2 * L + h0) * dim * 2, q, (size_t)rows * dim, err, n))
        return -1;
    return 0;
}

int kvdata_peek(const char *path, uint32_t *batch, uint32_t **ctx, char *err, size_t n)
{
    FILE *f = fopen(path, "rb");
    char magic[8];
    uint32_t h[5];
    if (!f)
        return snprintf(err, n, "%s: cannot open: %s", path, strerror(errno)), -1;
    int ok = fread(magic, 1, 8, f) == 8 && !memcmp(magic, "PIMATTN1", 8);
    for (int i = 0; ok && i < 5; i++)
        ok = rd_u32(f, &h[i]) == 0;
    ok = ok && h[1] >= 1 && h[1] <= 65536;
    uint32_t *v = ok ? malloc(h[1] * sizeof *v) : NULL;
    for (uint32_t r = 0; v && r < h[1]; r++)
        if (rd_u32(f, &v[r]) || v[r] == 0 || v[r] > (1u << 24))
            free(v), v = NULL;
    fclose(f);
    if (!v)
        return snprintf(err, n, "%s: not a pimattn data file or a bad header (allowed: the format of docs/outputs.md, "
                                "1..65536 requests of 1..16777216 tokens)", path),
               -1;
    *batch = h[1], *ctx = v;
    return 0;
}
