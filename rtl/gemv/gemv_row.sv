// One row of a GEMV bank unit: the vector buffer of one query head, 16 multipliers and 16 adders shared
// between the two modes, and Slots accumulators of 16 lanes. KvBf16 = 0: K/V bursts and q in FP16;
// KvBf16 = 1 (with AccFp32 = 1): K/V and q in BF16, the probabilities p still FP16 (csim/kvfmt.h). A
// BF16 unit multiplies in one operand format that holds both exactly, 8 exponent bits and 10 fraction
// bits (e8m10): a BF16 value is padded with three zero fraction bits (which synthesis prunes from the
// multiplier: 8 x 11 significand bits), the FP16 probability is widened at the buffer read
// (fp16_to_fp32, its top 19 bits); the product is rounded once to FP32.
//   score   (q.K^T): the 16 products of a K burst with query word `word` are reduced by a balanced tree
//           of 15 adders, ((p0+p1)+(p2+p3))+..., and the 16th adder accumulates: acc[slot] += tree.
//           The score accumulator lives in lane 15 of the slot.
//   context (p.V):   the probability at (word, elem) is broadcast to the 16 V lanes; adder i accumulates
//           lane i: acc[slot][i] += p * v[i].
// An empty slot (the first MAC of an accumulation) reads -0, the exact identity of the FP add.
// Mirrored by csim/gemv.c gemv_row_mac() (same operations in the same order, whatever Pipe is).
//
// Stages (every register advances only when en_i is high):
//   fire  (inputs rd_*_i): buffer read -> operand register
//   S1    (inputs *_s1_i): 16 multipliers -> product registers (Pipe = 0); with Pipe = 1 the multipliers
//         are two stages: S1 the exact significand product and exponent (fp_mul_raw) -> raw registers,
//         M2 (inputs *_m2_i) its rounding (fp_mul_pack) -> product registers
//   adder levels 0..4: level 0 = adders 0..7 (tree level 1; context lanes 0..7), level 1 = adders 8..11,
//         level 2 = adders 12..13, level 3 = adder 14, level 4 = adder 15 (the accumulator of the score).
//         Pipe = 0: the five levels are one stage (S2); Pipe = 1: one stage each, so one FP add per
//         cycle; Pipe = 2: two stages each (SL = 2), the add split between them (fp_add_pre, a register,
//         fp_add_post), so the accumulation loop holds half an FP add: gemv_core then never fires a MAC
//         in the cycle after a MAC on the same slot. Adder i is at the same level in both modes: in
//         context mode lane i accumulates at its adder's level, the products of the later lanes ride in
//         the level registers the tree's partial sums use in score mode, and the lanes' results are
//         re-aligned to level 4 (sum_o) by (4 - level) * SL skew registers.
//   The accumulator operand of a level is read one stage early (level 0: in S1, or M2 when Pipe >= 1;
//   first MAC: -0) and forwarded from the adder's result when the command in the level's last stage
//   writes the same slot (SL stages ahead; the command between them, Pipe = 2, is never of that slot). Pipe = 0: the operand and forward registers feed 2:1 multiplexers (forward, then mode) before
//   the adders. Pipe = 1: each adder's two operands are registers (a_q, b_q) loaded with what the mode
//   of the command entering the level selects, so the loop is adder -> forward 2:1 -> mode 2:1 -> a_q
//   and no select's fan-out lies between a register and an adder (the 1,500 ps clock, docs/area.md).
//   Pipe = 2 keeps that structure; the loop is fp_add_post -> 2:1 -> 2:1 -> a_q.
// Inputs lvl_*_i: the command in the last stage of adder level k is bit k (slot: [k*SlotW +: SlotW]);
// with Pipe = 0 the five are the same S2 command.
`include "pim_assert.svh"
`default_nettype none

module gemv_row #(
  parameter  int Depth   = 8,  // 16-element words per stationary vector (head dim / 16), 2 .. 256
  parameter  int Slots   = 4,  // accumulators, 1 .. 256
  parameter  int AccFp32 = 1,  // 1: exact FP32 products, FP32 adds; 0: FP16 products and adds
  parameter  int Pipe    = 2,  // 0: adders in one stage; 1: 2-stage multiply, 1 level per stage;
                               // 2: 2-stage multiply, 2 stages per level (half an add each)
  parameter  int KvBf16  = 0,  // 1: K/V and q in BF16 (needs AccFp32 = 1); 0: FP16
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
  // buffer read of the command firing this cycle
  input  wire                  rd_ctx_i,
  input  wire                  rd_buf_i,
  input  wire  [WordW-1:0]     rd_word_i,
  input  wire  [3:0]           rd_elem_i,
  // stage S1
  input  wire                  valid_s1_i,
  input  wire                  first_s1_i,
  input  wire  [SlotW-1:0]     slot_s1_i,
  input  wire  [255:0]         burst_s1_i,
  // stage M2 (Pipe = 1; unused when Pipe = 0)
  input  wire                  valid_m2_i,
  input  wire                  first_m2_i,
  input  wire                  ctx_m2_i,
  input  wire  [SlotW-1:0]     slot_m2_i,
  // adder levels 0..4
  input  wire  [4:0]           lvl_valid_i,
  input  wire  [4:0]           lvl_ctx_i,
  input  wire  [4:0]           lvl_first_i,
  input  wire  [5*SlotW-1:0]   lvl_slot_i,
  // the 16 lanes of the command at level 4 (score result in lane 15)
  output logic [16*AccW-1:0]   sum_o
);
  `PIM_PARAM_CHECK(depth, Depth >= 2 && Depth <= 256, "gemv_row: Depth must be 2 .. 256")
  `PIM_PARAM_CHECK(slots, Slots >= 1 && Slots <= 256, "gemv_row: Slots must be 1 .. 256")
  `PIM_PARAM_CHECK(acc_fp32, AccFp32 == 0 || AccFp32 == 1, "gemv_row: AccFp32 must be 0 or 1")
  `PIM_PARAM_CHECK(pipe, Pipe >= 0 && Pipe <= 2, "gemv_row: Pipe must be 0, 1 or 2")
  `PIM_PARAM_CHECK(kv_bf16, KvBf16 == 0 || (KvBf16 == 1 && AccFp32 == 1),
                   "gemv_row: KvBf16 must be 0, or 1 with AccFp32 = 1")

  localparam int LaneBits = 16 * AccW;
  localparam logic [AccW-1:0] NegZero = {1'b1, {(AccW-1){1'b0}}};
  localparam int SL       = (Pipe == 2) ? 2 : 1;  // stages per adder level (Pipe >= 1)
  localparam int ExpW     = (AccFp32 != 0) ? 8 : 5;
  localparam int ManW     = (AccFp32 != 0) ? 23 : 10;
  localparam int PreW     = 2 + 1 + 1 + (ExpW + 3) + (ManW + 5);  // fp_add_pre's word

  // ---- vector buffer: two halves of Depth words ----
  logic [255:0] opw;
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

  // ---- fire: operand select (a write of the cycle before is visible), in the multiplier's format ----
  localparam int MInExpW = (KvBf16 != 0) ? 8 : 5;   // e8m10 for BF16 units, FP16 otherwise
  localparam int MInManW = 10;
  localparam int MInW    = MInExpW + MInManW + 1;
  logic [15:0]        prob;
  logic [16*MInW-1:0] opnd_d, opnd_q, burst_m;
  assign prob = opw[rd_elem_i*16 +: 16];
  if (KvBf16 != 0) begin : g_in_bf16
    logic [31:0]        prob32;
    logic [16*MInW-1:0] opw_m;
    fp16_to_fp32 u_prob (.a_i(prob), .y_o(prob32));  // exact: FP16 fits e8m10
    for (genvar i = 0; i < 16; i++) begin : g_pad
      assign opw_m[i*MInW +: MInW]   = {opw[i*16 +: 16], 3'b000};
      assign burst_m[i*MInW +: MInW] = {burst_s1_i[i*16 +: 16], 3'b000};
    end
    assign opnd_d = rd_ctx_i ? {16{prob32[31:13]}} : opw_m;
    // verilator lint_off UNUSEDSIGNAL
    logic unused_prob;
    assign unused_prob = ^prob32[12:0];  // zero: an FP16 value has 11 significant bits
    // verilator lint_on UNUSEDSIGNAL
  end else begin : g_in_fp16
    assign opnd_d  = rd_ctx_i ? {16{prob}} : opw;
    assign burst_m = burst_s1_i;
  end
  always_ff @(posedge clk_i) begin
    if (en_i) opnd_q <= opnd_d;
  end

  // ---- S1 (and M2): multiply ----
  localparam int MulExpW = ExpW;
  localparam int MulManW = ManW;
  // fp_mul_raw's word (its RawW): special-case code, sign, exponent (the wider format's width + 3), product
  localparam int RawW    = 3 + (((MInExpW > MulExpW) ? MInExpW : MulExpW) + 3) + 2 * (MInManW + 1);
  logic [LaneBits-1:0] prod_d, prod_q;
  for (genvar i = 0; i < 16; i++) begin : g_mul
    logic [RawW-1:0] raw_d, raw_m;
    fp_mul_raw #(.InExpW(MInExpW), .InManW(MInManW), .OutExpW(MulExpW), .OutManW(MulManW)) u_raw (
      .a_i(burst_m[i*MInW +: MInW]), .b_i(opnd_q[i*MInW +: MInW]), .raw_o(raw_d));
    if (Pipe != 0) begin : g_m2
      logic [RawW-1:0] raw_q;
      always_ff @(posedge clk_i) begin
        if (en_i && valid_s1_i) raw_q <= raw_d;
      end
      assign raw_m = raw_q;
    end else begin : g_m1
      assign raw_m = raw_d;
    end
    fp_mul_pack #(.InExpW(MInExpW), .InManW(MInManW), .OutExpW(MulExpW), .OutManW(MulManW)) u_pack (
      .raw_i(raw_m), .y_o(prod_d[i*AccW +: AccW]));
  end
  logic valid_mul;  // the product register's stage: S1, or M2 when Pipe = 1
  assign valid_mul = (Pipe != 0) ? valid_m2_i : valid_s1_i;
  always_ff @(posedge clk_i) begin
    if (en_i && valid_mul) prod_q <= prod_d;
  end

  // ---- adder levels ----
  // lin: the operand buses of the levels, level k at entries [32 - (32 >> k) +: 16 >> k] (level 0: the
  // products); lout: what level k < 4 passes on, at entries [16 - (16 >> k) +: 8 >> k] (score: its
  // adders' sums; context: the products of the later lanes), registered between levels when Pipe = 1.
  logic [31*AccW-1:0] lin  /* verilator split_var */;
  logic [15*AccW-1:0] lout /* verilator split_var */;
  logic [16*AccW-1:0] add_y /* verilator split_var */;
  assign lin[16*AccW-1:0] = prod_q;
  // Pipe = 1: lin_nx is the operand buses' next value (what the registers load), read by the lanes'
  // operand registers
  logic [31*AccW-1:0] lin_nx /* verilator split_var */;
  // lin_w (Pipe = 2): the operand buses one stage later, as the levels' last stages see them, read by
  // the context pass-through (Pipe < 2 reads lin)
  logic [31*AccW-1:0] lin_w;
  if (Pipe != 0) begin : g_lreg
    logic [15*AccW-1:0] lout_q;
    always_ff @(posedge clk_i) begin
      if (en_i) lout_q <= lout;
    end
    assign lin[31*AccW-1:16*AccW] = lout_q;
    assign lin_nx = {lout, valid_mul ? prod_d : prod_q};
  end else begin : g_lwire
    assign lin_nx = '0;
    for (genvar i = 0; i < 15; i++) begin : g_i  // entry by entry: split_var then sees no loop
      assign lin[(16+i)*AccW +: AccW] = lout[i*AccW +: AccW];
    end
  end
  if (Pipe == 2) begin : g_lin_w
    logic [31*AccW-1:0] lin_b_q;
    always_ff @(posedge clk_i) begin
      if (en_i) lin_b_q <= lin;
    end
    assign lin_w = lin_b_q;
  end else begin : g_lin_now
    assign lin_w = '0;
  end

  for (genvar n = 0; n < 16; n++) begin : g_lane
    localparam int K    = (n < 8) ? 0 : (n < 12) ? 1 : (n < 14) ? 2 : (n < 15) ? 3 : 4;
    localparam int Base = 16 - (16 >> K);   // first lane of level K
    localparam int Off  = 32 - (32 >> K);   // level K's operands in lin
    localparam int J    = n - Base;
    localparam int M    = 8 >> K;           // adders of level K (K < 4)
    // the stage the accumulator operand is read in: the level before, or the product register's input
    localparam int P    = (Pipe != 0 && K > 0) ? K - 1 : -1;

    // the lane's Slots accumulators (kept per lane: a read selects among Slots words, not Slots x 16)
    logic [Slots*AccW-1:0] acc_q;
    logic             pre_first;
    logic [SlotW-1:0] pre_slot;
    if (P >= 0) begin : g_pre_lvl
      assign pre_first = lvl_first_i[P];
      assign pre_slot  = lvl_slot_i[P*SlotW +: SlotW];
    end else if (Pipe != 0) begin : g_pre_m2
      assign pre_first = first_m2_i;
      assign pre_slot  = slot_m2_i;
    end else begin : g_pre_s1
      assign pre_first = first_s1_i;
      assign pre_slot  = slot_s1_i;
    end

    logic             ctx, writes;
    logic [SlotW-1:0] slot;
    assign ctx    = lvl_ctx_i[K];
    assign slot   = lvl_slot_i[K*SlotW +: SlotW];
    assign writes = lvl_valid_i[K] && (ctx || n == 15);

    // accumulator operand: read a stage early, forwarded from the command ahead
    logic            fwd;
    logic [AccW-1:0] acc_rd, a, b;
    assign fwd    = !pre_first && writes && (slot == pre_slot);
    assign acc_rd = pre_first ? NegZero : acc_q[pre_slot*AccW +: AccW];

    // the operand select, stated once: Pipe = 1 selects the next cycle's operands (the mode of the
    // command entering the level, on the buses' next values) into registers a_q, b_q, so neither the
    // mode's nor the forward's select fan-out sits between a register and the adder (the loop is
    // adder -> 2:1 -> 2:1 -> a_q); Pipe = 0 selects this cycle's, before the adder. Score mode adds the
    // level's pair (IA, IB); context mode (and the accumulator, level 4) adds the accumulator and the
    // lane's own word (IL).
    localparam int IA = Off + 2*J;
    localparam int IB = (K < 4) ? Off + 2*J + 1 : Off;
    localparam int IL = Off + J;
    logic            sel_ctx;
    logic [AccW-1:0] acc_src, w_l, a_d, b_d;
    // verilator lint_off UNUSEDSIGNAL
    logic [AccW-1:0] w_a, w_b;  // level 4 reads only w_l
    // verilator lint_on UNUSEDSIGNAL
    if (Pipe != 0) begin : g_src_nx
      assign sel_ctx = (K == 4) || ((K == 0) ? ctx_m2_i : lvl_ctx_i[(K > 0) ? K - 1 : 0]);
      assign acc_src = fwd ? add_y[n*AccW +: AccW] : acc_rd;
      assign w_a     = lin_nx[IA*AccW +: AccW];
      assign w_b     = lin_nx[IB*AccW +: AccW];
      assign w_l     = lin_nx[IL*AccW +: AccW];
    end else begin : g_src_now
      logic [AccW-1:0] apre_q, y_q;
      logic            fwd_q;
      always_ff @(posedge clk_i) begin
        if (en_i) begin
          apre_q <= acc_rd;
          fwd_q  <= fwd;
          y_q    <= add_y[n*AccW +: AccW];
        end
      end
      assign sel_ctx = (K == 4) || ctx;
      assign acc_src = fwd_q ? y_q : apre_q;
      assign w_a     = lin[IA*AccW +: AccW];
      assign w_b     = lin[IB*AccW +: AccW];
      assign w_l     = lin[IL*AccW +: AccW];
    end
    assign a_d = sel_ctx ? acc_src : w_a;
    assign b_d = sel_ctx ? w_l : w_b;
    if (Pipe != 0) begin : g_opreg
      logic [AccW-1:0] a_q, b_q;
      always_ff @(posedge clk_i) begin
        if (en_i) begin
          a_q <= a_d;
          b_q <= b_d;
        end
      end
      assign a = a_q;
      assign b = b_q;
    end else begin : g_opwire
      assign a = a_d;
      assign b = b_d;
    end
    if (K < 4) begin : g_lout
      logic [AccW-1:0] pass;
      if (Pipe == 2) begin : g_pass_w
        assign pass = lin_w[(Off + M + J)*AccW +: AccW];
      end else begin : g_pass
        assign pass = lin[(Off + M + J)*AccW +: AccW];
      end
      assign lout[n*AccW +: AccW] = ctx ? pass : add_y[n*AccW +: AccW];
    end
    if (Pipe == 2) begin : g_add2  // the add over the level's two stages
      logic [PreW-1:0] pre, pre_q;
      fp_add_pre #(.ExpW(ExpW), .ManW(ManW)) u_pre (.a_i(a), .b_i(b), .pre_o(pre));
      always_ff @(posedge clk_i) begin
        if (en_i) pre_q <= pre;
      end
      fp_add_post #(.ExpW(ExpW), .ManW(ManW)) u_post (.pre_i(pre_q), .y_o(add_y[n*AccW +: AccW]));
    end else begin : g_add1
      fp_add #(.ExpW(ExpW), .ManW(ManW)) u_add (.a_i(a), .b_i(b), .y_o(add_y[n*AccW +: AccW]));
    end

    // score writes lane 15 only; context writes all lanes
    for (genvar s = 0; s < Slots; s++) begin : g_slot
      always_ff @(posedge clk_i) begin
        if (en_i && writes && (slot == SlotW'(s))) begin
          acc_q[s*AccW +: AccW] <= add_y[n*AccW +: AccW];
        end
      end
    end

    // re-align the lane to level 4
    if (Pipe != 0 && K < 4) begin : g_skew
      localparam int Sk = (4 - K) * SL;
      logic [Sk*AccW-1:0] skew_q;
      always_ff @(posedge clk_i) begin
        if (en_i) skew_q <= (Sk*AccW)'({skew_q, add_y[n*AccW +: AccW]});
      end
      assign sum_o[n*AccW +: AccW] = skew_q[(Sk-1)*AccW +: AccW];
    end else begin : g_noskew
      assign sum_o[n*AccW +: AccW] = add_y[n*AccW +: AccW];
    end
  end

  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = rst_ni ^ (^lvl_first_i)  // datapath registers need no reset: valid bits live in gemv_core
                  ^ ((Pipe != 0) ? (first_s1_i ^ (^slot_s1_i) ^ (^lin) ^ (^lin_w))  // the pass-through entries
                                 : (valid_m2_i ^ first_m2_i ^ ctx_m2_i ^ (^slot_m2_i) ^ (^lin_nx)));
  // verilator lint_on UNUSEDSIGNAL
endmodule
