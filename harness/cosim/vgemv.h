/* vgemv.h — C view of one Verilated GEMV build (gemv_tree or gemv_systolic, one parameter set).
 *
 * Contract
 *  - Same cycle protocol as vprim.h: set() drives all inputs and settles combinational logic, get()
 *    reads what the next rising edge will sample, tick() is one clock.
 *  - A command fires in a cycle where cmd_valid && cmd_ready (then data_valid && data_ready holds too).
 *  - Result lanes are returned as 32-bit words; for FP16 accumulation only the low 16 bits are used.
 */
#ifndef PIMATTN_VGEMV_H
#define PIMATTN_VGEMV_H

#include <stdint.h>

#include "gemv.h"

typedef struct vgemv vgemv;

typedef struct vgemv_in {
    int cmd_valid;
    uint32_t cmd;
    int data_valid;
    uint16_t data[16];
    int res_ready;
} vgemv_in;

typedef struct vgemv_out {
    int cmd_ready, data_ready, res_valid, err;
    uint32_t res_info; /* [7:0] slot, [11:8] row, [12] context, [13] last beat, [14] INT8 context lanes 16..31 */
    uint32_t lane[16];
} vgemv_out;

typedef struct vgemv_ops {
    const char *top;   /* "gemv_tree" or "gemv_systolic" */
    const char *build; /* e.g. "gemv_sys_g4_f32" */
    gemv_cfg cfg;      /* the build's parameters */
    vgemv *(*create)(int argc, const char *const *argv);
    void (*destroy)(vgemv *s);
    void (*reset)(vgemv *s, int cycles);
    void (*set)(vgemv *s, const vgemv_in *in);
    void (*get)(const vgemv *s, vgemv_out *out);
    void (*tick)(vgemv *s);
    uint64_t (*cycle)(const vgemv *s);
    int (*assert_fired)(const vgemv *s); /* 1 once an RTL assertion has fired (e.g. a bad command) */
    int (*trace_window)(vgemv *s, const char *path, uint64_t from, uint64_t ncycles);
    int (*trace_close)(vgemv *s); /* closes the trace now; 0, or -1 if the file could not be written */
} vgemv_ops;

#endif
