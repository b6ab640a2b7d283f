// Second step of sm_exp2 (combinational): 2^g = A + B * u from sm_exp2_a's table entry, as a U2.22
// mantissa; sm_exp2_c rounds it.   st_o = {code[1:0], etop[7:0], mant[23:0]} (code and etop: sm_exp2_a's).
`include "pim_assert.svh"
`default_nettype none

module sm_exp2_b #(
  parameter  int Pieces = 16,
  localparam int StW    = 2 + 8 + 1 + 48 + 20 - $clog2(Pieces)
) (
  input  wire  [StW-1:0] st_i,
  output logic [33:0]    st_o
);
  `PIM_PARAM_CHECK(pieces, Pieces == 4 || Pieces == 8 || Pieces == 16 || Pieces == 32 || Pieces == 64,
                   "sm_exp2_b: Pieces must be 4, 8, 16, 32 or 64")

  localparam int UB = 20 - $clog2(Pieces);

  logic [1:0]    code;
  logic [7:0]    etop;
  logic          frac;
  logic [23:0]   ta, tb;
  logic [UB-1:0] pos;
  assign {code, etop, frac, ta, tb, pos} = st_i;

  logic [24+UB-1:0] bu;
  logic [23:0]      mant;           // U2.22
  assign bu   = tb * pos;
  assign mant = frac ? (ta + 24'(bu >> UB)) : 24'h400000;

  assign st_o = {code, etop, mant};
endmodule
