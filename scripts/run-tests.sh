#!/usr/bin/env bash
# run-tests.sh — `make test`'s runner: every suite, JOBS at a time, each suite's output printed whole and
# in the listed order as soon as it and the ones before it are done, then "suites: N passed, M failed".
# A suite is one line of the job list on standard input: "NAME<TAB>AFTER<TAB>COMMAND", AFTER being the
# name of a suite that must finish first (its output files are this one's input) or "-".
# Usage: run-tests.sh JOBS LOGDIR < jobs        Exit status: 0 if every suite passed, 1 otherwise.
set -uo pipefail
jobs=$1
logs=$2
rm -rf "$logs"
mkdir -p "$logs"

names=() afters=() cmds=()
while IFS=$'\t' read -r name after cmd; do
  name=${name//[[:space:]]/}
  [ -n "$name" ] || continue
  names+=("$name") afters+=("$after") cmds+=("$cmd")
done
for a in "${afters[@]}"; do # every AFTER must name a suite listed before it
  [ "$a" = "-" ] && continue
  found=0
  for m in "${names[@]}"; do [ "$m" = "$a" ] && found=1; done
  [ "$found" = 1 ] || { echo "run-tests.sh: a suite waits for '$a', which is not in the list" >&2; exit 2; }
done
n=${#names[@]}
declare -A state # unset: waiting, 1: running, 2: done
running=0 printed=0 pass=0 fail=0 next=0

finished() { [ -f "$logs/$1.rc" ]; }

launch() { # index
  local i=$1
  state[$i]=1
  running=$((running + 1))
  ( start=$(date +%s.%N)
    bash -c "${cmds[$i]}" > "$logs/${names[$i]}.log" 2>&1
    rc=$?
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }' > "$logs/${names[$i]}.time"
    echo "$rc" > "$logs/${names[$i]}.rc" ) &
}

flush() { # print every finished suite in order, up to the first unfinished one
  while [ "$printed" -lt "$n" ] && finished "${names[$printed]}"; do
    local name=${names[$printed]} rc
    rc=$(cat "$logs/$name.rc")
    echo "=== $name ($(cat "$logs/$name.time") s)"
    cat "$logs/$name.log"
    if [ "$rc" = 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "  FAILED (exit $rc)"; fi
    printed=$((printed + 1))
  done
}

while [ "$printed" -lt "$n" ]; do
  # start what may start: the earliest waiting suites whose predecessor is done
  for ((i = next; i < n && running < jobs; i++)); do
    [ -z "${state[$i]:-}" ] || continue
    if [ "${afters[$i]}" = "-" ] || finished "${afters[$i]}"; then
      launch "$i"
    fi
  done
  while [ -n "${state[$next]:-}" ] && [ "$next" -lt "$n" ]; do next=$((next + 1)); done
  if [ "$running" -eq 0 ] && ! finished "${names[$printed]}"; then
    echo "run-tests.sh: nothing can run (a suite waits for one that cannot start)" >&2
    exit 2
  fi
  if [ "$running" -gt 0 ]; then
    wait -n 2>/dev/null || true
    running=0 # recount: a job is running while it has no .rc yet
    for ((i = 0; i < n; i++)); do
      if [ "${state[$i]:-}" = 1 ]; then
        if finished "${names[$i]}"; then state[$i]=2; else running=$((running + 1)); fi
      fi
    done
  fi
  flush
done
wait
echo "suites: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
