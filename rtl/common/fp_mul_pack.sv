// Second half of fp_mul: rounds fp_mul_raw's exact product (raw_i, same parameters) into the Out format,
// round to nearest even, subnormals, canonical NaN. Combinational.
`include "pim_assert.svh"
`default_nettype none

module fp_mul_pack #(
  parameter  int InExpW  = 5,
  parameter  int InManW  = 10,
  parameter  int OutExpW = 5,
  parameter  int OutManW = 10,
  localparam int PW      = 2 * (InManW + 1),
  localparam int EW      = ((InExpW > OutExpW) ? InExpW : OutExpW) + 3,
  localparam int RawW    = 3 + EW + PW
) (
  input  wire  [RawW-1:0]          raw_i,
  output logic [OutExpW+OutManW:0] y_o
);
  `PIM_PARAM_CHECK(out_fmt, OutExpW >= 2 && OutManW >= 2, "fp_mul_pack: OutExpW and OutManW must be at least 2")

  localparam int NO = OutExpW + OutManW + 1;

  logic [1:0]    spec;
  logic          s;
  logic [EW-1:0] etop;
  logic [PW-1:0] prod;
  assign {spec, s, etop, prod} = raw_i;

  logic [NO-1:0] rounded;
  fp_round #(.ExpW(OutExpW), .ManW(OutManW), .SigW(PW), .EW(EW)) u_round (
    .sign_i (s),
    .etop_i (etop),
    .sig_i  (prod),
    .y_o    (rounded)
  );

  assign y_o = (spec == 2'd3) ? {1'b0, {OutExpW{1'b1}}, 1'b1, {(OutManW-1){1'b0}}} :
               (spec == 2'd2) ? {s, {OutExpW{1'b1}}, {OutManW{1'b0}}} :
               (spec == 2'd1) ? {s, {(NO-1){1'b0}}} :
                                rounded;
endmodule
