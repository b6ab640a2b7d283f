// Formal reference (make formal; not part of the units): round an exact value M * 2^E (M = 0 gives a signed
// zero) to the format (ExpW, ManW) = (5, 10) FP16 or (8, 23) FP32: RNE, subnormals, overflow to Inf,
// described as "pick the result's quantum, divide, round the quotient", not as the units'
// normalise-then-round (rtl/common/fp_round.sv). M < 2^47, E in -512..511.
`default_nettype none

module ref_round #(
  parameter int ExpW = 5,
  parameter int ManW = 10
) (
  input  wire        sign_i,
  input  wire [46:0] m_i,
  input  wire signed [9:0] e_i,
  output logic [ExpW+ManW:0] y_o
);
  integer msb, q, s, i;
  logic [47:0] mant, rem, half;
  logic up;
  logic [ExpW-1:0] ef;
  localparam int Bias = (1 << (ExpW - 1)) - 1;
  localparam int QMin = 1 - Bias - ManW;  // the smallest subnormal's exponent
  always @* begin
    msb = 0;
    for (i = 0; i < 47; i = i + 1)
      if (m_i[i]) msb = i;
    // the value lies in [2^(msb+E), 2^(msb+E+1)); its quantum is 2^(msb+E-ManW), never below 2^QMin
    q = msb + e_i - ManW;
    if (q < QMin) q = QMin;
    s = q - e_i;  // low bits of M below the quantum (negative: M is below it, exact)
    if (s <= 0) begin
      mant = {1'b0, m_i} << (-s);
      up = 1'b0;
      rem = 48'd0;
      half = 48'd0;
    end else begin
      mant = {1'b0, m_i} >> s;
      rem = {1'b0, m_i} & ((48'd1 << s) - 48'd1);
      half = 48'd1 << (s - 1);
`ifdef FORMAL_MUTANT
      up = rem >= half;  // ties away from zero: make formal's negative control, which must fail
`else
      up = (rem > half) || (rem == half && mant[0]);
`endif
    end
    mant = mant + {47'd0, up};
    if (mant[ManW+1]) begin  // rounded up to 2^(ManW+1): one quantum more
      mant = mant >> 1;
      q = q + 1;
    end
    ef = q + ManW + Bias;  // exponent field of a normal result
    if (mant[ManW] && q + ManW + Bias >= (1 << ExpW) - 1)
      y_o = {sign_i, {ExpW{1'b1}}, {ManW{1'b0}}};           // overflow: Inf
    else if (mant[ManW])
      y_o = {sign_i, ef, mant[ManW-1:0]};                   // normal
    else
      y_o = {sign_i, {ExpW{1'b0}}, mant[ManW-1:0]};         // subnormal (q = QMin) or zero
  end
endmodule
