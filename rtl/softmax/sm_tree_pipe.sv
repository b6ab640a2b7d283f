// Balanced FP32 adder tree over Lanes values, level by level, ((v0+v1)+(v2+v3))+... (the lane reduction of
// csim/softmax.c sm_row()), each add split over two stages (fp_add_pre, a register, fp_add_post, a
// register). Latency 2*log2(Lanes) clocks (0 for Lanes = 1: the value passes through). No enable and no
// valid: a wave pipeline; the softmax unit knows in which clock sum_o holds the sum of the lanes_i of
// 2*log2(Lanes) clocks before.
`include "pim_assert.svh"
`default_nettype none

module sm_tree_pipe #(
  parameter int Lanes = 4  // 1, 2, 4, 8, 16
) (
  input  wire                 clk_i,
  input  wire  [Lanes*32-1:0] lanes_i,
  output logic [31:0]         sum_o
);
  `PIM_PARAM_CHECK(lanes, Lanes == 1 || Lanes == 2 || Lanes == 4 || Lanes == 8 || Lanes == 16,
                   "sm_tree_pipe: Lanes must be 1, 2, 4, 8 or 16")
  localparam int PreW = 2 + 1 + 1 + 11 + 28;
  // nodes: the Lanes inputs, then each level's sums; level lv starts at 2*Lanes - (2*Lanes >> lv)
  logic [(2*Lanes-1)*32-1:0] t /* verilator split_var */;
  assign t[Lanes*32-1:0] = lanes_i;
  for (genvar lv = 0; (Lanes >> lv) > 1; lv++) begin : g_level
    for (genvar k = 0; k < (Lanes >> (lv + 1)); k++) begin : g_add
      localparam int In  = 2 * Lanes - ((2 * Lanes) >> lv);
      localparam int Out = 2 * Lanes - ((2 * Lanes) >> (lv + 1));
      logic [PreW-1:0] pre, pre_q;
      logic [31:0]     sum, sum_q;
      fp_add_pre #(.ExpW(8), .ManW(23)) u_pre (
        .a_i(t[(In + 2*k)*32 +: 32]), .b_i(t[(In + 2*k + 1)*32 +: 32]), .pre_o(pre));
      fp_add_post #(.ExpW(8), .ManW(23)) u_post (.pre_i(pre_q), .y_o(sum));
      always_ff @(posedge clk_i) begin
        pre_q <= pre;
        sum_q <= sum;
      end
      assign t[(Out + k)*32 +: 32] = sum_q;
    end
  end
  assign sum_o = t[(2*Lanes-2)*32 +: 32];
  if (Lanes == 1) begin : g_pass
    // verilator lint_off UNUSEDSIGNAL
    logic unused_clk;
    assign unused_clk = clk_i;
    // verilator lint_on UNUSEDSIGNAL
  end
endmodule
