// sm_recip's last step (combinational): the reciprocal x2 (U1.30) rounded to FP32 at exponent etop
// (fp_round), or the special result sm_rcp_seed found.
`default_nettype none

module sm_rcp_round (
  input  wire  [1:0]  code_i,
  input  wire  [10:0] etop_i,
  input  wire  [30:0] x_i,
  output logic [31:0] y_o
);
  logic [31:0] rounded;
  fp_round #(.ExpW(8), .ManW(23), .SigW(31), .EW(11)) u_round (
    .sign_i(1'b0), .etop_i(etop_i), .sig_i(x_i), .y_o(rounded)
  );
  assign y_o = (code_i == 2'd1) ? 32'h7FC0_0000 : (code_i == 2'd2) ? 32'h7F80_0000 :
               (code_i == 2'd3) ? 32'h0000_0000 : rounded;
endmodule
