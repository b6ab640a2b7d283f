// The domain of sm_pos_add (non-negative operands; a may be -0, the lane sums' start) for its proof
// against fp_add (scripts/formal.sh "sm_pos_add_dom"): both wrappers map any input into the domain the
// same way, then the gold one adds with fp_add, the gate one with sm_pos_add. FORMAL_MUTANT (the negative
// control) lets the gold a keep any sign: outside the domain the two differ, which the proof must find.
`default_nettype none

module pos_add_gold (
  input  wire  [31:0] a_i,
  input  wire  [31:0] b_i,
  output logic [31:0] y_o
);
  logic [31:0] a, b;
`ifdef FORMAL_MUTANT
  assign a = a_i;
`else
  assign a = {a_i[31] & (a_i[30:0] == 31'd0), a_i[30:0]};
`endif
  assign b = {1'b0, b_i[30:0]};
  fp_add #(.ExpW(8), .ManW(23)) u_add (.a_i(a), .b_i(b), .y_o(y_o));
endmodule

module pos_add_gate (
  input  wire  [31:0] a_i,
  input  wire  [31:0] b_i,
  output logic [31:0] y_o
);
  logic [31:0] a, b;
  assign a = {a_i[31] & (a_i[30:0] == 31'd0), a_i[30:0]};
  assign b = {1'b0, b_i[30:0]};
  sm_pos_add u_add (.a_i(a), .b_i(b), .y_o(y_o));
endmodule
