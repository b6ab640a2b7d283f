#!/usr/bin/env bash
# `make test-slurm` (docs/slurm.md): a real Slurm run on a single-node cluster on localhost.
#   deps            slurm-wlm, munge and GNU parallel installed if missing (scripts/install-deps.sh --with slurm)
#   cluster         munged, slurmctld and slurmd started under BUILD_DIR/slurm/ (scripts/slurm-cluster.sh)
#   array           sbatch --wait a job array of 4 tasks writing files; all 4 must have run
#   sweep-local     pimattn sweep on configs/sweeps/test-small.yaml with -j 2: the reference CSV
#   sweep-slurm     the same grid through --emit-jobs: the emitted slurm.sbatch under sbatch --wait, then
#                   --collect; its results.csv sorted must equal the local one sorted, byte for byte
#   sweep-parallel  the same with the emitted parallel.sh (GNU parallel)
#   stop            the daemons stopped (always, also on failure or Ctrl-C); none may be left
# The sweep steps are skipped ("SKIP: pimattn sweep not built yet") while `pimattn sweep --help` fails.
# Exit 0 when no step failed (skips allowed), 1 otherwise.
#
# Usage: scripts/test-slurm.sh [BUILD_DIR]    (default build; runs from the repository root)
# Environment: PIMATTN (default BUILD_DIR/bin/pimattn), SLURM_JOB_TIMEOUT (seconds for one sbatch --wait
# or parallel.sh, default 300), SLURM_START_TIMEOUT (seconds for the node to become idle, default 60).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$ROOT"
BUILD=${1:-build}
mkdir -p "$BUILD"
BUILD_ABS=$(cd "$BUILD" && pwd -P)
PIMATTN=${PIMATTN:-$BUILD_ABS/bin/pimattn}
GRID=configs/sweeps/test-small.yaml
WORK=$BUILD_ABS/slurm-test
LOGS=$WORK/logs
JOB_TIMEOUT=${SLURM_JOB_TIMEOUT:-300}
CLUSTER=scripts/slurm-cluster.sh

SUMMARY=()      # one line per step
FAILED=0
NOTE=""         # a step's one-line result, set by the step
CLUSTER_UP=0
HAVE_SWEEP=0

say() { echo "test-slurm: $*" >&3; } # fd 3: the terminal, also from inside a step (whose output is its log)

# ---- steps: each returns 0 (PASS), 3 (SKIP) or 1 (FAIL) and sets NOTE; its output goes to LOGS/NAME.log
step_deps() {
  local missing
  if missing=$(scripts/install-deps.sh --check --with slurm 2>&1); then
    NOTE="slurm-wlm, munge, parallel already installed"
  else
    echo "$missing"
    scripts/install-deps.sh --with slurm || { NOTE="scripts/install-deps.sh --with slurm failed"; return 1; }
    NOTE="installed ${missing#missing Debian packages: }"
  fi
}

step_cluster() {
  "$CLUSTER" start "$BUILD_ABS" || { NOTE="the cluster did not start (daemon logs in $BUILD_ABS/slurm/log/)"; return 1; }
  CLUSTER_UP=1
  export SLURM_CONF="$BUILD_ABS/slurm/slurm.conf"
  NOTE="$(sinfo -h -N -o 'node %N %T, %c CPUs' | head -n 1), ports $(sed -n 's/^SlurmctldPort=//p' "$SLURM_CONF")/$(sed -n 's/^SlurmdPort=//p' "$SLURM_CONF")"
}

need_cluster() {
  [ "$CLUSTER_UP" -eq 1 ] || { NOTE="not run: the cluster is not up"; return 1; }
}

# sbatch_wait LOG ARGS...: sbatch --wait under a timeout; the job id in JOB; a hung job is cancelled
sbatch_wait() {
  local out=$1 rc=0
  shift
  timeout "$JOB_TIMEOUT" sbatch --wait "$@" >"$out" 2>&1 || rc=$?
  cat "$out"
  JOB=$(sed -n 's/^Submitted batch job \([0-9]*\).*/\1/p' "$out")
  if [ "$rc" -eq 124 ]; then
    squeue
    [ -z "$JOB" ] || scancel "$JOB" || true
    NOTE="job ${JOB:-?} did not finish in $JOB_TIMEOUT s (cancelled; SLURM_JOB_TIMEOUT=n to allow more)"
    return 1
  fi
  if [ "$rc" -ne 0 ]; then
    # the tasks' states, exit codes and output files (Slurm keeps finished jobs for MinJobAge, 300 s)
    [ -z "$JOB" ] || scontrol -o show job "$JOB" |
      awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^(ArrayTaskId|JobState|Reason|ExitCode|StdOut)=/) printf "%s ", $i; print "" }'
    NOTE="sbatch --wait exited $rc: a task failed or the job was refused (tasks' states and output files in the log;"
    NOTE="$NOTE Slurm does not create a missing --output directory)"
    return 1
  fi
}

step_array() {
  need_cluster || return 1
  local dir=$WORK/array i ran=0 line
  mkdir -p "$dir"
  # shellcheck disable=SC2016 # expanded by the task's shell
  sbatch_wait "$dir/sbatch.out" --array=0-3 --job-name=pimattn-smoke --output="$dir/slurm-%A_%a.out" \
    --chdir="$dir" --wrap='echo "task $SLURM_ARRAY_TASK_ID of job $SLURM_ARRAY_JOB_ID on $(hostname -s)" > task.$SLURM_ARRAY_TASK_ID' ||
    return 1
  for i in 0 1 2 3; do
    line=$(cat "$dir/task.$i" 2>/dev/null || true)
    echo "task.$i: ${line:-missing}"
    [ "$line" = "task $i of job $JOB on $(hostname -s)" ] && ran=$((ran + 1))
  done
  NOTE="$ran/4 tasks of array job $JOB ran"
  [ "$ran" -eq 4 ] || { NOTE="$NOTE (files in $dir)"; return 1; }
}

need_sweep() {
  [ -x "$PIMATTN" ] || { NOTE="no $PIMATTN: build it first (make $BUILD/bin/pimattn)"; return 1; }
  [ "$HAVE_SWEEP" -eq 1 ] || { NOTE="pimattn sweep not built yet"; return 3; }
}

# The CSV with its header first and the rows sorted (C locale): the run order of points is free.
sorted_csv() { { head -n 1 "$1"; tail -n +2 "$1" | LC_ALL=C sort; } >"$2"; }

step_sweep_local() {
  need_sweep || return $?
  "$PIMATTN" sweep "$GRID" --out "$WORK/local" -j 2 || { NOTE="pimattn sweep -j 2 failed"; return 1; }
  [ -s "$WORK/local/results.csv" ] || { NOTE="no $WORK/local/results.csv"; return 1; }
  sorted_csv "$WORK/local/results.csv" "$WORK/local.sorted.csv"
  NOTE="$(($(wc -l <"$WORK/local/results.csv") - 1)) rows in $WORK/local/results.csv"
}

# compare_with_local NAME: NAME's merged CSV sorted against the local run's, byte for byte
compare_with_local() {
  local out=$WORK/$1
  [ -s "$out/results.csv" ] || { NOTE="--collect wrote no $out/results.csv"; return 1; }
  [ -s "$out/results.jsonl" ] || { NOTE="--collect wrote no $out/results.jsonl"; return 1; }
  [ -s "$WORK/local.sorted.csv" ] || { NOTE="no local CSV to compare with (sweep-local failed)"; return 1; }
  sorted_csv "$out/results.csv" "$WORK/$1.sorted.csv"
  if ! cmp "$WORK/local.sorted.csv" "$WORK/$1.sorted.csv"; then
    diff "$WORK/local.sorted.csv" "$WORK/$1.sorted.csv" | head -n 40 || true
    NOTE="sorted CSV differs from the local run's ($WORK/local.sorted.csv vs $WORK/$1.sorted.csv)"
    return 1
  fi
  NOTE="$(($(wc -l <"$out/results.csv") - 1)) rows from $(find "$out/tasks" -mindepth 1 -maxdepth 1 -type d 2>/dev/null | wc -l) task dirs, sorted CSV = local sorted CSV"
}

emit_jobs() {
  "$PIMATTN" sweep "$GRID" --out "$WORK/$1" --emit-jobs "$WORK/$1-jobs" || { NOTE="--emit-jobs failed"; return 1; }
  ls -l "$WORK/$1-jobs"
}

collect() {
  "$PIMATTN" sweep --collect "$WORK/$1" || { NOTE="pimattn sweep --collect $WORK/$1 failed"; return 1; }
}

step_sweep_slurm() {
  need_sweep || return $?
  need_cluster || return 1
  emit_jobs slurm || return 1
  [ -s "$WORK/slurm-jobs/slurm.sbatch" ] || { NOTE="--emit-jobs wrote no slurm.sbatch"; return 1; }
  grep '^#SBATCH' "$WORK/slurm-jobs/slurm.sbatch"
  sbatch_wait "$WORK/slurm-jobs/sbatch.out" "$WORK/slurm-jobs/slurm.sbatch" || return 1
  collect slurm || return 1
  compare_with_local slurm || return 1
  NOTE="array job $JOB: $NOTE"
}

step_sweep_parallel() {
  need_sweep || return $?
  command -v parallel >/dev/null || { NOTE="GNU parallel not installed"; return 1; }
  emit_jobs parallel || return 1
  [ -s "$WORK/parallel-jobs/parallel.sh" ] || { NOTE="--emit-jobs wrote no parallel.sh"; return 1; }
  local rc=0
  timeout "$JOB_TIMEOUT" bash "$WORK/parallel-jobs/parallel.sh" || rc=$?
  [ "$rc" -eq 0 ] || { NOTE="parallel.sh exited $rc$([ "$rc" -ne 124 ] || echo " (timeout $JOB_TIMEOUT s)")"; return 1; }
  collect parallel || return 1
  compare_with_local parallel
}

# The daemons of this cluster still alive (not zombies): those whose command line names our directory.
leftover_daemons() {
  ps -eo pid=,stat=,comm=,args= |
    awk -v d="$BUILD_ABS/slurm/" '$2 !~ /^Z/ && ($3 == "munged" || $3 == "slurmctld" || $3 == "slurmd") && index($0, d)'
}

step_stop() {
  local left
  "$CLUSTER" stop "$BUILD_ABS" || { NOTE="slurm-cluster.sh stop failed"; return 1; }
  CLUSTER_UP=0
  left=$(leftover_daemons)
  [ -z "$left" ] || { echo "$left"; NOTE="daemons left running: $(echo "$left" | awk '{print $1}' | tr '\n' ' ')"; return 1; }
  NOTE="munged, slurmctld, slurmd stopped; none left"
}

# ---- driver ---------------------------------------------------------------------------------------------
secs_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

run_step() {
  local name=$1 fn=$2 t0 rc=0 status log=$LOGS/$1.log secs
  printf 'test-slurm: %-15s ' "$name"
  NOTE=""
  t0=$EPOCHREALTIME
  "$fn" >"$log" 2>&1 || rc=$?
  secs=$(secs_since "$t0")
  case "$rc" in
    0) status=PASS ;;
    3) status=SKIP ;;
    *) status=FAIL; FAILED=$((FAILED + 1)) ;;
  esac
  printf '%s %6s s  %s\n' "$status" "$secs" "$NOTE"
  if [ "$status" = FAIL ] && [ -s "$log" ]; then
    say "$name failed; its log: $log; last lines:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
  SUMMARY+=("$(printf '  %s  %-15s %6s s  %s' "$status" "$name" "$secs" "$NOTE")")
}

cleanup() {
  if [ "$CLUSTER_UP" -eq 1 ]; then
    say "stopping the cluster (exit or interrupt)"
    "$CLUSTER" stop "$BUILD_ABS" >&3 2>&3 || say "stop failed: see $BUILD_ABS/slurm/log/"
  fi
}

main() {
  local t0=$EPOCHREALTIME passed skipped
  trap cleanup EXIT
  trap 'echo >&3; say interrupted; exit 130' INT
  trap 'exit 143' TERM
  rm -rf "$WORK"
  mkdir -p "$LOGS"
  PATH="$(dirname "$PIMATTN"):$PATH" # the emitted scripts may call pimattn by name
  export PATH
  if [ -x "$PIMATTN" ] && "$PIMATTN" sweep --help >/dev/null 2>&1; then HAVE_SWEEP=1; else
    echo "SKIP: pimattn sweep not built yet ($PIMATTN sweep --help fails); the sweep steps are skipped"
  fi
  run_step deps step_deps
  run_step cluster step_cluster
  run_step array step_array
  run_step sweep-local step_sweep_local
  run_step sweep-slurm step_sweep_slurm
  run_step sweep-parallel step_sweep_parallel
  run_step stop step_stop
  passed=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '^  PASS' || true)
  skipped=$(printf '%s\n' "${SUMMARY[@]}" | grep -c '^  SKIP' || true)
  echo "test-slurm: summary (logs in $LOGS/)"
  printf '%s\n' "${SUMMARY[@]}"
  if [ "$FAILED" -eq 0 ]; then
    echo "test-slurm: PASS ($passed passed, $skipped skipped, 0 failed) in $(secs_since "$t0") s"
  else
    echo "test-slurm: FAIL ($passed passed, $skipped skipped, $FAILED failed) in $(secs_since "$t0") s"
    exit 1
  fi
}

exec 3>&1
main
