// IEEE add, round to nearest even, subnormals, canonical NaN. Combinational.
// Mirrors csim/fp.c fp_add(): swap by magnitude, align the smaller operand with three extra bits
// (guard, round, sticky), add or subtract (fp_add_pre), then normalise and round (fp_add_post,
// fp_round). A pipelined unit may put a register between the two halves.
`include "pim_assert.svh"
`default_nettype none

module fp_add #(
  parameter int ExpW = 5,
  parameter int ManW = 10
) (
  input  wire  [ExpW+ManW:0] a_i,
  input  wire  [ExpW+ManW:0] b_i,
  output logic [ExpW+ManW:0] y_o
);
  localparam int PreW = 2 + 1 + 1 + (ExpW + 3) + (ManW + 5);
  logic [PreW-1:0] pre;
  fp_add_pre  #(.ExpW(ExpW), .ManW(ManW)) u_pre  (.a_i(a_i), .b_i(b_i), .pre_o(pre));
  fp_add_post #(.ExpW(ExpW), .ManW(ManW)) u_post (.pre_i(pre), .y_o(y_o));
endmodule
