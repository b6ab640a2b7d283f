// Buffer-die softmax unit: streaming row softmax (two passes over the scores, Lanes per clock) with a
// tiling mask generated from offsets, and the split-K log-sum-exp merge of partials (m, l, o~[MergeD]).
// Mirrors csim/sm_unit.c beat for beat; the arithmetic is csim/softmax.c's (docs/numerics.md).
//
// Input beat: in_cmd_i[95:0] + in_data_i (Lanes x 32 bits, lane i at [32i +: 32]).
//   in_cmd_i[2:0] op: 0 ROW (data lane 0 = scale; [63:32] len, [95:64] delta, [3] causal, [31:8] window)
//                     1 MAX (pass-1 scores)  2 EXP (pass-2 scores; [5] last ends the row)
//                     3 PART ([63:32] m, [95:64] l)  4 PVEC (Lanes values of o~)
//                     5 MEND ([4] normalise)
//   Unused fields must be 0; order rules in csim/sm_unit.h. Bad commands are consumed without effect,
//   raise the sticky err_o and fail a simulation assertion.
// Output beat: out_kind_o 0 PROB (Lanes FP16 probabilities, low halves), 1 ROW_RES, 2 OVEC (Lanes FP32),
//   3 MERGE_RES; results carry out_aux_o = {rl, l, m} and out_flags_o = {nan, empty}.
// Timing: one input beat per clock while the output register is free; an EXP with `last` is followed
// by one ROW_RES cycle, a MEND by MergeD/Lanes + 1 output cycles, during which in_ready_o is low.
// Registers: every next value (_d) is computed in always_comb, the always_ff blocks only register it.
`include "pim_assert.svh"
`default_nettype none

module softmax_unit #(
  parameter int Lanes  = 1,   // 1, 2, 4, 8, 16
  parameter int Pieces = 16,  // exp2 pieces: 4, 8, 16, 32, 64
  parameter int InFp16 = 0,   // scores arrive as FP16
  parameter int MergeD = 128  // merged vector length, a multiple of Lanes, <= 256
) (
  input  wire                  clk_i,
  input  wire                  rst_ni,
  input  wire                  in_valid_i,
  output logic                 in_ready_o,
  input  wire  [95:0]          in_cmd_i,
  input  wire  [Lanes*32-1:0]  in_data_i,
  output logic                 out_valid_o,
  input  wire                  out_ready_i,
  output logic [1:0]           out_kind_o,
  output logic [1:0]           out_flags_o,
  output logic [95:0]          out_aux_o,
  output logic [Lanes*32-1:0]  out_data_o,
  output logic                 err_o
);
  `PIM_PARAM_CHECK(lanes, Lanes == 1 || Lanes == 2 || Lanes == 4 || Lanes == 8 || Lanes == 16,
                   "softmax_unit: Lanes must be 1, 2, 4, 8 or 16")
  `PIM_PARAM_CHECK(pieces, Pieces == 4 || Pieces == 8 || Pieces == 16 || Pieces == 32 || Pieces == 64,
                   "softmax_unit: Pieces must be 4, 8, 16, 32 or 64")
  `PIM_PARAM_CHECK(in_fp16, InFp16 == 0 || InFp16 == 1, "softmax_unit: InFp16 must be 0 or 1")
  `PIM_PARAM_CHECK(merge_d, MergeD >= Lanes && MergeD <= 256 && MergeD % Lanes == 0,
                   "softmax_unit: MergeD must be a multiple of Lanes between Lanes and 256")

  localparam int NB = MergeD / Lanes;  // vector beats
  localparam int VW = $clog2(MergeD + 1);
  localparam logic [31:0] NegInf = 32'hFF80_0000, NegZero = 32'h8000_0000, QNan = 32'h7FC0_0000;
  localparam logic [2:0] OpRow = 3'd0, OpMax = 3'd1, OpExp = 3'd2, OpPart = 3'd3, OpPvec = 3'd4, OpMend = 3'd5;

  // Idle: between rows and merges; Pass1: after ROW (MAX beats); Pass2: after the first EXP; Merge: after
  // a PART, until MEND has drained the merged vector.
  typedef enum logic [1:0] {
    StIdle  = 2'd0,
    StPass1 = 2'd1,
    StPass2 = 2'd2,
    StMerge = 2'd3
  } state_e;

  // ---- command fields ----
  logic [2:0]  op;
  logic        c_causal, c_norm, c_last;
  logic [23:0] c_window;
  logic [31:0] w1, w2, scale_in;
  logic [1:0]  c_rsv;
  assign op       = in_cmd_i[2:0];
  assign c_causal = in_cmd_i[3];
  assign c_norm   = in_cmd_i[4];
  assign c_last   = in_cmd_i[5];
  assign c_window = in_cmd_i[31:8];
  assign w1       = in_cmd_i[63:32];
  assign w2       = in_cmd_i[95:64];
  assign scale_in = in_data_i[31:0];
  assign c_rsv    = in_cmd_i[7:6];

  // ---- state ----
  state_e               st_d, st_q;
  logic [31:0]          scale_d, scale_q, len_d, len_q, delta_d, delta_q, xmax_d, xmax_q;
  logic                 causal_d, causal_q, any_d, any_q, nan_d, nan_q;
  logic [23:0]          window_d, window_q;
  logic [31:0]          pos_d, pos_q;
  logic [Lanes*32-1:0]  lane_d, lane_q;
  logic                 m_any_d, m_any_q, m_nan_d, m_nan_q, skip_d, skip_q;
  logic [31:0]          sa_d, sa_q, sb_d, sb_q, mm_d, mm_q, ml_d, ml_q;
  logic [VW-1:0]        vpos_d, vpos_q;
  logic [MergeD*32-1:0] acc_q;
  logic                 pend_row_d, pend_row_q, drain_d, drain_q, norm_d, norm_q;
  logic [VW-1:0]        dbeat_d, dbeat_q;
  logic                 err_d, err_q;
  // the output register
  logic                 out_valid_d, out_valid_q;
  logic [1:0]           out_kind_d, out_kind_q, out_flags_d, out_flags_q;
  logic [95:0]          out_aux_d, out_aux_q;
  logic [Lanes*32-1:0]  out_data_d, out_data_q;

  logic vec_complete;
  assign vec_complete = (vpos_q == VW'(MergeD));

  // ---- checks (csim/sm_unit.c smu_check) ----
  function automatic logic is_integer_valued(input [31:0] x);
    logic [7:0] e;
    logic [31:0] fm;
    begin
      e  = x[30:23];
      fm = (e >= 8'd150) ? 32'd0 : ((32'd1 << (8'd150 - e)) - 32'd1);
      if (x[30:0] == 31'd0)    is_integer_valued = 1'b1;
      else if (e == 8'hFF)     is_integer_valued = 1'b1;  // Inf (NaN is handled before)
      else if (e < 8'd127)     is_integer_valued = 1'b0;
      else                     is_integer_valued = ((x & fm) == 32'd0);
    end
  endfunction

  logic scale_ok, m_nan_in, l_nan_in, part_ok, bad;
  assign scale_ok = !scale_in[31] && (scale_in[30:23] != 8'd0) && (scale_in[30:0] <= 31'h3F80_0000);
  assign m_nan_in = (w1[30:23] == 8'hFF) && (w1[22:0] != 23'd0);
  assign l_nan_in = (w2[30:23] == 8'hFF) && (w2[22:0] != 23'd0);
  assign part_ok  = m_nan_in || l_nan_in ||
                    ((w1 == NegInf || is_integer_valued(w1)) && !(w2[31] && (w2[30:0] != 31'd0)));
  always_comb begin
    bad = 1'b0;
    if (op > OpMend || c_rsv != 2'd0) bad = 1'b1;
    if (op != OpRow && (c_causal || c_window != 24'd0)) bad = 1'b1;
    if (op != OpMend && c_norm) bad = 1'b1;
    if (op != OpExp && c_last) bad = 1'b1;
    if (op != OpRow && op != OpPart && (w1 != 32'd0 || w2 != 32'd0)) bad = 1'b1;
    `PIM_UNIQUE case (op)
      OpRow:   if (st_q != StIdle || !scale_ok || w1 > 32'h0100_0000) bad = 1'b1;
      OpMax:   if (st_q != StPass1) bad = 1'b1;
      OpExp:   if (st_q != StPass1 && st_q != StPass2) bad = 1'b1;
      OpPart:  if (!(st_q == StIdle || (st_q == StMerge && vec_complete)) || !part_ok) bad = 1'b1;
      OpPvec:  if (!(st_q == StMerge && !vec_complete)) bad = 1'b1;
      OpMend:  if (!(st_q == StIdle || (st_q == StMerge && vec_complete))) bad = 1'b1;
      default: ;
    endcase
  end

  // ---- handshake ----
  logic out_free, fire, good;
  assign out_free   = !out_valid_q || out_ready_i;
  assign in_ready_o = out_free && !pend_row_q && !drain_q;
  assign fire       = in_valid_i && in_ready_o;
  assign good       = fire && !bad;

  // ---- row datapath, per lane ----
  function automatic logic [31:0] order_key(input [31:0] x);
    order_key = x[31] ? ~x : (x | 32'h8000_0000);
  endfunction

  function automatic logic [31:0] ceil32(input [31:0] x);
    logic [7:0]  e;
    logic [31:0] fm;
    begin
      e  = x[30:23];
      fm = (e >= 8'd150) ? 32'd0 : ((32'd1 << (8'd150 - e)) - 32'd1);
      if (e == 8'hFF)                          ceil32 = x;
      else if (x[30:0] == 31'd0)               ceil32 = 32'd0;
      else if (e < 8'd127)                     ceil32 = x[31] ? 32'd0 : 32'h3F80_0000;
      else if (e >= 8'd150 || (x & fm) == 0)   ceil32 = x;
      else if (x[31])                          ceil32 = x & ~fm;
      else                                     ceil32 = (x & ~fm) + (fm + 32'd1);
    end
  endfunction

  logic [31:0] m_row, pos_now;
  assign m_row   = any_q ? ceil32(xmax_q) : NegInf;
  assign pos_now = (op == OpExp && st_q == StPass1) ? 32'd0 : pos_q;

  logic [Lanes*32-1:0] x, lane_sum;
  logic [Lanes*16-1:0] p;
  logic [Lanes-1:0]    masked, x_bad, x_ok;
  for (genvar i = 0; i < Lanes; i++) begin : g_lane
    logic [31:0] s32, y, p32;
    logic [33:0] j, dd, lo;
    logic [15:0] pe;
    if (InFp16 != 0) begin : g_h
      fp16_to_fp32 u_in (.a_i(in_data_i[i*32 +: 16]), .y_o(s32));
      // verilator lint_off UNUSEDSIGNAL
      logic [15:0] unused_hi;
      assign unused_hi = in_data_i[i*32+16 +: 16];
      // verilator lint_on UNUSEDSIGNAL
    end else begin : g_s
      assign s32 = in_data_i[i*32 +: 32];
    end
    fp_mul #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_scale (
      .a_i(s32), .b_i(scale_q), .y_o(x[i*32 +: 32]));
    // mask from offsets: j >= len, causal j > delta, window j < delta - window + 1
    assign j  = 34'(pos_now) + 34'(i);
    assign dd = {{2{delta_q[31]}}, delta_q};
    assign lo = dd - 34'(window_q) + 34'd1;
    assign masked[i] = (j >= 34'(len_q)) || (causal_q && ($signed(j) > $signed(dd))) ||
                       ((window_q != 24'd0) && ($signed(j) < $signed(lo)));
    assign x_bad[i] = (x[i*32+23 +: 8] == 8'hFF) && ((x[i*32 +: 23] != 23'd0) || !x[i*32+31]);  // NaN, +Inf
    assign x_ok[i]  = !masked[i] && !x_bad[i] && (x[i*32 +: 32] != NegInf);
    // pass 2
    fp_add #(.ExpW(8), .ManW(23)) u_sub (.a_i(x[i*32 +: 32]), .b_i({~m_row[31], m_row[30:0]}), .y_o(y));
    sm_exp2 #(.Pieces(Pieces)) u_exp2 (.y_i(y), .p_o(pe));
    assign p[i*16 +: 16] = masked[i] ? 16'd0 : (nan_q ? 16'h7E00 : (any_q ? pe : 16'd0));
    fp16_to_fp32 u_wide (.a_i(p[i*16 +: 16]), .y_o(p32));
    fp_add #(.ExpW(8), .ManW(23)) u_sum (.a_i(lane_q[i*32 +: 32]), .b_i(p32), .y_o(lane_sum[i*32 +: 32]));
  end

  // pass-1 beat: running maximum over the lanes in order
  logic [(Lanes+1)*32-1:0] cur /* verilator split_var */;
  logic [31:0]             xmax_beat;
  assign cur[31:0] = xmax_q;
  for (genvar i = 0; i < Lanes; i++) begin : g_max
    logic [31:0] xi, ci;
    assign xi = x[i*32 +: 32];
    assign ci = cur[i*32 +: 32];
    assign cur[(i+1)*32 +: 32] = (x_ok[i] && (order_key(xi) > order_key(ci))) ? xi : ci;
  end
  assign xmax_beat = cur[Lanes*32 +: 32];

  // row result: balanced tree over the lane sums, reciprocal
  logic [31:0] l_tree, l_row, rl_row, rl_in;
  logic        row_empty;
  sm_tree_sum #(.Lanes(Lanes)) u_tree (.lanes_i(lane_q), .sum_o(l_tree));
  assign row_empty = !nan_q && !any_q;
  assign l_row     = row_empty ? 32'd0 : (nan_q ? QNan : l_tree);

  // ---- merge datapath ----
  logic [31:0] mn, sa, sb, ml_sum, rl_merge;
  logic        new_max;
  assign new_max = !m_any_q || (order_key(w1) > order_key(mm_q));
  assign mn      = new_max ? w1 : mm_q;
  logic [31:0] sa_raw;
  sm_shift u_sa (.a_i(mm_q), .b_i(mn), .k_o(sa_raw));
  sm_shift u_sb (.a_i(w1), .b_i(mn), .k_o(sb));
  assign sa = m_any_q ? sa_raw : -32'sd512;
  logic [31:0] ml_s, l_s;
  sm_scale2 u_ml (.x_i(ml_q), .k_i(sa), .y_o(ml_s));
  sm_scale2 u_l  (.x_i(w2), .k_i(sb), .y_o(l_s));
  fp_add #(.ExpW(8), .ManW(23)) u_ml_add (.a_i(ml_s), .b_i(l_s), .y_o(ml_sum));

  logic [Lanes*32-1:0] acc_rd, acc_wr, ovec_rd, ovec;
  logic [VW-1:0]       vbase;
  assign vbase  = vpos_q;
  // row selects as one-hot muxes over the NB accumulator rows (a variable part-select of the whole
  // vector would synthesise to a MergeD*32-bit barrel shifter)
  always_comb begin
    acc_rd  = '0;
    ovec_rd = '0;
    for (int e = 0; e < NB; e++) begin
      if (vbase == VW'(e * Lanes)) acc_rd = acc_q[e*Lanes*32 +: Lanes*32];
      if (dbeat_q == VW'(e))       ovec_rd = acc_q[e*Lanes*32 +: Lanes*32];
    end
  end
  for (genvar i = 0; i < Lanes; i++) begin : g_mlane
    logic [31:0] a_s, o_s, o_n;
    sm_scale2 u_a (.x_i(acc_rd[i*32 +: 32]), .k_i(sa_q), .y_o(a_s));
    sm_scale2 u_o (.x_i(in_data_i[i*32 +: 32]), .k_i(sb_q), .y_o(o_s));
    fp_add #(.ExpW(8), .ManW(23)) u_add (.a_i(a_s), .b_i(o_s), .y_o(acc_wr[i*32 +: 32]));
    fp_mul #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_norm (
      .a_i(ovec_rd[i*32 +: 32]), .b_i(rl_merge), .y_o(o_n));
    assign ovec[i*32 +: 32] = m_nan_q ? QNan : (!m_any_q ? 32'd0 : (norm_q ? o_n : ovec_rd[i*32 +: 32]));
  end

  // The merge accumulator: NB rows of Lanes values, each row its own registers, written whole by a PVEC
  // beat (so no write needs variable-offset logic) and cleared after the MERGE_RES beat.
  logic acc_we, acc_clear;
  assign acc_we    = good && (op == OpPvec) && !skip_q;
  assign acc_clear = drain_q && out_free && (dbeat_q == VW'(NB));
  for (genvar e = 0; e < NB; e++) begin : g_acc
    logic [Lanes*32-1:0] row_d;
    assign row_d = (acc_we && vbase == VW'(e * Lanes)) ? acc_wr :
                   acc_clear                           ? '0     : acc_q[e*Lanes*32 +: Lanes*32];
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        acc_q[e*Lanes*32 +: Lanes*32] <= '0;
      end else begin
        acc_q[e*Lanes*32 +: Lanes*32] <= row_d;
      end
    end
  end

  // one reciprocal unit, shared by the row result and the merge (never needed in the same cycle)
  assign rl_in = drain_q ? ml_q : l_row;
  sm_recip u_recip (.l_i(rl_in), .y_o(rl_row));
  assign rl_merge = m_nan_q ? QNan : (m_any_q ? rl_row : 32'd0);

  // a PART that carries a partial (neither empty nor -Inf), and the PROB beat of an EXP
  logic                part_live;
  logic [Lanes*32-1:0] prob_beat;
  assign part_live = !(w2[30:0] == 31'd0 || w1 == NegInf);
  for (genvar i = 0; i < Lanes; i++) begin : g_prob
    assign prob_beat[i*32 +: 32] = {16'd0, p[i*16 +: 16]};
  end

  // ---- next state ----
  // Result beats that follow a command (pend_row_q, drain_q) never coincide with an accepted command
  // (in_ready_o is low while they are pending).
  always_comb begin
    st_d        = st_q;
    err_d       = err_q;
    pend_row_d  = pend_row_q;
    drain_d     = drain_q;
    dbeat_d     = dbeat_q;
    norm_d      = norm_q;
    m_any_d     = m_any_q;
    m_nan_d     = m_nan_q;
    skip_d      = skip_q;
    vpos_d      = vpos_q;
    mm_d        = mm_q;
    ml_d        = ml_q;
    sa_d        = sa_q;
    sb_d        = sb_q;
    out_valid_d = out_valid_q;
    out_kind_d  = out_kind_q;
    out_flags_d = out_flags_q;
    out_aux_d   = out_aux_q;
    out_data_d  = out_data_q;

    if (out_ready_i) out_valid_d = 1'b0;
    if (fire && bad) err_d = 1'b1;
    // the ROW_RES beat after the last EXP
    if (pend_row_q && out_free) begin
      out_valid_d = 1'b1;
      out_kind_d  = 2'd1;
      out_flags_d = {nan_q, row_empty};
      out_aux_d   = {(row_empty ? 32'd0 : rl_row), l_row, m_row};
      out_data_d  = '0;
      pend_row_d  = 1'b0;
      st_d        = StIdle;
    end
    // the OVEC beats and the MERGE_RES beat after MEND
    if (drain_q && out_free) begin
      out_valid_d = 1'b1;
      if (dbeat_q != VW'(NB)) begin
        out_kind_d  = 2'd2;
        out_flags_d = 2'd0;
        out_aux_d   = '0;
        out_data_d  = ovec;
        dbeat_d     = dbeat_q + VW'(1);
      end else begin
        out_kind_d  = 2'd3;
        out_flags_d = {m_nan_q, !m_nan_q && !m_any_q};
        out_aux_d   = {rl_merge, (m_nan_q ? QNan : (m_any_q ? ml_q : 32'd0)), mm_q};
        out_data_d  = '0;
        drain_d     = 1'b0;
        st_d        = StIdle;
        m_any_d     = 1'b0;
        m_nan_d     = 1'b0;
        skip_d      = 1'b0;
        vpos_d      = VW'(MergeD);
        mm_d        = NegInf;
        ml_d        = 32'd0;
      end
    end
    if (good) begin
      `PIM_UNIQUE case (op)
        OpRow: st_d = StPass1;
        OpExp: begin
          st_d        = StPass2;
          out_valid_d = 1'b1;
          out_kind_d  = 2'd0;
          out_flags_d = 2'd0;
          out_aux_d   = '0;
          out_data_d  = prob_beat;
          if (c_last) pend_row_d = 1'b1;
        end
        OpPart: begin
          st_d   = StMerge;
          vpos_d = '0;
          skip_d = 1'b1;
          if (m_nan_in || l_nan_in) begin
            m_nan_d = 1'b1;
          end else if (part_live) begin
            sa_d    = sa;
            sb_d    = sb;
            ml_d    = ml_sum;
            mm_d    = mn;
            m_any_d = 1'b1;
            skip_d  = 1'b0;
          end
        end
        OpPvec: vpos_d = vpos_q + VW'(Lanes);
        OpMend: begin
          st_d    = StMerge;
          drain_d = 1'b1;
          dbeat_d = '0;
          norm_d  = c_norm;
        end
        default: ;
      endcase
    end
  end

  // row state: loaded by ROW, no reset needed (st_q gates every use)
  always_comb begin
    scale_d  = scale_q;
    len_d    = len_q;
    delta_d  = delta_q;
    causal_d = causal_q;
    window_d = window_q;
    pos_d    = pos_q;
    any_d    = any_q;
    nan_d    = nan_q;
    xmax_d   = xmax_q;
    lane_d   = lane_q;
    if (good) begin
      `PIM_UNIQUE case (op)
        OpRow: begin
          scale_d  = scale_in;
          len_d    = w1;
          delta_d  = w2;
          causal_d = c_causal;
          window_d = c_window;
          pos_d    = '0;
          any_d    = 1'b0;
          nan_d    = 1'b0;
          xmax_d   = NegInf;
          for (int i = 0; i < Lanes; i++) lane_d[i*32 +: 32] = NegZero;
        end
        OpMax: begin
          xmax_d = xmax_beat;
          any_d  = any_q | (|x_ok);
          nan_d  = nan_q | (|(~masked & x_bad));
          pos_d  = pos_q + 32'(Lanes);
        end
        OpExp: begin
          lane_d = lane_sum;
          pos_d  = pos_now + 32'(Lanes);
        end
        default: ;
      endcase
    end
  end

  // ---- registers ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q        <= StIdle;
      err_q       <= 1'b0;
      pend_row_q  <= 1'b0;
      drain_q     <= 1'b0;
      dbeat_q     <= '0;
      norm_q      <= 1'b0;
      out_valid_q <= 1'b0;
      m_any_q     <= 1'b0;
      m_nan_q     <= 1'b0;
      skip_q      <= 1'b0;
      vpos_q      <= VW'(MergeD);
      mm_q        <= NegInf;
      ml_q        <= 32'd0;
    end else begin
      st_q        <= st_d;
      err_q       <= err_d;
      pend_row_q  <= pend_row_d;
      drain_q     <= drain_d;
      dbeat_q     <= dbeat_d;
      norm_q      <= norm_d;
      out_valid_q <= out_valid_d;
      m_any_q     <= m_any_d;
      m_nan_q     <= m_nan_d;
      skip_q      <= skip_d;
      vpos_q      <= vpos_d;
      mm_q        <= mm_d;
      ml_q        <= ml_d;
    end
  end

  // data registers: no reset (read only under the valid and state bits above)
  always_ff @(posedge clk_i) begin
    out_kind_q  <= out_kind_d;
    out_flags_q <= out_flags_d;
    out_aux_q   <= out_aux_d;
    out_data_q  <= out_data_d;
    sa_q        <= sa_d;
    sb_q        <= sb_d;
    scale_q     <= scale_d;
    len_q       <= len_d;
    delta_q     <= delta_d;
    causal_q    <= causal_d;
    window_q    <= window_d;
    pos_q       <= pos_d;
    any_q       <= any_d;
    nan_q       <= nan_d;
    xmax_q      <= xmax_d;
    lane_q      <= lane_d;
  end

  assign out_valid_o = out_valid_q;
  assign out_kind_o  = out_kind_q;
  assign out_flags_o = out_flags_q;
  assign out_aux_o   = out_aux_q;
  assign out_data_o  = out_data_q;
  assign err_o       = err_q;

  // ---- assertions (pim_assert.svh) ----
  `PIM_ASSERT_KNOWN(in_valid_known, in_valid_i)
  `PIM_ASSERT_KNOWN(out_valid_known, out_valid_o)
  `PIM_ASSERT_KNOWN(out_ready_known, out_ready_i)
  `PIM_ASSERT_HANDSHAKE(in_beat, in_valid_i, in_ready_o, {in_cmd_i, in_data_i}, 96 + Lanes * 32)
  `PIM_ASSERT_HANDSHAKE(out_beat, out_valid_o, out_ready_i, {out_kind_o, out_flags_o, out_aux_o, out_data_o},
                        100 + Lanes * 32)
  `PIM_ASSERT_BAD_CMD(bad_cmd, fire && bad, in_cmd_i, "softmax_unit", "rules in csim/sm_unit.h")
endmodule
