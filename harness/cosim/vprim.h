/* vprim.h — C view of one Verilated FP-primitive top (rtl/common/fp16_*.sv, fp32_add.sv: thin tops of
 * fp_pipe.sv; rtl/softmax/sm_prob.sv, sm_norm.sv, fp32_scale2.sv).
 *
 * Contract
 *  - Every primitive top has ports clk_i, rst_ni, valid_i, a_i, b_i, [c_i], valid_o, y_o and a Stages
 *    parameter (output pipeline registers). One build = one (top, Stages) pair, one vprim_ops table.
 *  - Cycle protocol: set() drives the inputs and settles combinational logic; get() reads the outputs as
 *    a register downstream would sample them at the next rising edge; tick() is one full clock.
 *    With Stages = S, an input set before tick k appears at get() after tick k+S-1 (S = 0: at once).
 *  - trace_window() arms an FST dump of cycles [from, from+ncycles); the file is closed when the window
 *    ends or at destroy. Returns 0, or -1 if the file cannot be opened.
 *  - create() takes Verilator run-time arguments (e.g. "+verilator+rand+reset+2", "+verilator+seed+7");
 *    returns NULL on allocation failure.
 */
#ifndef PIMATTN_VPRIM_H
#define PIMATTN_VPRIM_H

#include <stdint.h>

typedef struct vprim vprim;

typedef struct vprim_ops {
    const char *top;   /* RTL module name, e.g. "fp16_add" */
    const char *build; /* build name, e.g. "fp16_add_s2" */
    int stages;        /* value of the Stages parameter in this build */
    vprim *(*create)(int argc, const char *const *argv);
    void (*destroy)(vprim *s);
    void (*reset)(vprim *s, int cycles);
    void (*set)(vprim *s, int valid, uint32_t a, uint32_t b, uint32_t c);
    void (*get)(const vprim *s, int *valid, uint32_t *y);
    void (*tick)(vprim *s);
    uint64_t (*cycle)(const vprim *s);
    int (*trace_window)(vprim *s, const char *path, uint64_t from, uint64_t ncycles);
    int (*trace_close)(vprim *s); /* closes the trace now; 0, or -1 if the file could not be written */
} vprim_ops;

#endif
