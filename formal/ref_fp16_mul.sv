// Formal reference (make formal): FP16 x FP16 -> FP16 (Out32 = 0) or FP32 (Out32 = 1: exact, the rounding
// never changes a bit), described from the IEEE definition (exact product of the two values, then
// ref_round), with docs/numerics.md's special cases: the canonical NaN (0x7E00, 0x7FC00000) for any NaN
// operand and for 0 x Inf; Inf x finite = Inf; a zero operand gives a signed zero.
`default_nettype none

module ref_fp16_mul #(
  parameter int Out32 = 0
) (
  input  wire        clk_i,
  input  wire        rst_ni,
  input  wire        valid_i,
  input  wire [15:0] a_i,
  input  wire [15:0] b_i,
  output logic       valid_o,
  output logic [(Out32 ? 31 : 15):0] y_o
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
  localparam int ExpW = Out32 ? 8 : 5, ManW = Out32 ? 23 : 10, W = ExpW + ManW + 1;
  wire [W-1:0] rounded;
  ref_round #(.ExpW(ExpW), .ManW(ManW)) u_round (.sign_i(sa ^ sb), .m_i({25'd0, p}), .e_i(e), .y_o(rounded));
  assign valid_o = valid_i;
  assign y_o = (a_nan || b_nan || (a_inf && b_zero) || (b_inf && a_zero)) ? {1'b0, {ExpW{1'b1}}, 1'b1, {(ManW - 1){1'b0}}} :
               (a_inf || b_inf) ? {sa ^ sb, {ExpW{1'b1}}, {ManW{1'b0}}} :
               (a_zero || b_zero) ? {sa ^ sb, {(W - 1){1'b0}}} : rounded;
  wire unused = clk_i ^ rst_ni;
endmodule
