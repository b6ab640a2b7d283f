/* run_args.c — `pimattn run` option parsers and the --outputs writer (run_args.h). */
#include "run_args.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fp.h"
#include "textio.h"

#define CTX_ALLOWED "one integer 1..16777216"

static int push(uint32_t **v, uint32_t *n, uint32_t *cap, uint32_t x)
{
    if (*n == *cap) {
        uint32_t *g = realloc(*v, (size_t)(*cap *= 2) * sizeof **v);
        if (!g)
            return -1;
        *v = g;
    }
    (*v)[(*n)++] = x;
    return 0;
}

int run_parse_ctx_list(const char *cmd, const char *opt, const char *text, uint32_t **out, uint32_t *k)
{
    uint32_t cap = 16, n = 0;
    uint32_t *v = malloc(cap * sizeof *v);
    char *dup = strdup(text);
    int rc = v && dup ? 0 : -1;
    for (char *s = dup; rc == 0 && s;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        uint64_t x;
        if (cli_parse_u64(s, 0, &x) || x < 1 || x > RUN_MAX_CTX) {
            if (!strchr(text, ','))
                fprintf(stderr, "pimattn %s: %s: '%s' is not a context length (allowed: N or N,N,... with each N "
                                CTX_ALLOWED ")\n", cmd, opt, text);
            else if (!*s)
                fprintf(stderr, "pimattn %s: %s: '%s': length %u is empty (allowed: N or N,N,... with each N "
                                CTX_ALLOWED ")\n", cmd, opt, text, n + 1);
            else
                fprintf(stderr, "pimattn %s: %s: '%s': length %u, '%s', is not a context length (allowed: N or "
                                "N,N,... with each N " CTX_ALLOWED ")\n", cmd, opt, text, n + 1, s);
            rc = -1;
        } else if (n == RUN_MAX_BATCH) {
            fprintf(stderr, "pimattn %s: %s: more than %d lengths\n", cmd, opt, RUN_MAX_BATCH);
            rc = -1;
        } else {
            rc = push(&v, &n, &cap, (uint32_t)x);
        }
        s = comma ? comma + 1 : NULL;
    }
    free(dup);
    if (rc)
        return free(v), -1;
    *out = v, *k = n;
    return 0;
}

int run_parse_ctx_file(const char *cmd, const char *opt, const char *path, uint32_t **out, uint32_t *k)
{
    char err[1024];
    lines *in = lines_open(path, err, sizeof err);
    if (!in) {
        fprintf(stderr, "pimattn %s: %s: %s\n", cmd, opt, err);
        return -1;
    }
    uint32_t cap = 64, n = 0;
    uint32_t *v = malloc(cap * sizeof *v);
    int rc = v ? 0 : -1, got;
    char *line;
    while (rc == 0 && (got = lines_next(in, &line, err, sizeof err)) != 0) {
        if (got < 0) {
            fprintf(stderr, "pimattn %s: %s: %s\n", cmd, opt, err);
            rc = -1;
            break;
        }
        char *s = line + strspn(line, " \t");
        if (!*s || *s == '#')
            continue;
        char *e = s + strlen(s);
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            *--e = '\0';
        uint64_t x;
        unsigned long long ln = (unsigned long long)lines_number(in);
        if (cli_parse_u64(s, 0, &x) || x < 1 || x > RUN_MAX_CTX) {
            fprintf(stderr, "pimattn %s: %s:%llu: '%.60s%s' is not a context length (allowed: " CTX_ALLOWED " per line)\n",
                    cmd, path, ln, s, strlen(s) > 60 ? "..." : "");
            rc = -1;
        } else if (n == RUN_MAX_BATCH) {
            fprintf(stderr, "pimattn %s: %s:%llu: more than %d requests\n", cmd, path, ln, RUN_MAX_BATCH);
            rc = -1;
        } else {
            rc = push(&v, &n, &cap, (uint32_t)x);
        }
    }
    lines_close(in);
    if (rc == 0 && n == 0) {
        fprintf(stderr, "pimattn %s: %s: no context lengths (allowed: " CTX_ALLOWED " per line)\n", cmd, path);
        rc = -1;
    }
    if (rc)
        return free(v), -1;
    *out = v, *k = n;
    return 0;
}

int run_parse_rtl_banks(const char *spec, const hbm_cfg *h, unsigned bpc, uint8_t *bank, uint8_t *chan)
{
    const unsigned bch = bpc * h->pcs, nch = h->stacks * h->channels;
    const char *use = !strcmp(spec, "pc") ? "0.0.0" : !strcmp(spec, "channel") ? "0.0" : spec;
    if (!strcmp(spec, "all")) {
        memset(bank, 1, (size_t)nch * bch);
        memset(chan, 1, nch);
        return 0;
    }
    char *dup = strdup(use);
    if (!dup)
        return -1;
    int rc = 0;
    for (char *s = dup; s && rc == 0;) {
        char *comma = strchr(s, ',');
        if (comma)
            *comma = '\0';
        unsigned v[3];
        int k = cli_dotted(s, v, 3);
        if (k < 2 || v[0] >= h->stacks || v[1] >= h->channels || (k == 3 && v[2] >= h->pcs)) {
            fprintf(stderr, "pimattn run: --rtl-banks: '%s' (allowed: pc, channel, all, or a comma list of S.C / S.C.P "
                            "with S < %u, C < %u, P < %u)\n", s, h->stacks, h->channels, h->pcs);
            rc = -1;
            break;
        }
        unsigned ch = v[0] * h->channels + v[1];
        chan[ch] = 1;
        for (unsigned b = (k == 3 ? v[2] * bpc : 0); b < (k == 3 ? (v[2] + 1) * bpc : bch); b++)
            bank[(size_t)ch * bch + b] = 1;
        s = comma ? comma + 1 : NULL;
    }
    free(dup);
    return rc;
}

int run_parse_wave_bank(const char *text, const hbm_cfg *h, unsigned bch, long *unit)
{
    unsigned v[3];
    if (cli_dotted(text, v, 3) != 3 || v[0] >= h->stacks || v[1] >= h->channels || v[2] >= bch) {
        fprintf(stderr, "pimattn run: --wave-bank: '%s' (allowed: S.C.B with S < %u, C < %u, B < %u)\n", text, h->stacks,
                h->channels, bch);
        return -1;
    }
    *unit = (long)(((size_t)v[0] * h->channels + v[1]) * bch + v[2]);
    return 0;
}

/* ---- --outputs ------------------------------------------------------------------------------------------ */

static void put32(FILE *f, uint32_t x)
{
    unsigned char b[4] = {(unsigned char)x, (unsigned char)(x >> 8), (unsigned char)(x >> 16), (unsigned char)(x >> 24)};
    fwrite(b, 1, 4, f);
}

int run_outputs_header(run_outputs *w, uint32_t layers, uint32_t batch, uint32_t heads, uint32_t head_dim)
{
    fwrite("PIMATTNO", 1, 8, w->f);
    const uint32_t h[] = {1, layers, batch, heads, head_dim, w->with_ref ? 1u : 0u};
    for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
        put32(w->f, h[i]);
    return ferror(w->f) ? -1 : 0;
}

void run_outputs_record(void *ctx, const func_output *o)
{
    run_outputs *w = ctx;
    unsigned char buf[256 * 8];
    put32(w->f, o->layer);
    put32(w->f, o->req);
    put32(w->f, o->head);
    for (unsigned i = 0; i < o->d; i++)
        for (int b = 0; b < 4; b++)
            buf[4 * i + (unsigned)b] = (unsigned char)(o->o[i] >> (8 * b));
    fwrite(buf, 4, o->d, w->f);
    for (unsigned i = 0; i < o->d; i++) {
        fp16_t h = fp32_to_fp16(o->o[i]);
        buf[2 * i] = (unsigned char)h, buf[2 * i + 1] = (unsigned char)(h >> 8);
    }
    fwrite(buf, 2, o->d, w->f);
    if (w->with_ref) {
        for (unsigned i = 0; i < o->d; i++) {
            uint64_t x;
            memcpy(&x, &o->ref[i], sizeof x);
            for (int b = 0; b < 8; b++)
                buf[8 * i + (unsigned)b] = (unsigned char)(x >> (8 * b));
        }
        fwrite(buf, 8, o->d, w->f);
    }
    w->records++;
}
