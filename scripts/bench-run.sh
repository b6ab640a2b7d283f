#!/usr/bin/env bash
# pimattn run: simulation speed and modeled efficiency (docs/architecture.md, "Schedule").
#  1. fast mode, GPT-3 175B, batch 64, L = 2048, one decode step (96 layers; one simulated, the others
#     repeat it), 40 stacks (8 AttAcc devices) so the KV cache fits; numbers checked for 64 work items.
#  2. rtl mode, the default scenario (Llama-2-70B, batch 4, one PC of Verilated G = 8 units).
#  3. efficiency for L = 512 .. 32K on one stack with every channel given 8 passes, against the
#     MAC-limited bound (KV bytes / peak all-bank MAC bandwidth) and the row-switch-aware ceiling (one
#     row buffer per bank: every 1 KB row costs nRCDRD + 31 MAC spacings + nRTP + nRP), for MHA (G = 1)
#     and GQA G = 8 on systolic units, both presets' power limit as configured.
# Usage: bench-run.sh PIMATTN BUILD
set -euo pipefail
bin=$1
build=$2
out=$build/bench
mkdir -p "$out"

wall() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; }

echo "== pimattn run: GPT-3 175B, batch 64, L = 2048, one decode step, fast mode"
s=$(wall "$bin" run --model gpt3-175b --batch 64 --ctx 2048 --stacks 40 --numerics 64 --json "$out/run-gpt3.json" \
      > "$out/run-gpt3.txt")
grep -E '^0 |decode step|numerics|simulation' "$out/run-gpt3.txt"
echo "wall ${s} s (goal <= 10 s on 2 cores)"
echo
echo "== pimattn run: default scenario in rtl mode"
s=$(wall "$bin" run --mode rtl > "$out/run-rtl.txt")
grep -E '^0 |rtl:|simulation' "$out/run-rtl.txt"
echo "wall ${s} s"
echo
echo "== schedule efficiency, one stack, 8 passes per channel (fast mode, timing only but 1 item checked)"
printf '%-9s %-10s %7s %10s %9s %8s %8s %8s\n' model preset L cycles "wall s" "%MACbnd" "%ceil" "relL2"
for p in attacc-hbm3-5200 hbm3-6400; do
  for m in bench-mha:8 bench-gqa:16; do
    f=${m%%:*} b=${m##*:}
    for L in 512 1024 2048 4096 8192 16384 32768; do
      s=$(wall "$bin" run --model-file configs/models/$f.yaml --batch "$b" --ctx "$L" --stacks 1 --hbm "$p" \
            --numerics 1 > "$out/eff-$f-$p-$L.txt")
      awk -v f="$f" -v p="$p" -v L="$L" -v s="$s" '$1 == "0" && NF >= 13 {
        printf "%-9s %-10s %7d %10d %9s %8.1f %8.1f %8s\n", f, substr(p, 1, 10), L, $2, s, $6, $7, $13 }' \
        "$out/eff-$f-$p-$L.txt"
    done
  done
done
echo "(%MACbnd: achieved bank bandwidth / peak all-bank MAC bandwidth (power limit applied); %ceil: / the"
echo " row-switch-aware ceiling; reports in $out/run-*.txt and eff-*.txt)"
