#!/usr/bin/env bash
# The memory controller (docs/hbm.md "Controller and trace runner"): its closed forms as tests/test_hbm_ctrl.c
# measures them (expected values computed there from the configuration), and the speed of `pimattn hbm` on
# random and streaming reads with the command log off and on (HBM_BENCH_REQS requests, default 10^6; the best
# of HBM_BENCH_RUNS runs, default 3, and their median).
# Usage: bench-hbm-ctrl.sh PIMATTN TEST_HBM_CTRL BUILD
set -euo pipefail
bin=$1
tst=$2
out=$3/bench
reqs=${HBM_BENCH_REQS:-1000000}
mkdir -p "$out"
log=$out/hbm-ctrl.log
trap 'rm -f "$log" "$log".*' EXIT

echo "== controller closed forms (tests/test_hbm_ctrl.c; refresh off unless stated)"
"$tst" 2>&1 | grep -E '^  (hbm3|attacc)' || { echo "test_hbm_ctrl failed"; exit 1; }
echo
runs=${HBM_BENCH_RUNS:-3}
echo "== pimattn hbm speed: $reqs requests, one core, hbm3-6400 (commands simulated per second, whole run;"
echo "   the best of $runs runs and their median: on a shared or virtual machine rates vary by tens of % per run)"
printf '%-32s %10s %10s %12s %12s\n' workload commands "wall s" "Mcmd/s" "median"
for w in "random --pcs 1" "random --pcs 32" "stream --pcs 1" "stream --pcs 32"; do
  for l in off on; do
    extra=()
    [ "$l" = on ] && extra=(--log "$log")
    for ((i = 0; i < runs; i++)); do
      "$bin" hbm --hbm hbm3-6400 --synthetic $w --commands "$reqs" "${extra[@]}" > "$out/hbm-ctrl.txt"
      awk '/^  simulated/ { print $2, $5, $8 }' "$out/hbm-ctrl.txt"
    done | sort -k3,3n | awk -v w="$w, log $l" '{ n[NR] = $1; s[NR] = $2; r[NR] = $3 }
      END { printf "%-32s %10d %10.2f %12.2f %12.2f\n", w, n[NR], s[NR], r[NR], r[int((NR + 1) / 2)] }'
  done
done
