// Leading-zero count as a balanced tree (log2 depth): cnt_o = the number of zeros above the highest set
// bit of v_i, Width when v_i is zero. Combinational. Used by the rounding step (fp_round) and the adder's
// normalisation (fp_add); a priority chain over the bits (the obvious loop) is Width muxes deep. The
// tree is fp_lzc_node.
`include "pim_assert.svh"
`default_nettype none

module fp_lzc #(
  parameter  int Width = 16,
  localparam int CntW  = $clog2(Width + 1)
) (
  input  wire  [Width-1:0] v_i,
  output logic [CntW-1:0]  cnt_o
);
  `PIM_PARAM_CHECK(width, Width >= 1, "fp_lzc: Width must be at least 1")

  // The input padded below with a 1 (then zeros) to a power of two: never all zero, and its count is
  // Width exactly when v_i is zero.
  localparam int L = $clog2(Width + 1);
  localparam int P = 1 << L;

  logic [P-1:0] v_pad;
  if (P == Width + 1) begin : g_pad1
    assign v_pad = {v_i, 1'b1};
  end else begin : g_pad
    assign v_pad = {v_i, 1'b1, {(P-Width-1){1'b0}}};
  end
  logic         zero;
  logic [L-1:0] cnt;
  fp_lzc_node #(.Width(P)) u_tree (.v_i(v_pad), .zero_o(zero), .cnt_o(cnt));
  assign cnt_o = CntW'(cnt);

  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = zero;  // never set: the padding holds a 1
  // verilator lint_on UNUSEDSIGNAL
endmodule
