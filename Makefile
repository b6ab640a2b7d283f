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

CFLAGS     := -std=c11 -O2 -g -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L -Icsim -Iharness -MMD -MP
VL_INC     := /usr/share/verilator/include
VL_DEFS    := -DVM_COVERAGE=0 -DVM_SC=0 -DVM_TRACE=1 -DVM_TRACE_FST=1 -DVM_TRACE_VCD=0
CXXFLAGS   := -std=c++17 -O2 -g -faligned-new -I$(VL_INC) -I$(VL_INC)/vltstd $(VL_DEFS) -Iharness -Iharness/shim \
              -Wno-unused-parameter -MMD -MP
VL_FLAGS   := --cc --build -j $(JOBS) -O3 --trace-fst --x-assign unique --x-initial unique -Wall \
              -CFLAGS -O2
LDLIBS_VL  := -lz -pthread

DEPS_STAMP := $(BUILD)/.deps-ok

# ---- sources ---------------------------------------------------------------------------------------
RTL_COMMON := $(sort $(wildcard rtl/common/*.sv))
CSIM_SRC   := $(sort $(wildcard csim/*.c))
HARN_SRC   := harness/cli.c harness/fpvec.c harness/gtkw.c harness/prim.c
CSIM_OBJ   := $(CSIM_SRC:%.c=$(BUILD)/obj/%.o)
HARN_OBJ   := $(HARN_SRC:%.c=$(BUILD)/obj/%.o)
VLRT_OBJ   := $(BUILD)/vlrt/verilated.o $(BUILD)/vlrt/verilated_threads.o $(BUILD)/vlrt/verilated_fst_c.o

# Primitive builds: harness/prim_builds.def lines "PRIM_BUILD(top, stages, has_c, a_bits, y_bits)".
PRIM_DEF   := harness/prim_builds.def
PRIM_SPECS := $(shell sed -n 's/^PRIM_BUILD(\([a-z0-9_]*\), *\([0-9]*\), *\([01]\), *\([0-9]*\), *\([0-9]*\)).*/\1:\2:\3:\4:\5/p' $(PRIM_DEF))
spec        = $(word $(2),$(subst :, ,$(1)))
pbuild      = $(call spec,$(1),1)_s$(call spec,$(1),2)
PRIM_BUILDS := $(foreach s,$(PRIM_SPECS),$(call pbuild,$(s)))
PRIM_ARCH  := $(foreach b,$(PRIM_BUILDS),$(BUILD)/vl/$(b)/V$(b)__ALL.a)
PRIM_SHIM  := $(foreach b,$(PRIM_BUILDS),$(BUILD)/obj/shim/$(b).o)
PRIM_VVP   := $(foreach b,$(PRIM_BUILDS),$(BUILD)/icarus/$(b).vvp)
PRIM_TOPS  := $(sort $(foreach s,$(PRIM_SPECS),$(call spec,$(s),1)))

PIMATTN    := $(BUILD)/bin/pimattn
TESTS      := $(BUILD)/bin/test_fp_golden $(BUILD)/bin/test_prim_cosim $(BUILD)/bin/test_cli

.PHONY: all help deps run test regress lint lint-verilator lint-icarus lint-yosys wave bench clean
.DEFAULT_GOAL := all

all: $(PIMATTN) $(TESTS) $(PRIM_VVP)

help:
	@echo "pimattn make targets"
	@echo "  make run            build (installing missing Debian packages) and run the default job: FP primitive"
	@echo "                      co-simulation, RTL vs golden model, with a report"
	@echo "  make test           build and run every test: golden model vs GCC, RTL vs golden (Verilator),"
	@echo "                      Icarus on the same vectors, CLI errors, and lint in three tools"
	@echo "  make regress        long runs, not in CI: full 2^32 FP16 product space, all FP32->BF16 values"
	@echo "  make lint           verilator --lint-only -Wall, iverilog -g2012, yosys synth + check -assert"
	@echo "  make wave UNIT=u    FST + GTKWave save file in build/wave/ (u: $(PRIM_TOPS))"
	@echo "  make bench          simulation speed: Verilator vs Icarus on the same vector files"
	@echo "  make deps           install missing Debian packages (scripts/install-deps.sh)"
	@echo "  make all            build everything, run nothing"
	@echo "  make clean          remove build/"
	@echo "variables: SEED=n (replay random tests), JOBS=n (Verilator build jobs, default 2)"

# ---- dependencies ------------------------------------------------------------------------------------
deps:
	@scripts/install-deps.sh

$(DEPS_STAMP): scripts/install-deps.sh
	@scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

# ---- C objects ---------------------------------------------------------------------------------------
$(BUILD)/obj/%.o: %.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/vlrt/%.o: | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CXX) $(CXXFLAGS) -Os -w -c $(VL_INC)/$*.cpp -o $@

$(BUILD)/lib/libcsim.a: $(CSIM_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

# ---- Verilated primitive builds -------------------------------------------------------------------------
# $(1) build  $(2) top  $(3) stages  $(4) has_c  $(5) a_bits  $(6) y_bits
define PRIM_RULES
$(BUILD)/vl/$(1)/V$(1)__ALL.a: $(RTL_COMMON) | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/vl
	@echo "VERILATE $(1)"
	@$(VERILATOR) $(VL_FLAGS) --prefix V$(1) -GStages=$(3) --top-module $(2) -Mdir $(BUILD)/vl/$(1) \
	  $(RTL_COMMON) > $(BUILD)/vl/$(1).log 2>&1 || { cat $(BUILD)/vl/$(1).log; exit 1; }

$(BUILD)/obj/shim/$(1).o: harness/shim/prim_shim.cpp $(BUILD)/vl/$(1)/V$(1)__ALL.a
	@mkdir -p $$(@D)
	$(CXX) $(CXXFLAGS) -I$(BUILD)/vl/$(1) -DVTOP=V$(1) -DVTOP_HDR='"V$(1).h"' -DPRIM_TOP=$(2) \
	  -DPRIM_BUILD=$(1) -DPRIM_STAGES=$(3) -DPRIM_HAS_C=$(4) -c $$< -o $$@

$(BUILD)/icarus/$(1).vvp: tb/prim_tb.sv $(RTL_COMMON) | $(DEPS_STAMP)
	@mkdir -p $$(@D)
	$(IVERILOG) -g2012 -Wall -Wno-timescale -DDUT=$(2) -DAW=$(5) -DYW=$(6) $(if $(filter 1,$(4)),-DHAS_C) \
	  -Pprim_tb.Stages=$(3) -s prim_tb -o $$@ tb/prim_tb.sv $(RTL_COMMON)
endef
$(foreach s,$(PRIM_SPECS),$(eval $(call PRIM_RULES,$(call pbuild,$(s)),$(call spec,$(s),1),$(call spec,$(s),2),$(call spec,$(s),3),$(call spec,$(s),4),$(call spec,$(s),5))))

# ---- binaries ----------------------------------------------------------------------------------------
PRIM_LINK := $(HARN_OBJ) $(PRIM_SHIM) $(PRIM_ARCH) $(VLRT_OBJ) $(BUILD)/lib/libcsim.a

$(PIMATTN): $(BUILD)/obj/harness/main.o $(BUILD)/obj/harness/cmd_prims.o $(PRIM_LINK)
	@mkdir -p $(@D)
	$(CXX) -o $@ $^ $(LDLIBS_VL)

$(BUILD)/bin/test_fp_golden: $(BUILD)/obj/tb/test_fp_golden.o $(BUILD)/obj/harness/fpvec.o $(BUILD)/lib/libcsim.a
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -lcmocka -lm

$(BUILD)/bin/test_prim_cosim: $(BUILD)/obj/tb/test_prim_cosim.o $(PRIM_LINK)
	@mkdir -p $(@D)
	$(CXX) -o $@ $^ -lcmocka $(LDLIBS_VL)

$(BUILD)/bin/test_cli: $(BUILD)/obj/tb/test_cli.o
	@mkdir -p $(@D)
	$(CC) -o $@ $^ -lcmocka -lm

# ---- main targets ----------------------------------------------------------------------------------
run: $(PIMATTN)
	@$(PIMATTN) prims

# Each suite prints its cmocka summary; a failing suite does not stop the others, the target fails at the end.
test: all
	@fail=0; pass=0; \
	for t in $(TESTS); do \
	  echo "=== $$t"; \
	  if PIMATTN=$(PIMATTN) VECDIR=$(BUILD)/vec $$t; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	done; \
	echo "=== icarus: the co-simulation vector files through tb/prim_tb.sv"; \
	for b in $(PRIM_BUILDS); do \
	  if out=$$($(VVP) -n $(BUILD)/icarus/$$b.vvp +vec=$(BUILD)/vec/$$b.hex 2>&1) && grep -q '^PASS' <<<"$$out"; then \
	    echo "  $$b: $$out"; pass=$$((pass+1)); else echo "  $$b: $$out"; fail=$$((fail+1)); fi; \
	done; \
	echo "=== lint"; \
	if $(MAKE) --no-print-directory lint; then pass=$$((pass+1)); else fail=$$((fail+1)); fi; \
	echo "suites: $$pass passed, $$fail failed"; \
	test $$fail -eq 0

regress: $(BUILD)/bin/test_fp_golden
	PIMATTN_REGRESS=1 $(BUILD)/bin/test_fp_golden

# ---- lint --------------------------------------------------------------------------------------------
LINT_TOPS := $(PRIM_TOPS)

lint: lint-verilator lint-icarus lint-yosys

lint-verilator: | $(DEPS_STAMP)
	@for t in $(LINT_TOPS); do for s in 0 2; do \
	  $(VERILATOR) --lint-only -Wall -GStages=$$s --top-module $$t $(RTL_COMMON) || exit 1; \
	done; done; echo "lint verilator: clean ($(words $(LINT_TOPS)) tops x Stages 0,2)"

lint-icarus: | $(DEPS_STAMP)
	@for t in $(LINT_TOPS); do for s in 0 2; do \
	  out=$$($(IVERILOG) -g2012 -Wall -Wno-timescale -o /dev/null -s $$t -P$$t.Stages=$$s $(RTL_COMMON) 2>&1); \
	  if [ -n "$$out" ]; then echo "$$out"; exit 1; fi; \
	done; done; echo "lint icarus: clean ($(words $(LINT_TOPS)) tops x Stages 0,2)"

lint-yosys: | $(DEPS_STAMP)
	@mkdir -p $(BUILD)/lint
	@for t in $(LINT_TOPS); do \
	  $(YOSYS) -q -l $(BUILD)/lint/$$t.yosys.log -p "read_verilog -sv $(RTL_COMMON); chparam -set Stages 2 $$t; \
	    synth -top $$t; check -assert; select -assert-none t:\$$dlatch t:\$$_DLATCH_*" >/dev/null || \
	    { tail -20 $(BUILD)/lint/$$t.yosys.log; exit 1; }; \
	  if grep -qi 'warning' $(BUILD)/lint/$$t.yosys.log; then grep -i warning $(BUILD)/lint/$$t.yosys.log; exit 1; fi; \
	done; echo "lint yosys: clean ($(words $(LINT_TOPS)) tops: synth, check -assert, no latches, no warnings)"

# ---- waveforms and benchmarks ----------------------------------------------------------------------
UNIT ?= fp16_add
wave: $(PIMATTN)
	@$(PIMATTN) wave --unit $(UNIT) --dir $(BUILD)/wave

bench: $(PIMATTN) $(PRIM_VVP)
	@scripts/bench-prims.sh $(PIMATTN) $(BUILD)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
