#!/usr/bin/env bash
# coverage.sh — `make coverage`'s runner (docs/coverage.md). COVBUILD is the tree the Makefile built with
# COVERAGE=1: Verilated units with line and toggle coverage (each shim sums its units' counts and writes
# $PIMATTN_VLCOV_DIR/BUILD-PID.dat at exit, harness/cosim/shim/vshim.hpp), the C code and the shims with gcov.
# Runs the suites named in TESTS and a few pimattn workloads (rtl mode among them) through run-tests.sh, JOBS
# at a time, then merges:
#   rtl/   verilator_coverage --write (all data files) -> COVBUILD/rtl/coverage.dat, scripts/coverage-rtl.awk
#          -> line and toggle tracefiles, genhtml -> COVBUILD/rtl/index.html (lines), COVBUILD/rtl/toggle/,
#          COVBUILD/rtl/unhit.txt (every point not hit), verilator_coverage --annotate -> COVBUILD/rtl/annotated/
#   C      lcov (a zero baseline of every object, so files no test ran count) -> COVBUILD/c/coverage.info,
#          genhtml -> COVBUILD/c/index.html
# and prints the per-directory summary, also written to COVBUILD/summary.txt.
# Usage: coverage.sh COVBUILD "TESTS" JOBS
# Exit status: 0 if every suite passed and the reports were written, 1 otherwise (the reports are written
# even when a suite failed; the summary says which). The goals are reported, not enforced.
set -uo pipefail
cov=$1
tests=$2
jobs=${3:-2}
start=$(date +%s)
bin=$cov/bin
work=$cov/work
vlcov=$cov/vlcov
rm -rf "$work" "$vlcov" "$cov/rtl" "$cov/c" "$cov/summary.txt"
mkdir -p "$work" "$vlcov" "$cov/rtl" "$cov/c"
find "$cov/obj" -name '*.gcda' -delete # each run starts from zero
export PIMATTN_VLCOV_DIR=$PWD/$vlcov
# Coverage runs the units ~100x slower than the normal build (-O0, toggle points): the random co-simulation suites run fewer
# commands (coverage saturates long before; make test runs 10^6 GEMV commands and 3*10^5 score beats per build).
env="PIMATTN=$bin/pimattn VECDIR=$cov/vec AREA_TEST_DIR=$cov/area-test GEMV_COMMANDS=${COV_GEMV_COMMANDS:-20000} SM_SCORES=${COV_SM_SCORES:-10000}"
p=$bin/pimattn
{
  for t in $tests; do printf '%s\t-\t%s %s\n' "cov-$t" "$env" "$bin/$t"; done
  w() { printf '%s\t-\t%s\n' "cov-$1" "$2"; }
  w units "$p prims && $p gemv --commands 2000 && $p softmax --scores 5000"
  w run-rtl-default "$p run --mode rtl --log-commands $work/rtl.log && $p check-trace --hazards $work/rtl.log"
  w run-rtl-variants "$p run --mode rtl --gemv tree --acc fp16 --softmax-lanes 4 --batch 2 && $p run --mode rtl --softmax splitk --pingpong --batch 2 --layers 2 && $p run --mode rtl --model mistral-7b --group 4 --batch 2 --ctx 1024 && $p run --mode rtl --batch 1 --wave $work/unit0.fst --wave-cycles 200"
  w run-fast "$p run --model falcon-7b --batch 8 --ctx 4096 --numerics 2 --threads 2 && $p run --model llama2-70b --batch 64 --ctx 16384 --stacks 1 --host-tier --softmax splitk --numerics 4 && $p run --model mistral-7b --split balance --ctx 32768 --batch 2 --log-commands $work/split.log --json $work/split.json && $p check-trace --hazards $work/split.log"
  w hbm-traces "$p hbm --synthetic random --commands 100000 && $p hbm --synthetic stream --commands 100000 --page close && $p hbm --synthetic macab --commands 100000 --log $work/macab.log && $p check-trace $work/macab.log"
  w system "$p system --model llama2-70b --batch 16 --lin 2048 --lout 32 --step-stride 8 && $p system --model gpt3-175b --system dgx-a100-hbm3+pim --batch max --lin 1024 --lout 16 --step-stride 8 --slo-ms 50"
} | scripts/run-tests.sh "$jobs" "$cov/test-logs"
suites=$?
failed=$(cd "$cov/test-logs" && for f in *.rc; do [ "$(cat "$f")" = 0 ] || printf '%s ' "${f%.rc}"; done)

# ---- rtl/: Verilator line and toggle coverage
shopt -s nullglob
dats=("$vlcov"/*.dat)
shopt -u nullglob
if [ "${#dats[@]}" -eq 0 ]; then
  echo "coverage: no Verilator coverage data in $vlcov (did any unit run?)" >&2
  exit 1
fi
verilator_coverage --write "$cov/rtl/coverage.dat" "${dats[@]}" >"$cov/rtl/merge.log" 2>&1 ||
  { cat "$cov/rtl/merge.log"; exit 1; }
awk -v line_info="$cov/rtl/lines.info" -v toggle_info="$cov/rtl/toggle.info" -v unhit="$cov/rtl/unhit.txt" \
  -f scripts/coverage-rtl.awk "$cov/rtl/coverage.dat" | sort >"$cov/rtl/dirs.txt"
verilator_coverage --annotate "$cov/rtl/annotated" --annotate-min 1 "$cov/rtl/coverage.dat" >"$cov/rtl/annotate.log" 2>&1
genhtml --quiet --title "pimattn rtl/ line coverage (Verilator)" -o "$cov/rtl" "$cov/rtl/lines.info" >"$cov/rtl/genhtml.log" 2>&1 ||
  { cat "$cov/rtl/genhtml.log"; exit 1; }
genhtml --quiet --title "pimattn rtl/ toggle coverage (Verilator; a line's count is its least-toggled bit)" \
  -o "$cov/rtl/toggle" "$cov/rtl/toggle.info" >>"$cov/rtl/genhtml.log" 2>&1 || { cat "$cov/rtl/genhtml.log"; exit 1; }

# ---- csim/ and harness/: gcov line coverage through lcov
q() { "$@" >>"$cov/c/lcov.log" 2>&1; } # lcov 1.16 with Debian's perl prints "Subroutine ... redefined" noise
q lcov --quiet --capture --initial --directory "$cov/obj" --output-file "$cov/c/base.info" &&
  q lcov --quiet --capture --directory "$cov/obj" --output-file "$cov/c/run.info" &&
  q lcov --quiet --add-tracefile "$cov/c/base.info" --add-tracefile "$cov/c/run.info" --output-file "$cov/c/all.info" &&
  q lcov --quiet --extract "$cov/c/all.info" "$PWD/csim/*" "$PWD/harness/*" --output-file "$cov/c/abs.info" ||
  { tail -20 "$cov/c/lcov.log"; exit 1; }
sed "s|^SF:$PWD/|SF:|" "$cov/c/abs.info" >"$cov/c/coverage.info" # paths relative to the repository
genhtml --quiet --title "pimattn csim/ and harness/ line coverage (gcov)" -o "$cov/c" "$cov/c/coverage.info" \
  >"$cov/c/genhtml.log" 2>&1 || { cat "$cov/c/genhtml.log"; exit 1; }
# per directory (a module's include/ counts with the module): "DIR found hit"
awk -F'[:,]' '/^SF:/ { d = $2; sub(/\/[^\/]*$/, "", d); sub(/\/include$/, "", d) }
  /^DA:/ { f[d]++; if ($3 > 0) h[d]++ } END { for (d in f) print d, f[d], h[d] + 0 }' "$cov/c/coverage.info" | sort >"$cov/c/dirs.txt"

# ---- summary
wall=$(($(date +%s) - start))
pct() { awk -v h="$1" -v f="$2" 'BEGIN { if (f == 0) printf "    -"; else printf "%5.1f", 100 * h / f }'; }
{
  echo "make coverage: ${#dats[@]} Verilator data files, $(wc -l <"$cov/rtl/unhit.txt") rtl points not hit ($cov/rtl/unhit.txt); runner wall time ${wall} s ($jobs suites at a time)"
  printf '%-22s %17s %6s   %17s %6s\n' directory "lines hit/found" "%" "toggles hit/found" "%"
  rl=0 rh=0 tl=0 th=0
  while read -r d lf lh tf tt; do
    printf '%-22s %17s %6s   %17s %6s\n' "$d/" "$lh/$lf" "$(pct "$lh" "$lf")" "$tt/$tf" "$(pct "$tt" "$tf")"
    rl=$((rl + lf)) rh=$((rh + lh)) tl=$((tl + tf)) th=$((th + tt))
  done <"$cov/rtl/dirs.txt"
  printf '%-22s %17s %6s   %17s %6s\n' "rtl/ (goal 95 %)" "$rh/$rl" "$(pct $rh $rl)" "$th/$tl" "$(pct $th $tl)"
  cl=0 ch=0
  while read -r d lf lh; do
    printf '%-22s %17s %6s\n' "$d/" "$lh/$lf" "$(pct "$lh" "$lf")"
    cl=$((cl + lf)) ch=$((ch + lh))
  done <"$cov/c/dirs.txt"
  printf '%-22s %17s %6s\n' "C (goal 85 %)" "$ch/$cl" "$(pct $ch $cl)"
  awk -v rh=$rh -v rl=$rl -v ch=$ch -v cl=$cl 'BEGIN {
    printf "goals: rtl/ lines %s 95 %%, csim/ + harness/ lines %s 85 %%\n",
      (rl && rh / rl >= 0.95) ? ">=" : "BELOW", (cl && ch / cl >= 0.85) ? ">=" : "BELOW" }'
  if [ "$suites" -eq 0 ]; then echo "suites: all passed"; else echo "suites FAILED: $failed(logs in $cov/test-logs/)"; fi
  echo "reports: $cov/rtl/index.html (lines), $cov/rtl/toggle/index.html, $cov/rtl/annotated/, $cov/c/index.html"
} | tee "$cov/summary.txt"
[ "$suites" -eq 0 ]
