// FP32 a + b for non-negative operands (+0, positive subnormals, normals and +Inf) and NaNs: the bits
// of fp_add on that domain, for the softmax unit's lane sums (every probability is >= +0). No subtract
// path, so no cancellation: the sum needs at most a one-bit right shift; the operands are ordered by
// exponent alone (not by magnitude); and the rounding increment is injected into the add (t + 4 rounds
// the sum without a carry out, t + 8 the one with) instead of following it. That keeps the accumulation
// loop (register, add, register) within one clock of 1,500 ps (docs/area.md). A negative
// operand other than -0 gives a wrong result: the caller guarantees the domain (-0 counts as +0, as
// fp_add gives -0 + x = x for every x != -0).
`default_nettype none
module sm_pos_add (
  input  wire  [31:0] a_i,
  input  wire  [31:0] b_i,
  output logic [31:0] y_o
);
  logic a_nan, b_nan, a_inf, b_inf;
  assign a_nan = (&a_i[30:23]) & (|a_i[22:0]);
  assign b_nan = (&b_i[30:23]) & (|b_i[22:0]);
  assign a_inf = (&a_i[30:23]) & ~(|a_i[22:0]);
  assign b_inf = (&b_i[30:23]) & ~(|b_i[22:0]);

  // x: the operand of larger exponent (for an add of same-sign operands the order of two operands of
  // one exponent does not matter); both differences are computed beside the comparison
  logic [7:0]  ea, eb, dab, dba, ex, d;
  logic        swap;
  logic [30:0] x, y;
  assign ea   = (|a_i[30:23]) ? a_i[30:23] : 8'd1;
  assign eb   = (|b_i[30:23]) ? b_i[30:23] : 8'd1;
  assign dab  = ea - eb;
  assign dba  = eb - ea;
  assign swap = ea < eb;
  assign x    = swap ? b_i[30:0] : a_i[30:0];
  assign y    = swap ? a_i[30:0] : b_i[30:0];
  assign ex   = swap ? eb : ea;
  assign d    = swap ? dba : dab;

  logic [23:0] mx, my;
  assign mx = {|x[30:23], x[22:0]};
  assign my = {|y[30:23], y[22:0]};
  logic [4:0]  dc;
  logic [26:0] my_ext, my_shr, drop, my_al;
  assign dc     = (d > 8'd26) ? 5'd26 : d[4:0];
  assign my_ext = {my, 3'b000};
  assign my_shr = my_ext >> dc;
  assign drop   = ~({27{1'b1}} << dc);
  assign my_al  = my_shr | 27'(|(my_ext & drop));

  // T = x + y; rounding injected: T4 = T + 4 (half an ulp without carry out), T8 = T + 8 (with)
  logic [28:0] xs, ys, t, t4, t8;
  assign xs = {2'b0, mx, 3'b000};
  assign ys = {2'b0, my_al};
  assign t  = xs + ys;
  assign t4 = xs + ys + 29'd4;
  assign t8 = xs + ys + 29'd8;
  logic        c, tie;
  logic [22:0] fr;
  logic [8:0]  er;
  assign c   = t[27];
  assign tie = c ? (t[3:0] == 4'b1000) : (t[2:0] == 3'b100);
  assign fr  = c ? {t8[26:5], t8[4] & ~tie} : {t4[25:4], t4[3] & ~tie};
  assign er  = c ? 9'(ex) + 9'd1 + 9'(t8[28]) : (t[26] ? 9'(ex) + 9'(t4[27]) : 9'd0);

  assign y_o = (a_nan | b_nan)                     ? 32'h7FC0_0000 :
               (a_inf | b_inf | er >= 9'd255) ? 32'h7F80_0000 : {1'b0, er[7:0], fr};

  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = ^{a_i[31], b_i[31], t[28], t[25:4], t4[28], t4[26], t4[2:0], t8[27], t8[3:0]};
  // verilator lint_on UNUSEDSIGNAL
endmodule
