// pim_assert.svh — the assertion and elaboration-check macros every unit uses (in the spirit of lowRISC's
// prim_assert.sv), written in what Verilator 5.006, Icarus 11 and Yosys 0.23 all accept (measured:
// ../shared/docs/TOOLCHAIN.md). Include it before `default_nettype none and use the macros inside a
// module that has clk_i and rst_ni (asynchronous, active low): the checks sample at posedge clk_i and
// are off while rst_ni is low (inputs are don't-care during reset).
//
// No concurrent assertions (`assert property`: Yosys and Icarus refuse them) and no immediate `assert`
// (Yosys refuses it): every check is a clocked `if (...) $error(...)`, which Verilator turns into
// VerilatedContext::gotError() (the co-simulation's "assertion fired" flag, harness/cosim/shim/vshim.hpp)
// and Icarus prints. Under SYNTHESIS (Yosys defines it) the checks are empty.
//
//   `PIM_ASSERT_KNOWN(name, sig)             sig has no X or Z bit out of reset (Icarus; Verilator is
//                                            two-state, where it never fires)
//   `PIM_ASSERT_HANDSHAKE(name, valid, ready, data, width)
//                                            valid && !ready at a clock edge: at the next edge valid is
//                                            still high and data (width bits) unchanged (a valid/ready
//                                            stream rule). The width is explicit: Icarus 11 miscompiles
//                                            a register declared [$bits(data)-1:0] (vvp aborts with
//                                            "Assertion `bit.size() == bits4_.size()' failed")
//   `PIM_ASSERT_BAD_CMD(name, fire_bad, cmd, unit, rules)
//                                            the first accepted bad command after reset is reported with
//                                            $error; later ones only raise the unit's sticky err_o
//   `PIM_PARAM_CHECK(name, cond, msg)        elaboration fails when cond is false (all three tools)
//   `PIM_UNIQUE case (...)                   `unique case` (Icarus ignores the qualifier and says so:
//                                            "vvp.tgt sorry: Case unique/unique0 qualities are ignored",
//                                            which would break the silent lint; there it is empty)
// name: an identifier, unique in the module (it names the checker's registers and blocks).
`ifndef PIM_ASSERT_SVH
`define PIM_ASSERT_SVH

`ifdef __ICARUS__
`define PIM_UNIQUE
`else
`define PIM_UNIQUE unique
`endif

// Elaboration-time parameter check. Icarus 11 has no elaboration system tasks ($error in a generate block
// is a syntax error there), so the failing branch instantiates a module that does not exist, which every
// tool refuses at elaboration: Verilator "Cannot find file containing module: 'pim_param_check_failed_…'",
// Icarus "Unknown module type: pim_param_check_failed_…", Yosys (hierarchy -check) "Module
// `\pim_param_check_failed_…' … is not part of the design". Verilator and Yosys print msg as well.
`ifdef __ICARUS__
`define PIM_PARAM_CHECK_MSG(__msg)
`else
`define PIM_PARAM_CHECK_MSG(__msg) $error(__msg);
`endif
`define PIM_PARAM_CHECK(__name, __cond, __msg) \
  if (!(__cond)) begin : g_param_check_``__name \
    `PIM_PARAM_CHECK_MSG(__msg) \
    pim_param_check_failed_``__name u_param_check_failed (); \
  end

`ifndef SYNTHESIS

`define PIM_ASSERT_KNOWN(__name, __sig) \
  always @(posedge clk_i) begin : g_assert_``__name \
    if (rst_ni && $isunknown(__sig)) begin \
      $error("%m: %s: X or Z out of reset", `"__name`"); \
    end \
  end

`define PIM_ASSERT_HANDSHAKE(__name, __valid, __ready, __data, __width) \
  logic               __name``_held_q; \
  logic [__width-1:0] __name``_data_q; \
  always @(posedge clk_i or negedge rst_ni) begin : g_assert_``__name \
    if (!rst_ni) begin \
      __name``_held_q <= 1'b0; \
    end else begin \
      if (__name``_held_q && (!(__valid) || ((__data) !== __name``_data_q))) begin \
        $error("%m: %s: valid dropped or data changed while valid && !ready", `"__name`"); \
      end \
      __name``_held_q <= (__valid) && !(__ready); \
    end \
  end \
  always @(posedge clk_i) begin \
    __name``_data_q <= (__data); \
  end

`define PIM_ASSERT_BAD_CMD(__name, __fire_bad, __cmd, __unit, __rules) \
  logic __name``_seen_q; \
  always @(posedge clk_i or negedge rst_ni) begin : g_assert_``__name \
    if (!rst_ni) begin \
      __name``_seen_q <= 1'b0; \
    end else if (__fire_bad) begin \
      __name``_seen_q <= 1'b1; \
      if (!__name``_seen_q) begin \
        $error("%s: bad command %h rejected (%s); further bad commands only raise err_o", __unit, __cmd, \
               __rules); \
      end \
    end \
  end

`else  // SYNTHESIS

`define PIM_ASSERT_KNOWN(__name, __sig)
`define PIM_ASSERT_HANDSHAKE(__name, __valid, __ready, __data, __width)
`define PIM_ASSERT_BAD_CMD(__name, __fire_bad, __cmd, __unit, __rules)

`endif  // SYNTHESIS

`endif  // PIM_ASSERT_SVH
