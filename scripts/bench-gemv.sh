#!/usr/bin/env bash
# GEMV bank units: initiation interval, useful MACs per burst and simulation speed of every Verilated
# build (through the C shim, golden model checked on every result beat), and Verilator vs Icarus on
# the same command files. Usage: bench-gemv.sh PIMATTN BUILD "ICARUS_BUILDS"
set -euo pipefail
bin=$1
build=$2
icarus_builds=$3
n=${BENCH_COMMANDS:-2000000}
out=$build/bench
mkdir -p "$out"

for p in score context; do
  echo "== Verilator: $n commands per build, $p stream, no idle cycles (pimattn gemv --pattern $p)"
  "$bin" gemv --pattern "$p" --commands "$n" --seed 7 | tee "$out/gemv-$p.txt"
  echo
done

echo "== Icarus vs Verilator on the same command file (random legal commands written by make test)"
"$bin" gemv --pattern random --commands 1000000 --seed 7 > "$out/gemv-random.txt"
printf '%-20s %9s %9s %10s %12s %12s %8s\n' build commands cycles "icarus s" "icarus c/s" "veril. c/s" ratio
for b in $icarus_builds; do
  cmd=$build/vec/$b.cmd res=$build/vec/$b.res
  if [ ! -s "$cmd" ] || [ ! -s "$res" ]; then
    echo "$b: no command file $cmd (run make test first)" >&2
    exit 1
  fi
  t0=$(date +%s.%N)
  r=$(vvp -n "$build/icarus/$b.vvp" +cmd="$cmd" +res="$res")
  t1=$(date +%s.%N)
  grep -q '^PASS' <<<"$r" || { echo "$b: $r" >&2; exit 1; }
  cps_v=$(awk -v b="$b" '$1 == b { print $11 * 1e6 }' "$out/gemv-random.txt")
  awk -v b="$b" -v r="$r" -v t0="$t0" -v t1="$t1" -v vv="$cps_v" 'BEGIN {
    split(r, f, /[ ,]+/); nc = f[2]; cyc = f[7]; s = t1 - t0; ic = cyc / s;
    printf "%-20s %9d %9d %10.2f %12.0f %12.0f %7.0fx\n", b, nc, cyc, s, ic, vv, vv / ic }'
done | tee "$out/gemv-icarus.txt"
