#!/usr/bin/env bash
# The project's benchmark command (the README's "Benchmarks"): builds what it needs
# (incrementally: both presets and the benchmark programs, which are not part of the normal
# build), then runs every measure against the native renderer and the page in headless
# Chromium (scripts/benchmark/), writes results/<UTC time>/ and results/latest/
# (results.json, results.md, plot.svg) and, after a full run, refreshes docs/BENCHMARKS.md.
#   scripts/bench.sh              full run (about 15 minutes; run it on a quiet machine)
#   scripts/bench.sh --quick      every measure, minimal sizes: checks the results are complete (CI)
# Other options: --results-dir DIR, --no-docs, --only MEASURE[,MEASURE] (see docs/BENCHMARKS.md),
# --wait-for-load L (start measuring once the 1-minute load average is below L), --no-build.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

build=1
arguments=()
for argument in "$@"; do
  if [ "$argument" = "--no-build" ]; then build=0; else arguments+=("$argument"); fi
done

if [ "$build" -eq 1 ]; then
  "$root/scripts/build.sh" all
  source "$root/scripts/env.sh"
  echo "== build: benchmark programs"
  cmake --build --preset wasm --target bench_programs
fi
source "$root/scripts/env.sh"
export BENCH_COMMAND="scripts/bench.sh${*:+ $*}"
exec node "$root/scripts/benchmark/main.mjs" ${arguments[@]+"${arguments[@]}"}
