#!/usr/bin/env bash
# study-system.sh OUTDIR [MODELS] — the end-to-end comparison of docs/system.md, "Results": each model on
# dgx-a100-hbm3 (GPU only) and dgx-a100-hbm3+pim at Lin 2048 / Lout 128 and Lin = Lout = 2048, at batch 1,
# at each system's own largest batch, and both at the GPU-only system's largest batch. One JSON per run in
# OUTDIR, the table in OUTDIR/results.md (the commands that produced each row in OUTDIR/commands.txt).
# STRIDE_SHORT (default 1: every decode step simulated) and STRIDE_LONG (default 16) are the
# --step-stride of the two generation lengths; the table says which was used.
set -euo pipefail
out=${1:?usage: study-system.sh OUTDIR [MODELS]}
models=${2:-gpt3-175b llama2-70b llama3-70b}
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${PIMATTN:-$here/build/bin/pimattn}
short=${STRIDE_SHORT:-1} long=${STRIDE_LONG:-16}
mkdir -p "$out"
: > "$out/commands.txt"

run() { # run NAME ARGS...: one generation of both systems, JSON in OUTDIR/NAME.json
    local name=$1; shift
    echo "pimattn system $* --json $out/$name.json" >> "$out/commands.txt"
    "$bin" system "$@" --json "$out/$name.json" > "$out/$name.txt" 2> "$out/$name.err"
}

# field FILE PIM KEY: one number of one system's object (PIM 0: GPU only, 1: GPU + PIM)
field() {
    python3 -c 'import json,sys
d=json.load(open(sys.argv[1])); s=[x for x in d["systems"] if x["pim"]==bool(int(sys.argv[2]))][0]
v=s
for k in sys.argv[3].split("."): v=v[k]
print(v)' "$1" "$2" "$3"
}

row() { # row NAME LABEL: one table row from OUTDIR/NAME.json
    python3 - "$out/$1.json" "$2" "$3" >> "$out/results.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1])); label = sys.argv[2]; stride = sys.argv[3]
g, p = [[x for x in d["systems"] if x["pim"] == w][0] for w in (False, True)]
r = lambda k: p[k] / g[k] if g[k] else float("nan")
e = lambda k: g[k] / p[k] if p[k] else float("nan")
print(f"| {d['model']} | {label} | {stride} | {g['batch']} / {p['batch']} | {g['per_token_ms']:.2f} / {p['per_token_ms']:.2f} "
      f"| {g['decode_tokens_per_s']:.0f} / {p['decode_tokens_per_s']:.0f} | **{r('decode_tokens_per_s'):.2f}x** "
      f"| {g['mj_per_token_decode']:.0f} / {p['mj_per_token_decode']:.0f} | **{e('mj_per_token_decode'):.2f}x** "
      f"| {r('tokens_per_s'):.2f}x | {e('mj_per_token'):.2f}x |")
PY
}

{
    echo "| model | Lin / Lout, batch | stride | batch GPU / PIM | ms per token GPU / PIM | decode tok/s GPU / PIM | decode speedup | decode mJ/token GPU / PIM | decode energy eff. | end-to-end tok/s | end-to-end energy eff. |"
    echo "|---|---|---:|---|---|---|---:|---|---:|---:|---:|"
} > "$out/results.md"
for m in $models; do
    for len in 128 2048; do
        stride=$([ "$len" = 128 ] && echo "$short" || echo "$long")
        common=(--system dgx-a100-hbm3+pim --model "$m" --lin 2048 --lout "$len" --step-stride "$stride")
        run "$m-$len-b1" "${common[@]}" --batch 1
        row "$m-$len-b1" "2048 / $len, batch 1" "$stride"
        run "$m-$len-max" "${common[@]}" --batch max
        row "$m-$len-max" "2048 / $len, each its largest" "$stride"
        bg=$(field "$out/$m-$len-max.json" 0 batch)
        run "$m-$len-same" "${common[@]}" --batch "$bg"
        row "$m-$len-same" "2048 / $len, both at batch $bg" "$stride"
    done
done
cat "$out/results.md"
