#!/usr/bin/env bash
# pimattn run: simulation speed and modeled efficiency (docs/architecture.md, "Schedule").
#  1. fast mode, GPT-3 175B, batch 64, L = 2048, one decode step (96 layers; one simulated, the others
#     repeat it), 40 stacks (8 AttAcc devices) so the KV cache fits; numbers checked for 64 work items.
#     The same with every head checked (6,144 query heads; the numbers on worker threads while the timing
#     goes on), and with all 96 layers simulated (--layers all, default numerics).
#  2. rtl mode, the default scenario (Llama-2-70B, batch 4, one PC of Verilated G = 8 units); the KV formats
#     fp16, bf16, int8 on Llama-2-70B at L = 4096 for batch 8, 32, 64 (cycles, MACs, capacity, tokens/s, energy).
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

# wall OUT CMD...: run CMD with its stdout in OUT, print its wall time in seconds.
wall() { local o=$1 t0 t1; shift; t0=$(date +%s.%N); "$@" > "$o"; t1=$(date +%s.%N)
         awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'; }

echo "== pimattn run: GPT-3 175B, batch 64, L = 2048, one decode step, fast mode"
s=$(wall "$out/run-gpt3.txt" "$bin" run --model gpt3-175b --batch 64 --ctx 2048 --stacks 40 --numerics 64 \
      --json "$out/run-gpt3.json")
grep -E '^layer |^0 |decode step|numerics|simulation' "$out/run-gpt3.txt"
echo "wall ${s} s (goal <= 10 s on 2 cores)"
echo
echo "== pimattn run: the same with every head's numbers computed and checked (the default for one layer)"
s=$(wall "$out/run-gpt3-all.txt" "$bin" run --model gpt3-175b --batch 64 --ctx 2048 --stacks 40 \
      --json "$out/run-gpt3-all.json")
grep -E '^0 |numerics|simulation' "$out/run-gpt3-all.txt"
echo "wall ${s} s (goal <= 15 s on 2 cores; docs/numerics.md, \"Speed of the golden model\")"
echo
echo "== pimattn run: the same with all 96 layers simulated (--layers all; default numerics: every head of the"
echo "   first layer, every 64th work item of the others)"
s=$(wall "$out/run-gpt3-layers.txt" "$bin" run --model gpt3-175b --batch 64 --ctx 2048 --stacks 40 --layers all \
      --json "$out/run-gpt3-layers.json")
grep -E 'decode step|numerics|simulation' "$out/run-gpt3-layers.txt"
echo "wall ${s} s (goal <= 60 s on 2 cores; docs/hbm.md, \"Speed\")"
echo
echo "== pimattn run: default scenario in rtl mode"
s=$(wall "$out/run-rtl.txt" "$bin" run --mode rtl)
grep -E '^layer |^0 |rtl:|simulation' "$out/run-rtl.txt"
echo "wall ${s} s"
echo
echo "== KV formats: Llama-2-70B, L = 4096, 5 stacks (one AttAcc device), fp16 / bf16 / int8 (--kv-block 32)"
printf '%-5s %6s | %9s %8s %9s %10s %9s %9s %7s\n' batch format cycles MACAB KV_GB tokens/s energy_mJ relL2 wall_s
for b in 8 32 64; do
  for k in fp16 bf16 int8; do
    f="$out/kv-$k-$b.txt"
    t0=$(date +%s.%N)
    if ! "$bin" run --kv-format "$k" --batch "$b" --ctx 4096 > "$f" 2> "$f.err"; then
      printf '%-5s %6s | refused: %s...\n' "$b" "$k" "$(head -1 "$f.err" | cut -c 14-90)"
      continue
    fi
    s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    awk -v b="$b" -v k="$k" -v s="$s" '
      /^0 / { cyc = $2; mac = $9; rel = $NF }
      /KV cache/ { for (i = 1; i <= NF; i++) if ($i == "GB") { gb = $(i-1); break } }
      /decode step/ { for (i = 1; i <= NF; i++) if ($i == "tokens/s") tps = $(i-1) }
      /energy per step/ { e = $4 }
      END { printf "%-5s %6s | %9d %8d %9s %10s %9s %9s %7s\n", b, k, cyc, mac, gb, tps, e, rel, s }' "$f"
  done
done
echo "(cycles, MACAB: the first layer; KV_GB: the cache of all layers; relL2: the worst checked head against FP64"
echo " on the unquantised values; int8 halves the bytes and the MACs, the softmax unit's work does not change)"
echo

echo "== schedule efficiency, one stack, 8 passes per channel (timing; the numbers of one work item checked)"
echo "   unit: one GEMV unit per bank; ping-pong: one per two banks (--pingpong), its own bound = half the units'"
printf '%-9s %-10s %6s | %9s %7s %7s %6s %7s %6s | %9s %7s %7s | %6s\n' model preset L "cycles" "%MACbnd" "%ceil" "%ref" \
  "%ceil-r" "%dpath" "pp cycles" "%ppbnd" "%ofMAC" "pp/unit"
for p in attacc-hbm3-5200 hbm3-6400; do
  for m in bench-mha:8 bench-gqa:16; do
    f=${m%%:*} b=${m##*:}
    for L in 512 1024 2048 4096 8192 16384 32768; do
      for v in unit pingpong; do
        extra=""; [ "$v" = pingpong ] && extra="--pingpong"
        "$bin" run --model-file configs/models/$f.yaml --batch "$b" --ctx "$L" --stacks 1 --hbm "$p" --numerics 1 \
          $extra > "$out/eff-$f-$p-$L-$v.txt"
      done
      paste <(awk '$1 == "0" && NF >= 13 { c = $2; m = $6; e = $7 }
                   /REFAB during attention/ { r = $0; sub(/.*attention \(/, "", r); sub(/ %.*/, "", r) }
                   /^  data path/ { d = $0; sub(/.* = /, "", d); sub(/ %.*/, "", d) }
                   END { print c, m, e, r, d }' "$out/eff-$f-$p-$L-unit.txt") \
            <(awk '$1 == "0" && NF >= 13 { print $2, $6 }' "$out/eff-$f-$p-$L-pingpong.txt") |
      awk -v f="$f" -v p="$p" -v L="$L" '{ printf "%-9s %-10s %6d | %9d %7.1f %7.1f %6.2f %7.1f %6.1f | %9d %7.1f %7.1f | %6.3f\n",
        f, substr(p, 1, 10), L, $1, $2, $3, $4, $3 / (1 - $4 / 100), $5, $6, $7, $2 * $1 / $6, $6 / $1 }'
    done
  done
done
echo "(%MACbnd: achieved bank bandwidth / the all-bank MAC bound of one unit per bank (power limit applied);"
echo " %ceil: / the row-switch-aware ceiling (one row buffer: nRCDRD + activation stagger + 31 MAC spacings +"
echo " nRTP + nRP per 1 KB row); %ref: PC time in refresh during the layer (a layer longer than the"
echo " postponement window, 8 nREFI, must refresh); %ceil-r: %ceil / (1 - %ref); %dpath: the busiest PC's"
echo " data-path cycles of WRGB, MVSB, MVGB / the layer's cycles (near 100: bound by moves, not rows);"
echo " %ppbnd: ping-pong's bandwidth / its units' own MAC bound; %ofMAC: ping-pong's"
echo " bandwidth / the one-unit-per-bank MAC bound; pp/unit: ping-pong cycles / one-unit cycles."
echo " Reports in $out/run-*.txt and eff-*.txt.)"
