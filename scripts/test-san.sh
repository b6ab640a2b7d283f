#!/usr/bin/env bash
# test-san.sh — `make test-san`'s runner: the suites named in TESTS and a few pimattn workloads, all built
# with AddressSanitizer and UndefinedBehaviorSanitizer in SANBUILD (the Makefile builds them), two at a
# time through run-tests.sh. A sanitizer finding aborts the program (exit status != 0), so any finding
# fails its suite; leaks are findings too.
# Usage: test-san.sh SANBUILD "TESTS"        Exit status: 0 if every suite passed, 1 otherwise.
set -uo pipefail
san=$1
tests=$2
bin=$san/bin
work=$san/work
rm -rf "$work"
mkdir -p "$work"
# handle_sigbus=0: the FST writer's SIGBUS on a short side file (a full disk) is pimattn's to handle
# (tests/test_run_outputs.c, test_full_disk), not a finding
export ASAN_OPTIONS=abort_on_error=1:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:handle_sigbus=0
export LSAN_OPTIONS=suppressions=$PWD/scripts/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
env="PIMATTN=$bin/pimattn VECDIR=$san/vec"
p=$bin/pimattn
{
  for t in $tests; do printf '%s\t-\t%s %s\n' "san-$t" "$env" "$bin/$t"; done
  w() { printf '%s\t-\t%s\n' "san-$1" "$2"; }
  w run-default "$p run"
  w run-variants "$p run --pingpong --softmax splitk --batch 8 --layers 2 && $p run --gemv tree --acc fp16 --batch 4 && $p run --model falcon-7b --batch 8 --ctx 4096 --numerics 2"
  w run-host-tier "$p run --model llama2-70b --batch 64 --ctx 16384 --stacks 1 --host-tier --softmax splitk --numerics 4"
  w run-split-log "$p run --model mistral-7b --split balance --ctx 32768 --batch 2 --log-commands $work/split.log --json $work/split.json && $p check-trace $work/split.log"
  w hbm-traces "$p hbm --synthetic random --commands 100000 && $p hbm --synthetic stream --commands 100000 --page close && $p hbm --synthetic macab --commands 100000 --log $work/macab.log && $p check-trace $work/macab.log"
  w system "$p system --model llama2-70b --batch 16 --lin 2048 --lout 32 --step-stride 8"
} | scripts/run-tests.sh 2 "$san/test-logs"
