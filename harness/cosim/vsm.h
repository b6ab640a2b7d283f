/* vsm.h — C view of one Verilated softmax-unit build (rtl/softmax/softmax_unit.sv, one parameter set).
 *
 * Contract
 *  - Same cycle protocol as vprim.h / vgemv.h: set() drives all inputs and settles combinational logic,
 *    get() reads what the next rising edge will sample, tick() is one clock.
 *  - An input beat fires in a cycle where in_valid && in_ready; an output beat is taken where
 *    out_valid && out_ready. Data lanes beyond the build's `lanes` are ignored / returned as 0.
 */
#ifndef PIMATTN_VSM_H
#define PIMATTN_VSM_H

#include <stdint.h>

#include "sm_unit.h"

typedef struct vsm vsm;

typedef struct vsm_in {
    int in_valid;
    uint32_t cmd[3];
    uint32_t data[16];
    int out_ready;
} vsm_in;

typedef struct vsm_out {
    int in_ready, out_valid, kind, flags, err; /* flags: bit 0 empty, bit 1 nan */
    uint32_t aux[3];                            /* m, l, rl */
    uint32_t data[16];
} vsm_out;

typedef struct vsm_ops {
    const char *build; /* e.g. "sm_l4_h" */
    smu_cfg cfg;       /* the build's parameters */
    vsm *(*create)(int argc, const char *const *argv);
    void (*destroy)(vsm *s);
    void (*reset)(vsm *s, int cycles);
    void (*set)(vsm *s, const vsm_in *in);
    void (*get)(const vsm *s, vsm_out *out);
    void (*tick)(vsm *s);
    uint64_t (*cycle)(const vsm *s);
    int (*assert_fired)(const vsm *s);
    int (*trace_window)(vsm *s, const char *path, uint64_t from, uint64_t ncycles);
    int (*trace_close)(vsm *s); /* closes the trace now; 0, or -1 if the file could not be written */
} vsm_ops;

#endif
