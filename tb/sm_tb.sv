// Icarus testbench for one softmax-unit build: replays the input-beat file written by test_sm_cosim
// (lines "cmd data": cmd = 96 bits, data = lane Lanes-1 first) one beat per clock, and compares every
// output beat with the result file (lines "kind flags aux data": aux = {rl, l, m}), in order.
// Build: iverilog -g2012 -DLANES=4 -DPIECES=16 -DINFP16=1 -DMERGED=128 -s sm_tb ...
// Run:   vvp -n sm_tb.vvp +cmd=FILE +res=FILE     Prints "PASS n beats in, m beats out, c cycles".
`default_nettype none

module sm_tb;
  localparam L = `LANES;
  logic               clk = 1'b0, rst_n = 1'b0;
  logic               in_valid = 1'b0;
  logic [95:0]        cmd = '0;
  logic [L*32-1:0]    data = '0;
  logic               in_ready, out_valid, err;
  logic [1:0]         kind, flags;
  logic [95:0]        aux;
  logic [L*32-1:0]    out_data;

  softmax_unit #(.Lanes(L), .Pieces(`PIECES), .InFp16(`INFP16), .MergeD(`MERGED)) dut (
    .clk_i(clk), .rst_ni(rst_n),
    .in_valid_i(in_valid), .in_ready_o(in_ready), .in_cmd_i(cmd), .in_data_i(data),
    .out_valid_o(out_valid), .out_ready_i(1'b1), .out_kind_o(kind), .out_flags_o(flags), .out_aux_o(aux),
    .out_data_o(out_data), .err_o(err)
  );

  always #2 clk = ~clk;  // inputs change at negedge; ready is sampled 1 unit later

  reg [8*1024-1:0] cpath, rpath;
  integer cf, rf, code, nin = 0, nout = 0, nbad = 0, ncyc = 0;
  reg [95:0]   c_w;
  reg [L*32-1:0] d_w, e_data;
  reg [3:0]    e_kind, e_flags;
  reg [95:0]   e_aux;

  always @(posedge clk) begin
    ncyc = ncyc + 1;
    if (rst_n && out_valid) begin
      code = $fscanf(rf, "%h %h %h %h\n", e_kind, e_flags, e_aux, e_data);
      if (code != 4) begin
        $display("FAIL output beat %0d not in the result file", nout);
        nbad = nbad + 1;
      end else if (kind !== e_kind[1:0] || flags !== e_flags[1:0] || aux !== e_aux || out_data !== e_data) begin
        if (nbad < 5) $display("FAIL beat %0d: %h %h %h %h, golden %h %h %h %h", nout, kind, flags, aux, out_data,
                               e_kind, e_flags, e_aux, e_data);
        nbad = nbad + 1;
      end
      nout = nout + 1;
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
      in_valid = 1'b1;
      #1;
      while (!in_ready) begin
        @(negedge clk);
        #1;
      end
      @(negedge clk);
      nin = nin + 1;
      code = $fscanf(cf, "%h %h\n", c_w, d_w);
    end
    in_valid = 1'b0;
    repeat (300) @(negedge clk);
    code = $fscanf(rf, "%h %h %h %h\n", e_kind, e_flags, e_aux, e_data);
    if (code == 4) begin
      $display("FAIL result file has beats the RTL did not produce");
      nbad = nbad + 1;
    end
    if (nin == 0) $display("FAIL empty input file");
    else if (nbad != 0 || err) $display("FAIL %0d bad beats of %0d, err_o=%b", nbad, nout, err);
    else $display("PASS %0d beats in, %0d beats out, %0d cycles", nin, nout, ncyc);
    $finish;
  end
endmodule
