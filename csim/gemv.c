#include "gemv.h"

#include <stdlib.h>
#include <string.h>

#include "fp.h"

struct gemv {
    gemv_cfg cfg;
    int err;
    uint8_t *open, *mode;  /* per slot, updated at issue like gemv_core.sv open_q/mode_q */
    uint8_t *written;      /* [row][2*depth]: buffer word written since reset (driver rule only) */
    uint16_t *vbuf;        /* [row][2*depth][16] */
    float *vbuf_f;         /* the same words as binary32 values (exact) in the K/V format, converted when written */
    uint32_t *acc;         /* [row][slot][16]; INT8: [row][slot][32] */
    /* INT8 units */
    uint32_t *part;        /* [row][slot][32]: the word's INT32 partials (score: dot in lane 0), modulo 2^32 */
    uint16_t *scale;       /* [row][2*depth]: each buffer word's FP16 scale */
    uint8_t *swritten;     /* [row][2*depth]: the scale written since reset (driver rule only) */
    uint16_t bscale;       /* the block scale */
    int bwritten;
};

const char *gemv_cfg_check(const gemv_cfg *c)
{
    if (c->rows < 1 || c->rows > 16)
        return "rows must be 1..16";
    if (c->depth < 2 || c->depth > 255)
        return "depth must be 2..255 words";
    if (c->slots < 1 || c->slots > 255)
        return "slots must be 1..255";
    if (c->acc_fp32 != 0 && c->acc_fp32 != 1)
        return "acc_fp32 must be 0 or 1";
    if (c->kv_fmt != KVF_FP16 && c->kv_fmt != KVF_BF16 && c->kv_fmt != GEMV_KV_INT8)
        return "kv_fmt must be KVF_FP16, KVF_BF16 or GEMV_KV_INT8";
    if (c->kv_fmt == KVF_BF16 && !c->acc_fp32)
        return "a BF16 unit accumulates in FP32 (acc_fp32 must be 1)";
    if (c->kv_fmt == GEMV_KV_INT8 && !c->acc_fp32)
        return "an INT8 unit's results are FP32 (acc_fp32 must be 1)";
    return NULL;
}

gemv *gemv_new(const gemv_cfg *cfg)
{
    if (gemv_cfg_check(cfg))
        return NULL;
    gemv *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->cfg = *cfg;
    g->open = calloc((size_t)cfg->slots, 1);
    g->mode = calloc((size_t)cfg->slots, 1);
    g->vbuf = calloc((size_t)cfg->rows * 2 * (size_t)cfg->depth * 16, sizeof *g->vbuf);
    g->vbuf_f = calloc((size_t)cfg->rows * 2 * (size_t)cfg->depth * 16, sizeof *g->vbuf_f);
    const size_t lanes = cfg->kv_fmt == GEMV_KV_INT8 ? 32 : 16; /* accumulator lanes per slot */
    g->acc = calloc((size_t)cfg->rows * (size_t)cfg->slots * lanes, sizeof *g->acc);
    g->written = calloc((size_t)cfg->rows * 2 * (size_t)cfg->depth, 1);
    if (cfg->kv_fmt == GEMV_KV_INT8) {
        g->part = calloc((size_t)cfg->rows * (size_t)cfg->slots * 32, sizeof *g->part);
        g->scale = calloc((size_t)cfg->rows * 2 * (size_t)cfg->depth, sizeof *g->scale);
        g->swritten = calloc((size_t)cfg->rows * 2 * (size_t)cfg->depth, 1);
        if (!g->part || !g->scale || !g->swritten) {
            gemv_free(g);
            return NULL;
        }
    }
    if (!g->open || !g->mode || !g->vbuf || !g->vbuf_f || !g->acc || !g->written) {
        gemv_free(g);
        return NULL;
    }
    return g;
}

void gemv_free(gemv *g)
{
    if (!g)
        return;
    free(g->open);
    free(g->mode);
    free(g->vbuf);
    free(g->vbuf_f);
    free(g->acc);
    free(g->written);
    free(g->part);
    free(g->scale);
    free(g->swritten);
    free(g);
}

const gemv_cfg *gemv_config(const gemv *g) { return &g->cfg; }
int gemv_error(const gemv *g) { return g->err; }

int gemv_slot_open(const gemv *g, unsigned slot, int *is_ctx)
{
    if (slot >= (unsigned)g->cfg.slots)
        return 0;
    if (is_ctx)
        *is_ctx = g->mode[slot];
    return g->open[slot];
}

uint32_t gemv_encode(const gemv_cmd *c)
{
    return ((uint32_t)c->op & 3u) | ((c->buf & 1u) << 2) | ((c->last & 1u) << 3) | ((c->elem & 15u) << 4) |
           ((c->row & 15u) << 8) | ((c->word & 255u) << 12) | ((c->slot & 255u) << 20) |
           (((c->elem >> 4) & 1u) << 28) | ((c->wend & 1u) << 29);
}

void gemv_decode(uint32_t w, gemv_cmd *c)
{
    c->op = (gemv_op)(w & 3u);
    c->buf = (w >> 2) & 1u;
    c->last = (w >> 3) & 1u;
    c->elem = ((w >> 4) & 15u) | (((w >> 28) & 1u) << 4);
    c->row = (w >> 8) & 15u;
    c->word = (w >> 12) & 255u;
    c->slot = (w >> 20) & 255u;
    c->wend = (w >> 29) & 1u;
}

/* The INT8 unit's rules (gemv.h); mirrors the g_bad_i8 `bad` expression of gemv_core.sv. */
static const char *rtl_rule_i8(const gemv *g, uint32_t w)
{
    gemv_cmd c;
    gemv_decode(w, &c);
    if (w >> 30)
        return "bits 31:30 must be 0";
    if (c.word >= (unsigned)g->cfg.depth)
        return "word out of range (allowed: < depth)";
    if (c.op == GEMV_OP_WR || (c.op == GEMV_OP_SCL && !c.last)) {
        if (c.row >= (unsigned)g->cfg.rows)
            return "WR/SCL row out of range (allowed: < rows)";
        if (c.last || c.elem || c.slot || c.wend)
            return "WR and word-scale SCL must have last (SCL: 0), elem, slot and wend 0";
        if (c.op == GEMV_OP_SCL && c.word % 16)
            return "word-scale SCL: word must be a multiple of 16";
        return NULL;
    }
    if (c.row)
        return "MAC and block-scale SCL must have row 0";
    if (c.op == GEMV_OP_SCL)
        return c.word || c.slot || c.wend || c.elem > 15 ? "block-scale SCL must have word, slot and wend 0, elem < 16"
                                                          : NULL;
    if (c.slot >= (unsigned)g->cfg.slots)
        return "slot out of range (allowed: < slots)";
    if (c.op == GEMV_OP_SCORE && (c.elem || c.wend))
        return "score MAC must have elem and wend 0";
    if (g->open[c.slot] && g->mode[c.slot] != (c.op == GEMV_OP_CTX))
        return "slot has an open accumulation in the other mode";
    return NULL;
}

/* Mirrors the `bad` expression of gemv_core.sv. */
static const char *rtl_rule(const gemv *g, uint32_t w)
{
    if (g->cfg.kv_fmt == GEMV_KV_INT8)
        return rtl_rule_i8(g, w);
    gemv_cmd c;
    gemv_decode(w, &c);
    if ((w & 3u) == 3u)
        return "op 3 is not a command (allowed: 0 WR, 1 MAC score, 2 MAC context)";
    if (w >> 28)
        return "bits 31:28 must be 0";
    if (c.word >= (unsigned)g->cfg.depth)
        return "word out of range (allowed: < depth)";
    if (c.op == GEMV_OP_WR) {
        if (c.row >= (unsigned)g->cfg.rows)
            return "WR row out of range (allowed: < rows)";
        if (c.last || c.elem || c.slot)
            return "WR must have last, elem and slot 0";
        return NULL;
    }
    if (c.row)
        return "MAC must have row 0";
    if (c.slot >= (unsigned)g->cfg.slots)
        return "slot out of range (allowed: < slots)";
    if (c.op == GEMV_OP_SCORE && c.elem)
        return "score MAC must have elem 0";
    if (g->open[c.slot] && g->mode[c.slot] != (c.op == GEMV_OP_CTX))
        return "slot has an open accumulation in the other mode";
    return NULL;
}

int gemv_rtl_rejects(const gemv *g, uint32_t w) { return rtl_rule(g, w) != NULL; }

int gemv_word_written(const gemv *g, unsigned row, unsigned buf, unsigned word)
{
    if (row >= (unsigned)g->cfg.rows || buf > 1 || word >= (unsigned)g->cfg.depth)
        return 0;
    return g->written[((size_t)row * 2 + buf) * (size_t)g->cfg.depth + word];
}

int gemv_scale_written(const gemv *g, unsigned row, unsigned buf, unsigned word)
{
    if (g->cfg.kv_fmt != GEMV_KV_INT8 || row >= (unsigned)g->cfg.rows || buf > 1 || word >= (unsigned)g->cfg.depth)
        return 0;
    return g->swritten[((size_t)row * 2 + buf) * (size_t)g->cfg.depth + word];
}

int gemv_block_written(const gemv *g) { return g->bwritten; }

const char *gemv_check(const gemv *g, uint32_t w)
{
    const char *why = rtl_rule(g, w);
    if (why)
        return why;
    gemv_cmd c;
    gemv_decode(w, &c);
    if (c.op == GEMV_OP_SCORE || c.op == GEMV_OP_CTX) {
        const int scaled = c.last || c.wend; /* INT8: the MAC applies the word's and the block's scales */
        for (int r = 0; r < g->cfg.rows; r++) {
            const size_t at = ((size_t)r * 2 + c.buf) * (size_t)g->cfg.depth + c.word;
            if (!g->written[at])
                return "MAC reads a vector-buffer word not written since reset (its contents are undefined)";
            if (g->cfg.kv_fmt == GEMV_KV_INT8 && scaled && !g->swritten[at])
                return "INT8 MAC applies the scale of a word whose scale was not written since reset";
        }
        if (g->cfg.kv_fmt == GEMV_KV_INT8 && scaled && !g->bwritten)
            return "INT8 MAC applies the block scale, not written since reset";
    }
    return NULL;
}

/* The arithmetic runs on binary32 host values (fp.h, "host arithmetic"): FP16 and BF16 operands widened
 * exactly; FP32 accumulation: products rounded once to FP32 by the host's RNE multiply (exact but for a
 * BF16 x BF16 product below FP32's normal range), adds the host's RNE adds, i.e. fp16_mul32 and fp32_add; FP16
 * accumulation: every product and sum rounded to FP16 (r16) right after it, i.e. fp16_mul and fp16_add (a
 * binary32 sum rounded to FP16 equals the sum rounded once). NaNs are made canonical where a value leaves
 * the row (results, accumulators): a NaN operand makes a NaN result whatever its payload. */
static inline float r16(float x) { return fp16_to_float_exact(fp16_of_float(x)); }
/* The accumulator read: -0 (the exact identity of the add) for the first MAC; keep = first ? 0 : all ones. */
static inline float acc_in(int f32, uint32_t keep, uint32_t a)
{
    return f32 ? fp32_bits_to_float((a & keep) | (0x80000000u & ~keep))
               : fp16_to_float_exact((fp16_t)((a & keep) | (0x8000u & ~keep)));
}
static inline uint32_t acc_out(int f32, float x) { return f32 ? fp32_of_float(x) : fp16_of_float(x); }

/* 16 binary32 lanes as one vector (GCC vector extensions: one AVX-512 register, two AVX2, four SSE2). */
typedef float vf16 __attribute__((vector_size(64)));
typedef uint32_t vu16 __attribute__((vector_size(64)));
typedef int32_t vi16 __attribute__((vector_size(64)));
typedef uint16_t vh16 __attribute__((vector_size(32)));
/* fp16_to_float_exact in every lane of h (vu16 holding FP16 bit patterns) */
#define H2F16(h)                                                                                               \
    __extension__({                                                                                            \
        vu16 em_ = (h) & 0x7FFFu, big_ = (vu16)(em_ >= 0x7C00u), tiny_ = (vu16)(em_ < 0x400u);                  \
        vu16 nrm_ = (em_ << 13) + 0x38000000u + (big_ & 0x38000000u);                                          \
        vu16 sub_ = (vu16)(__builtin_convertvector((vi16)em_, vf16) * 0x1p-24f);                               \
        (vf16)((((h) & 0x8000u) << 16) | (tiny_ & sub_) | (~tiny_ & nrm_));                                    \
    })
#define EVEN16 ((vi16){0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14})
#define ODD16 ((vi16){1, 3, 5, 7, 9, 11, 13, 15, 1, 3, 5, 7, 9, 11, 13, 15})
/* fp32_of_float in every lane: NaN -> the canonical NaN */
#define CANON32(x)                                                                                             \
    __extension__({                                                                                            \
        vu16 b_ = (vu16)(x), n_ = (vu16)((b_ & 0x7FFFFFFFu) > 0x7F800000u);                                    \
        (b_ & ~n_) | (0x7FC00000u & n_);                                                                       \
    })

/* One row's S1 + S2 (gemv_row.sv): products of the data beat d (binary32 values) with the row's buffer word;
 * score: balanced tree ((p0+p1)+(p2+p3))+... then acc + tree, the result in y[15]; context: acc[i] + p*d[i]
 * in y[0..15]. The two formats have their own loops (so that each vectorises). */
static inline __attribute__((always_inline)) void row_mac(gemv *g, int r, const gemv_cmd *c, int first,
                                                          const vf16 *dvp, const float d[16], uint32_t y[16])
{
    const gemv_cfg *k = &g->cfg;
    const float *opw = &g->vbuf_f[(((size_t)r * 2 + c->buf) * (size_t)k->depth + c->word) * 16];
    uint32_t *acc = &g->acc[((size_t)r * (size_t)k->slots + c->slot) * 16];
    const uint32_t keep = 0u - (uint32_t)!first;
    if (c->op == GEMV_OP_CTX) {
        /* p is FP16 in either format (a BF16 unit widens it at the buffer read, rtl fp16_to_fp32) */
        const float pe = k->kv_fmt == KVF_BF16
                             ? fp16_to_float_exact(g->vbuf[(((size_t)r * 2 + c->buf) * (size_t)k->depth + c->word) * 16 + c->elem])
                             : opw[c->elem];
        float s[16];
        if (k->acc_fp32) { /* 16 lanes as one vector: acc_in, the product, the add, fp32_of_float */
            vf16 dv = *dvp, sv;
            vu16 av;
            memcpy(&av, acc, sizeof av);
            sv = (vf16)((av & keep) | (0x80000000u & ~keep)) + dv * pe;
            av = CANON32(sv);
            memcpy(acc, &av, sizeof av);
            memcpy(y, &av, sizeof av);
        } else {
            for (int i = 0; i < 16; i++)
                s[i] = acc_in(0, keep, acc[i]) + r16(d[i] * pe);
            for (int i = 0; i < 16; i++)
                y[i] = acc[i] = acc_out(0, s[i]);
        }
        return;
    }
    float t[16], t8[8], t4[4], t2[2], t1; /* the tree's levels */
    (void)t;
    if (k->acc_fp32) { /* each level of the tree: the even lanes plus the odd lanes */
        vf16 ov;
        memcpy(&ov, opw, sizeof ov);
        vf16 l = *dvp * ov;
        for (int w = 8; w >= 1; w /= 2)
            l = __builtin_shuffle(l, EVEN16) + __builtin_shuffle(l, ODD16); /* lanes < w: l[2n] + l[2n+1] */
        t1 = l[0];
        y[15] = acc[15] = acc_out(1, acc_in(1, keep, acc[15]) + t1);
        return;
    }
    for (int i = 0; i < 16; i++)
        t[i] = r16(d[i] * opw[i]);
    for (int n = 0; n < 8; n++)
        t8[n] = r16(t[2 * n] + t[2 * n + 1]);
    for (int n = 0; n < 4; n++)
        t4[n] = r16(t8[2 * n] + t8[2 * n + 1]);
    for (int n = 0; n < 2; n++)
        t2[n] = r16(t4[2 * n] + t4[2 * n + 1]);
    t1 = r16(t2[0] + t2[1]);
    y[15] = acc[15] = acc_out(0, acc_in(0, keep, acc[15]) + t1);
}

/* Lane i of a 32-lane INT8 beat. */
static inline int32_t i8_lane(const uint16_t d[16], int i) { return (int8_t)(uint8_t)(d[i / 2] >> (8 * (i % 2))); }
/* The 32 lanes of a beat as integers (the same values as i8_lane, unpacked once). */
static inline void i8_lanes(const uint16_t d[16], int32_t x[32])
{
    for (int i = 0; i < 16; i++)
        x[2 * i] = (int8_t)(uint8_t)d[i], x[2 * i + 1] = (int8_t)(uint8_t)(d[i] >> 8);
}

/* An INT8 unit's command (gemv.h), legal. */
static int exec_i8(gemv *g, const gemv_cmd *c, const uint16_t data[16], gemv_beat *out)
{
    const gemv_cfg *k = &g->cfg;
    if (c->op == GEMV_OP_WR) {
        size_t at = ((size_t)c->row * 2 + c->buf) * (size_t)k->depth + c->word;
        memcpy(&g->vbuf[at * 16], data, 16 * sizeof *data);
        g->written[at] = 1;
        return 0;
    }
    if (c->op == GEMV_OP_SCL) {
        if (c->last) {
            g->bscale = data[c->elem], g->bwritten = 1;
            return 0;
        }
        for (unsigned i = 0; i < 16 && c->word + i < (unsigned)k->depth; i++) {
            size_t at = ((size_t)c->row * 2 + c->buf) * (size_t)k->depth + c->word + i;
            g->scale[at] = data[i], g->swritten[at] = 1;
        }
        return 0;
    }
    const int ctx = c->op == GEMV_OP_CTX, first = !g->open[c->slot];
    g->open[c->slot] = !c->last;
    g->mode[c->slot] = (uint8_t)ctx;
    const float sb = fp16_to_float_exact(g->bscale);
    int32_t dv[32], ov[32];
    i8_lanes(data, dv);
    int nb = 0;
    if (c->last && !ctx)
        memset(out, 0, sizeof *out);
    for (int r = 0; r < k->rows; r++) {
        const size_t at = ((size_t)r * 2 + c->buf) * (size_t)k->depth + c->word;
        const uint16_t *op = &g->vbuf[at * 16];
        uint32_t *part = &g->part[((size_t)r * (size_t)k->slots + c->slot) * 32];
        uint32_t *acc = &g->acc[((size_t)r * (size_t)k->slots + c->slot) * 32];
        const float s = fp16_to_float_exact(g->scale[at]) * sb; /* FP16 x FP16: exact in binary32 */
        if (!ctx) {
            uint32_t dot = 0; /* |a product| <= 2^14: the 32 fit an int32; the sum wraps modulo 2^32 */
            i8_lanes(op, ov);
            for (int i = 0; i < 32; i++)
                dot += (uint32_t)(ov[i] * dv[i]);
            dot += first ? 0 : part[0];
            part[0] = dot;
            if (c->last)
                out[0].lane[r] = fp32_of_float((float)(int32_t)dot * s);
            continue;
        }
        const int32_t p = i8_lane(op, (int)c->elem);
        if (first)
            for (int i = 0; i < 32; i++)
                part[i] = 0, acc[i] = 0x80000000u;
        for (int i = 0; i < 32; i++)
            part[i] += (uint32_t)(p * dv[i]);
        if (c->wend || c->last)
            for (int i = 0; i < 32; i++) {
                acc[i] = fp32_of_float(fp32_bits_to_float(acc[i]) + (float)(int32_t)part[i] * s);
                part[i] = 0;
            }
        if (c->last)
            for (unsigned h = 0; h < 2; h++, nb++) {
                out[nb] = (gemv_beat){.slot = c->slot, .row = (unsigned)r, .ctx = 1, .half = h,
                                      .last_beat = r == k->rows - 1 && h == 1};
                memcpy(out[nb].lane, &acc[16 * h], sizeof out[nb].lane);
            }
    }
    if (c->last && !ctx)
        out[0].slot = c->slot, out[0].last_beat = 1, nb = 1;
    return nb;
}

/* Built with -O3 (Makefile) and, on x86-64, for three instruction sets chosen at run time: the 16-lane loops
 * become vector code; the operations and their order stay those above. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#endif
static int exec_legal(gemv *g, uint32_t w, const uint16_t data[16], gemv_beat *out)
{
    const gemv_cfg *k = &g->cfg;
    gemv_cmd c;
    gemv_decode(w, &c);
    if (k->kv_fmt == GEMV_KV_INT8)
        return exec_i8(g, &c, data, out);
    if (c.op == GEMV_OP_WR) {
        size_t at = (((size_t)c.row * 2 + c.buf) * (size_t)k->depth + c.word) * 16;
        memcpy(&g->vbuf[at], data, 16 * sizeof *data);
        for (int i = 0; i < 16; i++)
            g->vbuf_f[at + (size_t)i] = kvf_widen((kvf_fmt16)k->kv_fmt, data[i]);
        g->written[((size_t)c.row * 2 + c.buf) * (size_t)k->depth + c.word] = 1;
        return 0;
    }
    const int ctx = c.op == GEMV_OP_CTX, first = !g->open[c.slot];
    g->open[c.slot] = !c.last;
    g->mode[c.slot] = (uint8_t)ctx;
    uint32_t y[16];
    vh16 hv;
    memcpy(&hv, data, sizeof hv);
    /* the data beat, widened once for every row (BF16: the upper half of a binary32) */
    vf16 dv = k->kv_fmt == KVF_BF16 ? (vf16)(__builtin_convertvector(hv, vu16) << 16)
                                        : H2F16(__builtin_convertvector(hv, vu16));
    float d[16];
    memcpy(d, &dv, sizeof d);
    if (!c.last) {
        for (int r = 0; r < k->rows; r++)
            row_mac(g, r, &c, first, &dv, d, y);
        return 0;
    }
    if (!ctx)
        memset(out, 0, sizeof *out);
    for (int r = 0; r < k->rows; r++) {
        row_mac(g, r, &c, first, &dv, d, y);
        if (ctx) {
            out[r] = (gemv_beat){.slot = c.slot, .row = (unsigned)r, .ctx = 1, .last_beat = r == k->rows - 1};
            memcpy(out[r].lane, y, sizeof y);
        } else {
            out[0].lane[r] = y[15];
        }
    }
    if (!ctx) {
        out[0].slot = c.slot;
        out[0].last_beat = 1;
    }
    return ctx ? k->rows : 1;
}

int gemv_exec(gemv *g, uint32_t w, const uint16_t data[16], gemv_beat *out)
{
    if (rtl_rule(g, w)) {
        g->err = 1;
        return -1;
    }
    return exec_legal(g, w, data, out);
}

int gemv_exec_checked(gemv *g, uint32_t w, const uint16_t data[16], gemv_beat *out, const char **why)
{
    if ((*why = gemv_check(g, w)))
        return -1;
    return exec_legal(g, w, data, out);
}
