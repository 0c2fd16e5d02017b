#!/usr/bin/env bash
# The project's test command (the README's, and the one CI runs): builds both presets, then
# runs every test: native unit tests (GoogleTest, server tests) and browser tests
# (Playwright driving Debian's Chromium against pages the project's server serves).
# Extra arguments go to ctest, e.g. scripts/test.sh -R hotswap
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/build.sh" all
source "$root/scripts/env.sh"

status=0
for preset in native wasm; do
  echo "== test: $preset"
  ctest --preset "$preset" --timeout 900 "$@" || status=1
done
if [ "$status" -ne 0 ]; then
  echo "== test: FAILED (see the output above; each failing test printed its own output)" >&2
else
  echo "== test: all passed"
fi
exit "$status"
