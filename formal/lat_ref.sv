// Formal reference (make formal): a primitive with no pipeline registers (Stages = 0) followed by Lat
// registers on its result and valid bit, described here as a plain shift register: the timing a Stages = Lat
// build must have. Op: 0 fp16_mul, 1 fp16_add, 2 fp16_mul32, 3 fp32_add. The proof holds reset off and
// starts every register at 0 (make formal: after Lat cycles no initial value is left in either pipeline).
`default_nettype none

module lat_ref #(
  parameter int Op  = 0,
  parameter int Lat = 1,
  parameter int InW = 16,
  parameter int OutW = 16
) (
  input  wire            clk_i,
  input  wire            rst_ni,
  input  wire            valid_i,
  input  wire [InW-1:0]  a_i,
  input  wire [InW-1:0]  b_i,
  output logic           valid_o,
  output logic [OutW-1:0] y_o
);
  wire [OutW-1:0] y;
  wire v;
  if (Op == 0) begin : g_mul
    fp16_mul #(.Stages(0)) u (.clk_i, .rst_ni, .valid_i, .a_i, .b_i, .valid_o(v), .y_o(y));
  end else if (Op == 1) begin : g_add
    fp16_add #(.Stages(0)) u (.clk_i, .rst_ni, .valid_i, .a_i, .b_i, .valid_o(v), .y_o(y));
  end else if (Op == 2) begin : g_mul32
    fp16_mul32 #(.Stages(0)) u (.clk_i, .rst_ni, .valid_i, .a_i, .b_i, .valid_o(v), .y_o(y));
  end else begin : g_add32
    fp32_add #(.Stages(0)) u (.clk_i, .rst_ni, .valid_i, .a_i, .b_i, .valid_o(v), .y_o(y));
  end
  logic [OutW-1:0] sh [Lat];
  logic [Lat-1:0] vs;
  always @(posedge clk_i) begin
    sh[0] <= y;
    vs[0] <= v;
    for (int i = 1; i < Lat; i++) begin
      sh[i] <= sh[i-1];
      vs[i] <= vs[i-1];
    end
  end
  assign y_o = sh[Lat-1];
  assign valid_o = vs[Lat-1];
endmodule
