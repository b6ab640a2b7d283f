// Half of a Newton-Raphson step of sm_recip (combinational): tm = 2 - d x in U1.30 fixed point,
// truncating (d U1.23, x U1.30).
`default_nettype none

module sm_rcp_dx (
  input  wire  [23:0] d_i,
  input  wire  [30:0] x_i,
  output logic [31:0] tm_o
);
  logic [54:0] dx;
  assign dx   = d_i * x_i;
  assign tm_o = 32'h8000_0000 - dx[54:23];
  // verilator lint_off UNUSEDSIGNAL
  logic unused;
  assign unused = ^dx[22:0];
  // verilator lint_on UNUSEDSIGNAL
endmodule
