// One node of fp_lzc's tree: for a power-of-two Width, zero_o = (v_i == 0) and cnt_o = the number of
// zeros above the highest set bit of v_i (any value when v_i is zero). Built from two nodes of half the
// width: cnt = upper all zero ? {1, count of the lower half} : {0, count of the upper half}, so the
// depth is log2(Width) two-input multiplexers. Recursive instantiation rather than a loop over one flat
// bus: every node is a few small signals, which Verilator and Icarus evaluate quickly.
`include "pim_assert.svh"
`default_nettype none

module fp_lzc_node #(
  parameter  int Width = 32,  // a power of two, at least 2
  localparam int CntW  = $clog2(Width)
) (
  input  wire  [Width-1:0] v_i,
  output logic             zero_o,
  output logic [CntW-1:0]  cnt_o
);
  `PIM_PARAM_CHECK(width, Width >= 2 && (Width & (Width - 1)) == 0,
                   "fp_lzc_node: Width must be a power of two, at least 2")

  if (Width == 2) begin : g_leaf
    assign zero_o = ~v_i[1] & ~v_i[0];
    assign cnt_o  = ~v_i[1];
  end else begin : g_node
    localparam int H = Width / 2;
    logic            zero_hi, zero_lo;
    logic [CntW-2:0] cnt_hi, cnt_lo;
    fp_lzc_node #(.Width(H)) u_hi (.v_i(v_i[Width-1:H]), .zero_o(zero_hi), .cnt_o(cnt_hi));
    fp_lzc_node #(.Width(H)) u_lo (.v_i(v_i[H-1:0]),     .zero_o(zero_lo), .cnt_o(cnt_lo));
    assign zero_o = zero_hi & zero_lo;
    assign cnt_o  = zero_hi ? {1'b1, cnt_lo} : {1'b0, cnt_hi};
  end
endmodule
