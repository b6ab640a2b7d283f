// sm_shift's second step (combinational): k from the exact difference dlt = a - b of two integer-valued
// FP32 values, a <= b: -|dlt| as an integer saturated to -512; 0 for +-0.
`default_nettype none

module sm_shift_mag (
  input  wire  [31:0] dlt_i,
  output logic [31:0] k_o
);
  logic [7:0]  e;
  logic [23:0] sig, mag;
  assign e   = dlt_i[30:23];
  assign sig = {1'b1, dlt_i[22:0]};
  assign mag = sig >> (8'd150 - e);  // e in 127..135: the integer |dlt|
  // verilator lint_off UNUSEDSIGNAL
  logic unused_sign;
  assign unused_sign = dlt_i[31];  // a <= b: the sign carries no information
  // verilator lint_on UNUSEDSIGNAL
  logic is_zero;
  assign is_zero = (dlt_i[30:0] == 31'd0);
  // |dlt| < 1 (e < 127) is not produced for integer-valued inputs: 0
  assign k_o = is_zero ? 32'd0 : (e >= 8'd136) ? -32'sd512 : (e < 8'd127) ? 32'd0 : 32'd0 - 32'(mag);
endmodule
