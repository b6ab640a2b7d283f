#!/bin/sh
# ctrl-identity.sh — the controller's decisions must not change when only its speed does: runs `pimattn hbm`
# over a matrix of traces and settings with a reference binary and a new one and compares every command log
# byte for byte (cmp) and every report except its speed line ("simulated ... commands/s").
#   scripts/ctrl-identity.sh REF_BIN NEW_BIN [DIR]      (DIR default /tmp/ctrl-identity; the reference's
#                                                       outputs are kept there and reused on later runs)
# Exit 0 when all are identical; otherwise lists the cases that differ. For NEW, a binary whose
# harness/hbm/hbm_ctrl_sched.c was built with -DHBM_CTRL_CHECK_MODEL also asks the engine for every
# bound the open-page scheduler takes as exact and fails the run ("a bug") on any difference.
set -eu
REF=$1 NEW=$2 DIR=${3:-/tmp/ctrl-identity}
N=${N:-60000}
mkdir -p "$DIR/ref" "$DIR/new"

# a trace mixing reads, writes and MACs with idle gaps (arrival cycles), from a fixed LCG
TRACE=$DIR/mixed.txt
if [ ! -f "$TRACE" ]; then
    awk 'BEGIN {
        s = 12345; t = 0
        for (i = 0; i < 30000; i++) {
            s = (s * 1103515245 + 12345) % 2147483648; r = int(s / 65536)
            if (r % 997 == 0) t += 20000 + r % 9000        # idle gap beyond nREFI
            else if (r % 7 == 0) t += r % 40
            if (r % 101 == 0) { printf "%d MAC 0 %d %s %d %d\n", t, r % 2, (r % 3 ? "*" : r % 2), r % 5, r % 32; continue }
            ch = r % 2; pc = int(r / 2) % 2; col = int(r / 4) % 32; bg = int(r / 128) % 4; ba = int(r / 512) % 4
            sid = int(r / 2048) % 2; row = int(r / 4096) % 6
            a = ((((((row * 2 + sid) * 4 + ba) * 4 + bg) * 32 + col) * 2 + pc) * 16 + ch) * 32
            printf "%d %s %d\n", t, (int(r / 8) % 3 == 0 ? "W" : "R"), a
        }
    }' > "$TRACE"
    # the same requests without cycles, for --rate
    awk '{ $1 = ""; sub(/^ /, ""); print }' "$TRACE" > "$DIR/mixed-untimed.txt"
fi

CASES=$DIR/cases.txt
: > "$CASES"
for hbm in hbm3-6400 attacc-hbm3-5200; do
    for syn in random stream; do
        for pcs in 1 32; do
            for sched in fcfs frfcfs frfcfs-cap:4; do
                echo "--hbm $hbm --synthetic $syn --pcs $pcs --sched $sched --commands $N" >> "$CASES"
            done
            echo "--hbm $hbm --synthetic $syn --pcs $pcs --page close --commands $N" >> "$CASES"
            echo "--hbm $hbm --synthetic $syn --pcs $pcs --refresh postpone:4 --commands $N" >> "$CASES"
        done
        echo "--hbm $hbm --synthetic $syn --pcs 4 --rate 0.05 --commands $N" >> "$CASES"
        echo "--hbm $hbm --synthetic $syn --pcs 2 --rate 0.3 --page close --refresh postpone:4 --commands $N" >> "$CASES"
    done
    for sched in fcfs frfcfs frfcfs-cap:4 frfcfs-cap:0; do
        for page in open close; do
            for ref in eager postpone:4 postpone:0; do
                echo "--hbm $hbm --trace $TRACE --sched $sched --page $page --refresh $ref" >> "$CASES"
            done
        done
    done
    echo "--hbm $hbm --trace $DIR/mixed-untimed.txt --rate 0.2" >> "$CASES"
done
ov=configs/hbm/example-override.yaml
for syn in random stream; do
    for pcs in 1 32; do
        for sched in fcfs frfcfs frfcfs-cap:4; do
            echo "--hbm $ov --synthetic $syn --pcs $pcs --sched $sched --commands $N" >> "$CASES"
        done
        echo "--hbm $ov --synthetic $syn --pcs $pcs --page close --refresh postpone:4 --commands $N" >> "$CASES"
    done
done
for sched in fcfs frfcfs frfcfs-cap:4; do
    for page in open close; do
        for ref in eager postpone:4; do
            echo "--hbm $ov --trace $TRACE --sched $sched --page $page --refresh $ref" >> "$CASES"
        done
    done
done

run() { # BIN OUTDIR: every case into OUTDIR/<i>.log and OUTDIR/<i>.txt (report without the speed line)
    i=0
    while read -r args; do
        i=$((i + 1))
        # shellcheck disable=SC2086
        if ! "$1" hbm $args --log "$2/$i.log" > "$2/$i.out" 2>&1; then echo "exit $?" >> "$2/$i.out"; fi
        grep -v -e '^  simulated ' -e '^  command log ' "$2/$i.out" > "$2/$i.txt" || true
    done < "$CASES"
}

if [ ! -f "$DIR/ref/done" ] || ! cmp -s "$CASES" "$DIR/ref/cases.txt"; then
    run "$REF" "$DIR/ref"
    cp "$CASES" "$DIR/ref/cases.txt" && touch "$DIR/ref/done"
fi
run "$NEW" "$DIR/new"
bad=0 i=0
while read -r args; do
    i=$((i + 1))
    if ! cmp -s "$DIR/ref/$i.log" "$DIR/new/$i.log" || ! cmp -s "$DIR/ref/$i.txt" "$DIR/new/$i.txt"; then
        echo "DIFFERS ($i): $args"; bad=1
    fi
done < "$CASES"
n=$(wc -l < "$CASES")
lines=$(cat "$DIR"/new/*.log | wc -l)
if [ $bad = 0 ]; then echo "identical: $n cases, $lines log lines"; fi
exit $bad
