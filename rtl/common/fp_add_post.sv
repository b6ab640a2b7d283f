// The second half of fp_add (see fp_add_pre): normalise and round the sum (fp_round), or the special
// result the first half found. Combinational.
`include "pim_assert.svh"
`default_nettype none

module fp_add_post #(
  parameter  int ExpW = 5,
  parameter  int ManW = 10,
  localparam int PreW = 2 + 1 + 1 + (ExpW + 3) + (ManW + 5)
) (
  input  wire  [PreW-1:0]    pre_i,
  output logic [ExpW+ManW:0] y_o
);
  `PIM_PARAM_CHECK(exp_w, ExpW >= 2, "fp_add_post: ExpW must be at least 2")
  `PIM_PARAM_CHECK(man_w, ManW >= 2, "fp_add_post: ManW must be at least 2")

  localparam int N    = ExpW + ManW + 1;
  localparam int SigW = ManW + 5;
  localparam int EW   = ExpW + 3;

  logic [1:0]      code;
  logic            zero_sign, sign;
  logic [EW-1:0]   etop;
  logic [SigW-1:0] sum;
  assign {code, zero_sign, sign, etop, sum} = pre_i;

  logic [N-1:0] rounded;
  fp_round #(.ExpW(ExpW), .ManW(ManW), .SigW(SigW), .EW(EW)) u_round (
    .sign_i (sign),
    .etop_i (etop),
    .sig_i  (sum),
    .y_o    (rounded)
  );

  assign y_o = (code == 2'd1) ? {1'b0, {ExpW{1'b1}}, 1'b1, {(ManW-1){1'b0}}} :  // canonical qNaN
               (code == 2'd2) ? {sign, {ExpW{1'b1}}, {ManW{1'b0}}} :             // infinity
               (sum == '0)    ? {zero_sign, {(N-1){1'b0}}} :                     // x + (-x) = +0
                                rounded;
endmodule
