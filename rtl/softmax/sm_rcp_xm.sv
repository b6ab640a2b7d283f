// The other half of a Newton-Raphson step of sm_recip (combinational): x' = x * tm, U1.30, truncating.
`default_nettype none

module sm_rcp_xm (
  input  wire  [30:0] x_i,
  input  wire  [31:0] tm_i,
  output logic [30:0] x_o
);
  logic [62:0] xt;
  assign xt  = x_i * tm_i;
  assign x_o = xt[60:30];
  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = ^{xt[62:61], xt[29:0]};
  // verilator lint_on UNUSEDSIGNAL
endmodule
