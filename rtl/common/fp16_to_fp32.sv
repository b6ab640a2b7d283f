// FP16 -> FP32 widening (exact; combinational). NaN -> canonical 0x7FC00000; zeros and infinities keep
// their sign; subnormals are normalised by fp_round. Mirrors csim/fp.c fp_convert(FP16, FP32).
`default_nettype none

module fp16_to_fp32 (
  input  wire  [15:0] a_i,
  output logic [31:0] y_o
);
  logic [4:0] e;
  logic       is_zero, is_nan, is_inf;
  assign e       = a_i[14:10];
  assign is_zero = (e == 5'd0) && (a_i[9:0] == 10'd0);
  assign is_nan  = (e == 5'h1F) && (a_i[9:0] != 10'd0);
  assign is_inf  = (e == 5'h1F) && (a_i[9:0] == 10'd0);

  logic [4:0]  eeff;
  logic [9:0]  etop;
  logic [31:0] rounded;
  assign eeff = (e == 5'd0) ? 5'd1 : e;
  assign etop = 10'(eeff) + 10'd112;  // eeff - 15 + 127
  fp_round #(.ExpW(8), .ManW(23), .SigW(11), .EW(10)) u_round (
    .sign_i(a_i[15]), .etop_i(etop), .sig_i({(e != 5'd0), a_i[9:0]}), .y_o(rounded)
  );

  assign y_o = is_nan  ? 32'h7FC0_0000 :
               is_inf  ? {a_i[15], 8'hFF, 23'd0} :
               is_zero ? {a_i[15], 31'd0} : rounded;
endmodule
