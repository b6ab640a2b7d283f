// Stages-deep pipeline of a valid bit (reset) and a data word (no reset). Stages = 0: wires.
`include "pim_assert.svh"
`default_nettype none

module pipe_reg #(
  parameter int Width  = 16,
  parameter int Stages = 0
) (
  input  wire              clk_i,
  input  wire              rst_ni,
  input  wire              valid_i,
  input  wire  [Width-1:0] data_i,
  output logic             valid_o,
  output logic [Width-1:0] data_o
);
  `PIM_PARAM_CHECK(width, Width >= 1, "pipe_reg: Width must be at least 1")
  `PIM_PARAM_CHECK(stages, Stages >= 0, "pipe_reg: Stages must be 0 or more")

  if (Stages == 0) begin : g_comb
    // verilator lint_off UNUSEDSIGNAL
    logic unused_clk_rst;
    assign unused_clk_rst = clk_i ^ rst_ni;
    // verilator lint_on UNUSEDSIGNAL
    assign valid_o = valid_i;
    assign data_o  = data_i;
  end else begin : g_pipe
    logic [Stages-1:0]       valid_d, valid_q;
    logic [Stages*Width-1:0] data_d, data_q;
    assign valid_d = Stages'({valid_q, valid_i});
    assign data_d  = (Stages*Width)'({data_q, data_i});
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        valid_q <= '0;
      end else begin
        valid_q <= valid_d;
      end
    end
    always_ff @(posedge clk_i) begin
      data_q <= data_d;
    end
    assign valid_o = valid_q[Stages-1];
    assign data_o  = data_q[(Stages-1)*Width +: Width];
  end

  `PIM_ASSERT_KNOWN(valid_i_known, valid_i)
  `PIM_ASSERT_KNOWN(valid_o_known, valid_o)
endmodule
