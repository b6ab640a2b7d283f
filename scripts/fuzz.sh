#!/usr/bin/env bash
# fuzz.sh — `make fuzz`'s runner: each libFuzzer target in FUZZBUILD/bin for SECONDS, one after the other,
# from a copy of its seed corpus (tests/fuzz/corpus/TARGET) that grows in FUZZBUILD/TARGET/corpus; a crash,
# leak, timeout (10 s per input) or out-of-memory (2 GB) stops that target, keeps the input in
# FUZZBUILD/TARGET/ and fails the run. A summary line per target: runs, coverage, corpus size.
# Usage: fuzz.sh FUZZBUILD SECONDS TARGET...        Exit status: 0 if no target found anything, 1 otherwise.
set -uo pipefail
fb=$1
secs=$2
shift 2
export ASAN_OPTIONS=detect_leaks=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
fail=0
for t in "$@"; do
  dir=$fb/$t
  rm -rf "$dir"
  mkdir -p "$dir/corpus"
  cp tests/fuzz/corpus/"$t"/* tests/fuzz/regress/"$t"/* "$dir/corpus/" 2>/dev/null || true # the found crashes too
  "$fb/bin/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -close_fd_mask=3 \
    -artifact_prefix="$dir/" "$dir/corpus" > "$dir/log" 2>&1
  rc=$?
  last=$(grep -E '^#[0-9]+' "$dir/log" | tail -1)
  runs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last"); cov=$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$last")
  found=$(ls "$dir" | grep -E '^(crash|leak|timeout|oom)-' || true)
  if [ "$rc" -ne 0 ] || [ -n "$found" ]; then
    fail=1
    printf '  FAIL  %-11s exit %d after %s runs: %s (input kept in %s)\n' "$t" "$rc" "${runs:-?}" "${found:-see log}" "$dir"
    grep -E 'ERROR|SUMMARY' "$dir/log" | head -5 | sed 's/^/        /'
  else
    printf '  ok    %-11s %s s, %s runs, coverage %s, corpus %d inputs\n' "$t" "$secs" "${runs:-0}" "${cov:-?}" \
      "$(ls "$dir/corpus" | wc -l)"
  fi
done
[ "$fail" = 0 ] && echo "fuzz: no crash, leak or hang in $# targets ($secs s each)" || echo "fuzz: FAILED"
exit "$fail"
