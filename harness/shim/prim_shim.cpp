// prim_shim.cpp — extern "C" shim for one Verilated FP-primitive top (see harness/vprim.h).
// Compiled once per build with: -DVTOP=Vfp16_add_s2 -DVTOP_HDR='"Vfp16_add_s2.h"'
//   -DPRIM_TOP=fp16_add -DPRIM_BUILD=fp16_add_s2 -DPRIM_STAGES=2 -DPRIM_HAS_C=0|1
#include VTOP_HDR

#include "vshim.hpp"

extern "C" {
#include "vprim.h"
}

#define STR2(x) #x
#define STR(x) STR2(x)
#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)

namespace {
using Shim = VShim<VTOP>;
Shim *as_shim(vprim *s) { return reinterpret_cast<Shim *>(s); }
const Shim *as_shim(const vprim *s) { return reinterpret_cast<const Shim *>(s); }

vprim *create(int argc, const char *const *argv)
{
    try {
        return reinterpret_cast<vprim *>(new Shim(argc, argv));
    } catch (...) {
        return nullptr;
    }
}
void destroy(vprim *s) { delete as_shim(s); }
void reset(vprim *s, int cycles) { as_shim(s)->reset(cycles); }
void set(vprim *s, int valid, uint32_t a, uint32_t b, uint32_t c)
{
    VTOP *t = as_shim(s)->top();
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
    const VTOP *t = as_shim(s)->top();
    *valid = t->valid_o;
    *y = t->y_o;
}
void tick(vprim *s) { as_shim(s)->tick(); }
uint64_t cycle(const vprim *s) { return as_shim(s)->cycle(); }
int trace_window(vprim *s, const char *path, uint64_t from, uint64_t n)
{
    return as_shim(s)->trace_window(path, from, n);
}

const vprim_ops ops = {STR(PRIM_TOP), STR(PRIM_BUILD), PRIM_STAGES, create, destroy, reset, set, get,
                       tick,          cycle,           trace_window};
} // namespace

extern "C" const vprim_ops *CAT(vprim_, PRIM_BUILD)(void) { return &ops; }
