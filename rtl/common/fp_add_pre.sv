// The first half of fp_add: special cases, swap by magnitude, alignment (guard, round, sticky) and the
// add or subtract, as one word for a pipeline register. fp_add_post finishes it (normalise, round, the
// special results); fp_add is the two in series, so a unit that splits an add over two stages computes
// the same bits. Combinational.
//   pre_o = {code[1:0], zero_sign, sign, etop[EW-1:0], sum[SigW-1:0]}, code: 0 the rounded sum (zero
//   when sum = 0: +0, or -0 when both operands are negative), 1 the canonical qNaN, 2 an infinity of sign
//   `sign`; EW = ExpW + 3, SigW = ManW + 5 (fp_add_post's PreW).
`include "pim_assert.svh"
`default_nettype none

module fp_add_pre #(
  parameter  int ExpW = 5,
  parameter  int ManW = 10,
  localparam int PreW = 2 + 1 + 1 + (ExpW + 3) + (ManW + 5)
) (
  input  wire  [ExpW+ManW:0] a_i,
  input  wire  [ExpW+ManW:0] b_i,
  output logic [PreW-1:0]    pre_o
);
  `PIM_PARAM_CHECK(exp_w, ExpW >= 2, "fp_add_pre: ExpW must be at least 2")
  `PIM_PARAM_CHECK(man_w, ManW >= 2, "fp_add_pre: ManW must be at least 2")

  localparam int N    = ExpW + ManW + 1;
  localparam int SigW = ManW + 5;         // carry + hidden + fraction + guard/round/sticky
  localparam int EW   = ExpW + 3;
  localparam int DW   = $clog2(ManW + 6);

  logic a_nan, b_nan, a_inf, b_inf;
  assign a_nan = (&a_i[N-2 -: ExpW]) & (|a_i[ManW-1:0]);
  assign b_nan = (&b_i[N-2 -: ExpW]) & (|b_i[ManW-1:0]);
  assign a_inf = (&a_i[N-2 -: ExpW]) & ~(|a_i[ManW-1:0]);
  assign b_inf = (&b_i[N-2 -: ExpW]) & ~(|b_i[ManW-1:0]);

  // x: the operand of larger magnitude. The exponent difference both ways and both exponents + 1 are
  // computed beside the magnitude comparison and selected by it.
  logic          swap;
  logic [N-1:0]  x, y;
  assign swap = a_i[N-2:0] < b_i[N-2:0];
  assign x    = swap ? b_i : a_i;
  assign y    = swap ? a_i : b_i;

  logic [ExpW-1:0] ea, eb, d;
  logic [ManW:0]   mx, my;
  logic [EW-1:0]   etop;
  assign ea   = (|a_i[N-2 -: ExpW]) ? a_i[N-2 -: ExpW] : ExpW'(1);  // subnormals use exponent 1
  assign eb   = (|b_i[N-2 -: ExpW]) ? b_i[N-2 -: ExpW] : ExpW'(1);
  assign d    = swap ? eb - ea : ea - eb;
  assign etop = swap ? EW'(eb) + EW'(1) : EW'(ea) + EW'(1);
  assign mx   = {|x[N-2 -: ExpW], x[ManW-1:0]};
  assign my   = {|y[N-2 -: ExpW], y[ManW-1:0]};

  // Align y with three extra bits; the bits shifted out OR into the lowest (sticky), found with a mask
  // of the dropped positions rather than by shifting back.
  logic [DW-1:0]   dc;
  logic [ManW+3:0] my_ext, my_shr, my_al, drop;
  assign dc     = (d > ExpW'(ManW + 5)) ? DW'(ManW + 5) : d[DW-1:0];
  assign my_ext = {my, 3'b000};
  assign my_shr = my_ext >> dc;
  assign drop   = ~({(ManW+4){1'b1}} << dc);
  assign my_al  = my_shr | (ManW+4)'(|(my_ext & drop));

  logic [SigW-1:0] sum;
  assign sum = (x[N-1] == y[N-1]) ? {1'b0, mx, 3'b000} + {1'b0, my_al}
                                  : {1'b0, mx, 3'b000} - {1'b0, my_al};

  logic       is_nan;
  logic [1:0] code;
  logic       sign;
  assign is_nan = a_nan | b_nan | (a_inf & b_inf & (a_i[N-1] ^ b_i[N-1]));
  assign code   = is_nan ? 2'd1 : (a_inf | b_inf) ? 2'd2 : 2'd0;
  assign sign   = a_inf ? a_i[N-1] : b_inf ? b_i[N-1] : x[N-1];
  assign pre_o  = {code, x[N-1] & y[N-1], sign, etop, sum};
endmodule
