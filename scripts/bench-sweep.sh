#!/usr/bin/env bash
# pimattn sweep: (1) the 200-point grid configs/sweeps/bench-run200.yaml with -j 2 (goal <= 15 min on 2
# cores); (2) the machinery's cost per point: 200 trivial points (the tiny model, ctx 16, one work item
# checked) run with -j 1, the sweep's wall time minus the points' own (spawn to exit, results.jsonl's
# wall_seconds), per point (goal <= 50 ms). Both from an empty results directory.
# Usage: bench-sweep.sh PIMATTN BUILD
set -euo pipefail
bin=$1
out=$2/bench/sweep
rm -rf "$out"
mkdir -p "$out"

now() { date +%s.%N; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "== pimattn sweep: configs/sweeps/bench-run200.yaml (200 run points, fast mode, default numerics), -j 2"
t0=$(now)
"$bin" sweep configs/sweeps/bench-run200.yaml --out "$out/run200" -j 2 2>/dev/null | tail -1
t1=$(now)
echo "wall $(sub "$t0" "$t1") s (goal <= 900 s on 2 cores)"
echo

grid=$out/trivial.yaml
{
  echo "command: run"
  echo "fixed: {model-file: configs/models/tiny-test.yaml, batch: 1, ctx: 16, numerics: 1, threads: 1, stacks: 1}"
  printf 'grid:\n  seed: ['
  seq -s, 1 200 | sed 's/,/, /g' | tr -d '\n'
  printf ']\n'
} > "$grid"
echo "== pimattn sweep: 200 trivial points (tiny-test, ctx 16), -j 1: the sweep's own cost per point"
t0=$(now)
"$bin" sweep "$grid" --out "$out/trivial" -j 1 2>/dev/null | tail -1
t1=$(now)
wall=$(sub "$t0" "$t1")
awk -v wall="$wall" -F'"wall_seconds":' 'NF > 1 { split($2, v, /[,}]/); own += v[1]; n++ }
     END { printf "wall %.2f s, the points own %.2f s (spawn to exit): %.1f ms per point of sweep machinery (goal <= 50 ms)\n",
                  wall, own, 1000 * (wall - own) / n }' "$out/trivial/results.jsonl"
