// One row of an INT8 GEMV bank unit (csim/gemv.h, kv_fmt = GEMV_KV_INT8; csim/kvfmt.h's INT8 arithmetic):
// the vector buffer of one query head (2 halves x Depth words of 32 INT8, each word with an FP16 scale),
// 32 INT8 multipliers, a 32-input integer adder tree, Slots INT32 accumulators of 32 lanes (score: the
// dot in lane 0; context: the word's partials) and Slots FP32 accumulators of 32 lanes (context), and 32
// lanes of scaling: conversion to FP32, multiply by s = (word scale) x (block scale), and the FP32 add.
//   score   (q.K^T): dot[slot] += sum of the 32 products; with `last`, the result fp32(fp32(dot) x s).
//   context (p.V):   part[slot][i] += p8[elem] x v8[i]; with `apply` (wend or last) acc[slot][i] +=
//           fp32(fp32(part) x s) and part = 0.
// Mirrored by csim/gemv.c exec_i8() (same operations, same roundings).
//
// Stages (every register advances only when en_i is high; st_*_i[k] is the command in stage k, k = 0 the
// stage after S1; the unit's latency is gemv_core's, 13):
//   fire: buffer read (the word and its scale, the block scale from gemv_core) -> operand registers
//   S1:   32 multipliers, s = scale x block scale (FP16 x FP16, exact in FP32)
//   0, 1: the score tree (32 -> 8, then 8 -> 1); context products ride along
//   2:    the INT32 accumulators (read and written here: the next command sees the write)
//   3:    conversion to FP32 (rounded once |x| >= 2^24)
//   4, 5: the FP32 multiply (fp_mul_raw, fp_mul_pack)
//   6, 7: the FP32 add (fp_add_pre, fp_add_post) into the context accumulator, read in stage 6 and
//         written in stage 7: gemv_core never fires a MAC in the cycle after a MAC on the same slot
//   8..10: the result, delayed to the last stage (res_o: score lane 0, context 32 lanes)
`include "pim_assert.svh"
`default_nettype none

module gemv_row_i8 #(
  parameter  int Depth = 4,  // 32-element words per stationary vector (head dim / 32), 2 .. 256
  parameter  int Slots = 4,  // accumulators, 1 .. 256
  parameter  int NS    = 11, // stages after S1 (gemv_core's)
  localparam int WordW = $clog2(Depth),
  localparam int SlotW = (Slots > 1) ? $clog2(Slots) : 1
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  en_i,
  // buffer write, and a write of the scales of words scl_word_i .. + 15 (the 16 FP16 lanes of the beat)
  input  wire                  wr_en_i,
  input  wire                  scl_en_i,
  input  wire                  wr_buf_i,
  input  wire  [WordW-1:0]     wr_word_i,
  input  wire  [7:0]           scl_word_i,
  input  wire  [255:0]         wr_data_i,
  // buffer read of the command firing this cycle, and the block scale it uses
  input  wire                  rd_ctx_i,
  input  wire                  rd_buf_i,
  input  wire  [WordW-1:0]     rd_word_i,
  input  wire  [4:0]           rd_elem_i,
  input  wire  [15:0]          bscale_i,
  // S1
  input  wire  [255:0]         burst_s1_i,
  // the commands of the later stages
  input  wire  [NS-1:0]        st_valid_i,
  input  wire  [NS-1:0]        st_ctx_i,
  input  wire  [NS-1:0]        st_first_i,   // the accumulation's first MAC
  input  wire  [NS-1:0]        st_afirst_i,  // context: no partial applied yet in this accumulation
  input  wire  [NS-1:0]        st_apply_i,   // context: wend or last
  input  wire  [NS*SlotW-1:0]  st_slot_i,
  output logic [32*32-1:0]     res_o
);
  `PIM_PARAM_CHECK(depth, Depth >= 2 && Depth <= 256, "gemv_row_i8: Depth must be 2 .. 256")
  `PIM_PARAM_CHECK(slots, Slots >= 1 && Slots <= 256, "gemv_row_i8: Slots must be 1 .. 256")
  `PIM_PARAM_CHECK(ns, NS >= 11, "gemv_row_i8: NS must be at least 11")

  localparam int Entries = 2 * Depth;
  localparam int IdxW    = $clog2(Entries);
  localparam int RawW    = 3 + 11 + 48;  // fp_mul_raw's word for FP32 x FP32
  localparam int PreW    = 2 + 1 + 1 + 11 + 28;  // fp_add_pre's word for FP32

  // ---- vector buffer and word scales ----
  logic [255:0]          opw;
  gemv_vbuf #(.Depth(Depth), .Width(256)) u_vbuf (
    .clk_i    (clk_i),
    .wr_en_i  (wr_en_i),
    .wr_buf_i (wr_buf_i),
    .wr_word_i(wr_word_i),
    .wr_data_i(wr_data_i),
    .rd_buf_i (rd_buf_i),
    .rd_word_i(rd_word_i),
    .rd_data_o(opw)
  );
  logic [Entries*16-1:0] sbuf_q;
  logic [IdxW-1:0]       rd_idx;
  assign rd_idx = (rd_buf_i ? IdxW'(Depth) : IdxW'(0)) + IdxW'(rd_word_i);
  for (genvar e = 0; e < Entries; e++) begin : g_sbuf
    localparam int Word = e % Depth, Half = e / Depth;
    always_ff @(posedge clk_i) begin
      // word Word of half Half takes lane Word - base of a scale write whose 16 words hold it
      if (scl_en_i && (wr_buf_i == (Half != 0)) && (9'(Word) >= {1'b0, scl_word_i}) &&
          (9'(Word) < {1'b0, scl_word_i} + 9'd16)) begin
        sbuf_q[e*16 +: 16] <= wr_data_i[(Word % 16)*16 +: 16];
      end
    end
  end

  // ---- fire: operands ----
  logic [255:0] opnd_d, opnd_q;
  logic [7:0]   prob;
  logic [15:0]  sc_q, bs_q;
  assign prob   = opw[rd_elem_i*8 +: 8];
  assign opnd_d = rd_ctx_i ? {32{prob}} : opw;
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      opnd_q <= opnd_d;
      sc_q   <= sbuf_q[rd_idx*16 +: 16];
      bs_q   <= bscale_i;
    end
  end

  // ---- S1: products and the scale ----
  logic [32*16-1:0] prod_d, prod_q;
  for (genvar i = 0; i < 32; i++) begin : g_mul
    assign prod_d[i*16 +: 16] = 16'($signed(burst_s1_i[i*8 +: 8]) * $signed(opnd_q[i*8 +: 8]));
  end
  logic [31:0] s_d;
  fp_mul #(.InExpW(5), .InManW(10), .OutExpW(8), .OutManW(23)) u_scale (.a_i(sc_q), .b_i(bs_q), .y_o(s_d));
  // the scale rides with its command to stage 4 (the multiply)
  logic [5*32-1:0] s_q;  // s_q[k]: the scale of the command in stage k - 1 (k = 0: stage 0)
  always_ff @(posedge clk_i) begin
    if (en_i) s_q <= {s_q[4*32-1:0], s_d};
  end

  // ---- stages 0, 1: the score tree ----
  logic [8*19-1:0]  t8_d, t8_q;
  logic [32*16-1:0] prod1_q, prod2_q;
  for (genvar n = 0; n < 8; n++) begin : g_t8
    logic [18:0] a, b, c, d;
    assign a = 19'($signed(prod_q[(4*n)*16 +: 16]));
    assign b = 19'($signed(prod_q[(4*n+1)*16 +: 16]));
    assign c = 19'($signed(prod_q[(4*n+2)*16 +: 16]));
    assign d = 19'($signed(prod_q[(4*n+3)*16 +: 16]));
    assign t8_d[n*19 +: 19] = (a + b) + (c + d);
  end
  logic [31:0]     t1_d, t1_q;
  logic [4*22-1:0] t2;
  for (genvar n = 0; n < 4; n++) begin : g_t2
    assign t2[n*22 +: 22] = 22'($signed(t8_q[(2*n)*19 +: 19])) + 22'($signed(t8_q[(2*n+1)*19 +: 19]));
  end
  logic [21:0] t1_22;
  assign t1_22 = (t2[0 +: 22] + t2[22 +: 22]) + (t2[44 +: 22] + t2[66 +: 22]);
  assign t1_d  = 32'($signed(t1_22));
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      prod_q  <= prod_d;
      t8_q    <= t8_d;
      prod1_q <= prod_q;
      t1_q    <= t1_d;
      prod2_q <= prod1_q;
    end
  end

  // ---- stage 2: the INT32 accumulators ----
  logic [32*32-1:0]       val_d, val_q;  // the values the command carries on (score: lane 0)
  logic                   v2, c2, f2, a2;
  logic [SlotW-1:0]       sl2;
  assign v2  = st_valid_i[2];
  assign c2  = st_ctx_i[2];
  assign f2  = st_first_i[2];
  assign a2  = st_apply_i[2];
  assign sl2 = st_slot_i[2*SlotW +: SlotW];
  for (genvar i = 0; i < 32; i++) begin : g_part
    logic [Slots*32-1:0] part_q;  // the lane's Slots partials
    logic [31:0]         cur, add;
    assign cur = f2 ? 32'd0 : part_q[sl2*32 +: 32];
    assign add = c2 ? 32'($signed(prod2_q[i*16 +: 16])) : ((i == 0) ? t1_q : 32'd0);
    assign val_d[i*32 +: 32] = cur + add;
    for (genvar s = 0; s < Slots; s++) begin : g_slot
      always_ff @(posedge clk_i) begin
        // score: lane 0 holds the dot; context: every lane, cleared when the word is applied
        if (en_i && v2 && (sl2 == SlotW'(s)) && (c2 || i == 0)) begin
          part_q[s*32 +: 32] <= (c2 && a2) ? 32'd0 : val_d[i*32 +: 32];
        end
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (en_i) val_q <= val_d;
  end

  // ---- stage 3: conversion to FP32; stages 4, 5: the multiply by the scale ----
  logic [32*32-1:0]   f_d, f_q, term_d, term_q;
  logic [32*RawW-1:0] raw_d, raw_q;
  for (genvar i = 0; i < 32; i++) begin : g_scale
    logic [31:0] x, mag, conv;
    assign x   = val_q[i*32 +: 32];
    assign mag = x[31] ? 32'd0 - x : x;
    fp_round #(.ExpW(8), .ManW(23), .SigW(32), .EW(10)) u_conv (
      .sign_i(x[31]), .etop_i(10'd158), .sig_i(mag), .y_o(conv));  // x x 2^0: top bit's exponent 127 + 31
    assign f_d[i*32 +: 32] = (x == 32'd0) ? 32'd0 : conv;
    fp_mul_raw #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_raw (
      .a_i(f_q[i*32 +: 32]), .b_i(s_q[4*32 +: 32]), .raw_o(raw_d[i*RawW +: RawW]));
    fp_mul_pack #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_pack (
      .raw_i(raw_q[i*RawW +: RawW]), .y_o(term_d[i*32 +: 32]));
  end
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      f_q    <= f_d;
      raw_q  <= raw_d;
      term_q <= term_d;
    end
  end

  // ---- stages 6, 7: the context accumulators ----
  logic [32*32-1:0]       sum_d, out_d;
  logic                   v7, c7, a7;
  logic [SlotW-1:0]       sl6, sl7;
  assign sl6 = st_slot_i[6*SlotW +: SlotW];
  assign v7  = st_valid_i[7];
  assign c7  = st_ctx_i[7];
  assign a7  = st_apply_i[7];
  assign sl7 = st_slot_i[7*SlotW +: SlotW];
  logic [32*PreW-1:0] pre_d, pre_q;
  logic [32*32-1:0]   term7_q;
  for (genvar i = 0; i < 32; i++) begin : g_acc
    logic [Slots*32-1:0] acc_q;  // the lane's Slots accumulators
    logic [31:0]         cur;
    assign cur = st_afirst_i[6] ? 32'h8000_0000 : acc_q[sl6*32 +: 32];
    fp_add_pre #(.ExpW(8), .ManW(23)) u_pre (.a_i(cur), .b_i(term_q[i*32 +: 32]), .pre_o(pre_d[i*PreW +: PreW]));
    fp_add_post #(.ExpW(8), .ManW(23)) u_post (.pre_i(pre_q[i*PreW +: PreW]), .y_o(sum_d[i*32 +: 32]));
    for (genvar s = 0; s < Slots; s++) begin : g_slot
      always_ff @(posedge clk_i) begin
        if (en_i && v7 && c7 && a7 && (sl7 == SlotW'(s))) begin
          acc_q[s*32 +: 32] <= sum_d[i*32 +: 32];
        end
      end
    end
  end
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      pre_q   <= pre_d;
      term7_q <= term_q;
    end
  end
  // stage 7's result: context the sums, score the term (lane 0)
  assign out_d = c7 ? sum_d : {992'd0, term7_q[31:0]};

  // ---- stages 8 .. NS-1: the result delayed to the last stage ----
  logic [(NS-8)*32*32-1:0] dly_q;
  always_ff @(posedge clk_i) begin
    if (en_i) dly_q <= ((NS-8)*32*32)'({dly_q, out_d});
  end
  assign res_o = dly_q[(NS-9)*32*32 +: 32*32];

  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = rst_ni ^ (^st_valid_i) ^ (^st_ctx_i) ^ (^st_first_i) ^ (^st_afirst_i) ^ (^st_apply_i) ^
                  (^st_slot_i) ^ (^s_q) ^ (^term7_q);
  // verilator lint_on UNUSEDSIGNAL
endmodule
