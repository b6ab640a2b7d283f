#!/usr/bin/env bash
# The range and rounding limits of FP16 accumulation in pimattn's GEMV units, measured end to end
# (docs/numerics.md, "Range of FP16 accumulation"): one query head, head_dim 128, data from gen_kvdata.
#   1. q = K = c (constant): q.k = 128 c^2 overflows FP16 above 65504 and the head turns non-finite.
#   2. q = 0 (every probability 1), V ~ N(mean, 1): the unnormalised partial sum of p.V of a V partition
#      grows with its tokens; above 65504 it overflows.
#   3. the same, FP16 vs FP32 accumulation: the rounding loss of long FP16 sums of large values.
# Usage: numerics-range.sh PIMATTN GEN_KVDATA OUTDIR
set -euo pipefail
bin=$1 gen=$2 out=$3
mkdir -p "$out"
printf 'name: range128\nlayers: 1\nd_model: 128\nheads: 1\nkv_heads: 1\nhead_dim: 128\n' > "$out/m.yaml"
# run DATA ACC: "rel-L2 / non-finite heads / Inf-NaN scores / Inf-NaN partial values"
run() { "$bin" run --model-file "$out/m.yaml" --data "$1" --acc "$2" --stacks 1 --json "$out/r.json" > /dev/null
        awk '/"numerics":/ { n = 1 } n && /"max_rel_l2"/ { gsub(/[,]/, ""); e = $2 }
             n && /"nonfinite_heads"/ { gsub(/[,]/, ""); h = $2 } n && /"scores_nonfinite"/ { gsub(/[,]/, ""); s = $2 }
             n && /"partial_values_nonfinite"/ { gsub(/[,]/, ""); p = $2 }
             END { printf "%-10.2e %4s %8s %8s", e, h, s, p }' "$out/r.json"; }
echo "1. q = K = c, head_dim 128, L = 256, FP16 accumulation"
printf '%8s %10s | %-10s %4s %8s %8s\n' c "128 c^2" rel-L2 nonf "Inf q.k" "Inf p.V"
for c in 16 22 22.5 22.625 23 32; do
  "$gen" "$out/d.bin" 1 128 1 256 "$c" 0 "$c" 0 0 1 1
  printf '%8s %10.0f | %s\n' "$c" "$(awk -v c="$c" 'BEGIN { print 128 * c * c }')" "$(run "$out/d.bin" fp16)"
done
echo
echo "2./3. q = 0, V ~ N(mean, 1), K ~ N(0, 1): FP16 vs FP32 accumulation"
printf '%6s %5s | %-10s %4s %8s %8s | %-10s\n' L "mean" "fp16 relL2" nonf "Inf q.k" "Inf p.V" "fp32 relL2"
for L in 2048 8192 32768; do
  for m in 1 4 10 16; do
    "$gen" "$out/d.bin" 1 128 1 "$L" 0 0 0 1 "$m" 1 2
    f16=$(run "$out/d.bin" fp16) f32=$(run "$out/d.bin" fp32)
    printf "%6s %5s | %s | %s\n" "$L" "$m" "$f16" "${f32%% *}"
  done
done
