// FP16 + FP16 -> FP16, RNE.
// Co-simulation and synthesis top: fp_pipe (combinational core + Stages output pipeline registers).
`default_nettype none

module fp16_add #(
  parameter int Stages = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         valid_i,
  input  wire  [15:0] a_i,
  input  wire  [15:0] b_i,
  output logic        valid_o,
  output logic [15:0] y_o
);
  fp_pipe #(
    .Mul(0), .Add(1), .InExpW(5), .InManW(10), .OutExpW(5), .OutManW(10), .Stages(Stages)
  ) u_fp (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(valid_i),
    .a_i    (a_i),
    .b_i    (b_i),
    .c_i    (16'd0),
    .valid_o(valid_o),
    .y_o    (y_o)
  );
endmodule
