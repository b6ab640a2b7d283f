// sm_shim.cpp — extern "C" shim for one Verilated softmax-unit build (see harness/cosim/vsm.h).
// Compiled once per build with: -DVTOP=Vsm_l4 -DVTOP_HDR='"Vsm_l4.h"' -DSM_BUILD=sm_l4 -DSM_LANES=4
//   -DSM_PIECES=16 -DSM_FP16=0 -DSM_MERGED=128
#include VTOP_HDR

#include "vshim.hpp"

extern "C" {
#include "vsm.h"
}

namespace {
using Shim = VShim<VTOP>;

// Verilator gives a port of <= 32 bits as IData, <= 64 as QData, wider as VlWide<N>.
void put(IData &p, const uint32_t *w) { p = w[0]; }
void put(QData &p, const uint32_t *w) { p = (QData)w[0] | ((QData)w[1] << 32); }
template <std::size_t N> void put(VlWide<N> &p, const uint32_t *w)
{
    for (std::size_t i = 0; i < N; i++)
        p[i] = w[i];
}
void take(const IData &p, uint32_t *w) { w[0] = p; }
void take(const QData &p, uint32_t *w)
{
    w[0] = (uint32_t)p;
    w[1] = (uint32_t)(p >> 32);
}
template <std::size_t N> void take(const VlWide<N> &p, uint32_t *w)
{
    for (std::size_t i = 0; i < N; i++)
        w[i] = p[i];
}

void set(vsm *s, const vsm_in *in)
{
    VTOP *t = reinterpret_cast<Shim *>(s)->top();
    t->in_valid_i = in->in_valid ? 1 : 0;
    put(t->in_cmd_i, in->cmd);
    put(t->in_data_i, in->data);
    t->out_ready_i = in->out_ready ? 1 : 0;
    t->eval();
}

void get(const vsm *s, vsm_out *out)
{
    const VTOP *t = reinterpret_cast<const Shim *>(s)->top();
    out->in_ready = t->in_ready_o;
    out->out_valid = t->out_valid_o;
    out->kind = t->out_kind_o;
    out->flags = t->out_flags_o;
    out->err = t->err_o;
    take(t->out_aux_o, out->aux);
    for (int i = 0; i < 16; i++)
        out->data[i] = 0;
    take(t->out_data_o, out->data);
}

const vsm_ops ops = {VSHIM_STR(SM_BUILD),
                     {SM_LANES, SM_PIECES, SM_FP16, SM_MERGED},
                     vshim_create<Shim, vsm>,
                     vshim_destroy<Shim, vsm>,
                     vshim_reset<Shim, vsm>,
                     set,
                     get,
                     vshim_tick<Shim, vsm>,
                     vshim_cycle<Shim, vsm>,
                     vshim_assert_fired<Shim, vsm>,
                     vshim_trace_window<Shim, vsm>,
                     vshim_trace_close<Shim, vsm>};
} // namespace

extern "C" const vsm_ops *VSHIM_CAT(vsm_, SM_BUILD)(void) { return &ops; }
