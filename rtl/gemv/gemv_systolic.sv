// GQA GEMV bank unit: G rows (query heads of one KV group) share every K/V burst, 16*G useful MACs
// per burst. The burst is broadcast to the rows; each row holds its own query vector (score) or its own
// probabilities (context) in its vector buffer. All behaviour is in gemv_core (Rows = G).
`default_nettype none

module gemv_systolic #(
  parameter  int G       = 4,   // 1 .. 16
  parameter  int Depth   = 8,
  parameter  int Slots   = 4,
  parameter  int AccFp32 = 1,
  parameter  int Pipe    = 2,   // 2: half an FP add per stage, latency 13; 1: one add per stage, latency 8; 0: latency 3
  parameter  int KvBf16  = 0,   // 1: K/V and q in BF16 (needs AccFp32 = 1); 0: FP16
  parameter  int KvInt8  = 0,   // 1: the INT8 unit (32 INT8 lanes per burst; AccFp32 = 1, Pipe = 2)
  localparam int AccW    = (AccFp32 != 0) ? 32 : 16
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  input  wire                 cmd_valid_i,
  output logic                cmd_ready_o,
  input  wire  [31:0]         cmd_i,
  input  wire                 data_valid_i,
  output logic                data_ready_o,
  input  wire  [255:0]        data_i,
  output logic                res_valid_o,
  input  wire                 res_ready_i,
  output logic [16*AccW-1:0]  res_data_o,
  output logic [15:0]         res_info_o,
  output logic                err_o
);
  gemv_core #(.Rows(G), .Depth(Depth), .Slots(Slots), .AccFp32(AccFp32), .Pipe(Pipe),
              .KvBf16(KvBf16), .KvInt8(KvInt8)) u_core (
    .clk_i       (clk_i),
    .rst_ni      (rst_ni),
    .cmd_valid_i (cmd_valid_i),
    .cmd_ready_o (cmd_ready_o),
    .cmd_i       (cmd_i),
    .data_valid_i(data_valid_i),
    .data_ready_o(data_ready_o),
    .data_i      (data_i),
    .res_valid_o (res_valid_o),
    .res_ready_i (res_ready_i),
    .res_data_o  (res_data_o),
    .res_info_o  (res_info_o),
    .err_o       (err_o)
  );
endmodule
