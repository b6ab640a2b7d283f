// prim_shim.cpp — extern "C" shim for one Verilated FP-primitive top (see harness/cosim/vprim.h).
// Compiled once per build with: -DVTOP=Vfp16_add_s2 -DVTOP_HDR='"Vfp16_add_s2.h"'
//   -DPRIM_TOP=fp16_add -DPRIM_BUILD=fp16_add_s2 -DPRIM_STAGES=2 -DPRIM_HAS_C=0|1
#include VTOP_HDR

#include "vshim.hpp"

extern "C" {
#include "vprim.h"
}

namespace {
using Shim = VShim<VTOP>;

void set(vprim *s, int valid, uint32_t a, uint32_t b, uint32_t c)
{
    VTOP *t = reinterpret_cast<Shim *>(s)->top();
    t->valid_i = valid ? 1 : 0;
    t->a_i = a;
    t->b_i = b;
#if PRIM_HAS_C
    t->c_i = c;
#else
    (void)c;
#endif
    t->eval();
}
void get(const vprim *s, int *valid, uint32_t *y)
{
    const VTOP *t = reinterpret_cast<const Shim *>(s)->top();
    *valid = t->valid_o;
    *y = t->y_o;
}

const vprim_ops ops = {VSHIM_STR(PRIM_TOP),
                       VSHIM_STR(PRIM_BUILD),
                       PRIM_STAGES,
                       vshim_create<Shim, vprim>,
                       vshim_destroy<Shim, vprim>,
                       vshim_reset<Shim, vprim>,
                       set,
                       get,
                       vshim_tick<Shim, vprim>,
                       vshim_cycle<Shim, vprim>,
                       vshim_trace_window<Shim, vprim>,
                       vshim_trace_close<Shim, vprim>};
} // namespace

extern "C" const vprim_ops *VSHIM_CAT(vprim_, PRIM_BUILD)(void) { return &ops; }
