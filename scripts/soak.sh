#!/usr/bin/env bash
# Builds the page's program, then runs the soak (scripts/soak.mjs): 500 patches while the
# page renders. Options go to the script: --patches N, --workers N, --out DIR, --quick.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" wasm
exec node "$root/scripts/soak.mjs" "$@"
