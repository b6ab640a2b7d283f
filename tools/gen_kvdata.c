/* gen_kvdata — writes a `pimattn run --data` file (docs/outputs.md) with Gaussian q, K and V of chosen
 * means and deviations, rounded to FP16: the inputs for the range and accuracy measurements of
 * docs/numerics.md (scripts/numerics-range.sh), or a starting point for your own data.
 *
 * usage: gen_kvdata OUT KV_HEADS HEAD_DIM GROUP CTX[,CTX...] QMEAN QSTD KMEAN KSTD VMEAN VSTD SEED
 * One data set; every request has its own context length. Exit 2 on bad arguments, 1 on a write error. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64* and Box-Muller: a self-contained stream, so the files do not depend on pimattn's generator */
static uint64_t next(uint64_t *s)
{
    *s ^= *s >> 12, *s ^= *s << 25, *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1Dull;
}

static double gauss(uint64_t *s)
{
    double u = ((double)(next(s) >> 11) + 1.0) / 9007199254740993.0, v = (double)(next(s) >> 11) / 9007199254740992.0;
    return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static int put16(FILE *f, double x)
{
    _Float16 h = (_Float16)x; /* round to nearest even; overflow gives Inf, which pimattn refuses as input */
    uint16_t b;
    memcpy(&b, &h, sizeof b);
    return fputc(b & 255, f) == EOF || fputc(b >> 8, f) == EOF ? -1 : 0;
}

static int put32(FILE *f, uint32_t x)
{
    for (int i = 0; i < 4; i++)
        if (fputc((int)(x >> (8 * i)) & 255, f) == EOF)
            return -1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 13) {
        fprintf(stderr, "usage: gen_kvdata OUT KV_HEADS HEAD_DIM GROUP CTX[,CTX...] QMEAN QSTD KMEAN KSTD VMEAN VSTD SEED\n");
        return 2;
    }
    uint32_t kvh = (uint32_t)strtoul(argv[2], NULL, 10), dim = (uint32_t)strtoul(argv[3], NULL, 10),
             group = (uint32_t)strtoul(argv[4], NULL, 10), ctx[4096], batch = 0;
    for (char *s = argv[5]; *s && batch < 4096; s += *s == ',') {
        char *e;
        ctx[batch++] = (uint32_t)strtoul(s, &e, 10);
        if (e == s || !ctx[batch - 1]) {
            fprintf(stderr, "gen_kvdata: bad context list '%s'\n", argv[5]);
            return 2;
        }
        s = e;
    }
    double m[3], sd[3];
    for (int i = 0; i < 3; i++)
        m[i] = atof(argv[6 + 2 * i]), sd[i] = atof(argv[7 + 2 * i]);
    uint64_t seed = strtoull(argv[12], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
    if (!kvh || !dim || !group) {
        fprintf(stderr, "gen_kvdata: KV_HEADS, HEAD_DIM and GROUP must be positive\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "wb");
    if (!f) {
        fprintf(stderr, "gen_kvdata: %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    int bad = fwrite("PIMATTN1", 1, 8, f) != 8;
    const uint32_t h[] = {1, batch, kvh, dim, group};
    for (int i = 0; i < 5; i++)
        bad |= put32(f, h[i]);
    for (uint32_t r = 0; r < batch; r++)
        bad |= put32(f, ctx[r]);
    for (uint32_t r = 0; r < batch && !bad; r++)
        for (uint32_t k = 0; k < kvh && !bad; k++)
            for (int part = 0; part < 3; part++) { /* K, V, then the group's queries */
                const int which = part == 0 ? 1 : part == 1 ? 2 : 0;
                uint64_t n = (uint64_t)(part < 2 ? ctx[r] : group) * dim;
                for (uint64_t i = 0; i < n && !bad; i++)
                    bad |= put16(f, m[which] + sd[which] * gauss(&seed));
            }
    if (fclose(f) || bad) {
        fprintf(stderr, "gen_kvdata: %s: write error\n", argv[1]);
        return 1;
    }
    return 0;
}
