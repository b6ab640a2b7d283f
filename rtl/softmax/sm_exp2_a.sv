// First half of sm_exp2 (combinational): |y| to fixed point, the piece index and its table entry.
//   st_o = {code[1:0], etop[7:0], frac, ta[23:0], tb[23:0], pos[19-log2(Pieces):0]}, code: 0 the rounded
//   value, 1 canonical NaN, 2 +0. sm_exp2_b and sm_exp2_c finish it; sm_exp2 is the three in series.
`include "pim_assert.svh"
`default_nettype none

module sm_exp2_a #(
  parameter  int Pieces = 16,  // 4, 8, 16, 32 or 64
  localparam int StW    = 2 + 8 + 1 + 48 + 20 - $clog2(Pieces)
) (
  input  wire  [31:0]    y_i,
  output logic [StW-1:0] st_o
);
  `PIM_PARAM_CHECK(pieces, Pieces == 4 || Pieces == 8 || Pieces == 16 || Pieces == 32 || Pieces == 64,
                   "sm_exp2_a: Pieces must be 4, 8, 16, 32 or 64")

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

  // etop = biased exponent of the mantissa's bit 23 = 15 + k + 1, k = -n - frac
  logic [7:0] etop;
  assign etop = 8'd16 - 8'(n) - 8'(frac);

  logic [1:0] code;
  assign code = (is_nan || (!sgn && !is_zero)) ? 2'd1 : (is_inf || big) ? 2'd2 : 2'd0;
  assign st_o = {code, etop, frac, ta, tb, g[UB-1:0]};
endmodule
