#!/usr/bin/env bash
# Simulation speed of the FP primitives: Verilator (through the C shim, golden model checked on every
# vector) vs Icarus (the same vector files through tb/prim_tb.sv). Usage: bench-prims.sh PIMATTN BUILD
set -euo pipefail
bin=$1
build=$2
n=${BENCH_VECTORS:-20000000}
out=$build/bench
mkdir -p "$out" "$build/vec"

echo "== Verilator: $n vectors per build, no idle cycles (pimattn prims)"
"$bin" prims --vectors "$n" --gap 0 --seed 7 | tee "$out/verilator.txt"

echo
echo "== Icarus vs Verilator on the same vector file (100000 vectors, no idle cycles)"
printf '%-14s %12s %12s %12s %12s %8s\n' build vectors "icarus s" "icarus v/s" "verilator v/s" ratio
for vvp in "$build"/icarus/*.vvp; do
  b=$(basename "$vvp" .vvp)
  case $b in gemv_*) continue ;; esac  # scripts/bench-gemv.sh
  vec=$build/vec/$b.hex
  if [ ! -s "$vec" ]; then
    echo "$b: no vector file $vec (run make test first)" >&2
    continue
  fi
  nvec=$(wc -l < "$vec")
  t0=$(date +%s.%N)
  res=$(vvp -n "$vvp" +vec="$vec")
  t1=$(date +%s.%N)
  grep -q '^PASS' <<<"$res" || { echo "$b: $res" >&2; exit 1; }
  vps_v=$(awk -v b="$b" '$1 == b { print $7 * 1e6 }' "$out/verilator.txt")
  awk -v b="$b" -v n="$nvec" -v t0="$t0" -v t1="$t1" -v vv="$vps_v" 'BEGIN {
    s = t1 - t0; iv = n / s;
    printf "%-14s %12d %12.2f %12.0f %12.0f %7.0fx\n", b, n, s, iv, vv, vv / iv }'
done | tee "$out/icarus.txt"
