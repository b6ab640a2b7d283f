// Fused FP16 x FP16 + FP32 -> FP32: exact product, one rounding in the FP32 adder.
// Co-simulation and synthesis top: fp_pipe (combinational core + Stages output pipeline registers).
`default_nettype none

module fp16_mac32 #(
  parameter int Stages = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         valid_i,
  input  wire  [15:0] a_i,
  input  wire  [15:0] b_i,
  input  wire  [31:0] c_i,
  output logic        valid_o,
  output logic [31:0] y_o
);
  fp_pipe #(
    .Mul(1), .Add(1), .InExpW(5), .InManW(10), .OutExpW(8), .OutManW(23), .Stages(Stages)
  ) u_fp (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(valid_i),
    .a_i    (a_i),
    .b_i    (b_i),
    .c_i    (c_i),
    .valid_o(valid_o),
    .y_o    (y_o)
  );
endmodule
