// GEMV bank unit core: Rows rows (gemv_row) fed by one command stream and one data stream.
// Rows = 1 is the AttAcc adder-tree unit; Rows = G is the GQA array: every burst is broadcast to the G
// rows in the same cycle (weight-stationary rows, output-stationary accumulators), so one K/V read
// serves the G query heads of a group. See docs/architecture.md for the choice.
//
// Command word cmd_i[31:0] (anything else is a bad command):
//   [1:0] op   0 WR (write data_i into the vector buffer), 1 MAC score, 2 MAC context
//   [2]   buf  buffer half (double buffering: MACs read one half while WRs fill the other)
//   [3]   last MAC: the accumulation ends with this burst, its result is emitted   (WR: must be 0)
//   [7:4] elem context MAC: probability index within the word              (otherwise must be 0)
//   [11:8] row WR: row (query head) to write, < Rows                        (MAC: must be 0)
//   [19:12] word  vector-buffer word, < Depth
//   [27:20] slot  MAC: accumulator, < Slots                                 (WR: must be 0)
//   [31:28] must be 0
// A MAC on a slot whose accumulation is open in the other mode is bad. Bad commands are consumed
// without effect and set the sticky err_o (and fail a simulation assertion).
// Streams: a command fires when cmd_valid_i and data_valid_i are both high and the pipeline is not
// stalled; every command consumes one 256-bit data beat (16 FP16 lanes, lane i at [16i +: 16]).
// Pipeline: fire (buffer read) -> S1 (16 multipliers per row) -> adder levels 0..4 (gemv_row: one
// stage S2 when Pipe = 0; when Pipe >= 1 the multipliers take two stages, S1 and M2, and the levels
// five stages of one FP add each (Pipe = 1) or ten stages of half an add each (Pipe = 2)) -> result
// holder. Latency from the firing of a `last` MAC to res_valid_o: 3 + 5 * Pipe cycles (csim/gemv.h
// GEMV_LATENCY is the C side's copy, checked by the co-simulation). Score result: one beat, lane g = row
// g. Context result: Rows beats, beat g = row g's 16 lanes. The pipeline stalls only when a `last` MAC
// reaches level 4 while the holder is still draining. Pipe = 2: a MAC does not fire in the cycle after
// a MAC on the same slot (its ready is low for that cycle): an accumulation's adds are two stages long.
// One burst per clock for MACs that alternate between slots; the DRAM issues a bank's MACs nMAC >= 2
// clocks apart.
// res_info_o: [7:0] slot, [11:8] row of this beat, [12] context, [13] last beat of the result, [14] (INT8
// context) lanes 16..31 of the row.
// KvInt8 = 1: the INT8 unit (csim/gemv.h "INT8 units": 32 INT8 lanes per beat, op 3 SCL loads word scales
// or the block scale, [28] elem bit 4 and [29] wend of context MACs, [31:30] must be 0; rows are
// gemv_row_i8; a context result is 2 beats per row). It needs Pipe = 2 (the same latency).
`include "pim_assert.svh"
`default_nettype none

module gemv_core #(
  parameter  int Rows    = 1,   // 1 .. 16
  parameter  int Depth   = 8,   // 2 .. 256
  parameter  int Slots   = 4,   // 1 .. 256
  parameter  int AccFp32 = 1,   // 0 or 1
  parameter  int Pipe    = 2,   // 0: S1 multiply, S2 adders; 1: 2-stage multiply, 1 add per stage;
                                // 2: 2-stage multiply, half an add per stage
  parameter  int KvBf16  = 0,   // 1: K/V and q in BF16 (AccFp32 = 1); 0: FP16
  parameter  int KvInt8  = 0,   // 1: the INT8 unit (AccFp32 = 1, KvBf16 = 0, Pipe = 2)
  localparam int AccW    = (AccFp32 != 0) ? 32 : 16
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 cmd_valid_i,
  output logic                cmd_ready_o,
  input  wire  [31:0]         cmd_i,
  input  wire                 data_valid_i,
  output logic                data_ready_o,
  input  wire  [255:0]        data_i,
  output logic                res_valid_o,
  input  wire                 res_ready_i,
  output logic [16*AccW-1:0]  res_data_o,
  output logic [15:0]         res_info_o,
  output logic                err_o
);
  `PIM_PARAM_CHECK(rows, Rows >= 1 && Rows <= 16, "gemv_core: Rows (G) must be 1 .. 16")
  `PIM_PARAM_CHECK(depth, Depth >= 2 && Depth <= 256, "gemv_core: Depth must be 2 .. 256")
  `PIM_PARAM_CHECK(slots, Slots >= 1 && Slots <= 256, "gemv_core: Slots must be 1 .. 256")
  `PIM_PARAM_CHECK(acc_fp32, AccFp32 == 0 || AccFp32 == 1, "gemv_core: AccFp32 must be 0 or 1")
  `PIM_PARAM_CHECK(kv_bf16, KvBf16 == 0 || (KvBf16 == 1 && AccFp32 == 1),
                   "gemv_core: KvBf16 must be 0, or 1 with AccFp32 = 1")
  `PIM_PARAM_CHECK(pipe, Pipe >= 0 && Pipe <= 2, "gemv_core: Pipe must be 0, 1 or 2")
  `PIM_PARAM_CHECK(kv_int8, KvInt8 == 0 || (KvInt8 == 1 && AccFp32 == 1 && KvBf16 == 0 && Pipe == 2),
                   "gemv_core: KvInt8 must be 0, or 1 with AccFp32 = 1, KvBf16 = 0 and Pipe = 2")

  localparam int WordW    = $clog2(Depth);
  localparam int SlotW    = (Slots > 1) ? $clog2(Slots) : 1;
  localparam int LaneBits = 16 * AccW;
  localparam int RowBits  = (KvInt8 != 0) ? 2 * LaneBits : LaneBits;  // a row's result lanes
  localparam int SL       = (Pipe == 2) ? 2 : 1;  // stages per adder level (Pipe >= 1)
  localparam int NS       = (Pipe != 0) ? 1 + 5 * SL : 1;  // stages after S1: M2 and the adder levels, or S2
  localparam logic [1:0] OpWr = 2'd0, OpScore = 2'd1, OpCtx = 2'd2;

  // ---- decode and check ----
  logic [1:0] op;
  logic       c_buf, c_last;
  logic [3:0] c_elem, c_row;
  logic [7:0] c_word, c_slot;
  logic [4:0] c_elem5;  // INT8 context: {[28], [7:4]}
  logic       c_wend;
  assign c_elem5 = {cmd_i[28], cmd_i[7:4]};
  assign c_wend  = cmd_i[29];
  assign op     = cmd_i[1:0];
  assign c_buf  = cmd_i[2];
  assign c_last = cmd_i[3];
  assign c_elem = cmd_i[7:4];
  assign c_row  = cmd_i[11:8];
  assign c_word = cmd_i[19:12];
  assign c_slot = cmd_i[27:20];

  logic [Slots-1:0] open_d, open_q, mode_d, mode_q;  // architectural slot state, updated at fire
  logic [Slots-1:0] wdone_d, wdone_q;  // INT8 context: a partial was applied in the accumulation
  logic             is_wr, is_mac, is_ctx, slot_open, slot_ctx, bad;
  assign is_wr  = (op == OpWr);
  assign is_mac = (op == OpScore) || (op == OpCtx);
  assign is_ctx = (op == OpCtx);
  assign slot_open = (c_slot < 8'(Slots)) && open_q[c_slot[SlotW-1:0]];
  assign slot_ctx  = (c_slot < 8'(Slots)) && mode_q[c_slot[SlotW-1:0]];
  logic is_scl, scl_blk;  // INT8: op 3, a block-scale load ([3])
  assign is_scl  = (KvInt8 != 0) && (op == 2'd3);
  assign scl_blk = is_scl && c_last;
  if (KvInt8 != 0) begin : g_bad_i8  // csim/gemv.c rtl_rule_i8
    assign bad = (cmd_i[31:30] != 2'd0) || (c_word >= 8'(Depth)) ||
                 ((is_wr || (is_scl && !scl_blk)) &&
                  (({1'b0, c_row} >= 5'(Rows)) || c_last || (c_elem5 != 5'd0) || (c_slot != 8'd0) || c_wend ||
                   (is_scl && (c_word[3:0] != 4'd0)))) ||
                 (scl_blk && ((c_row != 4'd0) || (c_word != 8'd0) || (c_slot != 8'd0) || c_wend || c_elem5[4])) ||
                 (is_mac  && ((c_row != 4'd0) || (c_slot >= 8'(Slots)) || (!is_ctx && (c_elem5 != 5'd0 || c_wend)) ||
                              (slot_open && (slot_ctx != is_ctx))));
  end else begin : g_bad
    assign bad = (op == 2'd3) || (cmd_i[31:28] != 4'd0) || (c_word >= 8'(Depth)) ||
                 (is_mac  && ((c_row != 4'd0) || (c_slot >= 8'(Slots)) || (!is_ctx && c_elem != 4'd0) ||
                              (slot_open && (slot_ctx != is_ctx)))) ||
                 (is_wr   && (({1'b0, c_row} >= 5'(Rows)) || c_last || (c_elem != 4'd0) || (c_slot != 8'd0)));
  end
  if (KvInt8 == 0) begin : g_no_i8
    // verilator lint_off UNUSEDSIGNAL
    logic unused_i8;
    assign unused_i8 = (^c_elem5) ^ (^bscale_q);  // the INT8 fields and block scale
    // verilator lint_on UNUSEDSIGNAL
  end

  // ---- pipeline control ----
  logic en, fire, stall, hold_free, hazard;
  logic valid_end, last_end;  // the command at adder level 4
  logic             valid_s1_q, ctx_s1_q, last_s1_q, first_s1_q;
  logic [SlotW-1:0] slot_s1_q;
  assign stall        = valid_end && last_end && !hold_free;
  assign en           = !stall;
  // Pipe = 2: the MAC fired in the cycle before (now in S1) has the same slot
  assign hazard       = (Pipe == 2) && is_mac && valid_s1_q && (slot_s1_q == c_slot[SlotW-1:0]);
  assign fire         = cmd_valid_i && data_valid_i && en && !hazard;
  assign cmd_ready_o  = data_valid_i && en && !hazard;
  assign data_ready_o = cmd_valid_i && en && !hazard;

  logic good_mac, good_wr, good_scl;
  assign good_mac = fire && !bad && is_mac;
  assign good_wr  = fire && !bad && is_wr;
  assign good_scl = fire && !bad && is_scl;

  logic             err_d, err_q;
  logic [SlotW-1:0] slot_idx;
  assign slot_idx = c_slot[SlotW-1:0];
  logic apply;  // INT8 context: the MAC applies its word's partial
  assign apply = is_ctx && (c_wend || c_last);
  always_comb begin
    open_d  = open_q;
    mode_d  = mode_q;
    wdone_d = wdone_q;
    err_d   = err_q | (fire && bad);
    if (good_mac) begin
      open_d[slot_idx]  = !c_last;
      mode_d[slot_idx]  = is_ctx;
      wdone_d[slot_idx] = (slot_open && wdone_q[slot_idx]) || apply;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      open_q  <= '0;
      mode_q  <= '0;
      wdone_q <= '0;
      err_q   <= 1'b0;
    end else begin
      open_q  <= open_d;
      mode_q  <= mode_d;
      wdone_q <= wdone_d;
      err_q   <= err_d;
    end
  end

  // INT8: the block scale (loaded by SCL with [3] from lane elem of the beat), read by MACs at fire
  logic [15:0] bscale_q;
  always_ff @(posedge clk_i) begin
    if (good_scl && scl_blk) bscale_q <= data_i[c_elem*16 +: 16];
  end
  assign err_o = err_q;

  // S1 and the registers of the NS later stages (Pipe >= 1: stage 0 is M2, stages k * SL + 1 .. k * SL + SL
  // adder level k)
  logic [255:0]     burst_s1_q;
  logic [NS-1:0]    lv_valid_q, lv_ctx_q, lv_last_q, lv_first_q;
  logic [NS*SlotW-1:0] lv_slot_q;
  logic             afirst_s1_q, apply_s1_q;  // INT8 context
  logic [NS-1:0]    lv_afirst_q, lv_apply_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_s1_q <= 1'b0;
      lv_valid_q <= '0;
    end else if (en) begin
      valid_s1_q <= good_mac;
      lv_valid_q <= NS'({lv_valid_q, valid_s1_q});
    end
  end
  always_ff @(posedge clk_i) begin
    if (en) begin
      if (good_mac) begin
        ctx_s1_q   <= is_ctx;
        last_s1_q  <= c_last;
        first_s1_q <= !slot_open;
        slot_s1_q  <= c_slot[SlotW-1:0];
        burst_s1_q <= data_i;
        afirst_s1_q <= !slot_open || !wdone_q[slot_idx];
        apply_s1_q  <= apply;
      end
      lv_afirst_q <= NS'({lv_afirst_q, afirst_s1_q});
      lv_apply_q  <= NS'({lv_apply_q, apply_s1_q});
      lv_ctx_q   <= NS'({lv_ctx_q, ctx_s1_q});
      lv_last_q  <= NS'({lv_last_q, last_s1_q});
      lv_first_q <= NS'({lv_first_q, first_s1_q});
      lv_slot_q  <= (NS*SlotW)'({lv_slot_q, slot_s1_q});
    end
  end

  // the command in the last stage of each adder level k: stage k * SL + SL (Pipe >= 1) or the single stage S2
  logic [4:0]         lvl_valid, lvl_ctx, lvl_first;
  logic [5*SlotW-1:0] lvl_slot;
  for (genvar k = 0; k < 5; k++) begin : g_lvl
    localparam int St = (Pipe != 0) ? k * SL + SL : 0;
    assign lvl_valid[k] = lv_valid_q[St];
    assign lvl_ctx[k]   = lv_ctx_q[St];
    assign lvl_first[k] = lv_first_q[St];
    assign lvl_slot[k*SlotW +: SlotW] = lv_slot_q[St*SlotW +: SlotW];
  end
  if (KvInt8 != 0) begin : g_i8_lvl
    // verilator lint_off UNUSEDSIGNAL
    logic unused_lvl;
    assign unused_lvl = (^lvl_valid) ^ (^lvl_ctx) ^ (^lvl_first) ^ (^lvl_slot);  // gemv_row_i8 takes every stage
    // verilator lint_on UNUSEDSIGNAL
  end
  logic             ctx_end;
  logic [SlotW-1:0] slot_end;
  assign valid_end = lv_valid_q[NS-1];
  assign last_end  = lv_last_q[NS-1];
  assign ctx_end   = lv_ctx_q[NS-1];
  assign slot_end  = lv_slot_q[(NS-1)*SlotW +: SlotW];

  // ---- rows ----
  logic [Rows*RowBits-1:0] sum;
  for (genvar r = 0; r < Rows; r++) begin : g_row
    if (KvInt8 != 0) begin : g_i8
      gemv_row_i8 #(.Depth(Depth), .Slots(Slots), .NS(NS)) u_row (
        .clk_i      (clk_i),
        .rst_ni     (rst_ni),
        .en_i       (en),
        .wr_en_i    (good_wr && (c_row == 4'(r))),
        .scl_en_i   (good_scl && !scl_blk && (c_row == 4'(r))),
        .wr_buf_i   (c_buf),
        .wr_word_i  (c_word[WordW-1:0]),
        .scl_word_i (c_word),
        .wr_data_i  (data_i),
        .rd_ctx_i   (is_ctx),
        .rd_buf_i   (c_buf),
        .rd_word_i  (c_word[WordW-1:0]),
        .rd_elem_i  (c_elem5),
        .bscale_i   (bscale_q),
        .burst_s1_i (burst_s1_q),
        .st_valid_i (lv_valid_q),
        .st_ctx_i   (lv_ctx_q),
        .st_first_i (lv_first_q),
        .st_afirst_i(lv_afirst_q),
        .st_apply_i (lv_apply_q),
        .st_slot_i  (lv_slot_q),
        .res_o      (sum[r*RowBits +: RowBits])
      );
    end else begin : g_fp
    gemv_row #(.Depth(Depth), .Slots(Slots), .AccFp32(AccFp32), .Pipe(Pipe), .KvBf16(KvBf16)) u_row (
      .clk_i      (clk_i),
      .rst_ni     (rst_ni),
      .en_i       (en),
      .wr_en_i    (good_wr && (c_row == 4'(r))),
      .wr_buf_i   (c_buf),
      .wr_word_i  (c_word[WordW-1:0]),
      .wr_data_i  (data_i),
      .rd_ctx_i   (is_ctx),
      .rd_buf_i   (c_buf),
      .rd_word_i  (c_word[WordW-1:0]),
      .rd_elem_i  (c_elem),
      .valid_s1_i (valid_s1_q),
      .first_s1_i (first_s1_q),
      .slot_s1_i  (slot_s1_q),
      .burst_s1_i (burst_s1_q),
      .valid_m2_i (lv_valid_q[0]),
      .first_m2_i (lv_first_q[0]),
      .ctx_m2_i   (lv_ctx_q[0]),
      .slot_m2_i  (lv_slot_q[SlotW-1:0]),
      .lvl_valid_i(lvl_valid),
      .lvl_ctx_i  (lvl_ctx),
      .lvl_first_i(lvl_first),
      .lvl_slot_i (lvl_slot),
      .sum_o      (sum[r*RowBits +: RowBits])
    );
    end
  end

  // ---- result holder ----
  logic [Rows*RowBits-1:0] hold_q, hold_d;
  logic [5:0]               beats_d, beats_q;   // beats left to send
  logic [3:0]               row_q;
  logic                     half_q;             // INT8 context: the beat is lanes 16..31 of its row
  logic [SlotW-1:0]         hslot_q;
  logic                     hctx_q, capture, pop;
  assign pop       = res_valid_o && res_ready_i;
  assign hold_free = (beats_q == 6'd0) || ((beats_q == 6'd1) && res_ready_i);
  assign capture   = valid_end && last_end && en;

  // score: lane g of beat 0 = row g's accumulator (FP: adder 15; INT8: lane 0); context: row g's 16
  // lanes as beat g (INT8: its 32 lanes as beats 2g, 2g + 1)
  localparam int ScoreLane = (KvInt8 != 0) ? 0 : 15;
  always_comb begin
    hold_d = '0;
    for (int r = 0; r < Rows; r++) begin
      if (ctx_end) hold_d[r*RowBits +: RowBits] = sum[r*RowBits +: RowBits];
      else          hold_d[r*AccW +: AccW] = sum[r*RowBits + ScoreLane*AccW +: AccW];
    end
  end

  always_comb begin
    beats_d = beats_q;
    if (capture) begin
      beats_d = ctx_end ? 6'(Rows * RowBits / LaneBits) : 6'd1;
    end else if (pop) begin
      beats_d = beats_q - 6'd1;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      beats_q <= 6'd0;
    end else begin
      beats_q <= beats_d;
    end
  end
  always_ff @(posedge clk_i) begin
    if (capture) begin
      hold_q  <= hold_d;
      row_q   <= 4'd0;
      half_q  <= 1'b0;
      hslot_q <= slot_end;
      hctx_q  <= ctx_end;
    end else if (pop) begin
      hold_q  <= hold_q >> LaneBits;
      if (KvInt8 != 0 && hctx_q && !half_q) begin
        half_q <= 1'b1;
      end else begin
        half_q <= 1'b0;
        row_q  <= row_q + 4'd1;
      end
    end
  end

  assign res_valid_o = (beats_q != 6'd0);
  assign res_data_o  = hold_q[LaneBits-1:0];
  assign res_info_o  = {1'b0, half_q, (beats_q == 6'd1), hctx_q, row_q, 8'(hslot_q)};

  // ---- assertions (pim_assert.svh) ----
  `PIM_ASSERT_KNOWN(cmd_valid_known, cmd_valid_i)
  `PIM_ASSERT_KNOWN(data_valid_known, data_valid_i)
  `PIM_ASSERT_KNOWN(res_valid_known, res_valid_o)
  `PIM_ASSERT_KNOWN(res_ready_known, res_ready_i)
  `PIM_ASSERT_HANDSHAKE(cmd_beat, cmd_valid_i, cmd_ready_o, cmd_i, 32)
  `PIM_ASSERT_HANDSHAKE(data_beat, data_valid_i, data_ready_o, data_i, 256)
  `PIM_ASSERT_HANDSHAKE(res_beat, res_valid_o, res_ready_i, {res_info_o, res_data_o}, 16 + LaneBits)
  `PIM_ASSERT_BAD_CMD(bad_cmd, fire && bad, cmd_i, "gemv_core", "see the command format in gemv_core.sv")
endmodule
