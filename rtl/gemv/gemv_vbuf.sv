// The vector buffer of a GEMV row: two halves of Depth words of Width bits each (the stationary vector
// being used and the next one being loaded; entry = half * Depth + word). A write is seen by a read in the
// next cycle. The read is a balanced tree of 2:1 multiplexers on the entry index (root: its top bit),
// stated explicitly: an indexed part-select of the whole buffer is mapped by Yosys through a generic
// shifter of Entries x Width bits that it builds and then prunes, which took tens of seconds per row in
// `make area` (docs/area.md). An index past the last entry reads zero (the core never issues one).
`default_nettype none

module gemv_vbuf #(
  parameter  int Depth = 8,    // words per half, 2 .. 256
  parameter  int Width = 256,  // bits per word
  localparam int WordW = $clog2(Depth)
) (
  input  wire              clk_i,
  input  wire              wr_en_i,
  input  wire              wr_buf_i,
  input  wire  [WordW-1:0] wr_word_i,
  input  wire  [Width-1:0] wr_data_i,
  input  wire              rd_buf_i,
  input  wire  [WordW-1:0] rd_word_i,
  output logic [Width-1:0] rd_data_o
);
  localparam int Entries = 2 * Depth;
  localparam int IdxW    = $clog2(Entries);
  localparam int Leaves  = 1 << IdxW;  // the tree's leaves: the entries, then zeros

  logic [IdxW-1:0] wr_idx, rd_idx;
  assign wr_idx = (wr_buf_i ? IdxW'(Depth) : IdxW'(0)) + IdxW'(wr_word_i);
  assign rd_idx = (rd_buf_i ? IdxW'(Depth) : IdxW'(0)) + IdxW'(rd_word_i);

  // node k of the tree at [k*Width +: Width]: k = 0 the root, children 2k + 1 (index bit 0) and 2k + 2
  // (bit 1), leaf e at Leaves - 1 + e
  logic [(2*Leaves-1)*Width-1:0] node /* verilator split_var */;
  for (genvar e = 0; e < Leaves; e++) begin : g_leaf
    if (e < Entries) begin : g_entry
      logic [Width-1:0] q;
      always_ff @(posedge clk_i) begin
        if (wr_en_i && (wr_idx == IdxW'(e))) q <= wr_data_i;
      end
      assign node[(Leaves-1+e)*Width +: Width] = q;
    end else begin : g_pad
      assign node[(Leaves-1+e)*Width +: Width] = '0;
    end
  end
  for (genvar k = 0; k < Leaves - 1; k++) begin : g_mux
    localparam int Bit = IdxW - $clog2(k + 2);  // the root (level 0) selects on the top bit
    assign node[k*Width +: Width] = rd_idx[Bit] ? node[(2*k+2)*Width +: Width] : node[(2*k+1)*Width +: Width];
  end
  assign rd_data_o = node[0 +: Width];
endmodule
