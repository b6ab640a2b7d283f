// Shared Icarus vector driver of the testbenches tb/prim_tb.sv, tb/gemv_tb.sv and tb/sm_tb.sv: clock and
// reset, the vector files written by the Verilator suites (test_prim_cosim, test_gemv_cosim,
// test_sm_cosim), one input beat per clock with a valid/ready handshake, every output beat compared with
// its golden value in order, and the closing PASS/FAIL line that `make test` reads.
//   Mode 0 (FP primitive): +vec=FILE, lines "a b c y" (hex); a, b, c drive f0_o, f1_o, f2_o; y is the
//          golden output, due in order (valid_o of the DUT; ready_i tied high). Prints
//          "PASS n vectors, 0 mismatches".
//   Mode 1 (GEMV unit), Mode 2 (softmax unit): +cmd=FILE with lines "f0 f1" driving f0_o, f1_o, held
//          until ready_i; +res=FILE with one line per output beat, "e0 e1" (Mode 1) or "e0 e1 e2 e3"
//          (Mode 2), compared with out_i = {e0, e1[, e2, e3]} at widths O0W .. O3W (a field read into
//          fewer bits than the file holds keeps its low bits). Prints "PASS n commands, m result beats,
//          c cycles" (Mode 1) or "PASS n beats in, m beats out, c cycles" (Mode 2).
// Timing: inputs change at the falling edge, ready_i is sampled one time unit later, output beats at the
// rising edge (before the DUT's registers update); Drain clock cycles after the last input.
`default_nettype none

module vec_driver #(
  parameter int Mode  = 1,
  parameter int I0W   = 32,  // input fields: f0_o, f1_o, f2_o (Mode 0: a, b, c)
  parameter int I1W   = 32,
  parameter int I2W   = 1,
  parameter int O0W   = 16,  // output fields, first is most significant in out_i
  parameter int O1W   = 1,
  parameter int O2W   = 1,
  parameter int O3W   = 1,
  parameter int Drain = 40,
  localparam int OW   = (Mode == 0) ? O0W : (Mode == 1) ? O0W + O1W : O0W + O1W + O2W + O3W
) (
  output logic           clk_o,
  output logic           rst_no,
  output logic           valid_o,
  output logic [I0W-1:0] f0_o,
  output logic [I1W-1:0] f1_o,
  output logic [I2W-1:0] f2_o,
  input  wire            ready_i,
  input  wire            out_valid_i,
  input  wire  [OW-1:0]  out_i,
  input  wire            err_i
);
  initial begin
    clk_o   = 1'b0;
    rst_no  = 1'b0;
    valid_o = 1'b0;
    f0_o    = '0;
    f1_o    = '0;
    f2_o    = '0;
  end
  always #2 clk_o = ~clk_o;

  reg [8*1024-1:0] vpath, cpath, rpath;
  integer          cf, rf, code, nin = 0, nout = 0, nbad = 0, ncyc = 0;
  reg [I0W-1:0]    v0;
  reg [I1W-1:0]    v1;
  reg [I2W-1:0]    v2;
  reg [O0W-1:0]    v3, e0;
  reg [O1W-1:0]    e1;
  reg [O2W-1:0]    e2;
  reg [O3W-1:0]    e3;
  reg [OW-1:0]     golden;

  // Mode 0: the golden outputs (and operands, for the message) of the vectors in flight
  reg [O0W-1:0]    exp_q [0:15];
  reg [I0W-1:0]    in0_q [0:15];
  reg [I1W-1:0]    in1_q [0:15];

  // the next input line into v0 .. v3; ok = 1 if there was one
  task automatic read_in(output integer ok);
    begin
      if (Mode == 0) ok = ($fscanf(cf, "%h %h %h %h\n", v0, v1, v2, v3) == 4);
      else           ok = ($fscanf(cf, "%h %h\n", v0, v1) == 2);
    end
  endtask

  // the next result line into e0 .. e3 and golden (Modes 1, 2); ok = 1 if there was one
  task automatic read_res(output integer ok);
    begin
      if (Mode == 1) begin
        ok     = ($fscanf(rf, "%h %h\n", e0, e1) == 2);
        golden = OW'({e0, e1});
      end else begin
        ok     = ($fscanf(rf, "%h %h %h %h\n", e0, e1, e2, e3) == 4);
        golden = OW'({e0, e1, e2, e3});
      end
    end
  endtask

  // output beats, in order
  integer got;
  always @(posedge clk_o) begin
    ncyc = ncyc + 1;
    if (rst_no && out_valid_i) begin
      if (Mode == 0) begin
        if (nout >= nin) begin
          $display("FAIL valid_o with nothing pending at time %0t", $time);
          nbad = nbad + 1;
        end else begin
          if (out_i !== OW'(exp_q[nout % 16])) begin
            if (nbad < 5)
              $display("FAIL vector %0d: a=%h b=%h: y=%h, golden %h", nout, in0_q[nout % 16], in1_q[nout % 16],
                       out_i, exp_q[nout % 16]);
            nbad = nbad + 1;
          end
          nout = nout + 1;
        end
      end else begin
        read_res(got);
        if (got == 0) begin
          $display("FAIL %s beat %0d not in the result file", (Mode == 1) ? "result" : "output", nout);
          nbad = nbad + 1;
        end else if (out_i !== golden) begin
          if (nbad < 5) $display("FAIL beat %0d: %h, golden %h", nout, out_i, golden);
          nbad = nbad + 1;
        end
        nout = nout + 1;
      end
    end
  end

  initial begin
    if (Mode == 0) begin
      if (!$value$plusargs("vec=%s", vpath)) begin
        $display("FAIL no +vec=FILE given");
        $finish;
      end
      cf = $fopen(vpath, "r");
      if (cf == 0) begin
        $display("FAIL cannot open %0s", vpath);
        $finish;
      end
    end else begin
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
    end
    repeat (2) @(negedge clk_o);
    rst_no = 1'b1;
    read_in(code);
    @(negedge clk_o);
    while (code != 0) begin
      f0_o    = v0;
      f1_o    = v1;
      f2_o    = v2;
      valid_o = 1'b1;
      if (Mode == 0) begin  // due from this clock's rising edge on (Stages = 0: at once)
        exp_q[nin % 16] = v3;
        in0_q[nin % 16] = v0;
        in1_q[nin % 16] = v1;
        nin = nin + 1;
      end
      #1;
      while (!ready_i) begin
        @(negedge clk_o);
        #1;
      end
      @(negedge clk_o);  // the rising edge in between took the beat
      if (Mode != 0) nin = nin + 1;
      read_in(code);
    end
    valid_o = 1'b0;
    repeat (Drain) @(negedge clk_o);
    if (Mode == 0) begin
      if (nin == 0) $display("FAIL empty vector file %0s", vpath);
      else if (nbad != 0 || nout != nin) $display("FAIL %0d of %0d vectors wrong, %0d outputs seen", nbad, nin, nout);
      else $display("PASS %0d vectors, 0 mismatches", nin);
    end else begin
      read_res(got);
      if (got != 0) begin
        $display("FAIL result file has beats the RTL did not produce");
        nbad = nbad + 1;
      end
      if (nin == 0) $display("FAIL empty %s file", (Mode == 1) ? "command" : "input");
      else if (nbad != 0 || err_i) $display("FAIL %0d bad beats of %0d, err_o=%b", nbad, nout, err_i);
      else if (Mode == 1) $display("PASS %0d commands, %0d result beats, %0d cycles", nin, nout, ncyc);
      else $display("PASS %0d beats in, %0d beats out, %0d cycles", nin, nout, ncyc);
    end
    $finish;
  end
endmodule
