// FP32 + FP32 -> FP32, RNE.
// Top for co-simulation and synthesis: combinational core + Stages output pipeline registers.
`default_nettype none

module fp32_add #(
  parameter Stages = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         valid_i,
  input  wire  [31:0] a_i,
  input  wire  [31:0] b_i,
  output logic        valid_o,
  output logic [31:0] y_o
);
  logic [31:0] y_d;
  fp_add #(.ExpW(8), .ManW(23)) u_core (.a_i, .b_i, .y_o(y_d));

  pipe_reg #(.Width(32), .Stages(Stages)) u_pipe (
    .clk_i, .rst_ni, .valid_i, .data_i(y_d), .valid_o, .data_o(y_o)
  );
endmodule
