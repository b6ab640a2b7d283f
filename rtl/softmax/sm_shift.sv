// Merge rescale exponent: for integer-valued FP32 a <= b, k = a - b as an integer saturated to
// [-512, 0] (the FP32 difference is exact below 2^24 and beyond it the rescale is -512 anyway).
// +-0 -> 0; a difference of magnitude >= 512, Inf or NaN -> -512. Mirrors csim/softmax.c sm_shift().
// fp_add, then sm_shift_mag (the softmax unit registers inside the add and between the two).
`default_nettype none
module sm_shift (
  input  wire  [31:0] a_i,
  input  wire  [31:0] b_i,
  output logic [31:0] k_o
);
  logic [31:0] dlt;
  fp_add #(.ExpW(8), .ManW(23)) u_sub (.a_i(a_i), .b_i({~b_i[31], b_i[30:0]}), .y_o(dlt));
  sm_shift_mag u_mag (.dlt_i(dlt), .k_o(k_o));
endmodule
