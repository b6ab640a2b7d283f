// Reciprocal unit of the softmax: 1/l as FP32 (combinational). l = 2^e * d with d in [1,2)
// (subnormals normalised); seed x0 from the top 6 fraction bits (sm_rcp_table, U1.16); two Newton-Raphson
// steps x <- x (2 - d x) in U1.30 fixed point, truncating; fp_round to FP32.
// NaN or l < 0 -> canonical NaN; +-0 -> +Inf; +Inf -> +0. Mirrors csim/softmax.c sm_recip().
// The steps are modules (sm_rcp_seed, sm_rcp_dx, sm_rcp_xm, sm_rcp_round) so that the softmax unit can
// register between them.
`default_nettype none

module sm_recip (
  input  wire  [31:0] l_i,
  output logic [31:0] y_o
);
  logic [1:0]  code;
  logic [10:0] etop;
  logic [23:0] d;
  logic [30:0] x0, x1, x2;
  logic [31:0] tm0, tm1;
  sm_rcp_seed  u_seed (.l_i(l_i), .code_o(code), .etop_o(etop), .d_o(d), .x0_o(x0));
  sm_rcp_dx    u_dx0 (.d_i(d), .x_i(x0), .tm_o(tm0));
  sm_rcp_xm    u_xm0 (.x_i(x0), .tm_i(tm0), .x_o(x1));
  sm_rcp_dx    u_dx1 (.d_i(d), .x_i(x1), .tm_o(tm1));
  sm_rcp_xm    u_xm1 (.x_i(x1), .tm_i(tm1), .x_o(x2));
  sm_rcp_round u_rnd (.code_i(code), .etop_i(etop), .x_i(x2), .y_o(y_o));
endmodule
