// Icarus testbench for one GEMV build: replays the command file written by test_gemv_cosim (lines
// "cmd data" in hex, data = lane 15 first) one command per clock, and compares every result beat with
// the result file (lines "info lanes", lane 15 first; info bits 14:0), in order (tb/vec_driver.sv, Mode 1).
// Build: iverilog -g2012 -DDUT=gemv_systolic -DDUT_PARAMS='.G(2), .Depth(4), .Slots(3), .AccFp32(1)'
//        -DACCW=32 -s gemv_tb tb/gemv_tb.sv tb/vec_driver.sv ...
// Run:   vvp -n gemv_tb.vvp +cmd=FILE +res=FILE
// Prints "PASS n commands, m result beats, c cycles" or "FAIL ...".
`default_nettype none

module gemv_tb;
  localparam int AccW = `ACCW;
  logic                clk, rst_n, valid;
  logic [31:0]         cmd;
  logic [255:0]        data;
  logic                cmd_ready, data_ready, res_valid, err;
  logic [16*AccW-1:0]  res_data;
  logic [15:0]         res_info;

  vec_driver #(
    .Mode(1), .I0W(32), .I1W(256), .I2W(1), .O0W(15), .O1W(16 * AccW), .Drain(40)
  ) u_drv (
    .clk_o      (clk),
    .rst_no     (rst_n),
    .valid_o    (valid),
    .f0_o       (cmd),
    .f1_o       (data),
    .f2_o       (),
    .ready_i    (cmd_ready),
    .out_valid_i(res_valid),
    .out_i      ({res_info[14:0], res_data}),
    .err_i      (err)
  );

  `DUT #(`DUT_PARAMS) dut (
    .clk_i       (clk),
    .rst_ni      (rst_n),
    .cmd_valid_i (valid),
    .cmd_ready_o (cmd_ready),
    .cmd_i       (cmd),
    .data_valid_i(valid),
    .data_ready_o(data_ready),
    .data_i      (data),
    .res_valid_o (res_valid),
    .res_ready_i (1'b1),
    .res_data_o  (res_data),
    .res_info_o  (res_info),
    .err_o       (err)
  );
endmodule
