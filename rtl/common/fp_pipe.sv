// One FP operation as a co-simulation and synthesis unit: a combinational core + Stages output pipeline
// registers (pipe_reg). The thin tops fp16_mul, fp16_mul32, fp16_add, fp32_add and fp16_mac32 pick the
// operation and the formats; everything else lives here.
//   Mul = 1, Add = 0: y = a * b   (fp_mul, In format -> Out format; FP16 x FP16 -> FP32 is exact)
//   Mul = 0, Add = 1: y = a + b   (fp_add; In format = Out format)
//   Mul = 1, Add = 1: y = a * b + c, fused: the product in the Out format (exact when it is wide enough,
//                     as FP16 -> FP32), one rounding in the Out-format adder
// c_i is read only when Mul = Add = 1. Internal signals for waveforms: y_d (the core's result),
// g_core.u_core.u_round (the rounding step of the result), u_pipe.
`include "pim_assert.svh"
`default_nettype none

module fp_pipe #(
  parameter int Mul     = 1,
  parameter int Add     = 0,
  parameter int InExpW  = 5,
  parameter int InManW  = 10,
  parameter int OutExpW = 5,
  parameter int OutManW = 10,
  parameter int Stages  = 0
) (
  input  wire                      clk_i,
  input  wire                      rst_ni,
  input  wire                      valid_i,
  input  wire  [InExpW+InManW:0]   a_i,
  input  wire  [InExpW+InManW:0]   b_i,
  input  wire  [OutExpW+OutManW:0] c_i,
  output logic                     valid_o,
  output logic [OutExpW+OutManW:0] y_o
);
  localparam int OutW = OutExpW + OutManW + 1;

  `PIM_PARAM_CHECK(mul, Mul == 0 || Mul == 1, "fp_pipe: Mul must be 0 or 1")
  `PIM_PARAM_CHECK(add, Add == 0 || Add == 1, "fp_pipe: Add must be 0 or 1")
  `PIM_PARAM_CHECK(op, Mul == 1 || Add == 1, "fp_pipe: at least one of Mul and Add must be 1")
  `PIM_PARAM_CHECK(add_fmt, Mul == 1 || (InExpW == OutExpW && InManW == OutManW),
                   "fp_pipe: an add (Mul = 0) has the same In and Out formats")

  logic [OutW-1:0] y_d;
  if (Mul != 0 && Add != 0) begin : g_core
    logic [OutW-1:0] p;
    fp_mul #(.InExpW(InExpW), .InManW(InManW), .OutExpW(OutExpW), .OutManW(OutManW)) u_mul (
      .a_i(a_i), .b_i(b_i), .y_o(p));
    fp_add #(.ExpW(OutExpW), .ManW(OutManW)) u_core (.a_i(p), .b_i(c_i), .y_o(y_d));
  end else if (Mul != 0) begin : g_core
    fp_mul #(.InExpW(InExpW), .InManW(InManW), .OutExpW(OutExpW), .OutManW(OutManW)) u_core (
      .a_i(a_i), .b_i(b_i), .y_o(y_d));
  end else begin : g_core
    fp_add #(.ExpW(OutExpW), .ManW(OutManW)) u_core (.a_i(a_i), .b_i(b_i), .y_o(y_d));
  end
  if (Mul == 0 || Add == 0) begin : g_no_c
    // verilator lint_off UNUSEDSIGNAL
    logic unused_c;
    assign unused_c = ^c_i;
    // verilator lint_on UNUSEDSIGNAL
  end

  pipe_reg #(.Width(OutW), .Stages(Stages)) u_pipe (
    .clk_i  (clk_i),
    .rst_ni (rst_ni),
    .valid_i(valid_i),
    .data_i (y_d),
    .valid_o(valid_o),
    .data_o (y_o)
  );
endmodule
