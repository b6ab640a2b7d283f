#!/usr/bin/env bash
# One design point of `make area`: Yosys 0.23 + ABC on one RTL top with one parameter set.
#
# usage: scripts/area-point.sh OUTDIR NAME TOP PARAMS KEEP CLOCK_PS [LIB.lib ...]
#   PARAMS  comma-separated Name=value overrides ("-" for none), e.g. G=8,AccFp32=0
#   KEEP    module kept as a hierarchy boundary ("-" for none): a unit instantiated many times (gemv_row)
#           is then mapped once, which keeps large arrays within the time budget
#   LIB     uncompressed Liberty files (the Makefile unpacks .gz ones into OUTDIR/lib/)
# AREA_EXTRA_RTL: more Verilog files (absolute paths) to read after rtl/ ("any other top").
# AREA_MUST_MEET=1: the point must meet CLOCK_PS (written to the record as must_meet, not part of the
#   cache key: scripts/area-report.sh fails when such a point misses).
# AREA_ABC_FAST=1: Yosys' default ABC script for the Liberty mapping without its SAT-based sweeps
#   (&fraig -x, scorr), for multiplier-heavy combinational logic on which those do not finish in minutes.
# Writes OUTDIR/pt/NAME.rec: "key value" lines (see scripts/area-report.sh for the fields). Results are
# cached in OUTDIR/cache/ under a hash of the RTL sources, this script, the point and the libraries, so
# only what changed is synthesised again. Exit status 1 when Yosys fails (latch, undriven wire, error).
# The kept module is cached too (OUTDIR/mcache/, under the same hash with its elaborated name, which
# encodes its parameters, and the ABC script): its generic netlist, its mapping to each Liberty file (with
# its ABC delay) and its synth_xilinx netlist, each made from the module alone (its own top: Yosys
# synthesises and maps every module by itself, so it is the netlist the module has inside the point;
# synth_xilinx gets -noiopad, as a module inside a point has no pads). A point synthesises only the rest,
# with the module a black box, then reads the cached one back: every point's figures come from the same
# composition, and nothing is synthesised twice (the G rows of every systolic point and the tree unit with
# the same accumulation are one module).
set -euo pipefail

[ $# -ge 6 ] || { echo "usage: $0 OUTDIR NAME TOP PARAMS KEEP CLOCK_PS [LIB ...]" >&2; exit 2; }
out=$1 name=$2 top=$3 params=$4 keep=$5 clock=$6
shift 6
libs=("$@")
here=$(cd "$(dirname "$0")/.." && pwd)
# The sources a top can use (the cache key hashes only these, so a softmax change keeps the GEMV results).
case "$top" in
  gemv_*) dirs="common gemv" ;;
  softmax_unit|sm_*|fp32_scale2) dirs="common softmax" ;;
  fp16_*|fp32_add|fp_*|pipe_reg) dirs="common" ;;
  *) dirs="common gemv softmax" ;;
esac
rtl=$(cd "$here" && for d in $dirs; do ls rtl/$d/*.sv; done | sort)
# Included by every RTL file (macros; hashed with the sources): rtl/common/pim_assert.svh.
inc=$(cd "$here" && ls rtl/common/*.svh)
YOSYS=${YOSYS:-yosys}
abc_fast=${AREA_ABC_FAST:-0}

key=$( { cat "$0"; (cd "$here" && cat $rtl $inc ${AREA_EXTRA_RTL:-}); echo "$name $top $params $keep $clock $abc_fast"; \
         for l in "${libs[@]}"; do sha256sum < "$l"; done; } | sha256sum | cut -c1-24)
mkdir -p "$out/pt" "$out/cache" "$out/work/$name"
rec="$out/pt/$name.rec"
if [ -s "$out/cache/$key.rec" ]; then
  cp "$out/cache/$key.rec" "$rec"
  echo "must_meet ${AREA_MUST_MEET:-0}" >> "$rec"
  echo "area $name: cached"
  exit 0
fi

w="$out/work/$name"
rm -f "$w"/*.txt "$w"/*.log "$rec"
chparams=""
if [ "$params" != "-" ]; then
  for p in ${params//,/ }; do chparams+="chparam -set ${p%%=*} ${p#*=} $top; "; done
fi
keepcmd=""
[ "$keep" != "-" ] && keepcmd="setattr -mod -set keep_hierarchy 1 *$keep; "
srcs="$(cd "$here" && for f in $rtl; do printf '%s ' "$here/$f"; done)${AREA_EXTRA_RTL:-}"

# The kept module's cache entry (one named module only, not "*"): its elaborated name in this point.
mc="$out/mcache" mkey="" msel="*$keep"
if [ "$keep" != "-" ] && [ "$keep" != "*" ]; then
  "$YOSYS" -q -p "read_verilog -sv -I$here/rtl/common $srcs; $chparams hierarchy -check -top $top; tee -q -o $w/mods.txt ls" \
    >/dev/null 2>&1 || { echo "area $name: elaboration failed" >&2; exit 1; }
  # $paramod$HASH\NAME (many parameters), $paramod\NAME\P=V... (few) or NAME
  mod=$(awk -v k="$keep" '{ n = $1; if (n ~ /^\$paramod\$/) sub(/.*\\/, "", n); else if (n ~ /^\$paramod\\/) { split(n, f, "\\"); n = f[2] } }
                          n == k { print $1; exit }' "$w/mods.txt")
  case "$mod" in '$paramod\'*) msel="*$keep\\*" keepcmd="setattr -mod -set keep_hierarchy 1 $msel; " ;; esac
  if [ -n "$mod" ]; then
    mkdir -p "$mc"
    mkey=$( { cat "$0"; (cd "$here" && cat $rtl $inc ${AREA_EXTRA_RTL:-}); echo "$mod $abc_fast"; \
              for l in "${libs[@]}"; do sha256sum < "$l"; done; } | sha256sum | cut -c1-24)
  fi
fi
# mcached FILE: the kept module's cached FILE exists. mstore SRC FILE: the kept module of netlist SRC into the
# cache as FILE (atomically: two points of one make -j may store the same module).
mcached() { [ -n "$mkey" ] && [ -s "$mc/$mkey.$1" ]; }
mstore() {
  [ -n "$mkey" ] || return 0
  "$YOSYS" -q -p "read_rtlil $1; setattr -mod -unset top $msel; select $msel; write_rtlil -selected $mc/$mkey.$2.$$" >/dev/null 2>&1 &&
    mv "$mc/$mkey.$2.$$" "$mc/$mkey.$2" || { rm -f "$mc/$mkey.$2.$$"; echo "area $name: caching $keep failed" >&2; exit 1; }
}
# bbox/unbox FILE: Yosys commands that make the kept module a black box, and that put the cached FILE back
# (nothing without a kept module). prime FILE: the kept module's entry FILE is to be made (by this point).
bbox() { mcached "$1" && printf 'blackbox %s; ' "$msel"; }
unbox() { mcached "$1" && printf 'delete =%s; read_rtlil %s; hierarchy -top %s; ' "$msel" "$mc/$mkey.$1" "$top"; }
prime() { [ -n "$mkey" ] && ! mcached "$1"; }
# lock/unlock: the kept module's entry for one stage, so that of two points of one make -j the second waits
# for the first's entry and uses it instead of making it again.
lock() { if [ -n "$mkey" ]; then exec 9>"$mc/$mkey.lock" && flock 9; fi; }
unlock() { if [ -n "$mkey" ]; then flock -u 9; fi; }

# Seconds of a command, to one decimal.
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
fail() { echo "area $name: $1 failed, log: $2" >&2; tail -20 "$2" >&2; exit 1; }

# 1. Generic synthesis: coarse passes per module (resource sharing stays fast), then everything but KEEP
#    flattened. check -assert fails on undriven wires and combinational loops; no latches allowed.
nolatch="select -assert-none t:\$dlatch t:\$_DLATCH_* t:\$_DLATCHSR_* t:\$sr t:\$_SR_*;"
t0=$(now)
lock
if prime generic.il; then
  "$YOSYS" -q -l "$w/prime-generic.log" -p "read_verilog -sv -I$here/rtl/common $srcs; $chparams hierarchy -check -top $top; \
    hierarchy -top $mod; proc; check -assert; synth -top $mod; $keepcmd flatten; opt_clean; check -assert; $nolatch \
    write_rtlil $w/prime.il" >/dev/null 2>&1 || fail "generic synthesis of $keep" "$w/prime-generic.log"
  mstore "$w/prime.il" generic.il
fi
unlock
"$YOSYS" -q -l "$w/generic.log" -p "read_verilog -sv -I$here/rtl/common $srcs; $chparams hierarchy -check -top $top; \
  $(bbox generic.il) proc; check -assert; synth -top $top; $(unbox generic.il) $keepcmd flatten; opt_clean; check -assert; \
  $nolatch write_rtlil $w/generic.il" >/dev/null 2>&1 || fail "generic synthesis" "$w/generic.log"
t_generic=$(elapsed "$t0")

# 1b. Statistics of the flat generic netlist; timed apart because ltp alone takes a minute on the
#     half-million cells of the 16-lane softmax unit.
t0=$(now)
"$YOSYS" -q -l "$w/depth.log" -p "read_rtlil $w/generic.il; setattr -mod -unset keep_hierarchy; flatten; \
  tee -q -o $w/stat.txt stat; tee -q -o $w/cmos.txt stat -tech cmos; tee -q -o $w/ltp.txt ltp -noff" \
  >/dev/null 2>&1 || fail "netlist statistics" "$w/depth.log"
t_depth=$(elapsed "$t0")

# Totals of the last "Number of cells" block of a stat report: cells, then flip-flops (every $_*DFF*_ cell).
cells=$(awk '/Number of cells:/ { n = $4 } END { print n + 0 }' "$w/stat.txt")
ffs=$(awk '/Number of cells:/ { f = 0 } $1 ~ /^\$_.*DFF.*_$/ { f += $2 } END { print f + 0 }' "$w/stat.txt")
trans=$(awk '/Estimated number of transistors:/ { v = $5; sub(/\+$/, "", v) } END { print v + 0 }' "$w/cmos.txt")
depth=$(awk '/Longest topological path/ { s = $0; sub(/.*length=/, "", s); sub(/\).*/, "", s); d = s } END { print d + 0 }' "$w/ltp.txt")

{
  echo "name $name"; echo "top $top"; echo "params $params"; echo "keep $keep"; echo "clock_ps $clock"
  echo "abc_fast $abc_fast"
  echo "cells $cells"; echo "ffs $ffs"; echo "depth $depth"; echo "transistors $trans"
  echo "t_generic $t_generic"; echo "t_depth $t_depth"
} > "$rec.tmp"

# 2. Each Liberty file: map flip-flops and logic (ABC, delay target = the clock), report area and the
#    worst ABC delay over the mapped modules (a register-to-register path inside one module).
for lib in "${libs[@]}"; do
  lname=$(basename "$lib" .lib)
  # Delay constraint: driven by the library's x2 buffer, loaded by four of its inputs (FO4).
  drv=${AREA_DRIVER:-$(awk 'match($0, /^[ \t]*cell *\( *"?[A-Za-z0-9_]+"? *\)/) {
         c = $0; sub(/^[ \t]*cell *\( *"?/, "", c); sub(/"? *\).*/, "", c)
         if (c ~ /^BUFx2_|__buf_2$|^BUF_X2$|^BUFX2$/) { print c; exit } }' "$lib")}
  [ -n "$drv" ] || { echo "area $name: no x2 buffer cell in $lib for the delay constraint (set AREA_DRIVER=CELL)" >&2; exit 1; }
  cin=$(awk -v c="$drv" 'index($0, "cell (" c ")") || index($0, "cell (\"" c "\")") { f = 1 }
         f && /pin *\( *"?A"? *\)/ { p = 1 } f && p && /capacitance *:/ { v = $3; sub(/;/, "", v); print v; exit }' "$lib")
  [ -n "$cin" ] || cin=0
  load=$(awk -v c="$cin" 'BEGIN { printf "%.6g", 4 * c }')
  printf 'set_driving_cell %s\nset_load %s\n' "$drv" "$load" > "$w/$lname.constr"
  script=""
  if [ "$abc_fast" = 1 ]; then
    printf 'strash; dc2; dretime; strash; &get -n; &dch -f; &nf -D %s; &put; buffer; upsize -D %s; dnsize -D %s; stime -p\n' \
      "$clock" "$clock" "$clock" > "$w/light.abc"
    script="-script $w/light.abc"
  fi
  t0=$(now)
  lock
  if prime "$lname.il"; then # the kept module's mapping and its ABC delay into the cache
    "$YOSYS" -l "$w/prime-$lname.log" -p "read_rtlil $mc/$mkey.generic.il; hierarchy -top $mod; dfflibmap -liberty $lib; \
      abc -liberty $lib -constr $w/$lname.constr -D $clock $script; opt_clean; write_rtlil $w/prime.il" \
      >/dev/null 2>&1 || fail "mapping $keep to $lname" "$w/prime-$lname.log"
    M="$mod" awk 'index($0, "Extracting gate netlist of module") { cur = index($0, "`" ENVIRON["M"] "'"'"'") > 0 }
                  cur && /ABC: .*Delay =/ { print "ABC: cached " $0 }' "$w/prime-$lname.log" > "$mc/$mkey.$lname.delay.$$"
    mv "$mc/$mkey.$lname.delay.$$" "$mc/$mkey.$lname.delay"
    mstore "$w/prime.il" "$lname.il"
  fi
  unlock
  "$YOSYS" -l "$w/$lname.log" -p "read_rtlil $w/generic.il; $(bbox "$lname.il") dfflibmap -liberty $lib; \
    abc -liberty $lib -constr $w/$lname.constr -D $clock $script; opt_clean; $(unbox "$lname.il") \
    tee -q -o $w/$lname.txt stat -liberty $lib" >/dev/null 2>&1 || fail "mapping to $lname" "$w/$lname.log"
  # ABC's delay per mapped module: the kept one's was mapped in its own run
  if mcached "$lname.il"; then cat "$mc/$mkey.$lname.delay" >> "$w/$lname.log"; fi
  t_lib=$(elapsed "$t0")
  area=$(awk '/Chip area for (top )?module/ { a = $NF } END { print a + 0 }' "$w/$lname.txt")
  delay=$(awk '/ABC: .*Delay =/ { s = $0; sub(/.*Delay = */, "", s); split(s, x, " "); if (x[1] + 0 > d) d = x[1] + 0 }
               END { printf "%.1f", d }' "$w/$lname.log")
  seq=$(awk '/Number of cells:/ { f = 0 } $1 ~ /^(DFF|SDF|DHL|DLL|ICG|sky130_fd_sc_hd__(df|ed|sdf|dl))/ { f += $2 } END { print f + 0 }' "$w/$lname.txt")
  { echo "lib $lname"; echo "lib_area $area"; echo "lib_delay_ps $delay"; echo "lib_seq_cells $seq"
    echo "lib_time $t_lib"; } >> "$rec.tmp"
done

# 3. FPGA: synth_xilinx (7-series): LUTs, flip-flops, DSP48 blocks.
t0=$(now)
lock
if prime xilinx.il; then
  "$YOSYS" -q -l "$w/prime-xilinx.log" -p "read_verilog -sv -I$here/rtl/common $srcs; $chparams hierarchy -check -top $top; \
    hierarchy -top $mod; synth_xilinx -noiopad -top $mod; $keepcmd flatten; write_rtlil $w/prime.il" \
    >/dev/null 2>&1 || fail "synth_xilinx of $keep" "$w/prime-xilinx.log"
  mstore "$w/prime.il" xilinx.il
fi
unlock
# stat's design-hierarchy totals count each kept module once per instance: no need to flatten them
"$YOSYS" -q -l "$w/xilinx.log" -p "read_verilog -sv -I$here/rtl/common $srcs; $chparams hierarchy -check -top $top; \
  $(bbox xilinx.il) synth_xilinx -top $top; $(unbox xilinx.il) $keepcmd flatten; hierarchy -top $top; \
  tee -q -o $w/xilinx.txt stat" >/dev/null 2>&1 || fail "synth_xilinx" "$w/xilinx.log"
rm -f "$w/prime.il"
t_fpga=$(elapsed "$t0")
awk '/Number of cells:/ { l = 0; f = 0; d = 0 }
     $1 ~ /^LUT[1-6]$/ { l += $2 } $1 ~ /^FD[CPRSE]*$/ { f += $2 } $1 ~ /^DSP48/ { d += $2 }
     END { print "fpga_lut " l + 0; print "fpga_ff " f + 0; print "fpga_dsp " d + 0 }' "$w/xilinx.txt" >> "$rec.tmp"
echo "t_fpga $t_fpga" >> "$rec.tmp"

mv "$rec.tmp" "$out/cache/$key.rec"
cp "$out/cache/$key.rec" "$rec"
echo "must_meet ${AREA_MUST_MEET:-0}" >> "$rec"
echo "area $name: synthesised (generic ${t_generic} s, depth ${t_depth} s, fpga ${t_fpga} s)"
