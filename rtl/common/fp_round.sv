// Normalise and round to nearest, ties to even, into an IEEE format with subnormals.
// Mirrors csim/fp.c fp_round_pack() step for step.
//   value = sig_i * 2^(etop_i - bias - (SigW-1)); etop_i is the (signed) biased exponent that bit
//   SigW-1 of sig_i would have. sig_i must be nonzero (callers mux zero/Inf/NaN results themselves).
`include "pim_assert.svh"
`default_nettype none

module fp_round #(
  parameter int ExpW = 8,   // result exponent width
  parameter int ManW = 23,  // result stored-fraction width
  parameter int SigW = 28,  // width of the unnormalised significand
  parameter int EW   = 12   // width of the signed exponent arithmetic
) (
  input  wire                 sign_i,
  input  wire  [EW-1:0]       etop_i,
  input  wire  [SigW-1:0]     sig_i,
  output logic [ExpW+ManW:0]  y_o
);
  `PIM_PARAM_CHECK(exp_w, ExpW >= 2, "fp_round: ExpW must be at least 2")
  `PIM_PARAM_CHECK(man_w, ManW >= 1, "fp_round: ManW must be at least 1")
  `PIM_PARAM_CHECK(sig_w, SigW >= 1, "fp_round: SigW must be at least 1")
  `PIM_PARAM_CHECK(e_w, EW >= ExpW + 2, "fp_round: EW must be at least ExpW + 2 (signed exponent arithmetic)")

  // Working width: mantissa with hidden bit, round bit and at least one sticky bit.
  localparam int SW   = ((SigW > ManW + 1) ? SigW : ManW + 1) + 2;
  localparam int ShW  = $clog2(SW + 1);
  localparam int EMax = (1 << ExpW) - 1;

  // Leading-zero count of sig_i (the highest set bit wins). A function, not a generate chain over one
  // flat bus: Icarus re-evaluates a whole vector per part-select assignment and crawls on the latter.
  function automatic [EW-1:0] lzc(input [SigW-1:0] v);
    integer i;
    begin
      lzc = EW'(SigW);
      for (i = 0; i < SigW; i = i + 1) begin
        if (v[i]) lzc = EW'(SigW - 1 - i);
      end
    end
  endfunction

  logic [EW-1:0] lz;
  assign lz = lzc(sig_i);

  logic [EW-1:0] emsb, eq, ls, rs_full;
  logic          normal, ls_neg;
  assign emsb    = etop_i - lz;
  assign normal  = $signed(emsb) > $signed(EW'(0));
  assign eq      = normal ? emsb : EW'(1);
  assign ls      = normal ? lz : etop_i - EW'(1);  // left shift (negative: right shift)
  assign ls_neg  = ls[EW-1];
  assign rs_full = EW'(0) - ls;

  logic [ShW-1:0] ls_amt, rs_amt;
  assign ls_amt = ls_neg ? '0 : ls[ShW-1:0];      // ls <= lz < SW when non-negative
  // Beyond ManW+2 every bit is below the round bit, so clamping keeps the rounding decision.
  assign rs_amt = !ls_neg ? '0 :
                  ($signed(rs_full) > $signed(EW'(ManW + 3))) ? ShW'(ManW + 3) : rs_full[ShW-1:0];

  logic [SW-1:0] sig_pad, shl, shr, work;
  logic          sticky_out;
  assign sig_pad    = {sig_i, {(SW - SigW){1'b0}}};
  assign shl        = sig_pad << ls_amt;
  assign shr        = sig_pad >> rs_amt;
  assign sticky_out = ((shr << rs_amt) != sig_pad);
  assign work       = ls_neg ? shr : shl;

  logic [ManW:0]   mant, mant_n;
  logic [ManW+1:0] mant_r;
  logic            rnd, stk, up, carry;
  assign mant   = work[SW-1 -: ManW+1];
  assign rnd    = work[SW-ManW-2];
  assign stk    = (|work[SW-ManW-3:0]) | sticky_out;
  assign up     = rnd & (stk | mant[0]);
  assign mant_r = {1'b0, mant} + (ManW+2)'(up);
  assign carry  = mant_r[ManW+1];
  assign mant_n = carry ? mant_r[ManW+1:1] : mant_r[ManW:0];

  logic [EW-1:0] eq_n;
  logic          ovf;
  assign eq_n = eq + EW'(carry);
  assign ovf  = mant_n[ManW] && ($signed(eq_n) >= $signed(EW'(EMax)));

  assign y_o = ovf          ? {sign_i, {ExpW{1'b1}}, {ManW{1'b0}}} :
               mant_n[ManW] ? {sign_i, eq_n[ExpW-1:0], mant_n[ManW-1:0]} :
                              {sign_i, {ExpW{1'b0}}, mant_n[ManW-1:0]};
endmodule
