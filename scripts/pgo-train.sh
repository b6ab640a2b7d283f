#!/bin/sh
# pgo-train.sh — the training run of the profile-guided build of the HBM timing engine and controller
# (Makefile, "Profile-guided optimisation"; docs/hbm.md "Speed"): runs the instrumented pimattn BIN on the
# workloads whose speed users see, so that its counters (the .gcda files next to its objects) describe
# them. The paths the training does not run are compiled as without a profile (-fprofile-partial-training),
# so leaving a path out costs nothing but its share of the gain. A few seconds on one core.
#   scripts/pgo-train.sh BIN DIR      (DIR: scratch space for the outputs, emptied first)
set -eu
BIN=$1 DIR=$2
rm -rf "$DIR"
mkdir -p "$DIR"
hbm() { "$BIN" hbm "$@" > "$DIR/report.txt"; }

# the controller: closed loop and open loop, open and close page, FR-FCFS with and without a cap, FCFS,
# both refresh policies, the command log on and off (make bench's pimattn hbm speed workloads among them)
hbm --hbm hbm3-6400 --synthetic random --pcs 1 --commands 200000
hbm --hbm hbm3-6400 --synthetic random --pcs 1 --commands 100000 --log "$DIR/cmd.log"
hbm --hbm hbm3-6400 --synthetic random --pcs 32 --commands 100000 --rate 0.5
hbm --hbm hbm3-6400 --synthetic stream --pcs 1 --commands 100000
hbm --hbm hbm3-6400 --synthetic stream --pcs 32 --commands 100000 --page close --sched frfcfs-cap:4
hbm --synthetic random --pcs 4 --commands 50000 --sched fcfs --refresh postpone:8

# reads, writes (write drain, turnarounds) and MACs with idle gaps beyond the refresh interval, from an LCG
awk 'BEGIN {
    s = 2718; t = 0
    for (i = 0; i < 40000; i++) {
        s = (s * 1103515245 + 12345) % 2147483648; r = int(s / 65536)
        if (r % 997 == 0) t += 20000 + r % 9000
        else if (r % 5 == 0) t += r % 40
        if (r % 89 == 0) { printf "%d MAC 0 %d * %d %d\n", t, r % 2, r % 7, r % 32; continue }
        printf "%d %s %d\n", t, (int(r / 8) % 3 == 0 ? "W" : "R"), (r * 32) % 1073741824
    }
}' > "$DIR/mixed.txt"
hbm --trace "$DIR/mixed.txt"

# the all-bank MAC stream (make bench's engine figure) and the attention runs of pimattn run
hbm --synthetic macab --commands 1000000
"$BIN" run > "$DIR/run.txt"
"$BIN" run --model llama2-70b --batch 8 --gemv tree > "$DIR/run-tree.txt"
