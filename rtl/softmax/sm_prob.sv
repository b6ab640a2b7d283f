// Softmax pass-2 datapath as a co-simulation and synthesis top: p = exp2(x - m) as FP16, where x is a
// scaled score and m the row's integer maximum (FP32 add, then sm_exp2) + Stages output registers.
// Mirrors csim/softmax.c: sm_exp2(Pieces, fp32_add(x, -m)).
`default_nettype none

module sm_prob #(
  parameter int Stages = 0,
  parameter int Pieces = 16
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         valid_i,
  input  wire  [31:0] a_i,      // x
  input  wire  [31:0] b_i,      // m
  output logic        valid_o,
  output logic [15:0] y_o       // p
);
  logic [31:0] y;
  logic [15:0] p;
  fp_add #(.ExpW(8), .ManW(23)) u_sub (.a_i(a_i), .b_i({~b_i[31], b_i[30:0]}), .y_o(y));
  sm_exp2 #(.Pieces(Pieces)) u_exp2 (.y_i(y), .p_o(p));

  pipe_reg #(.Width(16), .Stages(Stages)) u_pipe (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(valid_i),
    .data_i (p),
    .valid_o(valid_o),
    .data_o (y_o)
  );
endmodule
