#include "cosim.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cosim_util.h"
#include "fp.h"
#include "fpvec.h"
#include "rng.h"

/* Every build of the family, loaded (vunits.h); 0, or -1 with err naming the first one not built. */
int gemv_builds(const vgemv_ops **out, size_t max, size_t *n, char *err, size_t en)
{
    size_t k;
    const vu_spec *s = vunit_specs(VU_GEMV, &k);
    for (*n = 0; *n < k && *n < max; (*n)++)
        if (!(out[*n] = vunit_load(VU_GEMV, s[*n].name, err, en)))
            return -1;
    return 0;
}

const vgemv_ops *gemv_build_load(const char *name, char *err, size_t en) { return vunit_load(VU_GEMV, name, err, en); }

const vgemv_ops *gemv_build_find(const char *name)
{
    char err[512];
    return vunit_load(VU_GEMV, name, err, sizeof err);
}

/* ---- stimulus ---- */

typedef struct gen {
    rng r;
    const gemv_cosim_cfg *cfg;
    const gemv_cfg *k;
    uint32_t specials[64];
    size_t nspecials;
    uint64_t seq; /* position in a streaming pattern */
} gen;

/* An operand in the unit's K/V format: a special value at special_rate, else magnitude in [2^-6, 2^4)
 * with random sign; a BF16 unit also draws, one value in 8, any finite exponent (products that overflow
 * or underflow FP32). A word the unit reads as an FP16 probability is these bits. */
static uint16_t value(gen *g)
{
    if (rng_unit(&g->r) < g->cfg->special_rate)
        return (uint16_t)g->specials[rng_below(&g->r, g->nspecials)];
    if (g->k->kv_fmt == KVF_BF16) {
        uint32_t e = rng_below(&g->r, 8) == 0 ? 1 + (uint32_t)rng_below(&g->r, 254) : 127 - 6 + (uint32_t)rng_below(&g->r, 10);
        return (uint16_t)((rng_below(&g->r, 2) << 15) | (e << 7) | rng_below(&g->r, 128));
    }
    uint32_t e = 15 - 6 + (uint32_t)rng_below(&g->r, 10);
    return (uint16_t)((rng_below(&g->r, 2) << 15) | (e << 10) | rng_below(&g->r, 1024));
}

static void fill(gen *g, uint16_t d[16])
{
    for (int i = 0; i < 16; i++)
        d[i] = value(g);
}

/* An INT8 unit's beat: 32 bytes, one in 4 an extreme (+127, -127, -128), the rest any byte. */
static void fill_i8(gen *g, uint16_t d[16])
{
    static const uint8_t ext[] = {0x7F, 0x81, 0x80};
    for (int i = 0; i < 16; i++) {
        uint16_t v = 0;
        for (int h = 0; h < 2; h++) {
            uint8_t b = rng_below(&g->r, 4) == 0 ? ext[rng_below(&g->r, 3)] : (uint8_t)rng_below(&g->r, 256);
            v |= (uint16_t)(b << (8 * h));
        }
        d[i] = v;
    }
}

/* INT8: the scale load a MAC that applies scales needs first (the driver rule, gemv_check), or 0. */
static uint32_t i8_scales_first(gen *g, const gemv *m, const gemv_cmd *mac, uint16_t d[16])
{
    if (!mac->last && !mac->wend)
        return 0;
    for (unsigned r = 0; r < (unsigned)g->k->rows; r++)
        if (!gemv_scale_written(m, r, mac->buf, mac->word)) {
            fill(g, d); /* 16 FP16 scales (specials at special_rate) */
            return gemv_encode(&(gemv_cmd){.op = GEMV_OP_SCL, .buf = mac->buf, .row = r, .word = mac->word & ~15u});
        }
    if (!gemv_block_written(m)) {
        fill(g, d);
        return gemv_encode(&(gemv_cmd){.op = GEMV_OP_SCL, .last = 1, .elem = (unsigned)rng_below(&g->r, 16)});
    }
    return 0;
}

/* A command the golden model (and the RTL) must reject. */
static uint32_t bad_command(gen *g, const gemv *m)
{
    for (;;) {
        gemv_cmd c = {.op = (gemv_op)rng_below(&g->r, 3), .buf = (unsigned)rng_below(&g->r, 2),
                      .word = (unsigned)rng_below(&g->r, (uint64_t)g->k->depth)};
        uint32_t w;
        switch (rng_below(&g->r, 7)) {
        case 0: w = gemv_encode(&c) | 3u; break;
        case 1: w = gemv_encode(&c) | (1u << (28 + rng_below(&g->r, 4))); break;
        case 2: c.word = (unsigned)g->k->depth + (unsigned)rng_below(&g->r, 256 - (uint64_t)g->k->depth); w = gemv_encode(&c); break;
        case 3: c.op = GEMV_OP_WR; c.row = (unsigned)g->k->rows + (unsigned)rng_below(&g->r, 16); w = gemv_encode(&c); break;
        case 4: c.op = GEMV_OP_SCORE; c.slot = (unsigned)g->k->slots + (unsigned)rng_below(&g->r, 255); w = gemv_encode(&c); break;
        case 5: /* INT8: a scale load or a wend out of place */
            if (g->k->kv_fmt != GEMV_KV_INT8)
                continue;
            c.op = rng_below(&g->r, 2) ? GEMV_OP_SCL : GEMV_OP_SCORE;
            c.last = (unsigned)rng_below(&g->r, 2), c.wend = (unsigned)rng_below(&g->r, 2);
            c.elem = (unsigned)rng_below(&g->r, 32), c.word = (unsigned)rng_below(&g->r, (uint64_t)g->k->depth);
            c.row = (unsigned)rng_below(&g->r, (uint64_t)g->k->rows + 1);
            w = gemv_encode(&c);
            break;
        default: /* the other mode on an open slot */
            c.slot = (unsigned)rng_below(&g->r, (uint64_t)g->k->slots);
            int ctx;
            if (!gemv_slot_open(m, c.slot, &ctx))
                continue;
            c.op = ctx ? GEMV_OP_SCORE : GEMV_OP_CTX;
            w = gemv_encode(&c);
            break;
        }
        if (gemv_rtl_rejects(m, w))
            return w;
    }
}

static uint32_t random_command(gen *g, const gemv *m, uint16_t d[16], int *is_bad)
{
    const int i8 = g->k->kv_fmt == GEMV_KV_INT8;
    *is_bad = 0;
    if (i8)
        fill_i8(g, d);
    else
        fill(g, d);
    if (g->cfg->bad_rate > 0 && rng_unit(&g->r) < g->cfg->bad_rate) {
        *is_bad = 1;
        return bad_command(g, m);
    }
    gemv_cmd c = {.buf = (unsigned)rng_below(&g->r, 2), .word = (unsigned)rng_below(&g->r, (uint64_t)g->k->depth)};
    if (rng_below(&g->r, 8) == 0) {
        c.op = GEMV_OP_WR;
        c.row = (unsigned)rng_below(&g->r, (uint64_t)g->k->rows);
        return gemv_encode(&c);
    }
    if (i8 && rng_below(&g->r, 16) == 0) { /* INT8: a scale load (word scales or the block scale) */
        fill(g, d);
        const int blk = rng_below(&g->r, 2) == 0;
        c.op = GEMV_OP_SCL, c.last = (unsigned)blk, c.word = blk ? 0 : c.word & ~15u;
        c.row = blk ? 0 : (unsigned)rng_below(&g->r, (uint64_t)g->k->rows), c.elem = blk ? (unsigned)rng_below(&g->r, 16) : 0;
        return gemv_encode(&c);
    }
    for (unsigned r = 0; r < (unsigned)g->k->rows; r++) /* never read an unwritten word: write it first */
        if (!gemv_word_written(m, r, c.buf, c.word)) {
            c.op = GEMV_OP_WR;
            c.row = r;
            return gemv_encode(&c);
        }
    c.slot = (unsigned)rng_below(&g->r, (uint64_t)g->k->slots);
    int ctx;
    if (!gemv_slot_open(m, c.slot, &ctx))
        ctx = (int)rng_below(&g->r, 2);
    c.op = ctx ? GEMV_OP_CTX : GEMV_OP_SCORE;
    c.elem = ctx ? (unsigned)rng_below(&g->r, i8 ? 32 : 16) : 0;
    c.last = rng_below(&g->r, 4) == 0;
    c.wend = i8 && ctx && !c.last && rng_below(&g->r, 4) == 0;
    if (i8) {
        uint32_t first = i8_scales_first(g, m, &c, d);
        if (first)
            return first;
    }
    return gemv_encode(&c);
}

/* Scheduler-like streams: write every row's words into half 0, then MACs back to back, the slots in turn. */
static uint32_t stream_command(gen *g, uint16_t d[16])
{
    const int i8 = g->k->kv_fmt == GEMV_KV_INT8;
    const uint64_t depth = (uint64_t)g->k->depth, fillw = (uint64_t)g->k->rows * depth;
    /* INT8: then each row's word scales (one load per 16 words) and the block scale */
    const uint64_t groups = (depth + 15) / 16, fills = i8 ? (uint64_t)g->k->rows * groups + 1 : 0;
    uint64_t i = g->seq++;
    if (i8 && !(i >= fillw && i < fillw + fills)) /* INT8 data; the scale loads carry FP16 scales */
        fill_i8(g, d);
    else
        fill(g, d);
    gemv_cmd c = {0};
    if (i < fillw) {
        c.op = GEMV_OP_WR;
        c.row = (unsigned)(i / depth);
        c.word = (unsigned)(i % depth);
        return gemv_encode(&c);
    }
    i -= fillw;
    if (i < fills) {
        c.op = GEMV_OP_SCL;
        if (i == fills - 1)
            c.last = 1, c.elem = (unsigned)rng_below(&g->r, 16);
        else
            c.row = (unsigned)(i / groups), c.word = (unsigned)(16 * (i % groups));
        return gemv_encode(&c);
    }
    i -= fills;
    /* the slots take turns, command by command (gemv_core.sv: with Pipe = 2 a MAC waits a cycle after a
     * MAC on its slot); j: the command's number within its slot */
    const uint64_t slots = (uint64_t)g->k->slots, j = i / slots;
    c.slot = (unsigned)(i % slots);
    if (g->cfg->pattern == GEMV_SCORE_STREAM) { /* a slot's key = depth bursts */
        c.op = GEMV_OP_SCORE;
        c.word = (unsigned)(j % depth);
        c.last = c.word == depth - 1;
    } else { /* context: 16 dims per slot (INT8: 32), 64 tokens accumulated per result; the slots' results
              * are 16 of their commands apart (a result of G rows takes G cycles to leave, INT8 2G) */
        const uint64_t per = i8 ? 32 : 16; /* probabilities per word */
        c.op = GEMV_OP_CTX;
        c.word = (unsigned)((j / per) % depth);
        c.elem = (unsigned)(j % per);
        c.last = (j + 16 * (i % slots)) % 64 == 63;
        c.wend = i8 && !c.last && c.elem == per - 1;
    }
    return gemv_encode(&c);
}

/* ---- checking ---- */

static uint32_t info_of(const gemv_beat *b)
{
    return (b->slot & 255u) | ((b->row & 15u) << 8) | ((b->ctx & 1u) << 12) | ((b->last_beat & 1u) << 13) |
           ((b->half & 1u) << 14);
}

static void write_files(const gemv_cosim_cfg *cfg, const gemv_cfg *k, uint32_t cmd, const uint16_t d[16],
                        const gemv_beat *beats, int nb)
{
    fprintf(cfg->cmd_out, "%08x ", cmd);
    for (int i = 15; i >= 0; i--)
        fprintf(cfg->cmd_out, "%04x", d[i]);
    fputc('\n', cfg->cmd_out);
    for (int b = 0; b < nb; b++) {
        fprintf(cfg->res_out, "%04x ", info_of(&beats[b]));
        for (int i = 15; i >= 0; i--)
            fprintf(cfg->res_out, k->acc_fp32 ? "%08x" : "%04x", beats[b].lane[i]);
        fputc('\n', cfg->res_out);
    }
}

#define fail(res, ...) cosim_fail((res)->first_error, sizeof (res)->first_error, &(res)->mismatches, __VA_ARGS__)

int gemv_beat_diff(const gemv_cfg *k, const vgemv_out *o, const gemv_beat *want, char *why, size_t n)
{
    uint32_t mask = k->acc_fp32 ? 0xFFFFFFFFu : 0xFFFFu;
    if ((o->res_info & 0x7FFFu) != info_of(want))
        return snprintf(why, n, "result info %04x, golden %04x", o->res_info, info_of(want)), 1;
    for (int i = 0; i < 16; i++)
        if ((o->lane[i] & mask) != want->lane[i])
            return snprintf(why, n, "slot %u row %u %s lane %d: rtl %08x, golden %08x", want->slot, want->row,
                            want->ctx ? "context" : "score", i, o->lane[i] & mask, want->lane[i]),
                   1;
    return 0;
}

static int compare_beat(const vgemv_ops *ops, const vgemv_out *o, const gemv_beat *want, uint64_t cyc,
                        gemv_cosim_res *res)
{
    char why[256];
    if (gemv_beat_diff(&ops->cfg, o, want, why, sizeof why))
        return fail(res, "%s cycle %llu: %s", ops->build, (unsigned long long)cyc, why);
    return 0;
}

/* One GEMV co-simulation: the model, its golden twin, the beats the golden model expects next. */
typedef struct grun {
    const vgemv_ops *ops;
    const gemv_cosim_cfg *cfg;
    gemv_cosim_res *res;
    gemv *m;
    gemv_beat *beats; /* one command's result beats */
    fifo *q;          /* expected beats not yet seen */
    vgemv *sim;
    gen g;
    rng tr; /* timing randomness kept apart from the data stream */
    vgemv_in in;
    int pending, is_bad;
    uint64_t idle;
} grun;

/* The model (traced if asked), the golden model and the generators; 0 or -1 (first_error). */
static int grun_open(grun *x)
{
    const gemv_cosim_cfg *cfg = x->cfg;
    x->m = gemv_new(&x->ops->cfg);
    x->beats = malloc(GEMV_MAX_BEATS * sizeof *x->beats);
    x->q = fifo_new(sizeof(gemv_beat));
    cosim_args va;
    cosim_vargs(&va, cfg->seed, cfg->rand_reset);
    if (!x->m || !x->beats || !x->q || !(x->sim = x->ops->create(3, va.argv)))
        return snprintf(x->res->first_error, sizeof x->res->first_error, "%s: cannot create the model",
                        x->ops->build), -1;
    int trc = cfg->trace_path ? x->ops->trace_window(x->sim, cfg->trace_path, cfg->trace_from, cfg->trace_cycles) : 0;
    if (trc)
        return cosim_trace_error(x->res->first_error, sizeof x->res->first_error, trc, x->ops->build,
                                 cfg->trace_path), -1;
    x->g = (gen){.cfg = cfg, .k = &x->ops->cfg};
    rng_seed(&x->g.r, cfg->seed);
    x->g.nspecials = fpvec_specials(x->ops->cfg.kv_fmt == KVF_BF16 ? FP_FMT_BF16 : FP_FMT_FP16, x->g.specials, 64);
    rng_seed(&x->tr, cfg->seed ^ 0x5EEDu);
    x->ops->reset(x->sim, 2);
    return 0;
}

static void grun_close(grun *x)
{
    if (x->sim)
        x->ops->destroy(x->sim);
    gemv_free(x->m);
    free(x->beats);
    fifo_free(x->q);
}

/* The outputs of this cycle against the golden model: handshakes, error flag, a result beat. 0 or 1. */
static int grun_check(grun *x, const vgemv_out *o, uint64_t cyc)
{
    const vgemv_ops *ops = x->ops;
    gemv_cosim_res *res = x->res;
    int fire_c = x->in.cmd_valid && o->cmd_ready, fire_d = x->in.data_valid && o->data_ready;
    if (fire_c != fire_d)
        return fail(res, "%s cycle %llu: command handshake %d but data handshake %d", ops->build,
                    (unsigned long long)cyc, fire_c, fire_d);
    if (o->err != gemv_error(x->m))
        return fail(res, "%s cycle %llu: err_o %d, golden error flag %d (last command %08x)", ops->build,
                    (unsigned long long)cyc, o->err, gemv_error(x->m), x->in.cmd);
    if (o->res_valid && x->in.res_ready) {
        if (fifo_len(x->q) == 0)
            return fail(res, "%s cycle %llu: result beat with none expected", ops->build, (unsigned long long)cyc);
        if (compare_beat(ops, o, fifo_front(x->q), cyc, res))
            return 1;
        fifo_pop(x->q);
        res->beats++;
    }
    return 0;
}

/* The command accepted this cycle through the golden model: its result beats expected. 0 or 1. */
static int grun_accept(grun *x)
{
    gemv_cosim_res *res = x->res;
    int nb = gemv_exec(x->m, x->in.cmd, x->in.data, x->beats);
    if ((nb < 0) != x->is_bad)
        return fail(res, "%s: generator and golden model disagree on command %08x", x->ops->build, x->in.cmd);
    for (int b = 0; b < nb; b++)
        if (fifo_push(x->q, &x->beats[b]) != 0)
            return fail(res, "out of memory");
    if (x->cfg->cmd_out && res->commands < x->cfg->file_limit)
        write_files(x->cfg, &x->ops->cfg, x->in.cmd, x->in.data, x->beats, nb > 0 ? nb : 0);
    res->commands++;
    res->bad += nb < 0;
    res->macs += (nb >= 0 && (x->in.cmd & 3u) != 0);
    x->pending = 0;
    x->in.cmd_valid = x->in.data_valid = 0;
    x->idle = 0;
    return 0;
}

/* One clock cycle: 0 go on, 1 a mismatch (first_error), 2 every command done and every result seen. */
static int grun_cycle(grun *x)
{
    const gemv_cosim_cfg *cfg = x->cfg;
    vgemv_in *in = &x->in;
    if (!x->pending && x->res->commands < cfg->commands) {
        in->cmd = cfg->pattern == GEMV_RANDOM ? random_command(&x->g, x->m, in->data, &x->is_bad)
                                              : stream_command(&x->g, in->data);
        x->pending = 1;
        in->cmd_valid = in->data_valid = 0;
    }
    if (!x->pending && fifo_len(x->q) == 0 && x->idle > 4)
        return 2;
    /* valid, once raised, stays until the handshake */
    if (x->pending && !in->cmd_valid)
        in->cmd_valid = !(cfg->gap_rate > 0 && rng_unit(&x->tr) < cfg->gap_rate);
    if (x->pending && !in->data_valid)
        in->data_valid = !(cfg->gap_rate > 0 && rng_unit(&x->tr) < cfg->gap_rate);
    in->res_ready = !(cfg->stall_rate > 0 && rng_unit(&x->tr) < cfg->stall_rate);
    x->ops->set(x->sim, in);
    vgemv_out o;
    x->ops->get(x->sim, &o);
    uint64_t cyc = x->ops->cycle(x->sim);
    if (grun_check(x, &o, cyc))
        return 1;
    if (in->cmd_valid && o.cmd_ready) {
        if (grun_accept(x))
            return 1;
    } else if (++x->idle > 10000) {
        return fail(x->res, "%s cycle %llu: no progress for 10000 cycles (%d results pending)", x->ops->build,
                    (unsigned long long)cyc, (int)fifo_len(x->q));
    }
    x->ops->tick(x->sim);
    return 0;
}

int gemv_cosim_run(const vgemv_ops *ops, const gemv_cosim_cfg *cfg, gemv_cosim_res *res)
{
    memset(res, 0, sizeof *res);
    grun x = {.ops = ops, .cfg = cfg, .res = res};
    if (grun_open(&x)) {
        grun_close(&x);
        return -1;
    }
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int k;
    while (!(k = grun_cycle(&x)))
        ;
    res->seconds = cosim_seconds(&t0);
    res->cycles = ops->cycle(x.sim);
    res->assert_fired = ops->assert_fired(x.sim);
    res->trace_failed = cfg->trace_path && ops->trace_close(x.sim) != 0;
    grun_close(&x);
    return k == 1;
}
