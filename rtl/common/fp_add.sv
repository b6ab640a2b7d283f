// IEEE add, round to nearest even, subnormals, canonical NaN. Combinational.
// Mirrors csim/fp.c fp_add(): swap by magnitude, align the smaller operand with three extra bits
// (guard, round, sticky), add or subtract, then fp_round.
`include "pim_assert.svh"
`default_nettype none

module fp_add #(
  parameter int ExpW = 5,
  parameter int ManW = 10
) (
  input  wire  [ExpW+ManW:0] a_i,
  input  wire  [ExpW+ManW:0] b_i,
  output logic [ExpW+ManW:0] y_o
);
  `PIM_PARAM_CHECK(exp_w, ExpW >= 2, "fp_add: ExpW must be at least 2")
  `PIM_PARAM_CHECK(man_w, ManW >= 2, "fp_add: ManW must be at least 2")

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

  logic [N-1:0] rounded;
  fp_round #(.ExpW(ExpW), .ManW(ManW), .SigW(SigW), .EW(EW)) u_round (
    .sign_i (x[N-1]),
    .etop_i (etop),
    .sig_i  (sum),
    .y_o    (rounded)
  );

  logic is_nan;
  assign is_nan = a_nan | b_nan | (a_inf & b_inf & (a_i[N-1] ^ b_i[N-1]));
  assign y_o = is_nan      ? {1'b0, {ExpW{1'b1}}, 1'b1, {(ManW-1){1'b0}}} :  // canonical qNaN
               a_inf       ? a_i :
               b_inf       ? b_i :
               (sum == '0) ? {x[N-1] & y[N-1], {(N-1){1'b0}}} :             // x + (-x) = +0
                             rounded;
endmodule
