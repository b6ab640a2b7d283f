// Power-of-two scaling for the split-K merge: y = x * 2^k (FP32, RNE; exact unless the result is
// subnormal or overflows), k a signed 32-bit integer clamped to [-512, 512] (changes no result).
// Zero and Inf pass with their sign; NaN -> canonical NaN. Mirrors csim/fp.c fp32_scale2().
`default_nettype none

module sm_scale2 (
  input  wire  [31:0] x_i,
  input  wire  [31:0] k_i,
  output logic [31:0] y_o
);
  logic [7:0] e;
  logic       is_zero, is_nan, is_special;
  assign e          = x_i[30:23];
  assign is_zero    = (e == 8'd0) && (x_i[22:0] == 23'd0);
  assign is_nan     = (e == 8'hFF) && (x_i[22:0] != 23'd0);
  assign is_special = (e == 8'hFF) || is_zero;

  logic [7:0]  eeff;
  logic [11:0] kc, etop;
  assign eeff = (e == 8'd0) ? 8'd1 : e;
  assign kc   = ($signed(k_i) < -32'sd512) ? -12'sd512 :
                ($signed(k_i) >  32'sd512) ?  12'sd512 : k_i[11:0];
  assign etop = 12'(eeff) + kc;

  logic [31:0] rounded;
  fp_round #(.ExpW(8), .ManW(23), .SigW(24), .EW(12)) u_round (
    .sign_i(x_i[31]), .etop_i(etop), .sig_i({(e != 8'd0), x_i[22:0]}), .y_o(rounded)
  );

  assign y_o = is_nan ? 32'h7FC0_0000 : (is_special ? x_i : rounded);
endmodule
