// First half of fp_mul (IEEE multiply): the exact product before rounding, as a flat word
//   raw_o = {spec[1:0], sign, etop[EW-1:0], prod[PW-1:0]}
// spec: 0 a finite nonzero product, 1 zero, 2 infinity, 3 NaN; etop: the biased Out-format exponent
// that bit PW-1 of prod would have (fp_round); PW = 2 * (InManW + 1), EW = max(InExpW, OutExpW) + 3.
// fp_mul_pack rounds it. fp_mul is the two back to back; a pipelined unit registers raw_o between them
// (gemv_row, Pipe = 1). Combinational.
`include "pim_assert.svh"
`default_nettype none

module fp_mul_raw #(
  parameter  int InExpW  = 5,
  parameter  int InManW  = 10,
  parameter  int OutExpW = 5,
  parameter  int OutManW = 10,
  localparam int PW      = 2 * (InManW + 1),
  localparam int EW      = ((InExpW > OutExpW) ? InExpW : OutExpW) + 3,
  localparam int RawW    = 3 + EW + PW
) (
  input  wire  [InExpW+InManW:0] a_i,
  input  wire  [InExpW+InManW:0] b_i,
  output logic [RawW-1:0]        raw_o
);
  `PIM_PARAM_CHECK(in_fmt, InExpW >= 2 && InManW >= 1, "fp_mul_raw: InExpW must be at least 2, InManW at least 1")
  `PIM_PARAM_CHECK(out_fmt, OutExpW >= 2 && OutManW >= 2, "fp_mul_raw: OutExpW and OutManW must be at least 2")

  localparam int NI    = InExpW + InManW + 1;
  localparam int BiasI = (1 << (InExpW - 1)) - 1;
  localparam int BiasO = (1 << (OutExpW - 1)) - 1;

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

  logic is_nan;
  logic [1:0] spec;
  assign is_nan = a_nan | b_nan | (a_inf & b_zero) | (a_zero & b_inf);
  assign spec   = is_nan ? 2'd3 : (a_inf | b_inf) ? 2'd2 : (a_zero | b_zero) ? 2'd1 : 2'd0;
  assign raw_o  = {spec, s, etop, prod};
endmodule
