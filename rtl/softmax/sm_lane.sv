// One lane of the softmax unit (softmax_unit.sv): its row datapath with the pipeline registers of stages
// P1-P8, and its column of the merge (the V and O stages and its MergeD/Lanes accumulator entries). The
// unit holds the control (valid bits, state) and everything shared between lanes; a kept hierarchy
// boundary in synthesis (docs/area.md), so every register-to-register path of a lane is inside it.
//   P1 exact product s * scale | P2 its rounding (x_o) | P3 x - m (fp_add_pre) | P4 (fp_add_post) |
//   P5 exp2 (table) | P6 exp2 (interpolation) | P7 exp2 (rounding) and the mask: p_o | P8 widening |
//   P9 the lane sum (sm_pos_add; sum_o). V1 the row entry and the value | V2 both rescales | V3, V4 their add, written
//   back. O1 the row entry | O2 the exact product by 1/l | O3 its rounding (ovec_o).
// P and O registers load when en_i; V registers and the lane sum under their own enables.
`default_nettype none

module sm_lane #(
  parameter  int Lanes  = 1,
  parameter  int Pieces = 16,
  parameter  int MergeD = 128,
  localparam int VW     = $clog2(MergeD + 1)
) (
  input  wire           clk_i,
  input  wire           rst_ni,
  input  wire           en_i,
  // row: P1 inputs in the issue cycle
  input  wire  [31:0]   s_i,        // the score (FP32)
  input  wire  [31:0]   scale_i,
  input  wire           masked_i,
  input  wire  [31:0]   m_row_i,    // read in P3
  input  wire           nan_i,      // read in P7
  input  wire           any_i,
  input  wire           sum_clr_i,  // the lane sum := -0 (ROW)
  input  wire           sum_add_i,  // P9: the lane sum += p
  output logic [31:0]   x_o,        // P2 register
  output logic          mask_o,     // P2 register
  output logic [15:0]   p_o,        // P7 register
  output logic [31:0]   sum_o,      // the lane sum
  // merge
  input  wire           v_load_i,   // a PVEC issues: V1 loads the entry at vpos_i and in_i
  input  wire  [VW-1:0] vpos_i,
  input  wire  [31:0]   in_i,
  input  wire  [31:0]   sa_i,
  input  wire  [31:0]   sb_i,
  input  wire           v_we_i,     // V4: write the entry V1 read
  input  wire           acc_clr_i,
  input  wire  [VW-1:0] oidx_i,     // O1 reads entry oidx_i (en_i)
  input  wire  [31:0]   rl_i,       // read in O2
  input  wire           norm_i,     // read in O3
  input  wire           m_nan_i,
  input  wire           m_any_i,
  output logic [31:0]   ovec_o      // O3 register
);
  localparam int NB   = MergeD / Lanes;
  localparam int RawW = 3 + 11 + 48;
  localparam int PreW = 2 + 1 + 1 + 11 + 28;
  localparam int ExW  = 2 + 8 + 1 + 48 + 20 - $clog2(Pieces);
  localparam logic [31:0] NegZero = 32'h8000_0000, QNan = 32'h7FC0_0000;

  // ---- row ----
  logic [RawW-1:0] raw, p1_raw_q;
  logic [31:0]     x, p2_x_q, y, p4_y_q, p32, p8_p32_q, sum, sum_q;
  logic [PreW-1:0] pre, p3_pre_q;
  logic [ExW-1:0]  ex, p5_ex_q;
  logic [33:0]     em, p6_em_q;
  logic [15:0]     pe, p, p7_p_q;
  logic [5:0]      mask_q;  // P1..P6
  fp_mul_raw #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_scale (
    .a_i(s_i), .b_i(scale_i), .raw_o(raw));
  fp_mul_pack #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_pack (.raw_i(p1_raw_q), .y_o(x));
  fp_add_pre #(.ExpW(8), .ManW(23)) u_sub (.a_i(p2_x_q), .b_i({~m_row_i[31], m_row_i[30:0]}), .pre_o(pre));
  fp_add_post #(.ExpW(8), .ManW(23)) u_sub2 (.pre_i(p3_pre_q), .y_o(y));
  sm_exp2_a #(.Pieces(Pieces)) u_exp_a (.y_i(p4_y_q), .st_o(ex));
  sm_exp2_b #(.Pieces(Pieces)) u_exp_b (.st_i(p5_ex_q), .st_o(em));
  sm_exp2_c u_exp_c (.st_i(p6_em_q), .p_o(pe));
  assign p = mask_q[5] ? 16'd0 : (nan_i ? 16'h7E00 : (any_i ? pe : 16'd0));
  fp16_to_fp32 u_wide (.a_i(p7_p_q), .y_o(p32));
  // every probability is >= +0 (or NaN) and the sum starts at -0: sm_pos_add is fp_add here
  sm_pos_add u_sum (.a_i(sum_q), .b_i(p8_p32_q), .y_o(sum));
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      p1_raw_q <= raw;
      p2_x_q   <= x;
      p3_pre_q <= pre;
      p4_y_q   <= y;
      p5_ex_q  <= ex;
      p6_em_q  <= em;
      p7_p_q   <= p;
      p8_p32_q <= p32;
      mask_q   <= {mask_q[4:0], masked_i};
    end
    if (sum_clr_i)      sum_q <= NegZero;
    else if (sum_add_i) sum_q <= sum;
  end
  assign x_o    = p2_x_q;
  assign mask_o = mask_q[1];
  assign p_o    = p7_p_q;
  assign sum_o  = sum_q;

  // ---- merge ----
  // the accumulator column: entry e holds the value at vector index e*Lanes + (this lane)
  logic [NB*32-1:0] acc_q;
  logic [31:0]      acc_rd, o_rd, v1_acc_q, v1_in_q, a_s, o_s, a_s_q, o_s_q, acc_wr;
  logic [VW-1:0]    v1_pos_q, v2_pos_q, v3_pos_q;
  logic [PreW-1:0]  vpre, vpre_q;
  always_comb begin
    acc_rd = '0;
    o_rd   = '0;
    for (int e = 0; e < NB; e++) begin
      if (vpos_i == VW'(e * Lanes)) acc_rd = acc_q[e*32 +: 32];
      if (oidx_i == VW'(e))         o_rd   = acc_q[e*32 +: 32];
    end
  end
  sm_scale2 u_a (.x_i(v1_acc_q), .k_i(sa_i), .y_o(a_s));
  sm_scale2 u_o (.x_i(v1_in_q), .k_i(sb_i), .y_o(o_s));
  fp_add_pre #(.ExpW(8), .ManW(23)) u_vpre (.a_i(a_s_q), .b_i(o_s_q), .pre_o(vpre));
  fp_add_post #(.ExpW(8), .ManW(23)) u_vpost (.pre_i(vpre_q), .y_o(acc_wr));
  always_ff @(posedge clk_i) begin
    if (v_load_i) begin
      v1_acc_q <= acc_rd;
      v1_in_q  <= in_i;
      v1_pos_q <= vpos_i;
    end
    a_s_q    <= a_s;
    o_s_q    <= o_s;
    v2_pos_q <= v1_pos_q;
    vpre_q   <= vpre;
    v3_pos_q <= v2_pos_q;
  end
  for (genvar e = 0; e < NB; e++) begin : g_acc
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        acc_q[e*32 +: 32] <= '0;
      end else if (v_we_i && v3_pos_q == VW'(e * Lanes)) begin
        acc_q[e*32 +: 32] <= acc_wr;
      end else if (acc_clr_i) begin
        acc_q[e*32 +: 32] <= '0;
      end
    end
  end

  logic [31:0]     o1_q, o2_q, o_n, ovec, o3_q;
  logic [RawW-1:0] oraw, oraw_q;
  fp_mul_raw #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_nraw (
    .a_i(o1_q), .b_i(rl_i), .raw_o(oraw));
  fp_mul_pack #(.InExpW(8), .InManW(23), .OutExpW(8), .OutManW(23)) u_npack (.raw_i(oraw_q), .y_o(o_n));
  assign ovec = m_nan_i ? QNan : (!m_any_i ? 32'd0 : (norm_i ? o_n : o2_q));
  always_ff @(posedge clk_i) begin
    if (en_i) begin
      o1_q   <= o_rd;
      oraw_q <= oraw;
      o2_q   <= o1_q;
      o3_q   <= ovec;
    end
  end
  assign ovec_o = o3_q;
endmodule
