// Last step of sm_exp2 (combinational): sm_exp2_b's mantissa rounded to FP16 at exponent k (fp_round),
// or the special result sm_exp2_a found (code 1 canonical NaN, 2 +0).
`default_nettype none

module sm_exp2_c (
  input  wire  [33:0] st_i,
  output logic [15:0] p_o
);
  logic [1:0]  code;
  logic [7:0]  etop;
  logic [23:0] mant;
  assign {code, etop, mant} = st_i;

  logic [15:0] rounded;
  fp_round #(.ExpW(5), .ManW(10), .SigW(24), .EW(8)) u_round (
    .sign_i(1'b0), .etop_i(etop), .sig_i(mant), .y_o(rounded)
  );

  assign p_o = (code == 2'd1) ? 16'h7E00 : (code == 2'd2) ? 16'h0000 : rounded;
endmodule
