/* gemv.h — golden model of the GEMV bank units (rtl/gemv/): gemv_tree (rows = 1) and gemv_systolic
 * (rows = G), at command granularity, bit for bit.
 *
 * Contract
 *  - A unit is configured by gemv_cfg: rows 1..16, depth 2..255 words of 16 FP16 per stationary vector,
 *    slots 1..255 accumulators, acc_fp32 1 (exact FP32 products, FP32 adds) or 0 (FP16 products and
 *    adds, the AttAcc datapath), kv_fmt the format of the K/V bursts and of q (KVF_FP16, or
 *    KVF_BF16 with acc_fp32 = 1: csim/kvfmt.h's BF16 unit; the probabilities p stay FP16).
 *  - Commands are the 32-bit words the RTL takes (format in rtl/gemv/gemv_core.sv, encoder below).
 *    gemv_check() is the driver's check: NULL if the word is legal in the unit's current state, else
 *    why not. It adds one rule to those the RTL enforces (gemv_rtl_rejects): a MAC must not read a
 *    vector-buffer word that some row has not written since reset (the RTL buffer has no reset).
 *  - gemv_exec() executes one command with its 16-lane data beat. A command the RTL rejects changes
 *    nothing but the sticky error flag and returns -1, like the RTL. (Unwritten buffer words read as
 *    zero here and as whatever the flip-flops hold in the RTL: the driver rule keeps them apart.)
 *    A MAC with `last` returns its result beats (score: 1 beat, lane r = row r; context: rows beats
 *    of 16 lanes); otherwise 0.
 *  - Order of operations (what the RTL does): products rounded to the accumulation format (exact for
 *    FP32 unless they underflow: BF16 x BF16 can); score: balanced tree ((p0+p1)+(p2+p3))+… then acc + tree; context: acc[i] + p*v[i];
 *    the first MAC of an accumulation adds to −0 (exact identity).
 *  - INT8 units (kv_fmt = GEMV_KV_INT8, acc_fp32 = 1; kvfmt.h's INT8 arithmetic; rtl KvInt8 = 1): a burst and
 *    a buffer word hold 32 INT8 lanes (lane i = byte i of the 256-bit beat: the low byte of data[i / 2]
 *    for even i); each buffer word has an FP16 scale (q: its vector's, p: its word's), and the unit has
 *    one block scale (K's or V's block). Commands (fields as below, plus: [28] elem bit 4, [29] wend):
 *      SCL (op 3) last = 0: data lanes 0..15 (FP16) are the scales of words word..word+15 (those below
 *          depth) of row `row`, half `buf`; word a multiple of 16, elem, slot, wend 0.
 *      SCL last = 1: the block scale = data lane elem (0..15) (row, word, slot, wend 0).
 *      score MAC: dot[slot] += sum of the 32 products (INT32, modulo 2^32; the first MAC of an
 *          accumulation starts from 0); on `last` the result lane r = fp32((float)dot x (sq x sb)), sq the
 *          scale of the word the MAC reads, sb the block scale: the conversion rounded (exact while
 *          |dot| < 2^24), sq x sb exact, the product rounded once. wend must be 0.
 *      context MAC: part[slot][i] += p8[elem] x v8[i] (INT32; elem 0..31), and with wend or last the
 *          word's partial is applied: acc[slot][i] = acc + fp32((float)part x (sp x sb)) (each of the
 *          conversion, product and sum rounded; sp the scale of the p word the MAC reads), part = 0; the
 *          first MAC of an accumulation starts from acc = -0, part = 0. On `last`: 2 beats per row
 *          (lanes 0..15 with half 0, then 16..31 with half 1).
 *    gemv_check adds for INT8: a MAC that applies a scale (score with last, context with wend or last)
 *    needs that word's scale written since reset, and the block scale written since reset.
 */
#ifndef PIMATTN_GEMV_H
#define PIMATTN_GEMV_H

#include <stddef.h>
#include <stdint.h>

#include "kvfmt.h"

/* The GEMV unit's pipeline: rtl/gemv/gemv_core.sv parameter Pipe (0: the multipliers in one stage and
 * the adder network in the next; 1: the multipliers in two stages and one FP add per stage, for the
 * 1,500 ps clock, docs/area.md). A `last` MAC firing in cycle t
 * has its result in cycle t + GEMV_LATENCY(pipe). The one definition: the Makefile builds every GEMV
 * unit (Verilator, Icarus, the netlist) with Pipe = GEMV_PIPE, the co-simulation checks the units' fill
 * and drain against GEMV_LATENCY, and the HBM presets' nMACLAT (the scheduler's MAC-to-result latency,
 * the unit clocked with the DRAM) is GEMV_LATENCY(GEMV_PIPE). */
#define GEMV_PIPE 2
#define GEMV_LATENCY(pipe) (3 + 5 * (pipe))

typedef struct gemv_cfg {
    int rows;
    int depth;
    int slots;
    int acc_fp32;
    int kv_fmt; /* kvf_fmt16 (kvfmt.h): KVF_FP16 or KVF_BF16; or GEMV_KV_INT8 */
} gemv_cfg;

#define GEMV_KV_INT8 2   /* gemv_cfg.kv_fmt of an INT8 unit */
#define GEMV_MAX_BEATS 32 /* result beats of one command at most (INT8 context: 2 per row) */

typedef enum gemv_op { GEMV_OP_WR = 0, GEMV_OP_SCORE = 1, GEMV_OP_CTX = 2, GEMV_OP_SCL = 3 } gemv_op;

typedef struct gemv_cmd {
    gemv_op op;
    unsigned buf;  /* vector-buffer half, 0..1 */
    unsigned last; /* MAC: ends the accumulation */
    unsigned elem; /* context MAC: probability index in the word, 0..15 (INT8: 0..31); SCL last: lane */
    unsigned row;  /* WR: row to write */
    unsigned word; /* vector-buffer word */
    unsigned slot; /* MAC: accumulator */
    unsigned wend; /* INT8 context MAC: apply the word's partial */
} gemv_cmd;

typedef struct gemv_beat {
    unsigned slot, row, ctx, last_beat;
    uint32_t lane[16]; /* FP32 or FP16 bit patterns */
    unsigned half;     /* INT8 context: lanes 16..31 of the row */
} gemv_beat;

typedef struct gemv gemv;

/* NULL if the configuration is valid, else why not (static string). */
const char *gemv_cfg_check(const gemv_cfg *cfg);
gemv *gemv_new(const gemv_cfg *cfg); /* NULL on an invalid configuration or no memory */
void gemv_free(gemv *g);
const gemv_cfg *gemv_config(const gemv *g);

uint32_t gemv_encode(const gemv_cmd *c); /* fields are masked to their widths */
void gemv_decode(uint32_t w, gemv_cmd *c);

const char *gemv_check(const gemv *g, uint32_t cmd);
int gemv_rtl_rejects(const gemv *g, uint32_t cmd);
int gemv_word_written(const gemv *g, unsigned row, unsigned buf, unsigned word);
/* INT8 units: the word's scale, the block scale written since reset (0 for other units). */
int gemv_scale_written(const gemv *g, unsigned row, unsigned buf, unsigned word);
int gemv_block_written(const gemv *g);
int gemv_exec(gemv *g, uint32_t cmd, const uint16_t data[16], gemv_beat *out);
/* gemv_check, then gemv_exec if the command is legal (-1 and *why if not: nothing changes). */
int gemv_exec_checked(gemv *g, uint32_t cmd, const uint16_t data[16], gemv_beat *out, const char **why);
int gemv_error(const gemv *g);                               /* sticky: a bad command was executed */
int gemv_slot_open(const gemv *g, unsigned slot, int *is_ctx); /* accumulation in progress? */

#endif
