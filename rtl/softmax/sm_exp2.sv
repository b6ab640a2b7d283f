// exp2 unit of the softmax: p = 2^y as FP16 for an FP32 y <= 0 (combinational).
// |y| is taken to fixed point (floor, 20 fraction bits); y = k + g with integer k <= 0 and g in [0,1);
// 2^g = A[i] + B[i] * u from Pieces chord pieces with the minimax offset (sm_exp_table, U1.22), exactly 1
// when g = 0; then fp_round places it at exponent k, subnormals and all.
// y = -0 -> 1.0; y <= -32 or -Inf -> +0; y > 0 or NaN -> canonical NaN (outside the unit's domain).
// Mirrors csim/softmax.c sm_exp2(). sm_exp2_a, sm_exp2_b, sm_exp2_c in series (a pipelined unit registers between them).
`include "pim_assert.svh"
`default_nettype none

module sm_exp2 #(
  parameter int Pieces = 16  // 4, 8, 16, 32 or 64
) (
  input  wire  [31:0] y_i,
  output logic [15:0] p_o
);
  `PIM_PARAM_CHECK(pieces, Pieces == 4 || Pieces == 8 || Pieces == 16 || Pieces == 32 || Pieces == 64,
                   "sm_exp2: Pieces must be 4, 8, 16, 32 or 64")

  localparam int StW = 2 + 8 + 1 + 48 + 20 - $clog2(Pieces);
  logic [StW-1:0] st;
  logic [33:0]    mt;
  sm_exp2_a #(.Pieces(Pieces)) u_a (.y_i(y_i), .st_o(st));
  sm_exp2_b #(.Pieces(Pieces)) u_b (.st_i(st), .st_o(mt));
  sm_exp2_c u_c (.st_i(mt), .p_o(p_o));
endmodule
