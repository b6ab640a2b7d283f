// FP32 x * 2^k (the split-K merge's rescale) as a co-simulation and synthesis top: core sm_scale2 +
// Stages output registers. b_i is k, a signed 32-bit integer. Mirrors csim/fp.c fp32_scale2().
`default_nettype none

module fp32_scale2 #(
  parameter int Stages = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         valid_i,
  input  wire  [31:0] a_i,      // x
  input  wire  [31:0] b_i,      // k
  output logic        valid_o,
  output logic [31:0] y_o
);
  logic [31:0] y;
  sm_scale2 u_core (.x_i(a_i), .k_i(b_i), .y_o(y));

  pipe_reg #(.Width(32), .Stages(Stages)) u_pipe (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(valid_i),
    .data_i (y),
    .valid_o(valid_o),
    .data_o (y_o)
  );
endmodule
