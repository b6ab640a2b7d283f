#!/usr/bin/env bash
# check-seams.sh — proves the module seams of docs/architecture.md ("Layout and seams"): each forbidden
# include is tried with the module's real compile flags and must NOT compile (and the allowed one next to
# it must, so the probe itself is sound); then an include scan finds what include paths cannot (a
# relative path such as "../run/func.h" reaches past any -I).
# Usage: check-seams.sh CC "CFLAGS" OUTDIR   with INC_csim, INC_run, INC_check, INC_hazard, INC_cfgfile, INC_hbmcfg,
# INC_system, INC_sweep, INC_plot and INC_cli exported (the Makefile's flags).
set -uo pipefail
cc=$1 cflags=$2 out=$3
cflags=${cflags//-MMD/} cflags=${cflags//-MP/}   # a probe writes no dependency file
mkdir -p "$out"
fail=0

# probe NAME FLAGS HEADER WANT: compile "#include HEADER" with FLAGS; WANT is ok or refused
probe() {
  local name=$1 flags=$2 header=$3 want=$4 src="$out/$1.c"
  printf '#include "%s"\nint seam_probe_%s;\n' "$header" "$name" > "$src"
  if $cc $cflags $flags -fsyntax-only "$src" > "$out/$name.log" 2>&1; then got=ok; else got=refused; fi
  if [ "$got" = "$want" ]; then
    printf '  %-34s %-12s %s\n' "$name" "$header" "$got (as it must be)"
  else
    printf '  %-34s %-12s %s, want %s:\n' "$name" "$header" "$got" "$want"; sed 's/^/    /' "$out/$name.log" | head -5
    fail=1
  fi
}

echo "seam 1: csim/ (the golden model) includes nothing of harness/"
probe csim_own_header "$INC_csim" fp.h ok
probe csim_includes_run "$INC_csim" run.h refused
probe csim_includes_backend "$INC_csim" backend.h refused
echo "seam 2: run/ reaches the units only through cosim's backend.h, never a Verilated shim header"
probe run_backend "$INC_run" backend.h ok
probe run_includes_shim_view "$INC_run" vgemv.h refused
probe run_includes_runners "$INC_run" cosim.h refused
probe run_includes_shim "$INC_run" vshim.hpp refused
echo "seam 3: the protocol checker is compiled without the timing engine's header"
probe check_config "$INC_check" hbm_cfg.h ok
probe check_includes_engine "$INC_check" hbm.h refused
probe check_includes_reader "$INC_check" cfgfile.h refused
echo "seam 4: the configuration reader (cfgfile/) depends on nothing; the configurations reach it through cfgfile.h"
probe cfgfile_own_header "$INC_cfgfile" cfgfile.h ok
probe cfgfile_includes_hbmcfg "$INC_cfgfile" hbm_cfg.h refused
probe cfgfile_includes_system "$INC_cfgfile" system.h refused
probe hbmcfg_reader "$INC_hbmcfg" cfgfile.h ok
probe hbmcfg_includes_engine "$INC_hbmcfg" hbm.h refused
probe hbmcfg_includes_system "$INC_hbmcfg" system.h refused
probe system_reader "$INC_system" cfgfile.h ok
probe system_own_header "$INC_system" system.h ok
probe system_includes_shim "$INC_system" vshim.hpp refused
probe csim_includes_reader "$INC_csim" cfgfile.h refused
echo "seam 5: the sweep (sweep/) depends on nothing of pimattn; the command reaches it through sweep.h only"
probe sweep_own_header "$INC_sweep" sweep.h ok
probe sweep_includes_cli "$INC_sweep" cli.h refused
probe sweep_includes_system "$INC_sweep" system.h refused
probe sweep_includes_run "$INC_sweep" run.h refused
probe cli_sweep_header "$INC_cli" sweep.h ok
probe cli_includes_sweep_insides "$INC_cli" sweep_int.h refused
echo "seam 6: the plot module (plot/) uses the sweep through sweep.h only; the command reaches it through plot.h only"
probe plot_own_header "$INC_plot" plot.h ok
probe plot_sweep_header "$INC_plot" sweep.h ok
probe plot_includes_sweep_insides "$INC_plot" sweep_int.h refused
probe plot_includes_cli "$INC_plot" outfile.h refused
probe plot_includes_system "$INC_plot" system.h refused
probe cli_plot_header "$INC_cli" plot.h ok
probe cli_includes_plot_insides "$INC_cli" plot_int.h refused

echo "seam 7: the data-hazard checker (hazard/) is compiled without the scheduler's, the mapping's or the engine's headers"
probe hazard_config "$INC_hazard" hbm_cfg.h ok
probe hazard_includes_schedule "$INC_hazard" schedule.h refused
probe hazard_includes_mapping "$INC_hazard" mapping.h refused
probe hazard_includes_engine "$INC_hazard" hbm.h refused
echo "include scan: no include reaches past the include paths"
bad=$(grep -rn '#include *"[^"]*\.\./' harness csim --include='*.c' --include='*.h' --include='*.cpp' --include='*.hpp' || true)
if [ -n "$bad" ]; then echo "  relative includes:"; echo "$bad" | sed 's/^/    /'; fail=1; else echo "  none"; fi
if [ "$fail" -ne 0 ]; then echo "check-seams: FAILED"; exit 1; fi
echo "check-seams: every seam holds"
