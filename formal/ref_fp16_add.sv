// Formal reference (make formal): FP16 + FP16 -> FP16, described from the IEEE definition (the exact sum as
// a signed integer over the smaller operand's quantum, then ref_round), with docs/numerics.md's special
// cases: canonical NaN 0x7E00 for a NaN operand and for Inf - Inf; Inf + finite = Inf; an exact zero sum
// is +0, except (-0) + (-0) = -0.
`default_nettype none

module ref_fp16_add (
  input  wire        clk_i,
  input  wire        rst_ni,
  input  wire        valid_i,
  input  wire [15:0] a_i,
  input  wire [15:0] b_i,
  output logic       valid_o,
  output logic [15:0] y_o
);
  wire sa = a_i[15], sb = b_i[15];
  wire [4:0] ea = a_i[14:10], eb = b_i[14:10];
  wire [9:0] fa = a_i[9:0], fb = b_i[9:0];
  wire a_nan = &ea && |fa, b_nan = &eb && |fb;
  wire a_inf = &ea && ~|fa, b_inf = &eb && ~|fb;
  wire [4:0] xa = |ea ? ea : 5'd1, xb = |eb ? eb : 5'd1;  // effective exponents
  wire [4:0] xm = xa < xb ? xa : xb;
  // each operand as a signed multiple of 2^(xm - 25): at most 11 + 29 bits
  wire signed [47:0] va = $signed({37'd0, |ea, fa} << (xa - xm));
  wire signed [47:0] vb = $signed({37'd0, |eb, fb} << (xb - xm));
  wire signed [47:0] sum = (sa ? -va : va) + (sb ? -vb : vb);
  wire [47:0] mag = sum < 0 ? -sum : sum;
  wire [15:0] rounded;
  ref_round #(.ExpW(5), .ManW(10)) u_round (.sign_i(sum < 0), .m_i(mag[46:0]), .e_i($signed({5'b00000, xm}) - 10'sd25), .y_o(rounded));
  assign valid_o = valid_i;
  assign y_o = (a_nan || b_nan || (a_inf && b_inf && sa != sb)) ? 16'h7E00 :
               a_inf ? {sa, 15'h7C00} : b_inf ? {sb, 15'h7C00} :
               (sum == 0) ? {sa & sb, 15'h0000} : rounded;
  wire unused = clk_i ^ rst_ni;
endmodule
