#!/usr/bin/env bash
# Softmax unit: cycles per row vs L (rows only, no idle cycles; the pipeline: 2n + 11 for n = ceil(L / lanes), csim/sm_unit.h) and
# simulation speed of every Verilated build (golden model checked on every beat), and Verilator vs
# Icarus on the same input-beat file. Usage: bench-softmax.sh PIMATTN BUILD "ICARUS_BUILDS"
set -euo pipefail
bin=$1
build=$2
icarus_builds=$3
out=$build/bench
mkdir -p "$out"

: > "$out/softmax-rows.txt"
for L in 128 2048 32768; do
  n=$(( L * 8 > 400000 ? L * 8 : 400000 ))
  echo "== Verilator: rows of L = $L scores (pimattn softmax --row-len $L --scores $n)"
  "$bin" softmax --row-len "$L" --scores "$n" --seed 7 | tee -a "$out/softmax-rows.txt"
  echo
done

echo "== Icarus vs Verilator on the same input-beat file (random rows and merges written by make test)"
"$bin" softmax --scores 300000 --seed 7 > "$out/softmax-random.txt"
printf '%-14s %9s %9s %10s %12s %12s %8s\n' build "beats in" cycles "icarus s" "icarus c/s" "veril. c/s" ratio
for b in $icarus_builds; do
  cmd=$build/vec/$b.cmd res=$build/vec/$b.res
  if [ ! -s "$cmd" ] || [ ! -s "$res" ]; then
    echo "$b: no input file $cmd (run make test first)" >&2
    exit 1
  fi
  t0=$(date +%s.%N)
  r=$(vvp -n "$build/icarus/$b.vvp" +cmd="$cmd" +res="$res")
  t1=$(date +%s.%N)
  grep -q '^PASS' <<<"$r" || { echo "$b: $r" >&2; exit 1; }
  cps_v=$(awk -v b="$b" '$1 == b { print $13 * 1e6 }' "$out/softmax-random.txt")
  awk -v b="$b" -v r="$r" -v t0="$t0" -v t1="$t1" -v vv="$cps_v" 'BEGIN {
    split(r, f, /[ ,]+/); nb = f[2]; cyc = f[8]; s = t1 - t0; ic = cyc / s;
    printf "%-14s %9d %9d %10.2f %12.0f %12.0f %7.0fx\n", b, nb, cyc, s, ic, vv, vv / ic }'
done | tee "$out/softmax-icarus.txt"
