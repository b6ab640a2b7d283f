// Merge rescale exponent: for integer-valued FP32 a <= b, k = a - b as an integer saturated to
// [-512, 0] (the FP32 difference is exact below 2^24 and beyond it the rescale is -512 anyway).
// +-0 -> 0; a difference of magnitude >= 512, Inf or NaN -> -512. Mirrors csim/softmax.c sm_shift().
`default_nettype none

module sm_shift (
  input  wire  [31:0] a_i,
  input  wire  [31:0] b_i,
  output logic [31:0] k_o
);
  logic [31:0] dlt;
  fp_add #(.ExpW(8), .ManW(23)) u_sub (.a_i(a_i), .b_i({~b_i[31], b_i[30:0]}), .y_o(dlt));

  logic [7:0]  e;
  logic [23:0] sig, mag;
  assign e   = dlt[30:23];
  assign sig = {1'b1, dlt[22:0]};
  assign mag = sig >> (8'd150 - e);  // e in 127..135: the integer |dlt|

  // verilator lint_off UNUSEDSIGNAL
  logic unused_sign;
  assign unused_sign = dlt[31];  // a <= b: the sign carries no information
  // verilator lint_on UNUSEDSIGNAL

  logic is_zero;
  assign is_zero = (dlt[30:0] == 31'd0);
  // |dlt| < 1 (e < 127) is not produced for integer-valued inputs: 0
  assign k_o = is_zero ? 32'd0 : (e >= 8'd136) ? -32'sd512 : (e < 8'd127) ? 32'd0 : 32'd0 - 32'(mag);
endmodule
