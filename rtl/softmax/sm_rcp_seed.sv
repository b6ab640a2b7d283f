// sm_recip's first step (combinational): l = 2^e * d with d in [1,2) (subnormals normalised), the seed
// x0 from the top 6 fraction bits (sm_rcp_table), the result's exponent, and the special cases.
//   code_o: 0 the rounded result, 1 canonical NaN (NaN or l < 0), 2 +Inf (l = +-0), 3 +0 (l = +Inf).
`default_nettype none

module sm_rcp_seed (
  input  wire  [31:0] l_i,
  output logic [1:0]  code_o,
  output logic [10:0] etop_o,
  output logic [23:0] d_o,
  output logic [30:0] x0_o
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

  logic [23:0] sig;
  logic [4:0]  lz;
  assign sig = {(e != 8'd0), l_i[22:0]};
  assign lz  = lzc24(sig);
  assign d_o = sig << lz;

  logic [16:0] seed;
  sm_rcp_table u_tab (.idx_i(d_o[22:17]), .seed_o(seed));
  assign x0_o = {seed, 14'd0};

  // etop = 127 - (eeff - 127 - lz) = 254 - eeff + lz
  logic [7:0] eeff;
  assign eeff   = (e == 8'd0) ? 8'd1 : e;
  assign etop_o = 11'd254 - 11'(eeff) + 11'(lz);
  assign code_o = (is_nan || (sgn && !is_zero)) ? 2'd1 : is_zero ? 2'd2 : is_inf ? 2'd3 : 2'd0;
endmodule
