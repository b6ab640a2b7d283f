// Icarus testbench for one FP primitive top: replays a vector file written by test_prim_cosim
// (one vector per line, hex "a b c y") one per clock and compares y_o with the golden y, in order.
// Build: iverilog -g2012 -DDUT=fp16_add -DAW=16 -DYW=16 [-DHAS_C] -Pprim_tb.Stages=2 -s prim_tb ...
// Run:   vvp -n prim_tb.vvp +vec=FILE     Prints "PASS n vectors" or "FAIL ...".
`default_nettype none

module prim_tb #(
  parameter Stages = 0
);
  logic            clk = 1'b0;
  logic            rst_n = 1'b0;
  logic            valid = 1'b0;
  logic [`AW-1:0]  a = '0, b = '0;
  logic [31:0]     c = '0;
  logic            valid_o;
  logic [`YW-1:0]  y;

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

  always #1 clk = ~clk;

  logic [`YW-1:0] exp_q [0:15];
  logic [31:0]    in_a [0:15], in_b [0:15];
  integer wr = 0, rd = 0, nbad = 0;

  always @(posedge clk) begin
    if (rst_n && valid_o) begin
      if (rd >= wr) begin
        $display("FAIL valid_o with nothing pending at time %0t", $time);
        nbad = nbad + 1;
      end else begin
        if (y !== exp_q[rd % 16]) begin
          if (nbad < 5)
            $display("FAIL vector %0d: a=%h b=%h: y=%h, golden %h", rd, in_a[rd % 16], in_b[rd % 16], y,
                     exp_q[rd % 16]);
          nbad = nbad + 1;
        end
        rd = rd + 1;
      end
    end
  end

  reg [8*1024-1:0] path;
  integer fd, code;
  reg [31:0] va, vb, vc, vy;
  initial begin
    if (!$value$plusargs("vec=%s", path)) begin
      $display("FAIL no +vec=FILE given");
      $finish;
    end
    fd = $fopen(path, "r");
    if (fd == 0) begin
      $display("FAIL cannot open %0s", path);
      $finish;
    end
    repeat (2) @(negedge clk);
    rst_n = 1'b1;
    code = $fscanf(fd, "%h %h %h %h\n", va, vb, vc, vy);
    while (code == 4) begin
      @(negedge clk);
      valid = 1'b1;
      a = va[`AW-1:0];
      b = vb[`AW-1:0];
      c = vc;
      exp_q[wr % 16] = vy[`YW-1:0];
      in_a[wr % 16] = va;
      in_b[wr % 16] = vb;
      wr = wr + 1;
      code = $fscanf(fd, "%h %h %h %h\n", va, vb, vc, vy);
    end
    @(negedge clk);
    valid = 1'b0;
    repeat (Stages + 2) @(negedge clk);
    if (wr == 0) $display("FAIL empty vector file %0s", path);
    else if (nbad != 0 || rd != wr) $display("FAIL %0d of %0d vectors wrong, %0d outputs seen", nbad, wr, rd);
    else $display("PASS %0d vectors, 0 mismatches", wr);
    $finish;
  end
endmodule
