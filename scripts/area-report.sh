#!/usr/bin/env bash
# Tables of `make area`: reads the per-point records of scripts/area-point.sh, in the order given, and
# writes OUTDIR/area.csv, area.json and area.md.
#
# usage: scripts/area-report.sh OUTDIR PENALTY BANKS_PER_PC PCS_PER_STACK CHANNELS_PER_STACK REC...
#   PENALTY  logic-area factor of a DRAM process (AttAcc assumes 10x): per-bank area = logic area x PENALTY
# Record fields: name top params keep clock_ps abc_fast cells ffs depth transistors t_generic t_depth, then per Liberty
# file lib lib_area lib_delay_ps lib_seq_cells lib_time, then fpga_lut fpga_ff fpga_dsp t_fpga.
# The first Liberty file is the "logic process" of the DRAM scaling and of the systolic/tree ratios, and
# the timing target's library: slack = clock_ps - its delay; a point misses when the slack is negative.
# Optional field must_meet (1: the point must meet its clock; written by area-point.sh from AREA_MUST_MEET):
# when such a point misses, the tables are still written, then the script names the points and exits 3.
set -euo pipefail
[ $# -ge 6 ] || { echo "usage: $0 OUTDIR PENALTY BANKS_PER_PC PCS_PER_STACK CHANNELS_PER_STACK REC..." >&2; exit 2; }
out=$1 penalty=$2 bpc=$3 pcs=$4 chs=$5
shift 5

for f in "$@"; do [ -s "$f" ] || { echo "area-report: missing record $f" >&2; exit 1; }; done
# Written into a temporary directory and moved into place at the end: no half-written tables.
tmp=$(mktemp -d "$out/.report.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

awk -v out="$tmp" -v penalty="$penalty" -v bpc="$bpc" -v pcs="$pcs" -v chs="$chs" '
function num(x) { return x + 0 }
function param(p, name,    n, a, i, kv) {   # value of Name in "A=1,B=2", or ""
  n = split(p, a, ",")
  for (i = 1; i <= n; i++) { split(a[i], kv, "="); if (kv[1] == name) return kv[2] }
  return ""
}
FNR == 1 { np++; nl[np] = 0 }
{ k = $1; v = $0; sub(/^[^ ]+ /, "", v) }
k == "lib" { nl[np]++; L = nl[np]; libname[np, L] = v; if (np == 1) libs[L] = v; next }
k ~ /^lib_/ { f[np, L, k] = v; next }
{ f[np, k] = v }
END {
  nlib = nl[1]
  for (i = 2; i <= np; i++) if (nl[i] != nlib) { print "area-report: records disagree on the Liberty files" > "/dev/stderr"; exit 1 }
  # kinds, rows, accumulation, K/V format, and the tree reference per accumulation and K/V format
  for (i = 1; i <= np; i++) {
    slack[i] = (nlib > 0) ? num(f[i, "clock_ps"]) - num(f[i, 1, "lib_delay_ps"]) : 0
    meets[i] = (nlib == 0) ? "" : (slack[i] >= 0 ? "yes" : "no")
    must[i] = (f[i, "must_meet"] == "1")
    if (nlib > 0 && must[i] && slack[i] < 0) missed = missed sprintf("  %s: %.0f ps in %s, clock %d ps (slack %.0f ps)\n", f[i, "name"],
      num(f[i, 1, "lib_delay_ps"]), libs[1], f[i, "clock_ps"], slack[i])
    t = f[i, "top"]; p = f[i, "params"]
    kind[i] = (t ~ /^gemv_/) ? "gemv" : (t == "softmax_unit") ? "softmax" : (t ~ /^fp|^sm_/) ? "primitive" : "other"
    rows[i] = (t == "gemv_systolic") ? ((param(p, "G") != "") ? param(p, "G") : 4) : (t == "gemv_tree") ? 1 : ""
    acc[i] = ""; kv[i] = ""
    if (kind[i] == "gemv") {
      acc[i] = (param(p, "AccFp32") == "0") ? "fp16" : "fp32"
      kv[i] = (param(p, "KvInt8") == "1") ? "int8" : (param(p, "KvBf16") == "1") ? "bf16" : "fp16"
    }
    ref[i] = acc[i] "/" kv[i]
    if (t == "gemv_tree" && !(ref[i] in tree)) tree[ref[i]] = i  # the first tree point of a format (the default pipeline)
  }
  # ---- CSV ----
  csv = out "/area.csv"
  printf "name,kind,top,params,rows,acc,kv,cells,flip_flops,logic_depth,transistors" > csv
  for (L = 1; L <= nlib; L++) printf ",%s_area_um2,%s_delay_ps,%s_fmax_mhz", libs[L], libs[L], libs[L] > csv
  if (nlib == 0) printf ",area_um2" > csv
  printf ",clock_ps,slack_ps,meets_clock,must_meet,fpga_lut,fpga_ff,fpga_dsp,dram_bank_area_um2,dram_pc_area_mm2,dram_stack_area_mm2,area_vs_tree,macs_per_burst,t_generic_s,t_depth_s,t_liberty_s,t_fpga_s\n" > csv
  for (i = 1; i <= np; i++) {
    printf "%s,%s,%s,%s,%s,%s,%s,%d,%d,%d,%d", f[i, "name"], kind[i], f[i, "top"], "\"" f[i, "params"] "\"", rows[i], acc[i], kv[i],
      f[i, "cells"], f[i, "ffs"], f[i, "depth"], f[i, "transistors"] > csv
    tl = 0
    for (L = 1; L <= nlib; L++) {
      d = num(f[i, L, "lib_delay_ps"])
      printf ",%.1f,%.1f,%.1f", f[i, L, "lib_area"], d, (d > 0 ? 1e6 / d : 0) > csv
      tl += num(f[i, L, "lib_time"])
    }
    if (nlib == 0) printf ",n/a (no Liberty file)" > csv
    bank = ""; pcm = ""; stm = ""; ratio = ""; mpb = ""
    if (nlib > 0) {
      a = num(f[i, 1, "lib_area"])
      if (kind[i] == "gemv") {
        bank = sprintf("%.0f", a * penalty); pcm = sprintf("%.4f", a * penalty * bpc / 1e6)
        stm = sprintf("%.3f", a * penalty * bpc * pcs / 1e6)
        mpb = 16 * rows[i]
        if (ref[i] in tree) ratio = sprintf("%.3f", a / num(f[tree[ref[i]], 1, "lib_area"]))
      } else if (kind[i] == "softmax") {
        stm = sprintf("%.3f", a * chs / 1e6)   # one unit per channel on the buffer die, no DRAM penalty
      }
    }
    printf ",%d,%s,%s,%s", f[i, "clock_ps"], (nlib > 0 ? sprintf("%.1f", slack[i]) : ""), meets[i], (must[i] ? "yes" : "no") > csv
    printf ",%d,%d,%d,%s,%s,%s,%s,%s,%s,%s,%.1f,%s\n", f[i, "fpga_lut"], f[i, "fpga_ff"], f[i, "fpga_dsp"], bank, pcm, stm,
      ratio, mpb, f[i, "t_generic"], f[i, "t_depth"], tl, f[i, "t_fpga"] > csv
  }
  close(csv)
  # ---- JSON ----
  js = out "/area.json"
  printf "{\n  \"assumptions\": {\"dram_penalty\": %s, \"banks_per_pc\": %d, \"pcs_per_stack\": %d, \"channels_per_stack\": %d,\n", penalty, bpc, pcs, chs > js
  printf "    \"scaling_library\": \"%s\", \"softmax_units\": \"one per channel on the buffer die (logic process, no penalty)\"},\n", (nlib ? libs[1] : "") > js
  printf "  \"libraries\": [" > js
  for (L = 1; L <= nlib; L++) printf "%s\"%s\"", (L > 1 ? ", " : ""), libs[L] > js
  printf "],\n  \"points\": [\n" > js
  for (i = 1; i <= np; i++) {
    printf "    {\"name\": \"%s\", \"kind\": \"%s\", \"top\": \"%s\", \"params\": \"%s\", \"keep_hierarchy\": \"%s\", \"clock_ps\": %d, \"abc_fast\": %s,\n", f[i, "name"], kind[i],
      f[i, "top"], f[i, "params"], f[i, "keep"], f[i, "clock_ps"], (f[i, "abc_fast"] == "1" ? "true" : "false") > js
    printf "     \"rows\": %s, \"acc\": %s, \"kv\": %s, \"cells\": %d, \"flip_flops\": %d, \"logic_depth\": %d, \"transistors\": %d,\n", (rows[i] == "" ? "null" : rows[i]),
      (acc[i] == "" ? "null" : "\"" acc[i] "\""), (kv[i] == "" ? "null" : "\"" kv[i] "\""), f[i, "cells"], f[i, "ffs"], f[i, "depth"], f[i, "transistors"] > js
    printf "     \"liberty\": {" > js
    for (L = 1; L <= nlib; L++) {
      d = num(f[i, L, "lib_delay_ps"])
      printf "%s\"%s\": {\"area_um2\": %.2f, \"delay_ps\": %.1f, \"fmax_mhz\": %.1f, \"seq_cells\": %d, \"seconds\": %.1f}", (L > 1 ? ", " : ""), libs[L],
        f[i, L, "lib_area"], d, (d > 0 ? 1e6 / d : 0), f[i, L, "lib_seq_cells"], f[i, L, "lib_time"] > js
    }
    printf "},\n     \"slack_ps\": %s, \"meets_clock\": %s, \"must_meet\": %s", (nlib > 0 ? sprintf("%.1f", slack[i]) : "null"),
      (nlib > 0 ? (slack[i] >= 0 ? "true" : "false") : "null"), (must[i] ? "true" : "false") > js
    printf ",\n     \"fpga\": {\"lut\": %d, \"ff\": %d, \"dsp\": %d, \"seconds\": %.1f}, \"generic_seconds\": %.1f, \"depth_seconds\": %.1f",
      f[i, "fpga_lut"], f[i, "fpga_ff"], f[i, "fpga_dsp"], f[i, "t_fpga"], f[i, "t_generic"], num(f[i, "t_depth"]) > js
    if (nlib > 0 && kind[i] == "gemv") {
      a = num(f[i, 1, "lib_area"])
      printf ",\n     \"dram\": {\"bank_area_um2\": %.1f, \"pc_area_mm2\": %.5f, \"stack_area_mm2\": %.4f}", a * penalty, a * penalty * bpc / 1e6,
        a * penalty * bpc * pcs / 1e6 > js
      if (ref[i] in tree) printf ", \"area_vs_tree\": %.4f, \"macs_per_burst\": %d", a / num(f[tree[ref[i]], 1, "lib_area"]), 16 * rows[i] > js
    }
    printf "}%s\n", (i < np ? "," : "") > js
  }
  printf "  ]\n}\n" > js
  close(js)
  # ---- Markdown ----
  md = out "/area.md"
  printf "# pimattn area and delay (Yosys 0.23 + ABC)\n\n" > md
  if (nlib == 0) printf "No Liberty file was given (`make area LIBERTY=FILE...`): the um2 and delay columns are left out.\n\n" > md
  if (nlib > 0) printf "Slack: the clock (ps) minus the %s delay; **MISS** marks a point that does not meet its clock, \"must\" a point that has to (make area fails when one misses).\n\n", libs[1] > md
  printf "| point | cells | FFs | depth | transistors |" > md
  for (L = 1; L <= nlib; L++) printf " %s um2 | delay ps |%s", libs[L], (L == 1 ? " slack ps | target |" : "") > md
  printf " LUT | FF | DSP |\n|---|---:|---:|---:|---:|" > md
  for (L = 1; L <= nlib; L++) printf "---:|---:|%s", (L == 1 ? "---:|---|" : "") > md
  printf "---:|---:|---:|\n" > md
  for (i = 1; i <= np; i++) {
    printf "| %s%s | %d | %d | %d | %d |", f[i, "name"], (f[i, "abc_fast"] == "1" ? " (fast ABC)" : ""), f[i, "cells"], f[i, "ffs"], f[i, "depth"], f[i, "transistors"] > md
    for (L = 1; L <= nlib; L++) {
      printf " %.0f | %.0f |", f[i, L, "lib_area"], f[i, L, "lib_delay_ps"] > md
      if (L == 1) printf " %.0f | %s%s |", slack[i], (slack[i] < 0 ? "**MISS**" : "meets"), (must[i] ? ", must" : "") > md
    }
    printf " %d | %d | %d |\n", f[i, "fpga_lut"], f[i, "fpga_ff"], f[i, "fpga_dsp"] > md
  }
  if (nlib > 0) {
    printf "\n## GEMV units in a DRAM process (%s x %s, one unit per bank)\n\n", libs[1], penalty > md
    printf "| point | rows G | acc | KV | MACs/burst | area vs tree | bank um2 | per PC (%d banks) mm2 | per stack (%d PCs) mm2 |\n|---|---:|---|---|---:|---:|---:|---:|---:|\n", bpc, pcs > md
    for (i = 1; i <= np; i++) if (kind[i] == "gemv") {
      a = num(f[i, 1, "lib_area"])
      r = (ref[i] in tree) ? sprintf("%.2f", a / num(f[tree[ref[i]], 1, "lib_area"])) : "-"
      printf "| %s | %d | %s | %s | %d | %s | %.0f | %.3f | %.2f |\n", f[i, "name"], rows[i], acc[i], kv[i], (kv[i] == "int8" ? 32 : 16) * rows[i], r, a * penalty,
        a * penalty * bpc / 1e6, a * penalty * bpc * pcs / 1e6 > md
    }
    printf "\nSoftmax units: one per channel (%d per stack) on the buffer die, logic process, no penalty.\n", chs > md
  }
  printf "\nTimes (s), one Yosys run each: generic synthesis; statistics and ltp of the flat netlist; the slowest\n" > md
  printf "Liberty mapping (and all of them); synth_xilinx.\n\n| point | generic | depth | liberty max | liberty all | fpga |\n|---|---:|---:|---:|---:|---:|\n" > md
  for (i = 1; i <= np; i++) {
    tl = 0; tm = 0
    for (L = 1; L <= nlib; L++) { tl += num(f[i, L, "lib_time"]); if (num(f[i, L, "lib_time"]) > tm) tm = num(f[i, L, "lib_time"]) }
    printf "| %s | %.1f | %.1f | %.1f | %.1f | %.1f |\n", f[i, "name"], f[i, "t_generic"], num(f[i, "t_depth"]), tm, tl, f[i, "t_fpga"] > md
  }
  close(md)
  if (missed != "") { printf "%s", missed > (out "/missed"); close(out "/missed") }
}' "$@"
mv "$tmp/area.csv" "$tmp/area.json" "$tmp/area.md" "$out/"
echo "area: $out/area.csv, $out/area.json, $out/area.md"
rm -f "$out/missed.txt"
if [ -s "$tmp/missed" ]; then
  { echo "area: FAILED: points marked must-meet miss their clock:"; cat "$tmp/missed"; } > "$out/missed.txt"
  cat "$out/missed.txt" >&2
  exit 3
fi
