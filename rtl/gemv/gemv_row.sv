// One row of a GEMV bank unit: the vector buffer of one query head, 16 FP16 multipliers and 16 adders
// shared between the two modes, and Slots accumulators of 16 lanes.
//   score   (q.K^T): the 16 products of a K burst with query word `word` are reduced by a balanced tree
//           of 15 adders, ((p0+p1)+(p2+p3))+..., and the 16th adder accumulates: acc[slot] += tree.
//           The score accumulator lives in lane 15 of the slot.
//   context (p.V):   the probability at (word, elem) is broadcast to the 16 V lanes; adder i accumulates
//           lane i: acc[slot][i] += p * v[i].
// An empty slot (the first MAC of an accumulation) reads -0, the exact identity of the FP add.
// Stage S1 (inputs *_s1_i): buffer read and multiply -> product registers. Stage S2 (inputs *_s2_i):
// adder network and accumulator write. Both advance only when en_i is high.
// Mirrored by csim/gemv.c gemv_row_mac().
`include "pim_assert.svh"
`default_nettype none

module gemv_row #(
  parameter  int Depth   = 8,  // 16-element words per stationary vector (head dim / 16), 2 .. 256
  parameter  int Slots   = 4,  // accumulators, 1 .. 256
  parameter  int AccFp32 = 1,  // 1: exact FP32 products, FP32 adds; 0: FP16 products and adds
  localparam int AccW    = (AccFp32 != 0) ? 32 : 16,
  localparam int WordW   = $clog2(Depth),
  localparam int SlotW   = (Slots > 1) ? $clog2(Slots) : 1
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  en_i,
  // buffer write
  input  wire                  wr_en_i,
  input  wire                  wr_buf_i,
  input  wire  [WordW-1:0]     wr_word_i,
  input  wire  [255:0]         wr_data_i,
  // stage S1
  input  wire                  valid_s1_i,
  input  wire                  ctx_s1_i,
  input  wire                  buf_s1_i,
  input  wire  [WordW-1:0]     word_s1_i,
  input  wire  [3:0]           elem_s1_i,
  input  wire  [255:0]         burst_s1_i,
  // stage S2
  input  wire                  valid_s2_i,
  input  wire                  ctx_s2_i,
  input  wire  [SlotW-1:0]     slot_s2_i,
  input  wire                  first_s2_i,
  // adder outputs of this cycle's S2 command (score result in lane 15)
  output logic [16*AccW-1:0]   sum_o
);
  `PIM_PARAM_CHECK(depth, Depth >= 2 && Depth <= 256, "gemv_row: Depth must be 2 .. 256")
  `PIM_PARAM_CHECK(slots, Slots >= 1 && Slots <= 256, "gemv_row: Slots must be 1 .. 256")
  `PIM_PARAM_CHECK(acc_fp32, AccFp32 == 0 || AccFp32 == 1, "gemv_row: AccFp32 must be 0 or 1")

  localparam int Entries  = 2 * Depth;
  localparam int IdxW     = $clog2(Entries);
  localparam int LaneBits = 16 * AccW;
  localparam logic [AccW-1:0] NegZero = {1'b1, {(AccW-1){1'b0}}};

  // ---- vector buffer: two halves of Depth words ----
  logic [Entries*256-1:0] vbuf_q;
  logic [IdxW-1:0]        wr_idx, rd_idx;  // entry = half * Depth + word
  assign wr_idx = (wr_buf_i ? IdxW'(Depth) : IdxW'(0)) + IdxW'(wr_word_i);
  assign rd_idx = (buf_s1_i ? IdxW'(Depth) : IdxW'(0)) + IdxW'(word_s1_i);
  for (genvar e = 0; e < Entries; e++) begin : g_vbuf
    always_ff @(posedge clk_i) begin
      if (wr_en_i && (wr_idx == IdxW'(e))) begin
        vbuf_q[e*256 +: 256] <= wr_data_i;
      end
    end
  end

  // ---- S1: operand select and multiply ----
  logic [255:0] opw, opnd;
  logic [15:0]  prob;
  assign opw  = vbuf_q[rd_idx*256 +: 256];
  assign prob = opw[elem_s1_i*16 +: 16];
  assign opnd = ctx_s1_i ? {16{prob}} : opw;

  logic [LaneBits-1:0] prod_d, prod_q;
  for (genvar i = 0; i < 16; i++) begin : g_mul
    if (AccFp32 != 0) begin : g_exact
      fp_mul #(.InExpW(5), .InManW(10), .OutExpW(8), .OutManW(23)) u_mul (
        .a_i(burst_s1_i[i*16 +: 16]), .b_i(opnd[i*16 +: 16]), .y_o(prod_d[i*AccW +: AccW]));
    end else begin : g_half
      fp_mul #(.InExpW(5), .InManW(10), .OutExpW(5), .OutManW(10)) u_mul (
        .a_i(burst_s1_i[i*16 +: 16]), .b_i(opnd[i*16 +: 16]), .y_o(prod_d[i*AccW +: AccW]));
    end
  end

  always_ff @(posedge clk_i) begin
    if (en_i && valid_s1_i) prod_q <= prod_d;
  end

  // ---- S2: 16 shared adders, accumulators ----
  logic [Slots*LaneBits-1:0] acc_q;
  logic [LaneBits-1:0]       acc_rd;
  assign acc_rd = first_s2_i ? {16{NegZero}} : acc_q[slot_s2_i*LaneBits +: LaneBits];

  logic [LaneBits-1:0] add_a, add_b;
  logic [LaneBits-1:0] add_y /* verilator split_var */;
  for (genvar n = 0; n < 16; n++) begin : g_add
    if (n < 8) begin : g_leaf
      assign add_a[n*AccW +: AccW] = ctx_s2_i ? acc_rd[n*AccW +: AccW] : prod_q[(2*n)*AccW +: AccW];
      assign add_b[n*AccW +: AccW] = ctx_s2_i ? prod_q[n*AccW +: AccW] : prod_q[(2*n+1)*AccW +: AccW];
    end else if (n < 15) begin : g_inner
      assign add_a[n*AccW +: AccW] = ctx_s2_i ? acc_rd[n*AccW +: AccW] : add_y[(2*(n-8))*AccW +: AccW];
      assign add_b[n*AccW +: AccW] = ctx_s2_i ? prod_q[n*AccW +: AccW] : add_y[(2*(n-8)+1)*AccW +: AccW];
    end else begin : g_acc
      assign add_a[n*AccW +: AccW] = acc_rd[n*AccW +: AccW];
      assign add_b[n*AccW +: AccW] = ctx_s2_i ? prod_q[n*AccW +: AccW] : add_y[14*AccW +: AccW];
    end
    if (AccFp32 != 0) begin : g_f32
      fp_add #(.ExpW(8), .ManW(23)) u_add (
        .a_i(add_a[n*AccW +: AccW]), .b_i(add_b[n*AccW +: AccW]), .y_o(add_y[n*AccW +: AccW]));
    end else begin : g_f16
      fp_add #(.ExpW(5), .ManW(10)) u_add (
        .a_i(add_a[n*AccW +: AccW]), .b_i(add_b[n*AccW +: AccW]), .y_o(add_y[n*AccW +: AccW]));
    end
  end
  assign sum_o = add_y;

  // score writes lane 15 only; context writes all lanes
  for (genvar s = 0; s < Slots; s++) begin : g_slot
    for (genvar l = 0; l < 16; l++) begin : g_lane
      always_ff @(posedge clk_i) begin
        if (en_i && valid_s2_i && (slot_s2_i == SlotW'(s)) && (ctx_s2_i || l == 15)) begin
          acc_q[(s*16+l)*AccW +: AccW] <= add_y[l*AccW +: AccW];
        end
      end
    end
  end

  // verilator lint_off UNUSEDSIGNAL
  logic unused_rst;
  assign unused_rst = rst_ni;  // datapath registers need no reset: valid bits live in gemv_core
  // verilator lint_on UNUSEDSIGNAL
endmodule
