#!/usr/bin/env bash
# Builds everything: installs what is missing (setup.sh), then configures and builds the
# native preset (renderer CLI, unit tests) and the wasm preset (the page, its workers, the
# hot-swap engine, the browser tests' programs). Incremental: a second run only rebuilds
# what changed. Usage: scripts/build.sh [native|wasm|all]   (default: all)
# The wasm build's dev loop uses two host tools the native preset builds (hotswap/compiler:
# the compile server and the function-use plugin), so `wasm` builds those first.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
"$root/scripts/setup.sh"
source "$root/scripts/env.sh"

which_presets="${1:-all}"
presets=()
case "$which_presets" in
  all) presets=(native wasm) ;;
  native|wasm) presets=("$which_presets") ;;
  *) echo "build.sh: unknown preset '$which_presets' (expected native, wasm or all)" >&2; exit 2 ;;
esac

configure() {
  if [ ! -f "build/$1/build.ninja" ]; then
    cmake --preset "$1" >/dev/null
  fi
}

if [ "$which_presets" = wasm ]; then
  echo "== build: the patch builder's host tools (native preset)"
  configure native
  cmake --build --preset native --target hotswap_host_tools
fi

for preset in "${presets[@]}"; do
  echo "== build: $preset"
  configure "$preset"
  started=$(date +%s)
  cmake --build --preset "$preset"
  echo "== build: $preset done in $(( $(date +%s) - started )) s"
done
