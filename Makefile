# pimattn — build, test, lint, waveforms. `make help` lists the targets.
# Everything generated goes under build/. Debian packages are installed on demand (scripts/install-deps.sh).

SHELL      := /bin/bash
BUILD      := build
CC         := gcc
CXX        := g++
VERILATOR  := verilator
IVERILOG   := iverilog
VVP        := vvp
YOSYS      := yosys
JOBS       ?= 2
# Independent targets build in parallel unless the caller chose a -j of their own.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS  += -j$(JOBS)
endif
REGRESS_GEMV_COMMANDS ?= 100000000
REGRESS_SM_SCORES ?= 30000000

# The seams (docs/architecture.md): each module compiles with its own directory and the public headers of
# the modules it may use, nothing else, so a forbidden include does not compile (`make check-seams`).
#   csim/       the golden model: itself only              cfgfile/   the YAML configuration reader: itself only
#   hbm/config  the HBM configuration: + cfgfile           hbm/check  the protocol checker: + the configuration
#   hbm/        the timing engine and controller: + the configuration
#   cosim/      units, runners, backend: + csim            run/       the attention run: + backend, hbm, csim
#   system/     the serving system: + cfgfile, run, hbm, csim
#   sweep/      the design-space sweep (grid files, points, keys, results rows): itself only (libyaml, cJSON)
#   plot/       figures from a sweep's results (gnuplot scripts): + sweep
#   cli/        the commands: every public header (and cosim's runners)
# INC_cfg is the HBM configuration's public header, which hbm/, check, run/ and cli/ use; INC_hbmcfg is
# what the configuration itself compiles with (its header and the reader's).
INC_csim   := -Icsim
INC_cfgfile := -Iharness/cfgfile
INC_cfg    := -Iharness/hbm/config
INC_hbmcfg := $(INC_cfg) $(INC_cfgfile)
INC_check  := -Iharness/hbm/check $(INC_cfg)
INC_hazard := -Iharness/hazard $(INC_cfg) $(INC_csim)
INC_hbm    := -Iharness/hbm -Iharness/hbm/include $(INC_cfg)
INC_cosim  := -Iharness/cosim -Iharness/cosim/include $(INC_csim)
INC_run    := -Iharness/run -Iharness/run/include -Iharness/cosim/include -Iharness/hbm/include $(INC_cfg) $(INC_csim)
INC_system := -Iharness/system -Iharness/system/include $(INC_cfgfile) -Iharness/run/include -Iharness/cosim/include \
              -Iharness/hbm/include $(INC_cfg) $(INC_csim)
INC_sweep  := -Iharness/sweep -Iharness/sweep/include
INC_plot   := -Iharness/plot -Iharness/plot/include -Iharness/sweep/include
INC_cli    := -Iharness/cli -Iharness/system/include -Iharness/run/include -Iharness/cosim -Iharness/cosim/include \
              -Iharness/hbm/include $(INC_cfg) -Iharness/hbm/check -Iharness/hazard $(INC_csim) -Iharness/sweep/include -Iharness/plot/include
INC_tests  := $(INC_cli) -Iharness/run -Iharness/hbm -Iharness/system $(INC_cfgfile) $(INC_sweep) -Iharness/plot # white-box: a test reaches any module's insides
CFLAGS     := -std=c11 -O2 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -MMD -MP
VL_INC     := /usr/share/verilator/include
# Included by every RTL file, not compiled: the assertion and parameter-check macros (pim_assert.svh).
RTL_INCDIR := rtl/common
# The run-time is built with tracing; each unit's shim is compiled to match its model (UNIT_RULES).
VL_DEFS    := -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=1 -DVM_TRACE_FST=1 -DVM_TRACE_VCD=0
CXXFLAGS   := -std=c++17 -O2 -g -faligned-new -I$(VL_INC) -I$(VL_INC)/vltstd $(VL_DEFS) $(INC_cosim) -Iharness/cosim/shim \
              -Wno-unused-parameter -MMD -MP
# Verilated C++: the evaluation code at -O2, the construction and trace-declaration code ("Slow") at -O0,
# which halves the build time of the large units (gemv_sys_g8: 112 s -> 55 s on 2 cores) and changes no
# result; position-independent for the shared objects (harness/cosim/cosim.h: the build registry).
VL_OPT     := -MAKEFLAGS "OPT_FAST=-O2 OPT_SLOW=-O0 OPT_GLOBAL=-O0"
VL_FLAGS   := --cc --build -j $(JOBS) -O3 --x-assign unique --x-initial unique -Wall \
              -I$(RTL_INCDIR) -CFLAGS -fPIC $(VL_OPT)
# The FST trace code is more than half of a GEMV or softmax unit's C++ (gemv_sys_g8_f32: 4.0 -> 1.4 CPU-min
# to compile without it). So each of those units has two builds: build/vunits/B.so without tracing, which
# every simulation and test loads, and build/vunits/trace/B.so with it, which only waveforms load (pimattn
# wave, pimattn run --wave; make wave builds the one it needs, make all every one, make test those its tests
# trace: TEST_TRACE).
# The primitives are small: one build, traced.
VL_TRACE   := --trace-fst
# The Verilated units' shims: extra flags to compile and link them with (the coverage build's gcov).
SHIM_FLAGS :=
# COVERAGE=1: the tree `make coverage` builds under $(BUILD)/coverage (scripts/coverage.sh): the units with
# Verilator line and toggle coverage (their shims write the counts, harness/cosim/shim/vshim.hpp), the C and
# the shims with gcov at -O0 (line numbers as written), the Verilator coverage run-time in the executables.
ifeq ($(COVERAGE),1)
CFLAGS     := $(filter-out -O2,$(CFLAGS)) -O0 --coverage
CXXFLAGS   := $(patsubst -DVM_COVERAGE=0,-DVM_COVERAGE=1,$(CXXFLAGS))
# the Verilated C++ at -O0: toggle coverage makes it ~7x larger, and g++ -O2 on it took 9 min per GEMV unit
VL_FLAGS   := $(subst OPT_FAST=-O2,OPT_FAST=-O0,$(VL_FLAGS)) --coverage-line --coverage-toggle
SHIM_FLAGS := --coverage
endif

DEPS_STAMP := $(BUILD)/.deps-ok
# Verilated units are rebuilt when the Verilator flags change (the stamp is rewritten only then).
VL_STAMP   := $(BUILD)/vl/flags.stamp
$(shell mkdir -p $(BUILD)/vl && (echo '$(VL_FLAGS) $(VL_TRACE)' | cmp -s - $(VL_STAMP) || echo '$(VL_FLAGS) $(VL_TRACE)' > $(VL_STAMP)))

# ---- sources ---------------------------------------------------------------------------------------
RTL_COMMON := $(sort $(wildcard rtl/common/*.sv))
RTL_HDR    := $(sort $(wildcard $(RTL_INCDIR)/*.svh))
RTL_GEMV   := $(sort $(wildcard rtl/gemv/*.sv))
RTL_SM     := $(sort $(wildcard rtl/softmax/*.sv))
RTL_PRIM   := $(RTL_COMMON) $(RTL_SM)
RTL_GEMVS  := $(RTL_COMMON) $(RTL_GEMV)
RTL_ALL    := $(RTL_COMMON) $(RTL_GEMV) $(RTL_SM)
IV_INC     := -I$(RTL_INCDIR)
# The Icarus testbenches' shared vector-file driver (clock, reset, files, handshake, checks, PASS line).
TB_DRV     := tb/vec_driver.sv
# The modules as static libraries (one per directory of docs/architecture.md); a program links the
# modules it may use, in dependency order, and takes only the objects it calls.
LIB_csim     := $(sort $(wildcard csim/*.c))
LIB_cfgfile  := $(sort $(wildcard harness/cfgfile/*.c))
LIB_hbmcfg   := $(sort $(wildcard harness/hbm/config/*.c))
LIB_hbmcheck := $(sort $(wildcard harness/hbm/check/*.c))
LIB_hazard   := $(sort $(wildcard harness/hazard/*.c))
LIB_hbm      := $(sort $(wildcard harness/hbm/*.c))
LIB_cosim    := $(sort $(wildcard harness/cosim/*.c))
LIB_run      := $(sort $(wildcard harness/run/*.c))
LIB_system   := $(sort $(wildcard harness/system/*.c))
LIB_sweep    := $(sort $(wildcard harness/sweep/*.c))
LIB_plot     := $(sort $(wildcard harness/plot/*.c))
CMD_SRC      := harness/cli/main.c $(sort $(wildcard harness/cli/cmd_*.c))
LIB_cli      := $(filter-out $(CMD_SRC),$(sort $(wildcard harness/cli/*.c)))
MODULES      := csim cfgfile hbmcfg hbmcheck hazard hbm cosim run system sweep plot cli
libs          = $(foreach m,$(1),$(BUILD)/lib/lib$(m).a)
VLRT_OBJ   := $(BUILD)/vlrt/verilated.o $(BUILD)/vlrt/verilated_threads.o $(BUILD)/vlrt/verilated_fst_c.o
ifeq ($(COVERAGE),1)
VLRT_OBJ   += $(BUILD)/vlrt/verilated_cov.o
endif

# Primitive builds: harness/cosim/prim_builds.def lines "PRIM_BUILD(top, stages, has_c, a_bits, y_bits)".
PRIM_DEF   := harness/cosim/prim_builds.def
PRIM_SPECS := $(shell sed -n 's/^PRIM_BUILD(\([a-z0-9_]*\), *\([0-9]*\), *\([01]\), *\([0-9]*\), *\([0-9]*\)).*/\1:\2:\3:\4:\5/p' $(PRIM_DEF))
spec        = $(word $(2),$(subst :, ,$(1)))
pbuild      = $(call spec,$(1),1)_s$(call spec,$(1),2)
PRIM_BUILDS := $(foreach s,$(PRIM_SPECS),$(call pbuild,$(s)))
PRIM_VVP   := $(foreach b,$(PRIM_BUILDS),$(BUILD)/icarus/$(b).vvp)
PRIM_TOPS  := $(sort $(foreach s,$(PRIM_SPECS),$(call spec,$(s),1)))

# GEMV builds: harness/cosim/gemv_builds.def lines "GEMV_BUILD(name, top, rows, depth, slots, acc_fp32, kv)",
# kv 0 FP16, 1 BF16 (KvBf16), 2 INT8 (KvInt8).
GEMV_DEF   := harness/cosim/gemv_builds.def
GEMV_SPECS := $(shell sed -n 's/^GEMV_BUILD(\([a-z0-9_]*\), *\([a-z_]*\), *\([0-9]*\), *\([0-9]*\), *\([0-9]*\), *\([01]\), *\([012]\)).*/\1:\2:\3:\4:\5:\6:\7/p' $(GEMV_DEF))
GEMV_BUILDS := $(foreach s,$(GEMV_SPECS),$(call spec,$(s),1))
# Icarus replays one configuration per variant (Icarus runs ~10^3 commands/s on these units).
GEMV_ICARUS := gemv_tree_f16 gemv_sys_g2_f32_d4 gemv_sys_g2_bf16_d4 gemv_sys_g2_i8_d4
GEMV_VVP   := $(foreach b,$(GEMV_ICARUS),$(BUILD)/icarus/$(b).vvp)

# Softmax-unit builds: harness/cosim/sm_builds.def lines "SM_BUILD(name, lanes, exp_pieces, in_fp16, merge_d)".
SM_DEF     := harness/cosim/sm_builds.def
SM_SPECS   := $(shell sed -n 's/^SM_BUILD(\([a-z0-9_]*\), *\([0-9]*\), *\([0-9]*\), *\([01]\), *\([0-9]*\)).*/\1:\2:\3:\4:\5/p' $(SM_DEF))
SM_BUILDS  := $(foreach s,$(SM_SPECS),$(call spec,$(s),1))
SM_ICARUS  := sm_l4_h
SM_VVP     := $(foreach b,$(SM_ICARUS),$(BUILD)/icarus/$(b).vvp)

VUNITS     := $(foreach b,$(PRIM_BUILDS) $(GEMV_BUILDS) $(SM_BUILDS),$(BUILD)/vunits/$(b).so)
# the traced builds pimattn wave and pimattn run --wave load (the primitives' builds are traced themselves);
# make test builds the ones its tests trace (tests/test_cli.c, test_gemv_cosim.c; test_run_cli.c and
# test_run_outputs.c: G = 4)
VUNITS_TRACE := $(foreach b,$(GEMV_BUILDS) $(SM_BUILDS),$(BUILD)/vunits/trace/$(b).so)
TEST_TRACE := $(foreach b,gemv_tree_f32_d10 gemv_sys_g2_f32_d4 gemv_sys_g4_f32 sm_l4_h,$(BUILD)/vunits/trace/$(b).so)
# the units the default scenario of `make run` loads (pimattn run --mode rtl: G = 8, FP32, 16 softmax lanes)
RUN_VUNITS := $(BUILD)/vunits/gemv_sys_g8_f32.so $(BUILD)/vunits/sm_l16.so
PIMATTN    := $(BUILD)/bin/pimattn
TESTS      := $(BUILD)/bin/test_fp_golden $(BUILD)/bin/test_gemv_golden $(BUILD)/bin/test_softmax_golden \
              $(BUILD)/bin/test_attention_golden $(BUILD)/bin/test_kvfmt $(BUILD)/bin/test_gemv_i8 $(BUILD)/bin/test_prim_cosim $(BUILD)/bin/test_gemv_cosim \
              $(BUILD)/bin/test_sm_cosim $(BUILD)/bin/test_hbm_cfg $(BUILD)/bin/test_hbm $(BUILD)/bin/test_hbm_ctrl $(BUILD)/bin/test_hbm_ctrl_checked $(BUILD)/bin/test_hbm_spec $(BUILD)/bin/test_hbm_rules $(BUILD)/bin/test_hbm_check $(BUILD)/bin/test_hbm_check_stream $(BUILD)/bin/test_schedule $(BUILD)/bin/test_hazard \
              $(BUILD)/bin/test_cli $(BUILD)/bin/test_cli_options $(BUILD)/bin/test_netlist_cosim $(BUILD)/bin/test_area $(BUILD)/bin/test_mapping \
              $(BUILD)/bin/test_run $(BUILD)/bin/test_split $(BUILD)/bin/test_run_kv $(BUILD)/bin/test_system $(BUILD)/bin/test_run_cli $(BUILD)/bin/test_errors \
              $(BUILD)/bin/test_run_outputs $(BUILD)/bin/test_gauss $(BUILD)/bin/test_system_cfg $(BUILD)/bin/test_sweep \
              $(BUILD)/bin/test_plot

.PHONY: all help deps run units vunits check-seams test test-san coverage fuzz formal test-slurm area-tables regress tables lint lint-verilator lint-icarus lint-yosys wave bench area study clean FORCE
.DEFAULT_GOAL := all

TEST_DEPS  := $(PIMATTN) $(VUNITS) $(TEST_TRACE) $(TESTS) $(PRIM_VVP) $(GEMV_VVP) $(SM_VVP) $(BUILD)/bin/gen_sm_tables \
              $(BUILD)/bin/gen_kvdata
all: $(TEST_DEPS) $(VUNITS_TRACE)

help:
	@echo "pimattn make targets"
	@echo "  make run            build (installing missing Debian packages) and run the main job: Llama-2-70B"
	@echo "                      decode attention on HBM3-PIM (pimattn run --mode rtl), with its report"
	@echo "  make units          the unit co-simulation reports: FP primitives, GEMV and softmax units RTL vs"
	@echo "                      golden, an all-bank MAC stream through the HBM3-PIM timing model"
	@echo "  make test           build and run every test: golden model vs GCC, RTL vs golden (Verilator),"
	@echo "                      Icarus on the same vectors, CLI errors, and lint in three tools"
	@echo "  make test-san       in CI after make test: the C code with ASan+UBSan, the suites that link no"
	@echo "                      Verilated library and a few pimattn workloads (scripts/test-san.sh)"
	@echo "  make coverage       not in make test: Verilator line and toggle coverage of rtl/, gcov/lcov line"
	@echo "                      coverage of csim/ and harness/ (build/coverage/, docs/coverage.md)"
	@echo "  make fuzz           not in CI: libFuzzer on the readers of YAML files, logs, placements, ctx files,"
	@echo "                      --data files, traces (with the controller and the checker) and grid files"
	@echo "                      (FUZZ_SECONDS=n each, default 60; tests/fuzz/, scripts/fuzz.sh)"
	@echo "  make formal         in CI after make test-san: Yosys SAT equivalence proofs of the FP primitives"
	@echo "                      against independent references (formal/) and of pipelined builds (scripts/formal.sh)"
	@echo "  make test-slurm     not in make test: a real Slurm run (scripts/test-slurm.sh): installs slurm-wlm,"
	@echo "                      munge and parallel if missing, starts a single-node cluster on localhost"
	@echo "                      (build/slurm/), runs a job array and the sweep grid as an array and with GNU"
	@echo "                      parallel against a local -j run, stops the daemons; docs/slurm.md"
	@echo "  make regress        long runs, not in CI: full 2^32 FP16 product space, all FP32->BF16 values,"
	@echo "                      10^8 random commands per GEMV build (REGRESS_GEMV_COMMANDS=n), 3x10^7 score"
	@echo "                      beats per softmax build (REGRESS_SM_SCORES=n)"
	@echo "  make lint           verilator --lint-only -Wall, iverilog -g2012, yosys synth + check -assert"
	@echo "  make wave UNIT=u    FST + GTKWave save file in build/wave/; u: $(PRIM_TOPS)"
	@echo "                      gemv_tree gemv_systolic softmax; G=n picks the systolic build,"
	@echo "                      PATTERN=score|context|random the GEMV stream (builds the one traced unit it needs)"
	@echo "  make bench          simulation speed (Verilator vs Icarus on the same vector files), GEMV II and"
	@echo "                      useful MACs per burst, softmax cycles per row, HBM model commands simulated"
	@echo "                      and checked per second on a 10^7-MACAB stream (HBM_BENCH_MACS=n), run, system"
	@echo "                      and sweep speed (a 200-point grid, the sweep's own cost per point)"
	@echo "  make area           Yosys + ABC over the unit x configuration matrix: cells, flip-flops, depth,"
	@echo "                      transistors, um2 and delay per Liberty file (LIBERTY=..., default: the ASAP7"
	@echo "                      file in ../shared/pdk; add sky130hd's), LUT/FF/DSP (synth_xilinx), DRAM-process"
	@echo "                      scaling; build/area/area.{csv,json,md}; run with -j2; cached per RTL hash"
	@echo "  make study          the GQA study (docs/gqa-study.md): make area, the grids configs/sweeps/gqa-*.yaml"
	@echo "                      (build/study/, resumable), the figures and tables in docs/figures/gqa/"
	@echo "  make check-seams    the module seams (docs/architecture.md): each forbidden include must not compile"
	@echo "  make vunits         build every Verilated unit (build/vunits/NAME.so)"
	@echo "  make tables         regenerate the softmax constant tables (csim/sm_tables.h, rtl/softmax/*_table.sv)"
	@echo "  make deps           install missing Debian packages (scripts/install-deps.sh)"
	@echo "  make all            build everything, run nothing"
	@echo "  make clean          remove build/"
	@echo "variables: SEED=n (replay random tests), JOBS=n (Verilator build jobs, default 2), PGO=0 (the HBM"
	@echo "           engine without its profile-guided build: a quicker edit-compile loop); area: LIBERTY=,"
	@echo "           AREA_CLOCK_PS= (ABC delay target, default 1500), AREA_PENALTY= (DRAM logic-area factor,"
	@echo "           default 10), AREA_EXTRA='name:top:Param=v,Param=v:keep' (more points), AREA_EXTRA_RTL="

# ---- dependencies ------------------------------------------------------------------------------------
deps:
	@scripts/install-deps.sh

$(DEPS_STAMP): scripts/install-deps.sh
	@scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

# ---- C objects ---------------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(DEFS) $(PGO_USE) $(INC) -c $< -o $@

$(BUILD)/obj/csim/%.o: INC = $(INC_csim)
$(BUILD)/obj/harness/cfgfile/%.o: INC = $(INC_cfgfile)
$(BUILD)/obj/harness/hbm/config/%.o: INC = $(INC_hbmcfg)
# nMACLAT of the presets: the GEMV unit's latency, evaluated from csim/gemv.h (GEMV_LATENCY(GEMV_PIPE))
GEMV_NMACLAT := $(shell printf '\043include "gemv.h"\nGEMV_LATENCY(GEMV_PIPE)\n' | $(CC) -E -P -Icsim - | tail -1)
# (DEFS, not CFLAGS: the sanitizer and fuzz builds pass CFLAGS on the command line, which
# would override a target-specific CFLAGS += and leave the preset without its latency)
$(BUILD)/obj/harness/hbm/config/hbm_presets.o: DEFS = -DGEMV_NMACLAT='$(GEMV_NMACLAT)'
$(BUILD)/obj/harness/hbm/config/hbm_presets.o: csim/gemv.h
$(BUILD)/obj/harness/hbm/check/%.o: INC = $(INC_check)
$(BUILD)/obj/harness/hazard/%.o: INC = $(INC_hazard)
$(BUILD)/obj/harness/hbm/%.o: INC = $(INC_hbm)
$(BUILD)/obj/harness/cosim/%.o: INC = $(INC_cosim)
$(BUILD)/obj/harness/run/%.o: INC = $(INC_run)
$(BUILD)/obj/harness/system/%.o: INC = $(INC_system)
$(BUILD)/obj/harness/sweep/%.o: INC = $(INC_sweep)
$(BUILD)/obj/harness/plot/%.o: INC = $(INC_plot)
$(BUILD)/obj/harness/cli/%.o: INC = $(INC_cli)
$(BUILD)/obj/tests/%.o: INC = $(INC_tests)

ifneq ($(COVERAGE),1)
# The FP64 reference: loops over dimensions vectorised (no sum is reassociated; csim/attn_ref.c)
$(BUILD)/obj/csim/attn_ref.o: CFLAGS += -O3
# The golden GEMV datapath: 16-lane loops vectorised (csim/gemv.c)
$(BUILD)/obj/csim/gemv.o: CFLAGS += -O3
endif

# The lanes of the fast Gaussian data (only their approximation, checked value by value; harness/run/gauss_lanes.c)
$(BUILD)/obj/harness/run/gauss_lanes.o: CFLAGS += -fno-math-errno -ffp-contract=fast

# Profile-guided optimisation of the HBM timing engine and controller (harness/hbm/*.c; docs/hbm.md "Speed"):
# their objects are compiled once instrumented into $(BUILD)/pgo/, linked into a pimattn that runs the
# training workloads of scripts/pgo-train.sh (a few seconds), and compiled again with the counters it left
# (-fprofile-use; what the training does not run is compiled as without a profile). The same results bit for
# bit; 5 % more commands per second on random reads over one PC, 6 % on the all-bank MAC stream. PGO=0
# builds them plainly (a quicker edit-compile loop); the sanitizer, coverage and fuzz builds do.
PGO ?= 1
ifeq ($(COVERAGE),1)
PGO := 0
endif
ifeq ($(PGO),1)
PGO_DIR    := $(BUILD)/pgo
# functions named in the counters by their order in the file, not by a hash that takes in the object's path
PGO_ID     := --param=profile-func-internal-id=1
$(PGO_DIR)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(PGO_ID) -fprofile-generate -fprofile-update=prefer-atomic $(INC_hbm) -c $< -o $@
$(PGO_DIR)/libhbm.a: $(LIB_hbm:%.c=$(PGO_DIR)/obj/%.o)
	rm -f $@ && ar rcs $@ $^
# the rest of pimattn order-only: a profile of these objects is redone when they change (or the training
# does), not at every commit (the version string) or change elsewhere
PGO_LINK   := $(CMD_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/version.o \
              $(subst $(BUILD)/lib/libhbm.a,$(PGO_DIR)/libhbm.a,$(call libs,cli plot sweep system run cosim hbm hbmcheck hazard hbmcfg cfgfile csim)) $(VLRT_OBJ)
$(PGO_DIR)/pimattn: $(PGO_DIR)/libhbm.a | $(PGO_LINK)
	$(CXX) $(LDFLAGS_VL) -fprofile-generate -o $@ $(PGO_LINK) $(LDLIBS_VL) $(LDLIBS_CFG) $(LDLIBS_SWEEP) -lm
$(PGO_DIR)/profile.stamp: $(PGO_DIR)/pimattn scripts/pgo-train.sh
	rm -f $(LIB_hbm:%.c=$(PGO_DIR)/obj/%.gcda)
	scripts/pgo-train.sh $< $(PGO_DIR)/train
	touch $@
# each object's counters next to it, where -fprofile-use looks for them (private: the objects the training
# binary needs, prerequisites of these through the counters, are built without)
$(BUILD)/obj/harness/hbm/%.gcda: $(PGO_DIR)/profile.stamp
	cp $(PGO_DIR)/obj/harness/hbm/$*.gcda $@
$(LIB_hbm:%.c=$(BUILD)/obj/%.o): $(BUILD)/obj/%.o: $(BUILD)/obj/%.gcda
$(LIB_hbm:%.c=$(BUILD)/obj/%.o): private PGO_USE = $(PGO_ID) -fprofile-use -fprofile-partial-training
endif

$(BUILD)/vlrt/%.o: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -Os -w -c $(VL_INC)/$*.cpp -o $@

define LIB_RULE
$(BUILD)/lib/lib$(1).a: $(LIB_$(1):%.c=$(BUILD)/obj/%.o)
	@mkdir -p $$(@D)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call LIB_RULE,$(m))))

# ---- Verilated units: one shared object per build (harness/cosim/cosim.h: the build registry) ------------------------------------
# UNIT_RULES(build, shim, RTL files, Verilator parameters and top, shim defines, traced 0|1, subdirectory ""
# or "trace/"): Verilate (position-independent), compile the shim, link build/vunits/SUBDIR/BUILD.so, which
# pimattn loads the first time it runs that build. The Verilator run-time is in the executables that load
# units (-rdynamic exports it).
define UNIT_RULES
$(BUILD)/vl/$(7)$(1)/V$(1)__ALL.a: $(3) $(RTL_HDR) $(VL_STAMP) | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/vl/$(7)
	@echo "VERILATE $(7)$(1)"
	@$(VERILATOR) $(VL_FLAGS) $(if $(filter 1,$(6)),$(VL_TRACE)) --prefix V$(1) $(4) -Mdir $(BUILD)/vl/$(7)$(1) $(3) \
	  > $(BUILD)/vl/$(7)$(1).log 2>&1 || { cat $(BUILD)/vl/$(7)$(1).log; exit 1; }

$(BUILD)/obj/shim/$(7)$(1).o: harness/cosim/shim/$(2)_shim.cpp $(BUILD)/vl/$(7)$(1)/V$(1)__ALL.a
	@mkdir -p $$(@D)
	$(CXX) $(CXXFLAGS_SHIM) -DVM_TRACE=$(6) -DVM_TRACE_FST=$(6) $(SHIM_FLAGS) -fPIC -Icsim -I$(BUILD)/vl/$(7)$(1) \
	  -DVTOP=V$(1) -DVTOP_HDR='"V$(1).h"' -DVSHIM_BUILD=$(1) $(5) -c $$< -o $$@

$(BUILD)/vunits/$(7)$(1).so: $(BUILD)/obj/shim/$(7)$(1).o $(BUILD)/vl/$(7)$(1)/V$(1)__ALL.a
	@mkdir -p $$(@D)
	$(CXX) -shared $(SHIM_FLAGS) -o $$@ $$^ -lz -pthread
endef
# UNIT_PAIR(build, shim, RTL files, parameters and top, shim defines): the untraced and the traced build.
define UNIT_PAIR
$(call UNIT_RULES,$(1),$(2),$(3),$(4),$(5),0,)
$(call UNIT_RULES,$(1),$(2),$(3),$(4),$(5),1,trace/)
endef
CXXFLAGS_SHIM = $(filter-out -DVM_TRACE=1 -DVM_TRACE_FST=1,$(CXXFLAGS))

# Primitives: $(1) build  $(2) top  $(3) stages  $(4) has_c  $(5) a_bits  $(6) y_bits
define PRIM_RULES
$(call UNIT_RULES,$(1),prim,$(RTL_PRIM),-GStages=$(3) --top-module $(2),-DPRIM_TOP=$(2) -DPRIM_BUILD=$(1) -DPRIM_STAGES=$(3) -DPRIM_HAS_C=$(4),1,)

$(BUILD)/icarus/$(1).vvp: tb/prim_tb.sv $(TB_DRV) $(RTL_PRIM) $(RTL_HDR) | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(IVERILOG) -g2012 -Wall -Wno-timescale $(IV_INC) -DDUT=$(2) -DAW=$(5) -DYW=$(6) $(if $(filter 1,$(4)),-DHAS_C) \
	  -Pprim_tb.Stages=$(3) -s prim_tb -o $$@ tb/prim_tb.sv $(TB_DRV) $(RTL_PRIM)
endef
$(foreach s,$(PRIM_SPECS),$(eval $(call PRIM_RULES,$(call pbuild,$(s)),$(call spec,$(s),1),$(call spec,$(s),2),$(call spec,$(s),3),$(call spec,$(s),4),$(call spec,$(s),5))))

# GEMV units: $(1) build  $(2) top  $(3) rows  $(4) depth  $(5) slots  $(6) acc_fp32  $(7) kv (0, 1 BF16, 2 INT8)
# The GEMV pipeline setting: csim/gemv.h GEMV_PIPE (the one definition; its latency is GEMV_LATENCY there).
GEMV_PIPE := $(shell sed -n 's/^\#define GEMV_PIPE \([0-9]\).*/\1/p' csim/gemv.h)
gemv_gparams = $(if $(filter gemv_systolic,$(2)),-GG=$(3)) -GDepth=$(4) -GSlots=$(5) -GAccFp32=$(6) -GKvBf16=$(if $(filter 1,$(7)),1,0) -GKvInt8=$(if $(filter 2,$(7)),1,0) -GPipe=$(GEMV_PIPE)
gemv_tbparams = $(if $(filter gemv_systolic,$(2)),.G($(3))$(comma)) .Depth($(4))$(comma) .Slots($(5))$(comma) .AccFp32($(6))$(comma) .KvBf16($(if $(filter 1,$(7)),1,0))$(comma) .KvInt8($(if $(filter 2,$(7)),1,0))$(comma) .Pipe($(GEMV_PIPE))
comma := ,
define GEMV_RULES
$(call UNIT_PAIR,$(1),gemv,$(RTL_GEMVS),$(call gemv_gparams,$(1),$(2),$(3),$(4),$(5),$(6),$(7)) --top-module $(2),-DGEMV_TOP=$(2) -DGEMV_BUILD=$(1) -DGEMV_ROWS=$(3) -DGEMV_DEPTH=$(4) -DGEMV_SLOTS=$(5) -DGEMV_ACC32=$(6) -DGEMV_KV=$(7))

$(BUILD)/icarus/$(1).vvp: tb/gemv_tb.sv $(TB_DRV) $(RTL_GEMVS) $(RTL_HDR) | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(IVERILOG) -g2012 -Wall -Wno-timescale $(IV_INC) -DDUT=$(2) -DDUT_PARAMS='$(call gemv_tbparams,$(1),$(2),$(3),$(4),$(5),$(6),$(7))' \
	  -DACCW=$(if $(filter 1,$(6)),32,16) -s gemv_tb -o $$@ tb/gemv_tb.sv $(TB_DRV) $(RTL_GEMVS)
endef
$(foreach s,$(GEMV_SPECS),$(eval $(call GEMV_RULES,$(call spec,$(s),1),$(call spec,$(s),2),$(call spec,$(s),3),$(call spec,$(s),4),$(call spec,$(s),5),$(call spec,$(s),6),$(call spec,$(s),7))))

# Softmax units: $(1) build  $(2) lanes  $(3) exp pieces  $(4) in_fp16  $(5) merge_d
define SM_RULES
$(call UNIT_PAIR,$(1),sm,$(RTL_PRIM),-GLanes=$(2) -GPieces=$(3) -GInFp16=$(4) -GMergeD=$(5) --top-module softmax_unit,-DSM_BUILD=$(1) -DSM_LANES=$(2) -DSM_PIECES=$(3) -DSM_FP16=$(4) -DSM_MERGED=$(5))

$(BUILD)/icarus/$(1).vvp: tb/sm_tb.sv $(TB_DRV) $(RTL_PRIM) $(RTL_HDR) | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(IVERILOG) -g2012 -Wall -Wno-timescale $(IV_INC) -DLANES=$(2) -DPIECES=$(3) -DINFP16=$(4) -DMERGED=$(5) \
	  -s sm_tb -o $$@ tb/sm_tb.sv $(TB_DRV) $(RTL_PRIM)
endef
$(foreach s,$(SM_SPECS),$(eval $(call SM_RULES,$(call spec,$(s),1),$(call spec,$(s),2),$(call spec,$(s),3),$(call spec,$(s),4),$(call spec,$(s),5))))

# ---- binaries ----------------------------------------------------------------------------------------
# Programs that load Verilated units link with g++ and export the Verilator run-time (-rdynamic) the
# units use; the others are C only.
LDFLAGS_VL := -rdynamic
LDFLAGS_C  :=
ifeq ($(COVERAGE),1)
LDFLAGS_VL += --coverage
LDFLAGS_C  += --coverage
endif
LDLIBS_VL  := -lz -pthread
LDLIBS_CFG := -lcyaml -lyaml      # the configuration reader (cfgfile/)
LDLIBS_JSON := -lcjson            # the run's JSON report (run/report.c)
LDLIBS_SWEEP := -lyaml -lcjson    # grid files (libyaml) and the points' reports (cJSON): sweep/

# The version `pimattn --version` prints and `pimattn sweep` records: git describe of the tree when make
# runs, or "unknown" outside a git checkout. The generated file is rewritten only when the text changes.
PIMATTN_VERSION := $(or $(shell git describe --always --dirty --tags 2>/dev/null),unknown)
VERSION_C  := $(BUILD)/gen/version.c
VERSION_TXT := const char *pimattn_version(void);\nconst char *pimattn_version(void) { return "$(PIMATTN_VERSION)"; }\n
$(shell mkdir -p $(BUILD)/gen && (printf '$(VERSION_TXT)' | cmp -s - $(VERSION_C) || printf '$(VERSION_TXT)' > $(VERSION_C)))
$(BUILD)/obj/gen/version.o: $(VERSION_C)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(PIMATTN): $(CMD_SRC:%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/gen/version.o $(call libs,cli plot sweep system run cosim hbm hbmcheck hazard hbmcfg cfgfile csim) $(VLRT_OBJ)
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS_VL) -o $@ $^ $(LDLIBS_VL) $(LDLIBS_CFG) $(LDLIBS_SWEEP) -lm

vunits: $(VUNITS)

# TEST_BIN(test, modules, vl or c, libraries): build/bin/TEST from tests/TEST.c and the modules it uses.
define TEST_BIN
$(BUILD)/bin/$(1): $(BUILD)/obj/tests/$(1).o $(call libs,$(2)) $(if $(filter vl,$(3)),$(VLRT_OBJ))
	@mkdir -p $$(@D)
	$(if $(filter vl,$(3)),$(CXX) $(LDFLAGS_VL),$(CC) $(LDFLAGS_C)) -o $$@ $$^ -lcmocka $(4) $(if $(filter vl,$(3)),$(LDLIBS_VL)) -lm
endef
$(foreach t,test_gemv_golden test_softmax_golden test_attention_golden test_kvfmt test_gemv_i8,$(eval $(call TEST_BIN,$(t),csim,c)))
$(eval $(call TEST_BIN,test_fp_golden,cosim csim,c))
$(foreach t,test_prim_cosim test_gemv_cosim test_sm_cosim test_netlist_cosim,$(eval $(call TEST_BIN,$(t),cosim csim,vl)))
$(foreach t,test_run test_split test_run_kv,$(eval $(call TEST_BIN,$(t),run cosim hbm hbmcheck hazard hbmcfg cfgfile csim,vl,$(LDLIBS_CFG) $(LDLIBS_JSON))))
$(eval $(call TEST_BIN,test_system,system run cosim hbm hbmcheck hazard hbmcfg cfgfile csim,vl,$(LDLIBS_CFG) $(LDLIBS_JSON)))
$(eval $(call TEST_BIN,test_gauss,run csim,c))
$(eval $(call TEST_BIN,test_mapping,run,c))
$(eval $(call TEST_BIN,test_schedule,run hbm hbmcfg cfgfile csim,c,$(LDLIBS_CFG)))
$(eval $(call TEST_BIN,test_hbm_cfg,hbmcfg cfgfile,c,$(LDLIBS_CFG)))
$(eval $(call TEST_BIN,test_hbm_spec,hbmcfg cfgfile,c,$(LDLIBS_CFG)))
$(foreach t,test_hbm_check test_hbm_check_stream,$(eval $(call TEST_BIN,$(t),hbmcheck hbmcfg cfgfile,c,$(LDLIBS_CFG))))
$(eval $(call TEST_BIN,test_hazard,hazard hbmcfg cfgfile,c,$(LDLIBS_CFG)))
$(eval $(call TEST_BIN,test_hbm,hbm hbmcheck hbmcfg cfgfile,c,$(LDLIBS_CFG)))
$(eval $(call TEST_BIN,test_hbm_ctrl,hbm hbmcheck hbmcfg cfgfile,c,$(LDLIBS_CFG)))
# The timing engine with its self-checks on (issue 19): the engine re-checks every command the controller
# issues at a bound it proved (-DHBM_CHECK_PROVEN, harness/hbm/include/hbm.h) and the controller compares
# its model's bounds with the engine's (-DHBM_CTRL_CHECK_MODEL); a failing check is an error. make test runs
# the controller's suite on it (test_hbm_ctrl_checked): every mode, every log checked, no check may fail.
HBM_CHECK_DEFS := -DHBM_CHECK_PROVEN -DHBM_CTRL_CHECK_MODEL
$(BUILD)/obj-checked/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(HBM_CHECK_DEFS) $(INC_hbm) -c $< -o $@
$(BUILD)/lib/libhbm_checked.a: $(LIB_hbm:%.c=$(BUILD)/obj-checked/%.o)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^
$(BUILD)/bin/test_hbm_ctrl_checked: $(BUILD)/obj/tests/test_hbm_ctrl.o $(BUILD)/lib/libhbm_checked.a $(call libs,hbmcheck hbmcfg cfgfile)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_C) -o $@ $^ -lcmocka $(LDLIBS_CFG) -lm
$(eval $(call TEST_BIN,test_hbm_rules,hbm hbmcfg cfgfile,c,$(LDLIBS_CFG)))
$(eval $(call TEST_BIN,test_system_cfg,system hbmcfg cfgfile,c,$(LDLIBS_CFG)))
$(eval $(call TEST_BIN,test_cli_options,cli,c))
# the command-line tests run build/bin/pimattn and link nothing of it
$(foreach t,test_cli test_errors,$(eval $(call TEST_BIN,$(t),,c)))
$(foreach t,test_run_outputs test_run_cli test_area,$(eval $(call TEST_BIN,$(t),,c,-lcjson)))
# the sweep's grid expansion and keys white-box, the command through build/bin/pimattn
$(eval $(call TEST_BIN,test_sweep,sweep,c,$(LDLIBS_SWEEP)))
# every kind of pimattn plot through build/bin/pimattn and gnuplot, on sweeps it runs
$(eval $(call TEST_BIN,test_plot,plot sweep,c,$(LDLIBS_SWEEP)))

# The softmax constant tables are generated from their definitions and checked in (csim/sm_tables.h,
# rtl/softmax/sm_exp_table.sv, sm_rcp_table.sv); `make tables` rewrites them, `make test` fails if they differ.
# A --data file of Gaussian q, K, V with chosen means and deviations (docs/numerics.md, "Range").
$(BUILD)/bin/gen_sm_tables $(BUILD)/bin/gen_kvdata: $(BUILD)/bin/%: tools/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) -std=c11 -O2 -Wall -Wextra -Werror -o $@ $< -lm

tables: $(BUILD)/bin/gen_sm_tables
	$< c > csim/sm_tables.h
	$< sv-exp > rtl/softmax/sm_exp_table.sv
	$< sv-rcp > rtl/softmax/sm_rcp_table.sv

# Post-synthesis simulation (issue 6): the Yosys netlist of gemv_tree_f16 (generic gates, flattened),
# Verilated with the RTL's shim and compared with the golden model on the RTL's stimulus. The netlist is
# generated code, so only Verilator's performance warning about its flattened vectors is waived.
NET_V      := $(BUILD)/net/gemv_tree_f16.v
NET_SO     := $(BUILD)/vunits/gemv_tree_f16_net.so
$(NET_V): $(RTL_GEMVS) $(RTL_HDR) csim/gemv.h | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@echo "YOSYS netlist gemv_tree_f16"
	@$(YOSYS) -q -l $(BUILD)/net/gemv_tree_f16.log -p "read_verilog -sv -I$(RTL_INCDIR) $(RTL_GEMVS); \
	  chparam -set Depth 8 -set Slots 4 -set AccFp32 0 -set Pipe $(GEMV_PIPE) gemv_tree; hierarchy -check -top gemv_tree; proc; \
	  check -assert; synth -top gemv_tree; flatten; opt_clean; check -assert; write_verilog -noattr $@.tmp" \
	  >/dev/null && mv $@.tmp $@

$(BUILD)/vl/gemv_tree_f16_net/Vgemv_tree_f16_net__ALL.a: $(NET_V)
	@echo "VERILATE gemv_tree_f16_net"
	@$(VERILATOR) --cc --build -j $(JOBS) -O3 --x-assign unique --x-initial unique -Wno-lint -Wno-style \
	  -Wno-UNOPTFLAT -CFLAGS -fPIC -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O0" \
	  --prefix Vgemv_tree_f16_net --top-module gemv_tree \
	  -Mdir $(BUILD)/vl/gemv_tree_f16_net $< > $(BUILD)/vl/gemv_tree_f16_net.log 2>&1 || \
	  { cat $(BUILD)/vl/gemv_tree_f16_net.log; exit 1; }

$(BUILD)/obj/shim/gemv_tree_f16_net.o: harness/cosim/shim/gemv_shim.cpp $(BUILD)/vl/gemv_tree_f16_net/Vgemv_tree_f16_net__ALL.a
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS_SHIM) -DVM_TRACE=0 -DVM_TRACE_FST=0 -fPIC -Icsim -I$(BUILD)/vl/gemv_tree_f16_net -DVTOP=Vgemv_tree_f16_net \
	  -DVTOP_HDR='"Vgemv_tree_f16_net.h"' -DGEMV_TOP=gemv_tree -DGEMV_BUILD=gemv_tree_f16_net -DGEMV_ROWS=1 \
	  -DGEMV_DEPTH=8 -DGEMV_SLOTS=4 -DGEMV_ACC32=0 -DGEMV_KV=0 -c $< -o $@

$(NET_SO): $(BUILD)/obj/shim/gemv_tree_f16_net.o $(BUILD)/vl/gemv_tree_f16_net/Vgemv_tree_f16_net__ALL.a
	@mkdir -p $(@D)
	$(CXX) -shared -o $@ $^ -lz -pthread

$(BUILD)/bin/test_netlist_cosim: | $(NET_SO)

# ---- main targets ----------------------------------------------------------------------------------
# The main job: Llama-2-70B decode attention, batch 4, seeded ragged contexts of 1-2K tokens, systolic
# GEMV units (G = 8), one pseudo-channel of them and its softmax unit in Verilator (pimattn run --help).
run: $(PIMATTN) $(RUN_VUNITS)
	@$(PIMATTN) run --mode rtl

# The unit-level co-simulation reports that came before the scheduler.
units: $(PIMATTN) $(VUNITS)
	@$(PIMATTN) prims
	@echo
	@$(PIMATTN) gemv --commands 200000
	@echo
	@$(PIMATTN) softmax --scores 100000
	@echo
	@$(PIMATTN) hbm --hbm attacc-hbm3-5200 --synthetic macab --commands 1000000

# The suites run in parallel (scripts/run-tests.sh, $(TEST_JOBS) at a time: -jN of make, else JOBS), each
# printed whole in this order; a failing suite does not stop the others, the target fails at the end. The
# longest (lint-yosys, minutes) goes first, so that it overlaps the others instead of ending the run alone.
# An Icarus replay runs after the Verilator suite that wrote its vector files.
TEST_JOBS := $(or $(patsubst -j%,%,$(filter -j%,$(MAKEFLAGS))),$(JOBS))
TEST_ENV   = PIMATTN=$(PIMATTN) VECDIR=$(BUILD)/vec AREA_LIBS="$(AREA_TEST_LIBS)" AREA_TEST_DIR=$(BUILD)/area-test
tab := $(shell printf '\t')
define test_jobs
lint-yosys$(tab)-$(tab)MAKEFLAGS= $(MAKE) --no-print-directory lint-yosys
tables$(tab)-$(tab)$(BUILD)/bin/gen_sm_tables c | cmp -s - csim/sm_tables.h && $(BUILD)/bin/gen_sm_tables sv-exp | cmp -s - rtl/softmax/sm_exp_table.sv && $(BUILD)/bin/gen_sm_tables sv-rcp | cmp -s - rtl/softmax/sm_rcp_table.sv && echo "  csim/sm_tables.h, rtl/softmax/sm_{exp,rcp}_table.sv match tools/gen_sm_tables.c" || { echo "  regenerate with make tables"; exit 1; }
$(foreach t,$(TESTS),$(notdir $(t))$(tab)-$(tab)$(TEST_ENV) $(t)
)$(foreach b,$(PRIM_BUILDS),icarus-$(b)$(tab)test_prim_cosim$(tab)out=$$($(VVP) -n $(BUILD)/icarus/$(b).vvp +vec=$(BUILD)/vec/$(b).hex 2>&1); echo "  $$out"; grep -q '^PASS' <<<"$$out"
)$(foreach b,$(GEMV_ICARUS),icarus-$(b)$(tab)test_gemv_cosim$(tab)out=$$($(VVP) -n $(BUILD)/icarus/$(b).vvp +cmd=$(BUILD)/vec/$(b).cmd +res=$(BUILD)/vec/$(b).res 2>&1); echo "  $$out"; grep -q '^PASS' <<<"$$out"
)$(foreach b,$(SM_ICARUS),icarus-$(b)$(tab)test_sm_cosim$(tab)out=$$($(VVP) -n $(BUILD)/icarus/$(b).vvp +cmd=$(BUILD)/vec/$(b).cmd +res=$(BUILD)/vec/$(b).res 2>&1); echo "  $$out"; grep -q '^PASS' <<<"$$out"
)$(foreach l,verilator icarus,lint-$(l)$(tab)-$(tab)MAKEFLAGS= $(MAKE) --no-print-directory lint-$(l)
)check-seams$(tab)-$(tab)MAKEFLAGS= $(MAKE) --no-print-directory check-seams

endef
export test_jobs

check-seams: | $(DEPS_STAMP)
	@INC_csim="$(INC_csim)" INC_run="$(INC_run)" INC_check="$(INC_check)" INC_hazard="$(INC_hazard)" INC_cfgfile="$(INC_cfgfile)" \
	  INC_hbmcfg="$(INC_hbmcfg)" INC_system="$(INC_system)" INC_sweep="$(INC_sweep)" INC_plot="$(INC_plot)" INC_cli="$(INC_cli)" scripts/check-seams.sh $(CC) "$(CFLAGS)" \
	  $(BUILD)/seams

test: $(TEST_DEPS)
	@printf '%s\n' "$$test_jobs" | scripts/run-tests.sh $(TEST_JOBS) $(BUILD)/test-logs

# The C parts built with AddressSanitizer and UndefinedBehaviorSanitizer in $(BUILD)/san (any finding
# stops the program), then every suite that needs no Verilated library of its own and a few pimattn
# workloads (scripts/test-san.sh); the rows of those suites that run an rtl mode load the normal build's
# units. .ci/run runs it after make test.
SAN_FLAGS  := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
SAN_TESTS  := test_fp_golden test_gemv_golden test_softmax_golden test_attention_golden test_kvfmt test_gemv_i8 test_gauss test_mapping \
              test_hbm_cfg test_hbm_spec test_hbm test_hbm_ctrl test_hbm_rules test_hbm_check test_hbm_check_stream test_schedule test_hazard test_system_cfg \
              test_cli_options test_cli test_errors test_run_outputs test_sweep test_plot
test-san: $(VUNITS) | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/san && ln -sfn ../vunits $(BUILD)/san/vunits # rtl-mode rows load the (uninstrumented) units
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/san DEPS_STAMP=$(DEPS_STAMP) PGO=0 CFLAGS='$(CFLAGS) $(SAN_FLAGS)' \
	  LDFLAGS_C='$(SAN_FLAGS)' LDFLAGS_VL='$(LDFLAGS_VL) $(SAN_FLAGS)' \
	  $(BUILD)/san/bin/pimattn $(addprefix $(BUILD)/san/bin/,$(SAN_TESTS)) >$(BUILD)/san-build.log 2>&1 || \
	  { tail -30 $(BUILD)/san-build.log; exit 1; }
	@scripts/test-san.sh $(BUILD)/san "$(SAN_TESTS)"

# Coverage (issue 21; docs/coverage.md): the tree built again under $(BUILD)/coverage with COVERAGE=1 (the
# units with Verilator line and toggle coverage, the C code and the shims with gcov), then the suites that
# exercise rtl/, csim/ and harness/ (every one of make test but the area flow and the netlist simulation) and
# a few pimattn workloads, rtl mode among them (scripts/coverage.sh): HTML in $(BUILD)/coverage/rtl/ and
# $(BUILD)/coverage/c/, per-directory figures in $(BUILD)/coverage/summary.txt. Not part of make test (slow).
COV_TESTS := $(filter-out test_area test_netlist_cosim,$(notdir $(TESTS)))
coverage: | $(DEPS_STAMP)
	@command -v genhtml >/dev/null || scripts/install-deps.sh --with coverage
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/coverage DEPS_STAMP=$(DEPS_STAMP) COVERAGE=1 PGO=0 \
	  $(BUILD)/coverage/bin/pimattn $(addprefix $(BUILD)/coverage/bin/,$(COV_TESTS)) \
	  $(patsubst $(BUILD)/%,$(BUILD)/coverage/%,$(VUNITS) $(TEST_TRACE)) >$(BUILD)/coverage-build.log 2>&1 || \
	  { tail -30 $(BUILD)/coverage-build.log; exit 1; }
	@scripts/coverage.sh $(BUILD)/coverage "$(COV_TESTS)" $(TEST_JOBS)

# libFuzzer targets (issue 21; tests/fuzz/): the readers of every input a user hands pimattn, built with
# clang and ASan+UBSan in $(BUILD)/fuzz, each run FUZZ_SECONDS from the seed corpus tests/fuzz/corpus/T
# (scripts/fuzz.sh); a crash, leak or hang fails and leaves its input in $(BUILD)/fuzz/T/; each one found goes to
# tests/fuzz/regress/T/ (a seed too, and test_hazard runs those of the hazard checker in make test and test-san).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := hbm_yaml model_yaml log place ctx data trace grid
FUZZ_CFLAGS  := -std=c11 -O1 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -MMD -MP \
                -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all
FUZZ_LINK     = $(CC) -fsanitize=fuzzer,address,undefined -o $@ $^
$(BUILD)/bin/fuzz_hbm_yaml: $(BUILD)/obj/tests/fuzz/fuzz_hbm_yaml.o $(call libs,hbmcfg cfgfile)
	@mkdir -p $(@D) && $(FUZZ_LINK) $(LDLIBS_CFG)
$(BUILD)/bin/fuzz_model_yaml: $(BUILD)/obj/tests/fuzz/fuzz_model_yaml.o $(BUILD)/obj/harness/run/model.o
	@mkdir -p $(@D) && $(FUZZ_LINK) -lyaml
$(BUILD)/bin/fuzz_log: $(BUILD)/obj/tests/fuzz/fuzz_log.o $(call libs,hbmcheck hbmcfg cfgfile)
	@mkdir -p $(@D) && $(FUZZ_LINK) $(LDLIBS_CFG)
$(BUILD)/bin/fuzz_place: $(BUILD)/obj/tests/fuzz/fuzz_place.o $(call libs,hazard hbmcfg cfgfile)
	@mkdir -p $(@D) && $(FUZZ_LINK) $(LDLIBS_CFG)
$(BUILD)/bin/fuzz_ctx: $(BUILD)/obj/tests/fuzz/fuzz_ctx.o $(call libs,cli) $(BUILD)/obj/csim/fp.o
	@mkdir -p $(@D) && $(FUZZ_LINK) -lm
$(BUILD)/bin/fuzz_data: $(BUILD)/obj/tests/fuzz/fuzz_data.o $(BUILD)/obj/harness/run/kvdata.o
	@mkdir -p $(@D) && $(FUZZ_LINK) -lm
$(BUILD)/bin/fuzz_trace: $(BUILD)/obj/tests/fuzz/fuzz_trace.o $(BUILD)/obj/harness/cli/cmd_hbm_trace.o \
                         $(call libs,cli hbm hbmcheck hbmcfg cfgfile)
	@mkdir -p $(@D) && $(FUZZ_LINK) $(LDLIBS_CFG) -lm
$(BUILD)/bin/fuzz_grid: $(BUILD)/obj/tests/fuzz/fuzz_grid.o $(call libs,sweep)
	@mkdir -p $(@D) && $(FUZZ_LINK) -lyaml -lcjson
fuzz: | $(DEPS_STAMP)
	@command -v clang >/dev/null || scripts/install-deps.sh --with fuzz
	@$(MAKE) --no-print-directory BUILD=$(BUILD)/fuzz DEPS_STAMP=$(DEPS_STAMP) PGO=0 CC=clang CFLAGS='$(FUZZ_CFLAGS)' \
	  $(addprefix $(BUILD)/fuzz/bin/fuzz_,$(FUZZ_TARGETS)) >$(BUILD)/fuzz-build.log 2>&1 || \
	  { tail -30 $(BUILD)/fuzz-build.log; exit 1; }
	@scripts/fuzz.sh $(BUILD)/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Equivalence proofs (issue 21; docs/formal.md): Yosys miters and SAT, scripts/formal.sh.
formal: | $(DEPS_STAMP)
	@scripts/formal.sh $(BUILD)/formal

# A real Slurm run on a single-node cluster on localhost (issue 18; docs/slurm.md): not part of `make test`.
test-slurm: $(PIMATTN)
	@scripts/test-slurm.sh $(BUILD)

regress: $(BUILD)/bin/test_fp_golden $(BUILD)/bin/test_gemv_cosim $(BUILD)/bin/test_sm_cosim $(VUNITS)
	PIMATTN_REGRESS=1 $(BUILD)/bin/test_fp_golden
	GEMV_COMMANDS=$(REGRESS_GEMV_COMMANDS) $(BUILD)/bin/test_gemv_cosim
	SM_SCORES=$(REGRESS_SM_SCORES) $(BUILD)/bin/test_sm_cosim

# ---- lint ----------------------------------------------------------------------------------------------
# Every top with Stages 0 and 2; the GEMV tops in the parameter sets below ("top:Name=v,Name=v").
LINT_TOPS  := $(PRIM_TOPS)
LINT_GEMV  := gemv_tree:AccFp32=0 gemv_tree:Depth=10 gemv_systolic:G=8 gemv_systolic:G=2,Depth=4,Slots=3 \
              gemv_systolic:G=16,Slots=1,AccFp32=0 gemv_tree:KvBf16=1 gemv_systolic:G=2,KvBf16=1,Pipe=0 \
              gemv_tree:AccFp32=0,Pipe=0 gemv_tree:Pipe=1 gemv_systolic:G=2,Depth=4,Slots=3,KvInt8=1 \
              gemv_tree:KvInt8=1,Depth=2,Slots=1 \
              softmax_unit:Lanes=1 softmax_unit:Lanes=4,InFp16=1 softmax_unit:Lanes=16,Pieces=64 \
              softmax_unit:Lanes=2,Pieces=4,MergeD=2
YOSYS_GEMV := gemv_tree:AccFp32=0 gemv_systolic:G=2,Depth=4,Slots=3,KvBf16=1 gemv_tree:KvInt8=1,Depth=2,Slots=1 \
              softmax_unit:Lanes=2,InFp16=1,MergeD=16
lint_top    = $(firstword $(subst :, ,$(1)))
lint_params = $(subst $(comma), ,$(word 2,$(subst :, ,$(1))))

lint: lint-verilator lint-icarus lint-yosys

lint-verilator: | $(DEPS_STAMP)
	@for t in $(LINT_TOPS); do for s in 0 2; do \
	  $(VERILATOR) --lint-only -Wall -I$(RTL_INCDIR) -GStages=$$s --top-module $$t $(RTL_PRIM) || exit 1; \
	done; done
	@$(foreach c,$(LINT_GEMV),$(VERILATOR) --lint-only -Wall -I$(RTL_INCDIR) $(addprefix -G,$(call lint_params,$(c))) \
	  --top-module $(call lint_top,$(c)) $(RTL_ALL) || exit 1;)
	@echo "lint verilator: clean ($(words $(LINT_TOPS)) primitive tops x Stages 0,2; $(words $(LINT_GEMV)) GEMV and softmax-unit configurations)"

lint-icarus: | $(DEPS_STAMP)
	@for t in $(LINT_TOPS); do for s in 0 2; do \
	  out=$$($(IVERILOG) -g2012 -Wall -Wno-timescale $(IV_INC) -o /dev/null -s $$t -P$$t.Stages=$$s $(RTL_PRIM) 2>&1); \
	  if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	done; done
	@$(foreach c,$(LINT_GEMV),out=$$($(IVERILOG) -g2012 -Wall -Wno-timescale $(IV_INC) -o /dev/null -s $(call lint_top,$(c)) \
	  $(addprefix -P$(call lint_top,$(c)).,$(call lint_params,$(c))) $(RTL_ALL) 2>&1); \
	  if [ -n "$$out" ]; then echo "$$out"; exit 1; fi;)
	@echo "lint icarus: clean ($(words $(LINT_TOPS)) primitive tops x Stages 0,2; $(words $(LINT_GEMV)) GEMV and softmax-unit configurations)"

# yosys_check(top, chparam commands, log name)
yosys_check = $(YOSYS) -q -l $(BUILD)/lint/$(3).yosys.log -p "read_verilog -sv -I$(RTL_INCDIR) $(RTL_ALL); $(2) hierarchy -check -top $(1); \
	  proc; check -assert; synth -top $(1); \
	  check -assert; select -assert-none t:\$$dlatch t:\$$_DLATCH_*" >/dev/null || \
	  { tail -20 $(BUILD)/lint/$(3).yosys.log; exit 1; }; \
	  if grep -qi 'warning' $(BUILD)/lint/$(3).yosys.log; then grep -i warning $(BUILD)/lint/$(3).yosys.log; exit 1; fi;

lint-yosys: | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/lint
	@$(foreach t,$(LINT_TOPS),$(call yosys_check,$(t),chparam -set Stages 2 $(t);,$(t)))
	@$(foreach c,$(YOSYS_GEMV),$(call yosys_check,$(call lint_top,$(c)),$(foreach p,$(call lint_params,$(c)),chparam -set $(subst =, ,$(p)) $(call lint_top,$(c));),$(subst =,,$(subst :,_,$(subst $(comma),_,$(c))))))
	@echo "lint yosys: clean ($(words $(LINT_TOPS) $(YOSYS_GEMV)) configurations: synth, check -assert, no latches, no warnings)"

# ---- area and delay (issue 6, issue 20; docs/area.md) ----------------------------------------------------
# One point = name:top:params:keep (params Name=v,Name=v or -; keep: a module mapped once and kept as a
# hierarchy boundary, for arrays of identical rows and lanes (gemv_row, sm_lane); * keeps every module);
# optional fields: 5 a clock overriding AREA_CLOCK_PS (- for the default), 6 "fast" for ABC's script
# without its SAT sweeps (no point needs it since the softmax unit is pipelined; the combinational
# two-step Newton-Raphson kept the sweeps busy for over 10 minutes; - for the full script), 7 "meet": the
# point must meet its clock in the first Liberty file (make area fails, naming it, when it misses; the
# others are information, like the single-stage primitives). scripts/area-point.sh synthesises a point
# (cached by a hash of the RTL, the script, the point and the libraries); scripts/area-report.sh writes the
# tables, with the slack, and each point's time.
AREA_DIR      := $(BUILD)/area
PDK           := ../shared/pdk
# make area maps to ASAP7 (the target clock's library); a second library is one more ABC mapping of every
# point (sky130hd: 7 of the matrix's 34 CPU-minutes): make area LIBERTY="$(PDK)/asap7/... $(PDK)/sky130hd/..."
LIBERTY       ?= $(wildcard $(PDK)/asap7/*.lib.gz)
# make test's flow check (tests/test_area.c) maps its unit to both PDKs
AREA_TEST_LIBERTY := $(wildcard $(PDK)/asap7/*.lib.gz $(PDK)/sky130hd/*.lib.gz)
AREA_CLOCK_PS ?= 1500
AREA_PENALTY  ?= 10
AREA_EXTRA    ?=
# DRAM organisation of both HBM presets (docs/hbm.md): banks per PC, PCs per stack, channels per stack.
AREA_ORG      := 32 32 16
AREA_PT_PRIM  := fp16_mul_s1:fp16_mul:Stages=1:- fp16_mul32_s1:fp16_mul32:Stages=1:- fp16_add_s1:fp16_add:Stages=1:- \
                 fp32_add_s1:fp32_add:Stages=1:- fp16_mac32_s1:fp16_mac32:Stages=1:-
AREA_PT_UNITS := softmax_l16:softmax_unit:Lanes=16:sm_lane:-:-:meet softmax_l4_h:softmax_unit:Lanes=4$(comma)InFp16=1:sm_lane:-:-:meet \
                 gemv_tree_bf16:gemv_tree:KvBf16=1:gemv_row:-:-:meet gemv_tree_f16_lat3:gemv_tree:AccFp32=0$(comma)Pipe=0:gemv_row \
                 gemv_tree_f32:gemv_tree:AccFp32=1:gemv_row:-:-:meet gemv_tree_f16:gemv_tree:AccFp32=0:gemv_row:-:-:meet \
                 $(foreach g,16 8 4 2 1,gemv_sys_g$(g)_f32:gemv_systolic:G=$(g)$(comma)AccFp32=1:gemv_row:-:-:meet) \
                 gemv_sys_g8_bf16:gemv_systolic:G=8$(comma)KvBf16=1:gemv_row:-:-:meet \
                 $(foreach g,16 8 4 2 1,gemv_sys_g$(g)_f16:gemv_systolic:G=$(g)$(comma)AccFp32=0:gemv_row:-:-:meet)
# make -j runs them in this order: the longest first, the short primitives last (they fill the gaps); the
# tables list the primitives, the tree units, the softmax units, then the systolic units
AREA_POINTS   := $(AREA_PT_UNITS) $(AREA_PT_PRIM)
area_first     = $(foreach p,$(AREA_POINTS),$(if $(filter $(1)%,$(p)),$(p)))
AREA_ORDER    := $(AREA_PT_PRIM) $(call area_first,gemv_tree_f16:) $(call area_first,gemv_tree_f32) \
                 $(call area_first,gemv_tree_f16_lat3) $(call area_first,gemv_tree_bf16) $(call area_first,softmax_l4_h) \
                 $(call area_first,softmax_l16) $(foreach g,1 2 4 8 16,$(call area_first,gemv_sys_g$(g)_f16)) \
                 $(foreach g,1 2 4 8 16,$(call area_first,gemv_sys_g$(g)_f32)) $(call area_first,gemv_sys_g8_bf16)
# The INT8 unit (its row: 32 INT8 lanes and 32 lanes of FP32 scaling) meets the clock but takes 9.5 CPU-
# minutes alone, two thirds of the matrix's budget: make area AREA_EXTRA=gemv_tree_i8:gemv_tree:KvInt8=1,Depth=4:gemv_row_i8:-:-:meet
area_lib       = $(AREA_DIR)/lib/$(notdir $(patsubst %.gz,%,$(1)))
AREA_LIBS     := $(foreach l,$(LIBERTY),$(call area_lib,$(l)))
AREA_TEST_LIBS := $(foreach l,$(AREA_TEST_LIBERTY),$(call area_lib,$(l)))
AREA_RECS     := $(foreach p,$(AREA_POINTS) $(AREA_EXTRA),$(AREA_DIR)/pt/$(call spec,$(p),1).rec)
AREA_TABLE    := $(foreach p,$(AREA_ORDER) $(AREA_EXTRA),$(AREA_DIR)/pt/$(call spec,$(p),1).rec)

ifneq ($(filter area area-tables study,$(MAKECMDGOALS)),)
$(foreach l,$(LIBERTY),$(if $(wildcard $(l)),,$(error LIBERTY: '$(l)' does not exist (allowed: Liberty files, plain or .gz))))
endif

define AREA_LIB_RULE
$(call area_lib,$(1)): $(1)
	@mkdir -p $$(@D)
	@case "$$<" in *.gz) gzip -dc "$$<" > $$@.tmp ;; *) cp "$$<" $$@.tmp ;; esac && mv $$@.tmp $$@
endef
$(foreach l,$(sort $(LIBERTY) $(AREA_TEST_LIBERTY)),$(eval $(call AREA_LIB_RULE,$(l))))

define AREA_PT_RULE
$(AREA_DIR)/pt/$(call spec,$(1),1).rec: FORCE $(AREA_LIBS) | $(DEPS_STAMP)
	@AREA_ABC_FAST=$(if $(filter fast,$(call spec,$(1),6)),1,0) AREA_MUST_MEET=$(if $(filter meet,$(call spec,$(1),7)),1,0) scripts/area-point.sh $(AREA_DIR) '$(call spec,$(1),1)' \
	  '$(call spec,$(1),2)' '$(call spec,$(1),3)' \
	  '$(call spec,$(1),4)' $(or $(filter-out -,$(call spec,$(1),5)),$(AREA_CLOCK_PS)) $(AREA_LIBS)
endef
$(foreach p,$(AREA_POINTS) $(AREA_EXTRA),$(eval $(call AREA_PT_RULE,$(p))))

# The tables whatever the timing verdict, for the study (area.csv's meets_clock column says which points
# miss): area-report.sh exits 3 for must-meet misses only, after writing every table.
area-tables: $(AREA_RECS)
	@scripts/area-report.sh $(AREA_DIR) $(AREA_PENALTY) $(AREA_ORG) $(AREA_TABLE) || [ $$? -eq 3 ]

area: $(AREA_RECS)
	@rc=0; scripts/area-report.sh $(AREA_DIR) $(AREA_PENALTY) $(AREA_ORG) $(AREA_TABLE) || rc=$$?; \
	  [ -s $(AREA_DIR)/area.md ] && cat $(AREA_DIR)/area.md; \
	  if [ $$rc -ne 0 ]; then cat $(AREA_DIR)/missed.txt >&2 2>/dev/null || echo "make area: FAILED" >&2; exit $$rc; fi

FORCE:

test: $(AREA_TEST_LIBS) # test_area runs the flow on the smallest unit with these libraries

# ---- the GQA study (docs/gqa-study.md) ------------------------------------------------------------------
STUDY_DIR ?= $(BUILD)/study
study: $(PIMATTN) area-tables
	@scripts/study-gqa.sh $(PIMATTN) $(STUDY_DIR) docs/figures/gqa $(AREA_DIR)/area.csv

# ---- waveforms and benchmarks ----------------------------------------------------------------------
UNIT ?= fp16_add
# the one build the wave loads (pimattn wave --needs: a primitive's, or a unit's traced build), then the wave
wave: $(PIMATTN)
	@n=$$($(PIMATTN) wave --unit '$(UNIT)' $(if $(G),--g $(G)) --needs) && \
	  $(MAKE) --no-print-directory $(BUILD)/vunits/$$n.so && \
	  $(PIMATTN) wave --unit '$(UNIT)' $(if $(G),--g $(G)) $(if $(PATTERN),--pattern $(PATTERN)) --dir $(BUILD)/wave

bench: $(PIMATTN) $(VUNITS) $(PRIM_VVP) $(GEMV_VVP) $(SM_VVP) $(BUILD)/bin/test_hbm_ctrl
	@scripts/bench-prims.sh $(PIMATTN) $(BUILD)
	@echo
	@scripts/bench-gemv.sh $(PIMATTN) $(BUILD) "$(GEMV_ICARUS)"
	@echo
	@scripts/bench-softmax.sh $(PIMATTN) $(BUILD) "$(SM_ICARUS)"
	@echo
	@scripts/bench-hbm.sh $(PIMATTN) $(BUILD)
	@echo
	@scripts/bench-hbm-ctrl.sh $(PIMATTN) $(BUILD)/bin/test_hbm_ctrl $(BUILD)
	@echo
	@scripts/bench-run.sh $(PIMATTN) $(BUILD)
	@echo
	@scripts/bench-system.sh $(PIMATTN) $(BUILD)
	@echo
	@scripts/bench-sweep.sh $(PIMATTN) $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj $(BUILD)/obj-checked $(BUILD)/pgo/obj -name '*.d' 2>/dev/null)
