/* gauss.c — seeded Gaussian FP16 data: the definition, the jumps, and the rounds of the fast path, whose
 * lanes run in gauss_lanes.c (gauss.h). */
#include "gauss.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define W GAUSS_LANES
#define NJUMP 10 /* chunk sizes 16 << j values, j < NJUMP */
#define CHUNK0 16u

struct gauss_ctx {
    uint64_t jump[NJUMP][256][4]; /* column b: the state 2 * (16 << j) draws after unit state b */
    int narrow;                   /* tests: 4-lane vectors even with AVX-512 */
};

/* ---- the definition ---------------------------------------------------------------------------------- */

static fp16_t to_fp16(double g, double scale) { return fp32_to_fp16(float_to_fp32((float)(g * scale))); }

void gauss16_ref(rng *r, fp16_t *out, size_t n, double scale)
{
    for (size_t i = 0; i < n; i++)
        out[i] = to_fp16(rng_gauss(r), scale);
}

/* rng_gauss of the two draws a, b (rng_unit of each, then the same expression). */
fp16_t gauss16_of(uint64_t a, uint64_t b, double scale)
{
    double u = (double)(a >> 11) * 0x1p-53, v = (double)(b >> 11) * 0x1p-53;
    return to_fp16(sqrt(-2.0 * log(u + 1e-300)) * cos(6.283185307179586 * v), scale);
}

/* ---- jumps: the linear state update as a bit matrix ----------------------------------------------------- */

static void matvec(const uint64_t m[256][4], const uint64_t x[4], uint64_t y[4])
{
    uint64_t acc[4] = {0, 0, 0, 0};
    for (int b = 0; b < 256; b++) {
        uint64_t sel = 0 - ((x[b >> 6] >> (b & 63)) & 1u);
        for (int w = 0; w < 4; w++)
            acc[w] ^= m[b][w] & sel;
    }
    memcpy(y, acc, sizeof acc);
}

gauss_ctx *gauss_new(void)
{
    gauss_ctx *g = calloc(1, sizeof *g);
    uint64_t (*t)[4] = malloc(256 * sizeof *t), (*sq)[4] = malloc(256 * sizeof *sq);
    if (!g || !t || !sq) {
        free(g), free(t), free(sq);
        return NULL;
    }
    for (int b = 0; b < 256; b++) { /* one draw: column b = the update of unit state b */
        rng r = {{0, 0, 0, 0}};
        r.s[b >> 6] = 1ull << (b & 63);
        (void)rng_next(&r);
        memcpy(t[b], r.s, sizeof r.s);
    }
    for (int k = 0, j = 0; j < NJUMP; k++) { /* t = T^(2^(k+1)); T^32 = 2 * 16 draws is jump 0 */
        for (int b = 0; b < 256; b++)
            matvec((const uint64_t(*)[4])t, t[b], sq[b]);
        memcpy(t, sq, 256 * sizeof *t);
        if (k + 1 >= 5)
            memcpy(g->jump[j++], t, sizeof g->jump[0]);
    }
    free(t), free(sq);
    return g;
}

void gauss_free(gauss_ctx *g) { free(g); }
void gauss_force_narrow(gauss_ctx *g) { g->narrow = 1; }

void gauss_jump(const gauss_ctx *g, rng *r, uint64_t steps)
{
    uint64_t q = steps / (2 * CHUNK0); /* jump j is 2 * 16 << j draws */
    for (int j = 0; j < NJUMP - 1; j++)
        if ((q >> j) & 1u)
            matvec(g->jump[j], r->s, r->s);
    for (uint64_t k = q >> (NJUMP - 1); k; k--)
        matvec(g->jump[NJUMP - 1], r->s, r->s);
    for (steps %= 2 * CHUNK0; steps; steps--)
        (void)rng_next(r);
}

size_t gauss16_eps(const gauss_ctx *g, rng *r, fp16_t *out, size_t n, double scale, int eps_shift)
{
    size_t done = 0, slow = 0;
    if (!isfinite(scale)) {
        gauss16_ref(r, out, n, scale);
        return n;
    }
    for (int j = NJUMP - 1; j >= 0; j--) {
        const size_t c = (size_t)CHUNK0 << j;
        while (n - done >= W * c) {
            uint64_t lane[W][4], st[4][W];
            memcpy(lane[0], r->s, sizeof lane[0]);
            for (int k = 1; k < W; k++)
                matvec(g->jump[j], lane[k - 1], lane[k]);
            for (int k = 0; k < W; k++)
                for (int w = 0; w < 4; w++)
                    st[w][k] = lane[k][w];
            slow += gauss_lanes_round(st, out + done, c, scale, eps_shift, g->narrow);
            for (int w = 0; w < 4; w++)
                r->s[w] = st[w][W - 1]; /* the last lane ends where the round ends */
            done += W * c;
        }
    }
    gauss16_ref(r, out + done, n - done, scale);
    return slow + (n - done);
}

size_t gauss16(const gauss_ctx *g, rng *r, fp16_t *out, size_t n, double scale)
{
    return gauss16_eps(g, r, out, n, scale, 32);
}
