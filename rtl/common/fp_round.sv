// Normalise and round to nearest, ties to even, into an IEEE format with subnormals.
// Mirrors csim/fp.c fp_round_pack() (same bits; the steps are arranged for a short path):
//   value = sig_i * 2^(etop_i - bias - (SigW-1)); etop_i is the (signed) biased exponent that bit
//   SigW-1 of sig_i would have. sig_i must be nonzero (callers mux zero/Inf/NaN results themselves).
// fp_round_pack shifts left by lz (normal result) or by etop_i - 1 (subnormal), i.e. by
// min(lz, etop_i - 1), or right by 1 - etop_i when that is positive. The left shift is found in one
// leading-zero count of sig_i with a sentinel bit at position SigW - etop_i (it caps the count at
// etop_i - 1), so no comparison waits for the count; rounding selects a precomputed increment.
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
  `PIM_PARAM_CHECK(e_w, EW >= ExpW + 2 && EW > $clog2(SigW + 1),
                   "fp_round: EW must be at least ExpW + 2 and hold SigW (signed exponent arithmetic)")

  // Working width: mantissa with hidden bit, round bit and at least one sticky bit.
  localparam int SW   = ((SigW > ManW + 1) ? SigW : ManW + 1) + 2;
  localparam int ShW  = $clog2(SW + 1);
  localparam int CntW = $clog2(SigW + 1);
  localparam int EMax = (1 << ExpW) - 1;

  // Right shift (subnormal result below the smallest normal exponent): etop_i <= 0.
  logic          ls_neg;
  logic [EW-1:0] rs_full;
  assign ls_neg  = $signed(etop_i) < $signed(EW'(1));
  assign rs_full = EW'(1) - etop_i;

  // Left shift = min(lz, etop_i - 1): the count of sig_i with a 1 forced at bit SigW - etop_i.
  // (bit SigW of a one-hot, shifted right by etop_i: none when etop_i <= 0, beyond the width as unsigned,
  // or > SigW; one shift of a constant, which simulators evaluate in a step, not as SigW compares)
  logic [SigW-1:0] sentinel;
  assign sentinel = SigW'({1'b1, {SigW{1'b0}}} >> etop_i);
  logic [CntW-1:0] ls_cnt;
  fp_lzc #(.Width(SigW)) u_lzc (.v_i(sig_i | sentinel), .cnt_o(ls_cnt));

  logic [EW-1:0] eq;  // biased exponent of the shifted significand's top bit (1 when subnormal)
  assign eq = ls_neg ? EW'(1) : etop_i - EW'(ls_cnt);

  logic [ShW-1:0] ls_amt, rs_amt;
  assign ls_amt = ls_neg ? '0 : ShW'(ls_cnt);       // ls_cnt <= SigW < SW
  // Beyond ManW+2 every bit is below the round bit, so clamping keeps the rounding decision.
  assign rs_amt = !ls_neg ? '0 :
                  ($signed(rs_full) > $signed(EW'(ManW + 3))) ? ShW'(ManW + 3) : rs_full[ShW-1:0];

  logic [SW-1:0] sig_pad, shl, shr, work, rs_mask;
  logic          sticky_out;
  assign sig_pad = {sig_i, {(SW - SigW){1'b0}}};
  assign shl     = sig_pad << ls_amt;
  assign shr     = sig_pad >> rs_amt;
  assign rs_mask = ~({SW{1'b1}} << rs_amt);  // the bits the right shift drops
  assign sticky_out = |(sig_pad & rs_mask);
  assign work       = ls_neg ? shr : shl;

  logic [ManW:0]   mant, mant_n;
  logic [ManW+1:0] mant_inc, mant_r;
  logic            rnd, stk, up, carry;
  assign mant     = work[SW-1 -: ManW+1];
  assign rnd      = work[SW-ManW-2];
  assign stk      = (|work[SW-ManW-3:0]) | sticky_out;
  assign up       = rnd & (stk | mant[0]);
  assign mant_inc = {1'b0, mant} + (ManW+2)'(1);
  assign mant_r   = up ? mant_inc : {1'b0, mant};
  assign carry    = mant_r[ManW+1];
  assign mant_n   = carry ? mant_r[ManW+1:1] : mant_r[ManW:0];

  logic [EW-1:0]   eq_p1;
  logic [ExpW-1:0] eq_n;
  logic            ovf;
  assign eq_p1 = eq + EW'(1);
  assign eq_n  = carry ? eq_p1[ExpW-1:0] : eq[ExpW-1:0];
  assign ovf   = mant_n[ManW] && (carry ? ($signed(eq_p1) >= $signed(EW'(EMax)))
                                        : ($signed(eq) >= $signed(EW'(EMax))));

  assign y_o = ovf          ? {sign_i, {ExpW{1'b1}}, {ManW{1'b0}}} :
               mant_n[ManW] ? {sign_i, eq_n, mant_n[ManW-1:0]} :
                              {sign_i, {ExpW{1'b0}}, mant_n[ManW-1:0]};
endmodule
