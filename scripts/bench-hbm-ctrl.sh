#!/usr/bin/env bash
# The memory controller (docs/hbm.md "Controller and trace runner"): its closed forms as tests/test_hbm_ctrl.c
# measures them (expected values computed there from the configuration), and the speed of `pimattn hbm` on
# random and streaming reads with the command log off and on (HBM_BENCH_REQS requests, default 10^6).
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
echo "== pimattn hbm speed: $reqs requests, one core, hbm3-6400 (commands simulated per second, whole run)"
printf '%-32s %10s %10s %12s\n' workload commands "wall s" "Mcmd/s"
for w in "random --pcs 1" "random --pcs 32" "stream --pcs 1" "stream --pcs 32"; do
  for l in off on; do
    extra=()
    [ "$l" = on ] && extra=(--log "$log")
    "$bin" hbm --hbm hbm3-6400 --synthetic $w --commands "$reqs" "${extra[@]}" > "$out/hbm-ctrl.txt"
    awk -v w="$w, log $l" '/^  simulated/ { printf "%-32s %10d %10.2f %12.2f\n", w, $2, $5, $8 }' "$out/hbm-ctrl.txt"
  done
done
