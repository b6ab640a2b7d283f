// Icarus testbench for one FP primitive top: replays a vector file written by test_prim_cosim
// (one vector per line, hex "a b c y") one per clock and compares y_o with the golden y, in order
// (tb/vec_driver.sv, Mode 0).
// Build: iverilog -g2012 -DDUT=fp16_add -DAW=16 -DYW=16 [-DHAS_C] -Pprim_tb.Stages=2 -s prim_tb
//          tb/prim_tb.sv tb/vec_driver.sv ...
// Run:   vvp -n prim_tb.vvp +vec=FILE     Prints "PASS n vectors, 0 mismatches" or "FAIL ...".
`default_nettype none

module prim_tb #(
  parameter int Stages = 0
);
  logic           clk, rst_n, valid, valid_o;
  logic [`AW-1:0] a, b;
  logic [31:0]    c;
  logic [`YW-1:0] y;

  vec_driver #(
    .Mode(0), .I0W(`AW), .I1W(`AW), .I2W(32), .O0W(`YW), .Drain(Stages + 2)
  ) u_drv (
    .clk_o      (clk),
    .rst_no     (rst_n),
    .valid_o    (valid),
    .f0_o       (a),
    .f1_o       (b),
    .f2_o       (c),
    .ready_i    (1'b1),
    .out_valid_i(valid_o),
    .out_i      (y),
    .err_i      (1'b0)
  );

  `DUT #(.Stages(Stages)) dut (
    .clk_i   (clk),
    .rst_ni  (rst_n),
    .valid_i (valid),
    .a_i     (a),
    .b_i     (b),
`ifdef HAS_C
    .c_i     (c),
`endif
    .valid_o (valid_o),
    .y_o     (y)
  );

`ifndef HAS_C
  // verilator lint_off UNUSEDSIGNAL
  logic unused_c;
  assign unused_c = ^c;
  // verilator lint_on UNUSEDSIGNAL
`endif
endmodule
