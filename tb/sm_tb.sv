// Icarus testbench for one softmax-unit build: replays the input-beat file written by test_sm_cosim
// (lines "cmd data": cmd = 96 bits, data = lane Lanes-1 first) one beat per clock, and compares every
// output beat with the result file (lines "kind flags aux data": aux = {rl, l, m}), in order
// (tb/vec_driver.sv, Mode 2).
// Build: iverilog -g2012 -DLANES=4 -DPIECES=16 -DINFP16=1 -DMERGED=128 -s sm_tb tb/sm_tb.sv tb/vec_driver.sv ...
// Run:   vvp -n sm_tb.vvp +cmd=FILE +res=FILE     Prints "PASS n beats in, m beats out, c cycles".
`default_nettype none

module sm_tb;
  localparam int L = `LANES;
  logic               clk, rst_n, in_valid;
  logic [95:0]        cmd;
  logic [L*32-1:0]    data;
  logic               in_ready, out_valid, err;
  logic [1:0]         kind, flags;
  logic [95:0]        aux;
  logic [L*32-1:0]    out_data;

  vec_driver #(
    .Mode(2), .I0W(96), .I1W(L * 32), .I2W(1), .O0W(2), .O1W(2), .O2W(96), .O3W(L * 32), .Drain(300)
  ) u_drv (
    .clk_o      (clk),
    .rst_no     (rst_n),
    .valid_o    (in_valid),
    .f0_o       (cmd),
    .f1_o       (data),
    .f2_o       (),
    .ready_i    (in_ready),
    .out_valid_i(out_valid),
    .out_i      ({kind, flags, aux, out_data}),
    .err_i      (err)
  );

  softmax_unit #(.Lanes(L), .Pieces(`PIECES), .InFp16(`INFP16), .MergeD(`MERGED)) dut (
    .clk_i      (clk),
    .rst_ni     (rst_n),
    .in_valid_i (in_valid),
    .in_ready_o (in_ready),
    .in_cmd_i   (cmd),
    .in_data_i  (data),
    .out_valid_o(out_valid),
    .out_ready_i(1'b1),
    .out_kind_o (kind),
    .out_flags_o(flags),
    .out_aux_o  (aux),
    .out_data_o (out_data),
    .err_o      (err)
  );
endmodule
