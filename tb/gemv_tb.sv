// Icarus testbench for one GEMV build: replays the command file written by test_gemv_cosim (lines
// "cmd data" in hex, data = lane 15 first) one command per clock, and compares every result beat with
// the result file (lines "info lanes", lane 15 first), in order.
// Build: iverilog -g2012 -DDUT=gemv_systolic -DDUT_PARAMS='.G(2), .Depth(4), .Slots(3), .AccFp32(1)'
//        -DACCW=32 -s gemv_tb ...     Run: vvp -n gemv_tb.vvp +cmd=FILE +res=FILE
// Prints "PASS n commands, m result beats, c cycles" or "FAIL ...".
`default_nettype none

module gemv_tb;
  localparam AccW = `ACCW;
  logic                clk = 1'b0, rst_n = 1'b0;
  logic                cmd_valid = 1'b0, data_valid = 1'b0;
  logic [31:0]         cmd = '0;
  logic [255:0]        data = '0;
  logic                cmd_ready, data_ready, res_valid, err;
  logic [16*AccW-1:0]  res_data;
  logic [15:0]         res_info;

  `DUT #(`DUT_PARAMS) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .cmd_valid_i(cmd_valid), .cmd_ready_o(cmd_ready), .cmd_i(cmd),
    .data_valid_i(data_valid), .data_ready_o(data_ready), .data_i(data),
    .res_valid_o(res_valid), .res_ready_i(1'b1), .res_data_o(res_data), .res_info_o(res_info),
    .err_o(err)
  );

  always #2 clk = ~clk;  // inputs change at negedge; ready is sampled 1 unit later, before the posedge

  reg [8*1024-1:0] cpath, rpath;
  integer cf, rf, code, ncmd = 0, nbeat = 0, nbad = 0, ncyc = 0;
  reg [31:0]        c_w;
  reg [255:0]       d_w;
  reg [15:0]        e_info;
  reg [16*AccW-1:0] e_data;

  // results: compare every beat with the next line of the result file
  always @(posedge clk) begin
    ncyc = ncyc + 1;
    if (rst_n && res_valid) begin
      code = $fscanf(rf, "%h %h\n", e_info, e_data);
      if (code != 2) begin
        $display("FAIL result beat %0d not in the result file", nbeat);
        nbad = nbad + 1;
      end else if (res_info[13:0] !== e_info[13:0] || res_data !== e_data) begin
        if (nbad < 5) $display("FAIL beat %0d: info %h data %h, golden %h %h", nbeat, res_info, res_data,
                               e_info, e_data);
        nbad = nbad + 1;
      end
      nbeat = nbeat + 1;
    end
  end

  initial begin
    if (!$value$plusargs("cmd=%s", cpath) || !$value$plusargs("res=%s", rpath)) begin
      $display("FAIL need +cmd=FILE +res=FILE");
      $finish;
    end
    cf = $fopen(cpath, "r");
    rf = $fopen(rpath, "r");
    if (cf == 0 || rf == 0) begin
      $display("FAIL cannot open the vector files");
      $finish;
    end
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    code = $fscanf(cf, "%h %h\n", c_w, d_w);
    @(negedge clk);
    while (code == 2) begin
      cmd = c_w;
      data = d_w;
      cmd_valid = 1'b1;
      data_valid = 1'b1;
      #1;
      while (!cmd_ready) begin
        @(negedge clk);
        #1;
      end
      @(negedge clk);  // the rising edge in between took the command
      ncmd = ncmd + 1;
      code = $fscanf(cf, "%h %h\n", c_w, d_w);
    end
    cmd_valid = 1'b0;
    data_valid = 1'b0;
    repeat (40) @(negedge clk);
    code = $fscanf(rf, "%h %h\n", e_info, e_data);
    if (code == 2) begin
      $display("FAIL result file has beats the RTL did not produce");
      nbad = nbad + 1;
    end
    if (ncmd == 0) $display("FAIL empty command file");
    else if (nbad != 0 || err) $display("FAIL %0d bad beats of %0d, err_o=%b", nbad, nbeat, err);
    else $display("PASS %0d commands, %0d result beats, %0d cycles", ncmd, nbeat, ncyc);
    $finish;
  end
endmodule
