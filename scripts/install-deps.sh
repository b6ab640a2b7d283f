#!/usr/bin/env bash
# Install pimattn's build and test dependencies from Debian packages (bookworm).
# Idempotent: installs only what is missing; does nothing when everything is present.
# Usage: scripts/install-deps.sh [--check] [--with GROUP]...
#   --check        report missing packages, exit 1 if any (installs nothing)
#   --with slurm   also the single-node Slurm cluster of `make test-slurm` (scripts/test-slurm.sh)
#   --with fuzz    also clang, for the libFuzzer targets of `make fuzz`
#   --with coverage  also lcov (lcov, genhtml), for the C line coverage of `make coverage`
# Without --with, the list is the build and test dependencies (`make deps`, `make test`).
set -euo pipefail

PKGS=(
  build-essential   # gcc, g++ (the Verilator shim is the only C++), make
  pkg-config
  zlib1g-dev        # Verilator FST tracing links -lz
  verilator         # RTL -> C++ cycle model
  iverilog          # second simulator (vector-file cross-check)
  yosys             # synthesis lint, area, post-synthesis netlists
  gtkwave           # waveform viewer for the FST files `make wave` writes
  libcmocka-dev     # unit and co-simulation tests
  libcyaml-dev      # YAML configuration (HBM presets, models)
  libcjson-dev      # JSON reports
  gnuplot-nox       # plots from sweeps
  parallel          # GNU parallel: make test runs a sweep's emitted parallel.sh (tests/test_sweep.c)
)
# Optional groups (--with GROUP), for targets outside `make test`.
SLURM_PKGS=(
  slurm-wlm         # slurmctld, slurmd, sbatch/sinfo/squeue (`make test-slurm`, docs/slurm.md)
  munge             # Slurm's authentication daemon and key tool
  parallel          # GNU parallel (also in the main list): the emitted parallel.sh beside the Slurm array
)
FUZZ_PKGS=(
  clang             # libFuzzer (-fsanitize=fuzzer) for `make fuzz` (tests/fuzz/)
)
COVERAGE_PKGS=(
  lcov              # lcov and genhtml: gcov line coverage of csim/ and harness/ for `make coverage`
)

check=0
while [ "$#" -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --with)
      case "${2:-}" in
        slurm) PKGS+=("${SLURM_PKGS[@]}") ;;
        fuzz) PKGS+=("${FUZZ_PKGS[@]}") ;;
        coverage) PKGS+=("${COVERAGE_PKGS[@]}") ;;
        *) echo "install-deps: unknown group '${2:-}' after --with (allowed: slurm, fuzz, coverage)" >&2; exit 2 ;;
      esac
      shift ;;
    *) echo "install-deps: unknown argument '$1' (usage: install-deps.sh [--check] [--with slurm|fuzz|coverage])" >&2; exit 2 ;;
  esac
  shift
done

missing=()
for p in $(printf '%s\n' "${PKGS[@]}" | sort -u); do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
if [ "$check" -eq 1 ]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  exit 1
fi

echo "install-deps: installing missing Debian packages: ${missing[*]}" >&2
if [ "$(id -u)" -ne 0 ]; then
  SUDO=""
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  else
    echo "install-deps: not root and no password-less sudo. Run this, then retry:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
else
  SUDO=""
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
