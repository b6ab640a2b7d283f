// IEEE multiply, round to nearest even, subnormals, canonical NaN. Combinational.
// Input and output formats may differ: FP16 x FP16 -> FP32 is exact (the rounding never fires).
// Mirrors csim/fp.c fp_mul(): integer product of the significands, exponent of its top bit, fp_round.
`include "pim_assert.svh"
`default_nettype none

module fp_mul #(
  parameter int InExpW  = 5,
  parameter int InManW  = 10,
  parameter int OutExpW = 5,
  parameter int OutManW = 10
) (
  input  wire  [InExpW+InManW:0]   a_i,
  input  wire  [InExpW+InManW:0]   b_i,
  output logic [OutExpW+OutManW:0] y_o
);
  `PIM_PARAM_CHECK(in_fmt, InExpW >= 2 && InManW >= 1, "fp_mul: InExpW must be at least 2, InManW at least 1")
  `PIM_PARAM_CHECK(out_fmt, OutExpW >= 2 && OutManW >= 2, "fp_mul: OutExpW and OutManW must be at least 2")

  localparam int NI     = InExpW + InManW + 1;
  localparam int NO     = OutExpW + OutManW + 1;
  localparam int PW     = 2 * (InManW + 1);
  localparam int EW     = ((InExpW > OutExpW) ? InExpW : OutExpW) + 3;
  localparam int BiasI  = (1 << (InExpW - 1)) - 1;
  localparam int BiasO  = (1 << (OutExpW - 1)) - 1;

  logic [InExpW-1:0] ea, eb;
  assign ea = a_i[NI-2 -: InExpW];
  assign eb = b_i[NI-2 -: InExpW];

  logic a_nan, b_nan, a_inf, b_inf, a_zero, b_zero;
  assign a_nan  = (&ea) & (|a_i[InManW-1:0]);
  assign b_nan  = (&eb) & (|b_i[InManW-1:0]);
  assign a_inf  = (&ea) & ~(|a_i[InManW-1:0]);
  assign b_inf  = (&eb) & ~(|b_i[InManW-1:0]);
  assign a_zero = ~(|a_i[NI-2:0]);
  assign b_zero = ~(|b_i[NI-2:0]);

  logic          s;
  logic [PW-1:0] prod;
  logic [EW-1:0] etop;
  assign s    = a_i[NI-1] ^ b_i[NI-1];
  assign prod = PW'({|ea, a_i[InManW-1:0]}) * PW'({|eb, b_i[InManW-1:0]});
  logic [InExpW-1:0] ea_eff, eb_eff;           // subnormals use exponent 1
  assign ea_eff = (|ea) ? ea : InExpW'(1);
  assign eb_eff = (|eb) ? eb : InExpW'(1);
  assign etop   = EW'(ea_eff) + EW'(eb_eff) - EW'(2 * BiasI - 1 - BiasO);

  logic [NO-1:0] rounded;
  fp_round #(.ExpW(OutExpW), .ManW(OutManW), .SigW(PW), .EW(EW)) u_round (
    .sign_i (s),
    .etop_i (etop),
    .sig_i  (prod),
    .y_o    (rounded)
  );

  logic is_nan;
  assign is_nan = a_nan | b_nan | (a_inf & b_zero) | (a_zero & b_inf);
  assign y_o = is_nan            ? {1'b0, {OutExpW{1'b1}}, 1'b1, {(OutManW-1){1'b0}}} :
               (a_inf | b_inf)   ? {s, {OutExpW{1'b1}}, {OutManW{1'b0}}} :
               (a_zero | b_zero) ? {s, {(NO-1){1'b0}}} :
                                   rounded;
endmodule
