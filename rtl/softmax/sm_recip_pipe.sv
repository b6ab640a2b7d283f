// sm_recip over six stages: seed | d*x0 | x0*tm0 | d*x1 | x1*tm1 | round, a register after each (latency
// 6 clocks, the same bits as sm_recip). No enable and no valid: a wave pipeline; y_o is 1/l_i of six
// clocks before.
`default_nettype none

module sm_recip_pipe (
  input  wire         clk_i,
  input  wire  [31:0] l_i,
  output logic [31:0] y_o
);
  // each stage carries the code, the exponent and d along
  logic [1:0]  code, code1_q, code2_q, code3_q, code4_q, code5_q;
  logic [10:0] etop, etop1_q, etop2_q, etop3_q, etop4_q, etop5_q;
  logic [23:0] d, d1_q, d2_q, d3_q;
  logic [30:0] x0, x0_1_q, x0_2_q, x1, x1_3_q, x1_4_q, x2, x2_5_q;
  logic [31:0] tm0, tm0_2_q, tm1, tm1_4_q, y;
  sm_rcp_seed  u_seed (.l_i(l_i), .code_o(code), .etop_o(etop), .d_o(d), .x0_o(x0));
  sm_rcp_dx    u_dx0 (.d_i(d1_q), .x_i(x0_1_q), .tm_o(tm0));
  sm_rcp_xm    u_xm0 (.x_i(x0_2_q), .tm_i(tm0_2_q), .x_o(x1));
  sm_rcp_dx    u_dx1 (.d_i(d3_q), .x_i(x1_3_q), .tm_o(tm1));
  sm_rcp_xm    u_xm1 (.x_i(x1_4_q), .tm_i(tm1_4_q), .x_o(x2));
  sm_rcp_round u_rnd (.code_i(code5_q), .etop_i(etop5_q), .x_i(x2_5_q), .y_o(y));
  always_ff @(posedge clk_i) begin
    {code1_q, etop1_q, d1_q, x0_1_q} <= {code, etop, d, x0};
    {code2_q, etop2_q, d2_q, x0_2_q, tm0_2_q} <= {code1_q, etop1_q, d1_q, x0_1_q, tm0};
    {code3_q, etop3_q, d3_q, x1_3_q} <= {code2_q, etop2_q, d2_q, x1};
    {code4_q, etop4_q, x1_4_q, tm1_4_q} <= {code3_q, etop3_q, x1_3_q, tm1};
    {code5_q, etop5_q, x2_5_q} <= {code4_q, etop4_q, x2};
    y_o <= y;
  end
endmodule
