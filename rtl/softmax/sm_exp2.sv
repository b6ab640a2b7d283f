// exp2 unit of the softmax: p = 2^y as FP16 for an FP32 y <= 0 (combinational).
// |y| is taken to fixed point (floor, 20 fraction bits); y = k + g with integer k <= 0 and g in [0,1);
// 2^g = A[i] + B[i] * u from Pieces chord pieces with the minimax offset (sm_exp_table, U1.22), exactly 1
// when g = 0; then fp_round places it at exponent k, subnormals and all.
// y = -0 -> 1.0; y <= -32 or -Inf -> +0; y > 0 or NaN -> canonical NaN (outside the unit's domain).
// Mirrors csim/softmax.c sm_exp2().
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

  localparam int FB = 20;               // fraction bits of |y|
  localparam int PB = $clog2(Pieces);   // index bits
  localparam int UB = FB - PB;          // position bits inside a piece

  logic       sgn, is_zero, is_nan, is_inf, big;
  logic [7:0] e;
  assign sgn     = y_i[31];
  assign e       = y_i[30:23];
  assign is_zero = (e == 8'd0) && (y_i[22:0] == 23'd0);
  assign is_nan  = (e == 8'hFF) && (y_i[22:0] != 23'd0);
  assign is_inf  = (e == 8'hFF) && (y_i[22:0] == 23'd0);
  assign big     = (e >= 8'd132);   // |y| >= 32 (Inf included)

  // |y| * 2^FB, floor: 25 bits (|y| < 32); subnormal |y| -> 0
  logic [23:0] sig;
  logic [24:0] t;
  assign sig = {1'b1, y_i[22:0]};
  always_comb begin
    if (e == 8'd0)        t = 25'd0;
    else if (e >= 8'd130) t = {1'b0, sig} << (e - 8'd130);
    else                  t = 25'({1'b0, sig} >> (8'd130 - e));
  end

  logic [4:0]    n;
  logic [FB-1:0] r, g;
  logic          frac;
  assign n    = t[24:FB];
  assign r    = t[FB-1:0];
  assign frac = (r != '0);
  assign g    = FB'(0) - r;         // 2^FB - r (r != 0)

  logic [5:0]  idx;
  logic [23:0] ta, tb;
  assign idx = 6'(g >> UB);
  sm_exp_table #(.Pieces(Pieces)) u_tab (.idx_i(idx), .a_o(ta), .b_o(tb));

  logic [UB-1:0]    pos;
  logic [24+UB-1:0] bu;
  logic [23:0]      mant;           // U2.22
  assign pos  = g[UB-1:0];
  assign bu   = tb * pos;
  assign mant = frac ? (ta + 24'(bu >> UB)) : 24'h400000;

  // etop = biased exponent of mant bit 23 = 15 + k + 1, k = -n - frac
  logic [7:0] etop;
  assign etop = 8'd16 - 8'(n) - 8'(frac);

  logic [15:0] rounded;
  fp_round #(.ExpW(5), .ManW(10), .SigW(24), .EW(8)) u_round (
    .sign_i(1'b0), .etop_i(etop), .sig_i(mant), .y_o(rounded)
  );

  always_comb begin
    if (is_nan || (!sgn && !is_zero)) p_o = 16'h7E00;
    else if (is_inf || big)           p_o = 16'h0000;
    else                              p_o = rounded;
  end
endmodule
