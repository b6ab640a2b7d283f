// Formal reference (make formal): FP16 x FP16 -> FP32 (exact: the rounding never changes a bit), described
// from the IEEE definition (exact product, then ref_round to FP32), with docs/numerics.md's special cases:
// canonical NaN 0x7FC00000; Inf x finite = Inf; a zero operand gives a signed zero.
`default_nettype none

module ref_fp16_mul32 (
  input  wire        clk_i,
  input  wire        rst_ni,
  input  wire        valid_i,
  input  wire [15:0] a_i,
  input  wire [15:0] b_i,
  output logic       valid_o,
  output logic [31:0] y_o
);
  wire sa = a_i[15], sb = b_i[15];
  wire [4:0] ea = a_i[14:10], eb = b_i[14:10];
  wire [9:0] fa = a_i[9:0], fb = b_i[9:0];
  wire a_nan = &ea && |fa, b_nan = &eb && |fb;
  wire a_inf = &ea && ~|fa, b_inf = &eb && ~|fb;
  wire a_zero = ~|ea && ~|fa, b_zero = ~|eb && ~|fb;
  // value = significand * 2^(effective exponent - 15 - 10); a subnormal's effective exponent is 1
  wire [10:0] ma = {|ea, fa}, mb = {|eb, fb};
  wire [21:0] p = ma * mb;
  wire signed [9:0] e = $signed({5'b00000, (|ea ? ea : 5'd1)}) + $signed({5'b00000, (|eb ? eb : 5'd1)}) - 10'sd50;
  wire [31:0] rounded;
  ref_round #(.ExpW(8), .ManW(23)) u_round (.sign_i(sa ^ sb), .m_i({25'd0, p}), .e_i(e), .y_o(rounded));
  assign valid_o = valid_i;
  assign y_o = (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) ? 32'h7FC00000 :
               (a_inf || b_inf) ? {sa ^ sb, 31'h7F800000} :
               (a_zero || b_zero) ? {sa ^ sb, 31'h0} : rounded;
  wire unused = clk_i ^ rst_ni;
endmodule
