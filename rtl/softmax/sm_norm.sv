// Deferred normalisation as a co-simulation and synthesis top: o = o~ * (1/l) (FP32), the reciprocal
// from sm_recip + Stages output registers. With o~ = 1.0 the output is the reciprocal itself.
// Mirrors csim/softmax.c: fp_mul(FP32, FP32, o, sm_recip(l)).
`default_nettype none

module sm_norm #(
  parameter int Stages = 0
) (
  input  wire         clk_i,
  input  wire         rst_ni,
  input  wire         valid_i,
  input  wire  [31:0] a_i,      // l
  input  wire  [31:0] b_i,      // o~
  output logic        valid_o,
  output logic [31:0] y_o       // o
);
  logic [31:0] rl, o;
  sm_recip u_recip (.l_i(a_i), .y_o(rl));
  fp_mul #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_mul (.a_i(b_i), .b_i(rl), .y_o(o));

  pipe_reg #(.Width(32), .Stages(Stages)) u_pipe (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(valid_i),
    .data_i (o),
    .valid_o(valid_o),
    .data_o (y_o)
  );
endmodule
