#!/usr/bin/env bash
# The project's run command (the README's): installs what is missing, builds the page's
# program, then serves the page on http://127.0.0.1:8000/ and runs the development loop
# (save a file under app/, the open page applies the change). Options go to scripts/dev.py:
#   --port P, --host H, --no-watch (serve only), --quiet
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/build.sh" wasm
source "$root/scripts/env.sh"
exec python3 "$root/scripts/dev.py" "$@"
