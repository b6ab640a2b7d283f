// gemv_shim.cpp — extern "C" shim for one Verilated GEMV build (see harness/cosim/vgemv.h).
// Compiled once per build with: -DVTOP=Vgemv_sys_g4_f32 -DVTOP_HDR='"Vgemv_sys_g4_f32.h"'
//   -DGEMV_TOP=gemv_systolic -DGEMV_BUILD=gemv_sys_g4_f32 -DGEMV_ROWS=4 -DGEMV_DEPTH=8 -DGEMV_SLOTS=4
//   -DGEMV_ACC32=1 -DGEMV_KV=0
#include VTOP_HDR

#include "vshim.hpp"

extern "C" {
#include "vgemv.h"
}

namespace {
using Shim = VShim<VTOP>;

void set(vgemv *s, const vgemv_in *in)
{
    VTOP *t = reinterpret_cast<Shim *>(s)->top();
    t->cmd_valid_i = in->cmd_valid ? 1 : 0;
    t->cmd_i = in->cmd;
    t->data_valid_i = in->data_valid ? 1 : 0;
    for (int w = 0; w < 8; w++)
        t->data_i[w] = (uint32_t)in->data[2 * w] | ((uint32_t)in->data[2 * w + 1] << 16);
    t->res_ready_i = in->res_ready ? 1 : 0;
    t->eval();
}

void get(const vgemv *s, vgemv_out *out)
{
    const VTOP *t = reinterpret_cast<const Shim *>(s)->top();
    out->cmd_ready = t->cmd_ready_o;
    out->data_ready = t->data_ready_o;
    out->res_valid = t->res_valid_o;
    out->err = t->err_o;
    out->res_info = t->res_info_o;
    for (int i = 0; i < 16; i++)
        out->lane[i] = GEMV_ACC32 ? t->res_data_o[i] : ((t->res_data_o[i / 2] >> (16 * (i % 2))) & 0xFFFFu);
}

const vgemv_ops ops = {VSHIM_STR(GEMV_TOP),
                       VSHIM_STR(GEMV_BUILD),
                       {GEMV_ROWS, GEMV_DEPTH, GEMV_SLOTS, GEMV_ACC32, GEMV_KV},
                       vshim_create<Shim, vgemv>,
                       vshim_destroy<Shim, vgemv>,
                       vshim_reset<Shim, vgemv>,
                       set,
                       get,
                       vshim_tick<Shim, vgemv>,
                       vshim_cycle<Shim, vgemv>,
                       vshim_assert_fired<Shim, vgemv>,
                       vshim_trace_window<Shim, vgemv>,
                       vshim_trace_close<Shim, vgemv>};
} // namespace

extern "C" const vgemv_ops *VSHIM_CAT(vgemv_, GEMV_BUILD)(void) { return &ops; }
