#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine, idempotently:
# Debian packages (toolchain, libraries, browser) and the pinned npm packages.
# Safe to run again: it only installs what is missing. Sourced environment lives in env.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian packages, each with the reason it is here.
packages=(
  emscripten          # em++ 3.1.6, its runtime JS and prebuilt libraries, binaryen: the WebAssembly toolchain
  clang-19 lld-19 llvm-19 # the compiler and linker em++ runs for this project (cmake/WasmCompiler.cmake)
  cmake ninja-build   # the build
  g++                 # the native build
  libglm-dev          # vector math for the raytracer
  libstb-dev          # stb_image_write for PNG output
  nlohmann-json3-dev  # scene files
  googletest libgtest-dev # native unit tests
  wabt                # wasm-objdump, used to inspect modules in tests and tools
  chromium            # the browser that the browser tests and benchmarks drive
  python3             # the dev server, the patch builder
  python3-clang-19    # libclang for Python: which includers a header edit must compile (hotswap/tools/header_edits.py)
  llvm-19-dev libclang-cpp19-dev libclang-19-dev liblld-19-dev # clang and lld as libraries: the patch builder's compile server (hotswap/compiler)
  nodejs              # Playwright runs under Node (npm comes with it, or as Debian's npm below)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# Debian's nodejs lacks npm, which is a package of its own; other nodejs builds bundle it.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm packages, pinned by package-lock.json; reinstalled only when the lock file changes.
stamp="$root/node_modules/.package-lock.sha256"
want="$(sha256sum "$root/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages from package-lock.json"
  (cd "$root" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$want" > "$stamp"
fi
