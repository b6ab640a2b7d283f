// Balanced FP32 adder tree over Lanes values, level by level: ((v0+v1)+(v2+v3))+... (combinational).
// Mirrors the lane reduction of csim/softmax.c sm_row(). Lanes = 1 passes the value through.
`include "pim_assert.svh"
`default_nettype none

module sm_tree_sum #(
  parameter int Lanes = 4  // 1, 2, 4, 8, 16
) (
  input  wire  [Lanes*32-1:0] lanes_i,
  output logic [31:0]         sum_o
);
  `PIM_PARAM_CHECK(lanes, Lanes == 1 || Lanes == 2 || Lanes == 4 || Lanes == 8 || Lanes == 16,
                   "sm_tree_sum: Lanes must be 1, 2, 4, 8 or 16")

  // nodes: the Lanes inputs, then each level's sums; level lv starts at 2*Lanes - (2*Lanes >> lv)
  logic [(2*Lanes-1)*32-1:0] t /* verilator split_var */;
  assign t[Lanes*32-1:0] = lanes_i;
  for (genvar lv = 0; (Lanes >> lv) > 1; lv++) begin : g_level
    for (genvar k = 0; k < (Lanes >> (lv + 1)); k++) begin : g_add
      localparam int In  = 2 * Lanes - ((2 * Lanes) >> lv);
      localparam int Out = 2 * Lanes - ((2 * Lanes) >> (lv + 1));
      fp_add #(.ExpW(8), .ManW(23)) u_add (
        .a_i(t[(In + 2*k)*32 +: 32]), .b_i(t[(In + 2*k + 1)*32 +: 32]), .y_o(t[(Out + k)*32 +: 32]));
    end
  end
  assign sum_o = t[(2*Lanes-2)*32 +: 32];
endmodule
