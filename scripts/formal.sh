#!/usr/bin/env bash
# formal.sh — `make formal`: equivalence proofs with Yosys (docs/formal.md). Each proof builds a miter of a
# gold and a gate design and asks Yosys's SAT solver to prove their outputs equal for every input:
#   comb  GATE[:PARAMS] REF          a combinational unit (Stages = 0) against an independent reference
#                                    description in formal/ (ref_*.sv: the IEEE definition, not the units'
#                                    algorithm); every input pair, one step
#   wrap  GATE GOLD                  two wrappers in formal/*_dom.sv around RTL units (rtl/common and
#                                    rtl/softmax), e.g. a unit against fp_add on the unit's input domain
#   seq   GATE:PARAMS OP LAT         a pipelined build (Stages = LAT) against the same unit with Stages = 0
#                                    followed by LAT plain registers (formal/lat_ref.sv); a bounded proof of
#                                    LAT + 1 steps checking the last, which covers every input sequence of a
#                                    feed-forward pipeline (reset held off, registers start at 0)
# A proof marked "fail" is a negative control (a deliberately wrong reference) that must be refuted.
# Usage: formal.sh OUTDIR          Writes OUTDIR/NAME.ys and NAME.log; exit 0 when every proof ends as expected.
set -uo pipefail
out=$1
mkdir -p "$out"
yosys=${YOSYS:-yosys}
rtl=(rtl/common/*.sv)

# name        kind  gate:params            gold (ref module[:params] | op)  lat  expect  defines
proofs=(
  "fp16_mul_ref     comb fp16_mul:Stages=0    ref_fp16_mul   0 pass -"
  "fp16_add_ref     comb fp16_add:Stages=0    ref_fp16_add   0 pass -"
  "fp16_mul32_ref   comb fp16_mul32:Stages=0  ref_fp16_mul:Out32=1 0 pass -"
  "fp16_mul_mutant  comb fp16_mul:Stages=0    ref_fp16_mul   0 fail FORMAL_MUTANT"
  "fp16_mul_s1      seq  fp16_mul:Stages=1    0              1 pass -"
  "fp16_mul_s3      seq  fp16_mul:Stages=3    0              3 pass -"
  "fp16_add_s2      seq  fp16_add:Stages=2    1              2 pass -"
  "fp16_mul32_s2    seq  fp16_mul32:Stages=2  2              2 pass -"
  "fp32_add_s2      seq  fp32_add:Stages=2    3              2 pass -"
  "sm_pos_add_dom   wrap pos_add_gate         pos_add_gold   0 pass -"
  "sm_pos_add_mutant wrap pos_add_gate        pos_add_gold   0 fail FORMAL_MUTANT"
)

# "chparam -set A 1 -set B 2 TOP" for TOP:A=1,B=2; nothing without parameters
chparam_of() {
  local top=${1%%:*} params=${1#*:}
  [ "$params" = "$1" ] && return
  echo "chparam $(tr ',' '\n' <<<"$params" | sed 's/^\(.*\)=\(.*\)$/-set \1 \2/' | tr '\n' ' ') $top"
}

fail=0
printf '%-18s %-5s %-8s %8s  %s\n' proof kind expect seconds result
for p in "${proofs[@]}"; do
  read -r name kind gate gold lat expect defs <<<"$p"
  top=${gate%%:*}
  def=""
  [ "$defs" != "-" ] && def="-D$defs"
  ys=$out/$name.ys
  {
    if [ "$kind" = wrap ]; then
      echo "read_verilog -sv -Irtl/common ${rtl[*]} rtl/softmax/*.sv formal/*_dom.sv"
    else
      echo "read_verilog -sv -Irtl/common ${rtl[*]}"
    fi
    chparam_of "$gate"
    echo "hierarchy -check -top $top"
    echo "proc; flatten; opt_clean"
    echo "rename $top gate"
    echo "design -stash gate"
    if [ "$kind" = wrap ]; then
      echo "read_verilog -sv $def -Irtl/common ${rtl[*]} rtl/softmax/*.sv formal/*_dom.sv"
      echo "hierarchy -check -top $gold"
      echo "proc; flatten; opt_clean"
      echo "rename $gold gold"
    elif [ "$kind" = comb ]; then
      gtop=${gold%%:*}
      echo "read_verilog -sv $def formal/ref_round.sv formal/$gtop.sv"
      chparam_of "$gold"
      echo "hierarchy -check -top $gtop"
      echo "proc; flatten; opt_clean"
      echo "rename $gtop gold"
    else
      inw=16 outw=16
      [ "$top" = fp16_mul32 ] && outw=32
      [ "$top" = fp32_add ] && inw=32 outw=32
      echo "read_verilog -sv -Irtl/common ${rtl[*]} formal/lat_ref.sv"
      echo "chparam -set Op $gold -set Lat $lat -set InW $inw -set OutW $outw lat_ref"
      echo "hierarchy -check -top lat_ref"
      echo "proc; flatten; opt_clean"
      echo "rename lat_ref gold"
    fi
    echo "design -stash gold"
    echo "design -copy-from gold -as gold gold"
    echo "design -copy-from gate -as gate gate"
    echo "miter -equiv -flatten -make_assert gold gate miter"
    echo "hierarchy -top miter"
    echo "opt -fast"
    if [ "$kind" != seq ]; then
      echo "sat -verify -prove-asserts -show-ports miter"
    else
      echo "async2sync"
      echo "sat -verify -seq $((lat + 1)) -prove-asserts -prove-skip $lat -set-init-zero -set in_rst_ni 1 -show-ports miter"
    fi
  } > "$ys"
  t0=$(date +%s.%N)
  "$yosys" -q -l "$out/$name.log" -s "$ys" > /dev/null 2>&1
  rc=$?
  secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  if grep -q "no model found: SUCCESS" "$out/$name.log"; then got=proved
  elif grep -q "model found: FAIL" "$out/$name.log"; then got=refuted
  else got="error (exit $rc)"; fi
  ok=0
  { [ "$expect" = pass ] && [ "$got" = proved ]; } || { [ "$expect" = fail ] && [ "$got" = refuted ]; } && ok=1
  printf '%-18s %-5s %-8s %8s  %s%s\n' "$name" "$kind" "$expect" "$secs" "$got" "$([ $ok = 1 ] || echo "  <-- UNEXPECTED, see $out/$name.log")"
  [ $ok = 1 ] || fail=1
done
[ $fail = 0 ] && echo "formal: every proof ended as expected (${#proofs[@]})" || echo "formal: FAILED"
exit $fail
