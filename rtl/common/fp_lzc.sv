// Leading-zero count as a balanced tree (log2 depth): cnt_o = the number of zeros above the highest set
// bit of v_i, Width when v_i is zero. Combinational. Used by the rounding step (fp_round) and the adder's
// normalisation (fp_add); a priority chain over the bits (the obvious loop) is Width muxes deep.
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

  // Level k node j covers bits [j*2^k +: 2^k]; z: all zero, c: its count (< 2^k unless all zero).
  // Level k+1 node j is computed in place from nodes 2j+1 (upper half) and 2j (lower half); node j of
  // level k is read by iteration j/2 <= j before iteration j overwrites it.
  function automatic [L-1:0] lzc_tree(input [P-1:0] v);
    reg [P-1:0]   z;
    reg [P*L-1:0] c;
    integer       k, j;
    begin
      for (j = 0; j < P; j = j + 1) begin
        z[j]         = ~v[j];
        c[j*L +: L]  = {L{1'b0}};
      end
      for (k = 0; k < L; k = k + 1) begin
        for (j = 0; j < (P >> (k + 1)); j = j + 1) begin
          c[j*L +: L] = z[2*j+1] ? (c[(2*j)*L +: L] | L'(1 << k)) : c[(2*j+1)*L +: L];
          z[j]        = z[2*j+1] & z[2*j];
        end
      end
      lzc_tree = c[L-1:0];
    end
  endfunction

  logic [P-1:0] v_pad;
  if (P == Width + 1) begin : g_pad1
    assign v_pad = {v_i, 1'b1};
  end else begin : g_pad
    assign v_pad = {v_i, 1'b1, {(P-Width-1){1'b0}}};
  end
  assign cnt_o = CntW'(lzc_tree(v_pad));
endmodule
