// IEEE multiply, round to nearest even, subnormals, canonical NaN. Combinational.
// Input and output formats may differ: FP16 x FP16 -> FP32 is exact (the rounding never fires).
// Mirrors csim/fp.c fp_mul(): integer product of the significands, exponent of its top bit (fp_mul_raw),
// fp_round and the special cases (fp_mul_pack).
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

  localparam int PW   = 2 * (InManW + 1);
  localparam int EW   = ((InExpW > OutExpW) ? InExpW : OutExpW) + 3;
  localparam int RawW = 3 + EW + PW;

  logic [RawW-1:0] raw;
  fp_mul_raw #(.InExpW(InExpW), .InManW(InManW), .OutExpW(OutExpW), .OutManW(OutManW)) u_raw (
    .a_i(a_i), .b_i(b_i), .raw_o(raw));
  fp_mul_pack #(.InExpW(InExpW), .InManW(InManW), .OutExpW(OutExpW), .OutManW(OutManW)) u_pack (
    .raw_i(raw), .y_o(y_o));
endmodule
