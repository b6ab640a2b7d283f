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
//
// Pipeline (every stage within one clock of 1,500 ps in ASAP7; docs/area.md): an accepted beat waits in
// the input register A until it may issue, then flows through the stages of its command (the per-lane
// stages and registers are sm_lane's):
//   MAX  P1 scale multiply (exact product) | P2 its rounding | P3 the beat's maximum (a compare tree over
//        the lanes) | P4 the running maximum (one compare in the loop)
//   EXP  P1 | P2 | P3 x - m (fp_add_pre) | P4 (fp_add_post) | P5-P7 exp2 (table, interpolation,
//        rounding; the PROB beat) | P8 widening | P9 the lane sums (sm_pos_add, one add in the loop)
//   PART six clocks: the two rescale exponents (sm_shift both ways over three stages, the comparison
//        beside), then the rescaled l (sm_scale2, fp_add over two stages); PVECs may issue from the third
//   PVEC V1 the vector entry | V2 both rescales | V3, V4 their add, written back
//   MEND the reciprocal of the merged l (sm_recip_pipe), then per OVEC beat: O1 the entry (from the
//        reciprocal's last clock) | O2 the multiply by 1/l (exact product) | O3 its rounding
// The last EXP's P9 starts the row result (the lane sums' tree, sm_tree_pipe, then sm_recip_pipe), which
// overlaps the next row's ROW and MAX beats. What waits in A: a ROW while EXP beats are in P1-P8; the
// first EXP of a row while MAX beats are in P1-P2 or the previous row's result is pending; a PART or
// MEND while a PART's sequence runs, MEND also while a row result is pending; a PVEC while its PART's
// exponents are computed; everything while a merge's result is pending. So the
// commands take effect in order and are checked (bad commands) when they issue, in the state of every
// command before them, as csim/sm_unit.c checks them. Beats issue only when the output register can
// take a beat (back-pressure holds the P and O stages). The cycle counts of rows and merges are
// csim/sm_unit.h's (smu_row_cycles, smu_merge_cycles), from which the scheduler takes them.
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

  localparam int NB      = MergeD / Lanes;  // vector beats
  localparam int VW      = $clog2(MergeD + 1);
  localparam int TreeLat = 2 * $clog2(Lanes);
  localparam int RcpLat  = 6;
  localparam int PartLat = 6;                // PART sequence; its exponents sa, sb are ready after 3
  localparam int SaLat   = 3;
  localparam int CntW    = 5;
  localparam int PreW    = 2 + 1 + 1 + 11 + 28;
  localparam logic [31:0] NegInf = 32'hFF80_0000, QNan = 32'h7FC0_0000;
  localparam logic [2:0] OpRow = 3'd0, OpMax = 3'd1, OpExp = 3'd2, OpPart = 3'd3, OpPvec = 3'd4, OpMend = 3'd5;

  // Idle: between rows and merges; Pass1: after ROW (MAX beats); Pass2: after the first EXP; Merge: after
  // a PART, until the merge result has left.
  typedef enum logic [1:0] {
    StIdle  = 2'd0,
    StPass1 = 2'd1,
    StPass2 = 2'd2,
    StMerge = 2'd3
  } state_e;

  // ---- the input register A ----
  logic                a_v_q;
  logic [95:0]         a_cmd_q;
  logic [Lanes*32-1:0] a_data_q, a_s32_q, in_s32;
  for (genvar i = 0; i < Lanes; i++) begin : g_in
    if (InFp16 != 0) begin : g_h
      fp16_to_fp32 u_in (.a_i(in_data_i[i*32 +: 16]), .y_o(in_s32[i*32 +: 32]));
    end else begin : g_s
      assign in_s32[i*32 +: 32] = in_data_i[i*32 +: 32];
    end
  end

  // ---- command fields (of the beat in A) ----
  logic [2:0]  op;
  logic        c_causal, c_norm, c_last;
  logic [23:0] c_window;
  logic [31:0] w1, w2, scale_in;
  logic [1:0]  c_rsv;
  assign op       = a_cmd_q[2:0];
  assign c_causal = a_cmd_q[3];
  assign c_norm   = a_cmd_q[4];
  assign c_last   = a_cmd_q[5];
  assign c_window = a_cmd_q[31:8];
  assign w1       = a_cmd_q[63:32];
  assign w2       = a_cmd_q[95:64];
  assign scale_in = a_data_q[31:0];
  assign c_rsv    = a_cmd_q[7:6];

  // ---- state ----
  state_e               st_d, st_q;
  logic [31:0]          scale_d, scale_q, len_d, len_q, delta_d, delta_q, xmax_d, xmax_q, m_row_q;
  logic                 causal_d, causal_q, any_d, any_q, nan_d, nan_q;
  logic [23:0]          window_d, window_q;
  logic [31:0]          pos_d, pos_q;
  logic                 m_any_d, m_any_q, m_nan_d, m_nan_q, skip_d, skip_q;
  logic [31:0]          sa_d, sa_q, sb_d, sb_q, mm_d, mm_q, ml_d, ml_q, pw1_d, pw1_q, pw2_d, pw2_q;
  logic [VW-1:0]        vpos_d, vpos_q, oidx_d, oidx_q;
  logic                 pend_row_d, pend_row_q, drain_d, drain_q, norm_d, norm_q, rr_v_d, rr_v_q;
  logic                 t_nan_q, t_any_q;
  logic [31:0]          t_m_q, rr_l_q, rr_rl_q;
  logic [CntW-1:0]      tail_d, tail_q, part_d, part_q, dcnt_d, dcnt_q;
  logic                 err_d, err_q;
  // the output register
  logic                 out_valid_d, out_valid_q;
  logic [1:0]           out_kind_d, out_kind_q, out_flags_d, out_flags_q;
  logic [95:0]          out_aux_d, out_aux_q;
  logic [Lanes*32-1:0]  out_data_d, out_data_q;
  // stage valid bits: P (row beats), V (PVEC), O (OVEC)
  logic [8:1]           pv_q, pexp_q, plast_q;  // a beat in P1..P8, an EXP, an EXP with `last`
  logic                 v1_v_q, v2_v_q, v3_v_q, o1_v_q, o2_v_q, o3_v_q;

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

  // ---- handshake and issue ----
  // en: the output register can take a beat; the P and O stages move only then.
  logic en, hold, issue, good, part_busy;
  logic p12_v, p3_max, p7_exp;  // a beat in P1-P2, a MAX beat in P3, an EXP in P7
  assign p12_v  = pv_q[1] || pv_q[2];
  assign p3_max = pv_q[3] && !pexp_q[3];
  assign p7_exp = pv_q[7] && pexp_q[7];
  assign en        = !out_valid_q || out_ready_i;
  assign part_busy = (part_q != '0);
  always_comb begin
    hold = drain_q;
    `PIM_UNIQUE case (op)
      OpRow:   if (|pv_q) hold = 1'b1;
      OpExp:   if (st_q == StPass1 && (p12_v || pend_row_q)) hold = 1'b1;
      // The previous partial's PVECs read sa_q, sb_q in V2, before a PART's fourth clock rewrites
      // them, and write their entries in V4, before the next partial's PVECs (or MEND's O1) read them.
      OpPart:  if (part_busy) hold = 1'b1;
      OpPvec:  if (part_busy && part_q < CntW'(SaLat)) hold = 1'b1;
      OpMend:  if (part_busy || pend_row_q) hold = 1'b1;
      default: ;
    endcase
  end
  assign issue      = a_v_q && en && !hold;
  assign good       = issue && !bad;
  assign in_ready_o = !a_v_q || issue;

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

  logic [31:0] pos_now;
  assign pos_now = (op == OpExp && st_q == StPass1) ? 32'd0 : pos_q;

  logic                p_go;  // a MAX or EXP beat enters P1
  logic                sum_add, v_load, o_go;
  logic [Lanes-1:0]    masked, mask2, x_bad, x_ok;
  logic [Lanes*32-1:0] x2, cand, lane_q, ovec;
  logic [Lanes*16-1:0] p7;
  logic [31:0]         rl_merge;
  assign p_go    = good && (op == OpMax || op == OpExp);
  assign sum_add = en && pv_q[8] && pexp_q[8];
  assign v_load  = good && (op == OpPvec);
  for (genvar i = 0; i < Lanes; i++) begin : g_lane
    logic [33:0] j, dd, lo;
    // mask from offsets: j >= len, causal j > delta, window j < delta - window + 1
    assign j  = 34'(pos_now) + 34'(i);
    assign dd = {{2{delta_q[31]}}, delta_q};
    assign lo = dd - 34'(window_q) + 34'd1;
    assign masked[i] = (j >= 34'(len_q)) || (causal_q && ($signed(j) > $signed(dd))) ||
                       ((window_q != 24'd0) && ($signed(j) < $signed(lo)));
    sm_lane #(.Lanes(Lanes), .Pieces(Pieces), .MergeD(MergeD)) u_lane (
      .clk_i     (clk_i),
      .rst_ni    (rst_ni),
      .en_i      (en),
      .s_i       (a_s32_q[i*32 +: 32]),
      .scale_i   (scale_q),
      .masked_i  (masked[i]),
      .m_row_i   (m_row_q),
      .nan_i     (nan_q),
      .any_i     (any_q),
      .sum_clr_i (good && op == OpRow),
      .sum_add_i (sum_add),
      .x_o       (x2[i*32 +: 32]),
      .mask_o    (mask2[i]),
      .p_o       (p7[i*16 +: 16]),
      .sum_o     (lane_q[i*32 +: 32]),
      .v_load_i  (v_load),
      .vpos_i    (vpos_q),
      .in_i      (a_data_q[i*32 +: 32]),
      .sa_i      (sa_q),
      .sb_i      (sb_q),
      .v_we_i    (v3_v_q),
      .acc_clr_i (merge_emit),
      .oidx_i    (oidx_q),
      .rl_i      (rl_merge),
      .norm_i    (norm_q),
      .m_nan_i   (m_nan_q),
      .m_any_i   (m_any_q),
      .ovec_o    (ovec[i*32 +: 32])
    );
    // P3 of a MAX beat: the lane's candidate for the beat's maximum
    assign x_bad[i] = (x2[i*32+23 +: 8] == 8'hFF) && ((x2[i*32 +: 23] != 23'd0) || !x2[i*32+31]);  // NaN, +Inf
    assign x_ok[i]  = !mask2[i] && !x_bad[i] && (x2[i*32 +: 32] != NegInf);
    assign cand[i*32 +: 32] = x_ok[i] ? x2[i*32 +: 32] : NegInf;
  end

  // P3 of a MAX beat: the beat's maximum, a compare tree over the lanes (the maximum under order_key is
  // the same in any order: equal keys are equal bit patterns)
  logic [(2*Lanes-1)*32-1:0] mt /* verilator split_var */;
  assign mt[Lanes*32-1:0] = cand;
  for (genvar lv = 0; (Lanes >> lv) > 1; lv++) begin : g_mlevel
    for (genvar k = 0; k < (Lanes >> (lv + 1)); k++) begin : g_mx
      localparam int In  = 2 * Lanes - ((2 * Lanes) >> lv);
      localparam int Out = 2 * Lanes - ((2 * Lanes) >> (lv + 1));
      logic [31:0] ma, mb;
      assign ma = mt[(In + 2*k)*32 +: 32];
      assign mb = mt[(In + 2*k + 1)*32 +: 32];
      assign mt[(Out + k)*32 +: 32] = (order_key(mb) > order_key(ma)) ? mb : ma;
    end
  end
  logic [31:0] p3_bmax_q;
  logic        p3_any_q, p3_nan_q;
  always_ff @(posedge clk_i) begin
    if (en) begin
      p3_bmax_q <= mt[(2*Lanes-2)*32 +: 32];
      p3_any_q  <= |x_ok;
      p3_nan_q  <= |(~mask2 & x_bad);
    end
  end
  logic bmax_gt;  // P4: the beat's maximum is above the running one
  assign bmax_gt = order_key(p3_bmax_q) > order_key(xmax_q);
  // the row's integer maximum, from the running maximum (ready the clock after it)
  always_ff @(posedge clk_i) m_row_q <= any_q ? ceil32(xmax_q) : NegInf;

  logic [Lanes*32-1:0] prob_beat;
  for (genvar i = 0; i < Lanes; i++) begin : g_prob
    assign prob_beat[i*32 +: 32] = {16'd0, p7[i*16 +: 16]};
  end

  // ---- the row result: the lane sums' tree, then the reciprocal ----
  // The last EXP's P9 starts the tail (tail_q = 1) and takes the row's flags and maximum (t_*); the tree
  // and the reciprocal are wave pipelines: the tree reads the lane sums at tail 1 (a ROW issued then
  // clears them at the clock's end), the reciprocal l at tail TreeLat + 1 (rr_l_q keeps it), and its
  // result is kept at tail TreeLat + RcpLat + 1 (rr_rl_q) until the output register takes the ROW_RES.
  logic [31:0] l_tree, l_row, rl_in, rl_out;
  logic        t_empty, tail_start;
  localparam int TailEnd = TreeLat + RcpLat + 1;
  sm_tree_pipe #(.Lanes(Lanes)) u_tree (.clk_i(clk_i), .lanes_i(lane_q), .sum_o(l_tree));
  assign t_empty    = !t_nan_q && !t_any_q;
  assign l_row      = t_empty ? 32'd0 : (t_nan_q ? QNan : l_tree);
  assign tail_start = sum_add && plast_q[8];
  // one reciprocal unit, shared by the row result and the merge (MEND waits for the row result)
  assign rl_in = drain_q ? ml_q : l_row;
  sm_recip_pipe u_recip (.clk_i(clk_i), .l_i(rl_in), .y_o(rl_out));
  always_ff @(posedge clk_i) begin
    if (tail_start) begin
      t_nan_q <= nan_q;
      t_any_q <= any_q;
      t_m_q   <= m_row_q;
    end
    if (tail_q == CntW'(TreeLat + 1)) rr_l_q <= l_row;
    if (tail_q == CntW'(TailEnd))     rr_rl_q <= t_empty ? 32'd0 : rl_out;
  end

  // ---- merge datapath ----
  // PART: sm_shift of m against the running maximum both ways, over two stages, and the comparison
  // (clocks 1, 2), the exponents sa, sb (3: one of the two shifts, the other 0, by the comparison), the
  // rescaled l's (4), their add over two stages (5, 6). The stages run freely on inputs held still.
  // With M' = max(M, m): sa = sm_shift(M, M'), sb = sm_shift(m, M'), where sm_shift(x, x) is 0, or -512
  // for an infinite x (Inf - Inf).
  logic [31:0]     x1_mn_q, dlt_a, dlt_b, dlt_a_q, dlt_b_q, ka, kb, ml_s, l_s, ml_s_q, l_s_q, ml_sum;
  logic [PreW-1:0] pre_a, pre_b, pre_a_q, pre_b_q, pre_l, pre_l_q;
  logic            new_max, nm1_q, nm2_q;
  logic [31:0]     self_mm, self_w1;
  assign new_max = !m_any_q || (order_key(pw1_q) > order_key(mm_q));
  assign self_mm = (mm_q[30:23] == 8'hFF) ? -32'sd512 : 32'd0;
  assign self_w1 = (pw1_q[30:23] == 8'hFF) ? -32'sd512 : 32'd0;
  fp_add_pre #(.ExpW(8), .ManW(23)) u_sa_pre (.a_i(mm_q), .b_i({~pw1_q[31], pw1_q[30:0]}), .pre_o(pre_a));
  fp_add_pre #(.ExpW(8), .ManW(23)) u_sb_pre (.a_i(pw1_q), .b_i({~mm_q[31], mm_q[30:0]}), .pre_o(pre_b));
  fp_add_post #(.ExpW(8), .ManW(23)) u_sa_post (.pre_i(pre_a_q), .y_o(dlt_a));
  fp_add_post #(.ExpW(8), .ManW(23)) u_sb_post (.pre_i(pre_b_q), .y_o(dlt_b));
  sm_shift_mag u_sa (.dlt_i(dlt_a_q), .k_o(ka));
  sm_shift_mag u_sb (.dlt_i(dlt_b_q), .k_o(kb));
  sm_scale2 u_ml (.x_i(ml_q), .k_i(sa_q), .y_o(ml_s));
  sm_scale2 u_l  (.x_i(pw2_q), .k_i(sb_q), .y_o(l_s));
  fp_add_pre #(.ExpW(8), .ManW(23)) u_ml_pre (.a_i(ml_s_q), .b_i(l_s_q), .pre_o(pre_l));
  fp_add_post #(.ExpW(8), .ManW(23)) u_ml_post (.pre_i(pre_l_q), .y_o(ml_sum));
  always_ff @(posedge clk_i) begin
    x1_mn_q <= new_max ? pw1_q : mm_q;
    nm1_q   <= new_max;
    nm2_q   <= nm1_q;
    pre_a_q <= pre_a;
    pre_b_q <= pre_b;
    dlt_a_q <= dlt_a;
    dlt_b_q <= dlt_b;
    ml_s_q  <= ml_s;
    l_s_q   <= l_s;
    pre_l_q <= pre_l;
  end

  // MEND: the reciprocal, then O1-O3 in the lanes; the MERGE_RES beat when the last OVEC beat has left
  logic rcp_ready, merge_emit;
  assign rcp_ready  = (dcnt_q == CntW'(RcpLat + 1));
  assign rl_merge   = m_nan_q ? QNan : (m_any_q ? rl_out : 32'd0);
  assign o_go       = drain_q && (rcp_ready || dcnt_q == CntW'(RcpLat)) && en && (oidx_q != VW'(NB));
  assign merge_emit = drain_q && rcp_ready && en && (oidx_q == VW'(NB)) && !o1_v_q && !o2_v_q && !o3_v_q;

  // a PART that carries a partial (neither empty nor -Inf)
  logic part_live;
  assign part_live = !(w2[30:0] == 31'd0 || w1 == NegInf);

  // ---- next state ----
  always_comb begin
    st_d        = st_q;
    err_d       = err_q;
    pend_row_d  = pend_row_q;
    drain_d     = drain_q;
    norm_d      = norm_q;
    m_any_d     = m_any_q;
    m_nan_d     = m_nan_q;
    skip_d      = skip_q;
    vpos_d      = vpos_q;
    oidx_d      = oidx_q;
    mm_d        = mm_q;
    ml_d        = ml_q;
    sa_d        = sa_q;
    sb_d        = sb_q;
    pw1_d       = pw1_q;
    pw2_d       = pw2_q;
    tail_d      = tail_q;
    rr_v_d      = rr_v_q;
    part_d      = part_q;
    dcnt_d      = dcnt_q;
    out_valid_d = out_valid_q;
    out_kind_d  = out_kind_q;
    out_flags_d = out_flags_q;
    out_aux_d   = out_aux_q;
    out_data_d  = out_data_q;

    if (out_ready_i) out_valid_d = 1'b0;
    if (issue && bad) err_d = 1'b1;
    // the PROB beat of an EXP
    if (en && p7_exp) begin
      out_valid_d = 1'b1;
      out_kind_d  = 2'd0;
      out_flags_d = 2'd0;
      out_aux_d   = '0;
      out_data_d  = prob_beat;
    end
    // the row result
    if (tail_start) tail_d = CntW'(1);
    if (tail_q != '0) tail_d = (tail_q == CntW'(TailEnd)) ? '0 : tail_q + CntW'(1);
    if (tail_q == CntW'(TailEnd)) rr_v_d = 1'b1;
    if (en && rr_v_q) begin
      out_valid_d = 1'b1;
      out_kind_d  = 2'd1;
      out_flags_d = {t_nan_q, t_empty};
      out_aux_d   = {rr_rl_q, rr_l_q, t_m_q};
      out_data_d  = '0;
      rr_v_d      = 1'b0;
      pend_row_d  = 1'b0;
    end
    // the PART sequence
    if (part_busy) begin
      part_d = (part_q == CntW'(PartLat)) ? '0 : part_q + CntW'(1);
      if (part_q == CntW'(SaLat)) begin
        sa_d = !m_any_q ? -32'sd512 : (nm2_q ? ka : self_mm);
        sb_d = nm2_q ? self_w1 : kb;
      end
      if (part_q == CntW'(PartLat)) begin
        ml_d    = ml_sum;
        mm_d    = x1_mn_q;
        m_any_d = 1'b1;
      end
    end
    // the OVEC beats and the MERGE_RES beat after MEND
    if (drain_q && !rcp_ready) dcnt_d = dcnt_q + CntW'(1);
    if (o_go) oidx_d = oidx_q + VW'(1);
    if (en && o3_v_q) begin
      out_valid_d = 1'b1;
      out_kind_d  = 2'd2;
      out_flags_d = 2'd0;
      out_aux_d   = '0;
      out_data_d  = ovec;
    end
    if (merge_emit) begin
      out_valid_d = 1'b1;
      out_kind_d  = 2'd3;
      out_flags_d = {m_nan_q, !m_nan_q && !m_any_q};
      out_aux_d   = {rl_merge, (m_nan_q ? QNan : (m_any_q ? ml_q : 32'd0)), mm_q};
      out_data_d  = '0;
      drain_d     = 1'b0;
      dcnt_d      = '0;
      st_d        = StIdle;
      m_any_d     = 1'b0;
      m_nan_d     = 1'b0;
      skip_d      = 1'b0;
      vpos_d      = VW'(MergeD);
      mm_d        = NegInf;
      ml_d        = 32'd0;
    end
    if (good) begin
      `PIM_UNIQUE case (op)
        OpRow: st_d = StPass1;
        OpExp: begin
          // the row ends at its last EXP (as in the golden model); its result follows
          st_d = StPass2;
          if (c_last) begin
            st_d       = StIdle;
            pend_row_d = 1'b1;
          end
        end
        OpPart: begin
          st_d   = StMerge;
          vpos_d = '0;
          skip_d = 1'b1;
          if (m_nan_in || l_nan_in) begin
            m_nan_d = 1'b1;
          end else if (part_live) begin
            pw1_d  = w1;
            pw2_d  = w2;
            part_d = CntW'(1);
            skip_d = 1'b0;
          end
        end
        OpPvec: vpos_d = vpos_q + VW'(Lanes);
        OpMend: begin
          st_d    = StMerge;
          drain_d = 1'b1;
          dcnt_d  = CntW'(1);
          oidx_d  = '0;
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
    // P4 of a MAX beat: the running maximum (the lane sums are sm_lane's)
    if (en && p3_max) begin
      if (bmax_gt) xmax_d = p3_bmax_q;
      any_d = any_q | p3_any_q;
      nan_d = nan_q | p3_nan_q;
    end
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
        end
        OpMax: pos_d = pos_q + 32'(Lanes);
        OpExp: pos_d = pos_now + 32'(Lanes);
        default: ;
      endcase
    end
  end

  // ---- registers ----
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      st_q        <= StIdle;
      err_q       <= 1'b0;
      a_v_q       <= 1'b0;
      pend_row_q  <= 1'b0;
      drain_q     <= 1'b0;
      norm_q      <= 1'b0;
      out_valid_q <= 1'b0;
      m_any_q     <= 1'b0;
      m_nan_q     <= 1'b0;
      skip_q      <= 1'b0;
      vpos_q      <= VW'(MergeD);
      oidx_q      <= '0;
      mm_q        <= NegInf;
      ml_q        <= 32'd0;
      tail_q      <= '0;
      part_q      <= '0;
      dcnt_q      <= '0;
      pv_q        <= '0;
      rr_v_q      <= 1'b0;
      {v1_v_q, v2_v_q, v3_v_q, o1_v_q, o2_v_q, o3_v_q} <= '0;
    end else begin
      st_q        <= st_d;
      err_q       <= err_d;
      if (in_ready_o) a_v_q <= in_valid_i;
      pend_row_q  <= pend_row_d;
      drain_q     <= drain_d;
      norm_q      <= norm_d;
      out_valid_q <= out_valid_d;
      m_any_q     <= m_any_d;
      m_nan_q     <= m_nan_d;
      skip_q      <= skip_d;
      vpos_q      <= vpos_d;
      oidx_q      <= oidx_d;
      mm_q        <= mm_d;
      ml_q        <= ml_d;
      tail_q      <= tail_d;
      rr_v_q      <= rr_v_d;
      part_q      <= part_d;
      dcnt_q      <= dcnt_d;
      if (en) begin
        pv_q <= {pv_q[7:1], p_go};
        o1_v_q <= o_go;
        o2_v_q <= o1_v_q;
        o3_v_q <= o2_v_q;
      end
      v1_v_q <= good && (op == OpPvec) && !skip_q;
      v2_v_q <= v1_v_q;
      v3_v_q <= v2_v_q;
    end
  end

  // data registers: no reset (read only under the valid and state bits above)
  always_ff @(posedge clk_i) begin
    if (in_ready_o) begin
      a_cmd_q  <= in_cmd_i;
      a_data_q <= in_data_i;
      a_s32_q  <= in_s32;
    end
    if (en) begin
      pexp_q  <= {pexp_q[7:1], op == OpExp};
      plast_q <= {plast_q[7:1], c_last};
    end
    out_kind_q  <= out_kind_d;
    out_flags_q <= out_flags_d;
    out_aux_q   <= out_aux_d;
    out_data_q  <= out_data_d;
    sa_q        <= sa_d;
    sb_q        <= sb_d;
    pw1_q       <= pw1_d;
    pw2_q       <= pw2_d;
    scale_q     <= scale_d;
    len_q       <= len_d;
    delta_q     <= delta_d;
    causal_q    <= causal_d;
    window_q    <= window_d;
    pos_q       <= pos_d;
    any_q       <= any_d;
    nan_q       <= nan_d;
    xmax_q      <= xmax_d;
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
  `PIM_ASSERT_BAD_CMD(bad_cmd, issue && bad, a_cmd_q, "softmax_unit", "rules in csim/sm_unit.h")
endmodule
