#!/usr/bin/env bash
# HBM3-PIM timing model: commands simulated per second and commands checked per second by the independent
# checker, on a channel-wide all-bank MAC stream of HBM_BENCH_MACS MACABs (default 10^7) over all 16
# channels, for both presets. The command log (~0.4 GB for 10^7) is deleted afterwards.
# Usage: bench-hbm.sh PIMATTN BUILD
set -euo pipefail
bin=$1
build=$2
macs=${HBM_BENCH_MACS:-10000000}
out=$build/bench
mkdir -p "$out"
log=$out/hbm-macab.log
trap 'rm -f "$log" "$log.tmp"' EXIT

printf '%-17s %10s %11s %12s %10s %12s %11s\n' preset MACABs commands "sim s" "sim Mcmd/s" "check s" "chk Mcmd/s"
for p in attacc-hbm3-5200 hbm3-6400; do
  t0=$(date +%s.%N)
  "$bin" hbm --hbm "$p" --synthetic macab --commands "$macs" --log "$log" > "$out/hbm-$p.txt"
  t1=$(date +%s.%N)
  "$bin" check-trace --hbm "$p" "$log" > "$out/hbm-check-$p.txt"
  t2=$(date +%s.%N)
  n=$(grep -c -v '^#' "$log")
  awk -v p="$p" -v m="$macs" -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
    printf "%-17s %10d %11d %12.2f %10.2f %12.2f %11.2f\n", p, m, n, b - a, n / (b - a) / 1e6, c - b, n / (c - b) / 1e6 }'
done
echo
echo "(wall times of the whole commands, log writing and parsing included; reports in $out/hbm-*.txt)"
for p in attacc-hbm3-5200 hbm3-6400; do echo "== $p"; cat "$out/hbm-$p.txt"; done
