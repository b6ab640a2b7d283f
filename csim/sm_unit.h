/* sm_unit.h — golden model of the softmax unit's command interface (rtl/softmax/softmax_unit.sv), one
 * input beat at a time, bit for bit. The arithmetic is csim/softmax.h's; this adds the protocol.
 *
 * Contract
 *  - Configuration: lanes (scores or vector values per beat), exp pieces, in_fp16, merge_d (length of
 *    merged vectors, a multiple of lanes, <= 256).
 *  - A beat is a command (smu_cmd) with `lanes` 32-bit data words. Commands:
 *      ROW   start a row: data[0] = scale; len, delta, causal, window = the mask (softmax.h)
 *      MAX   pass 1: lanes scores (FP32, or FP16 in the low half when in_fp16)
 *      EXP   pass 2: the same scores again; emits one PROB beat (lanes FP16 probabilities in the low
 *            halves). With `last`, the row ends and a ROW_RES beat follows (m, l, rl, flags).
 *      PART  a split-K partial's header: m, l (sm_partial_check); followed by merge_d/lanes PVEC beats
 *      PVEC  lanes values of the partial's vector
 *      MEND  end of the merge: merge_d/lanes OVEC beats (o, or the unnormalised sum when !normalise),
 *            then a MERGE_RES beat (M, l, rl, flags); the merge state is reset.
 *    Score positions j (for the mask and the lane sums) count lanes per beat from 0 in each pass.
 *  - Order rules (else the command is bad): ROW only when idle; MAX only in pass 1; EXP in pass 1 or 2;
 *    PART when idle or merging with the previous vector complete; PVEC while the current partial's
 *    vector is incomplete; MEND when idle or merging with the vector complete. ROW's scale must pass
 *    sm_row_check and len <= 2^24; unused fields must be zero.
 *  - smu_exec() returns the number of output beats (0 .. merge_d/lanes + 1) written to out, or -1 for
 *    a bad command, which changes nothing but the sticky error flag (as the RTL).
 *  - Cycles of the RTL unit (its pipeline: rtl/softmax/softmax_unit.sv), commands back to back, no idle
 *    input and no back-pressure, in a steady stream: smu_row_cycles() per row of `beats` score beats per
 *    pass (ROW, MAX and EXP beats, the row result) among rows of that length, smu_merge_cycles() per
 *    merge of `parts` live partials (m finite, l > 0) and its MEND. The scheduler takes the
 *    softmax unit's busy time from these; tests/test_sm_cosim.c measures them on every build.
 */
#ifndef PIMATTN_SM_UNIT_H
#define PIMATTN_SM_UNIT_H

#include <stdint.h>

#include "softmax.h"

typedef enum smu_op { SMU_ROW = 0, SMU_MAX = 1, SMU_EXP = 2, SMU_PART = 3, SMU_PVEC = 4, SMU_MEND = 5 } smu_op;

typedef struct smu_cfg {
    int lanes, exp_pieces, in_fp16, merge_d;
} smu_cfg;

typedef struct smu_cmd {
    smu_op op;
    unsigned causal, normalise, last;
    uint32_t window; /* 24 bits */
    uint32_t len;    /* ROW */
    int32_t delta;   /* ROW */
    fp32_t m, l;     /* PART */
} smu_cmd;

/* Command word as the RTL takes it: w[0] = op | causal << 3 | normalise << 4 | last << 5 | window << 8,
 * w[1] = len (ROW) or m (PART), w[2] = delta (ROW) or l (PART). */
void smu_encode(const smu_cmd *c, uint32_t w[3]);

typedef enum smu_kind { SMU_PROB = 0, SMU_ROW_RES = 1, SMU_OVEC = 2, SMU_MERGE_RES = 3 } smu_kind;

typedef struct smu_beat {
    smu_kind kind;
    int empty, nan;
    fp32_t m, l, rl;   /* result beats */
    uint32_t data[16]; /* PROB: FP16 in the low half; OVEC: FP32 */
} smu_beat;

typedef struct smu smu;

const char *smu_cfg_check(const smu_cfg *c);
smu *smu_new(const smu_cfg *c); /* NULL on a bad configuration or no memory */
void smu_free(smu *u);
/* NULL if the command is legal now, else why not (static string). */
const char *smu_check(const smu *u, const uint32_t w[3], const uint32_t *data);
int smu_exec(smu *u, const uint32_t w[3], const uint32_t *data, smu_beat *out);
int smu_error(const smu *u);
int smu_state(const smu *u); /* 0 idle, 1 pass 1, 2 pass 2, 3 merging */
int smu_vec_complete(const smu *u); /* merging: the current partial's vector is complete */

/* What the counts are made of (softmax_unit.sv's pipeline). A row of n beats: ROW, n MAX, the wait of
 * the first EXP for the last MAX to leave P2, n EXP; the next ROW issues when the last EXP has left
 * P1-P8, and the next row's first EXP when this row's result has left (P1-P9, the lane sums' tree of
 * 2 log2(lanes) clocks, sm_recip_pipe, the ROW_RES beat), which binds for short rows. A live PART: its
 * PVECs issue from its third clock; the next PART (or MEND) waits for its 6-clock sequence. A MEND:
 * sm_recip_pipe, the OVEC beats through O1-O3 (O1 from the reciprocal's last clock), MERGE_RES. */
enum {
    SMU_EXP_WAIT = 2,    /* clocks */
    SMU_ROW_NEXT = 9,    /* the last EXP's issue to the next ROW's */
    SMU_ROW_RESULT = 17, /* the last EXP's issue to the next row's first EXP's, plus the tree's */
    SMU_PART_SEQ = 7,    /* a live PART's issue to the next PART's or MEND's, at least */
    SMU_PART_PVEC = 3,   /* a live PART's issue to the next PART's or MEND's, beyond its PVEC beats */
    SMU_MEND_TAIL = 10   /* MEND's issue to the next command's, beyond its merge_d/lanes OVEC beats */
};
/* (inline: the data-hazard checker uses them too, with this header and nothing else of csim's) */
static inline unsigned long long smu_row_cycles(unsigned long long beats, int lanes)
{
    /* from one row's last EXP to the next's: the next ROW, its MAX beats, the wait and its EXP beats, or
     * this row's result (the tree: two clocks per level) and the next row's EXP beats but the first,
     * whichever is longer */
    unsigned long long tree = 0;
    for (int l = lanes; l > 1; l /= 2)
        tree += 2;
    unsigned long long issue = SMU_ROW_NEXT + 2 * beats + SMU_EXP_WAIT;
    unsigned long long result = SMU_ROW_RESULT + tree + beats - 1;
    return issue > result ? issue : result;
}

static inline unsigned long long smu_merge_cycles(unsigned long long parts, int merge_d, int lanes)
{
    unsigned long long nb = (unsigned long long)(merge_d / lanes);
    unsigned long long part = nb + SMU_PART_PVEC > SMU_PART_SEQ ? nb + SMU_PART_PVEC : SMU_PART_SEQ;
    return parts * part + nb + SMU_MEND_TAIL;
}

#endif
