// Reciprocal unit of the softmax: 1/l as FP32 (combinational). l = 2^e * d with d in [1,2)
// (subnormals normalised); seed x0 from the top 6 fraction bits (sm_rcp_table, U1.16); two Newton-Raphson
// steps x <- x (2 - d x) in U1.30 fixed point, truncating; fp_round to FP32.
// NaN or l < 0 -> canonical NaN; +-0 -> +Inf; +Inf -> +0. Mirrors csim/softmax.c sm_recip().
`default_nettype none

module sm_recip (
  input  wire  [31:0] l_i,
  output logic [31:0] y_o
);
  logic       sgn, is_zero, is_nan, is_inf;
  logic [7:0] e;
  assign sgn     = l_i[31];
  assign e       = l_i[30:23];
  assign is_zero = (e == 8'd0) && (l_i[22:0] == 23'd0);
  assign is_nan  = (e == 8'hFF) && (l_i[22:0] != 23'd0);
  assign is_inf  = (e == 8'hFF) && (l_i[22:0] == 23'd0);

  // normalise: d = sig << lz, exponent of d's leading one = eeff - lz
  function automatic [4:0] lzc24(input [23:0] v);
    integer i;
    begin
      lzc24 = 5'd24;
      for (i = 0; i < 24; i = i + 1) begin
        if (v[i]) lzc24 = 5'(23 - i);
      end
    end
  endfunction

  logic [23:0] sig, d;
  logic [4:0]  lz;
  assign sig = {(e != 8'd0), l_i[22:0]};
  assign lz  = lzc24(sig);
  assign d   = sig << lz;

  logic [5:0]  ridx;
  logic [16:0] seed;
  assign ridx = d[22:17];
  sm_rcp_table u_tab (.idx_i(ridx), .seed_o(seed));

  logic [30:0] x0, x1, x2;
  logic [54:0] dx0, dx1;
  logic [31:0] t0, t1, tm0, tm1;
  logic [62:0] xt0, xt1;
  assign x0  = {seed, 14'd0};
  assign dx0 = d * x0;
  assign t0  = dx0[54:23];
  assign tm0 = 32'h8000_0000 - t0;
  assign xt0 = x0 * tm0;
  assign x1  = xt0[60:30];
  assign dx1 = d * x1;
  assign t1  = dx1[54:23];
  assign tm1 = 32'h8000_0000 - t1;
  assign xt1 = x1 * tm1;
  assign x2  = xt1[60:30];

  // etop = 127 - (eeff - 127 - lz) = 254 - eeff + lz
  logic [7:0]  eeff;
  logic [10:0] etop;
  assign eeff = (e == 8'd0) ? 8'd1 : e;
  assign etop = 11'd254 - 11'(eeff) + 11'(lz);

  logic [31:0] rounded;
  fp_round #(.ExpW(8), .ManW(23), .SigW(31), .EW(11)) u_round (
    .sign_i(1'b0), .etop_i(etop), .sig_i(x2), .y_o(rounded)
  );

  always_comb begin
    if (is_nan || (sgn && !is_zero)) y_o = 32'h7FC0_0000;
    else if (is_zero)                y_o = 32'h7F80_0000;
    else if (is_inf)                 y_o = 32'h0000_0000;
    else                             y_o = rounded;
  end

  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = ^{dx0[22:0], dx1[22:0], xt0[62:61], xt0[29:0], xt1[62:61], xt1[29:0], d[23], d[16:0]};
  // verilator lint_on UNUSEDSIGNAL
endmodule
