#!/usr/bin/env bash
# pimattn system: simulation speed of a whole generation (docs/system.md), GPT-3 175B on DGX(A100-HBM3)+PIM,
# prompt 2048, 128 tokens, batch 54: every one of the 127 decode steps' attention simulated on a device,
# then every 8th (--step-stride 8, the others interpolated). Goals on 2 cores: <= 60 s and <= 10 s.
# Usage: bench-system.sh PIMATTN BUILD
set -euo pipefail
bin=$1
build=$2
out=$build/bench
mkdir -p "$out"

wall() { local o=$1 t0 t1; shift; t0=$(date +%s.%N); "$@" > "$o" 2>/dev/null; t1=$(date +%s.%N)
         awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; }

for stride in 1 8; do
  goal=$([ "$stride" = 1 ] && echo 60 || echo 10)
  echo "== pimattn system: GPT-3 175B, DGX(A100-HBM3)+PIM, batch 54, prompt 2048, 128 tokens, --step-stride $stride"
  s=$(wall "$out/system-gpt3-s$stride.txt" "$bin" system --system dgx-a100-hbm3+pim --model gpt3-175b --batch 54 \
        --lin 2048 --lout 128 --step-stride "$stride" --json "$out/system-gpt3-s$stride.json")
  grep -E 'generation:|per-token latency|decode throughput|energy per token|simulation:' "$out/system-gpt3-s$stride.txt"
  echo "wall ${s} s (goal <= ${goal} s on 2 cores)"
  echo
done
