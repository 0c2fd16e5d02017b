# Sourced by every script: the environment the toolchain needs.
# em++ 3.1.6 from Debian looks for its JS dependencies (acorn) on NODE_PATH.
export NODE_PATH=/usr/share/nodejs
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
# The build starts Python many times (em++ is a Python program, so are the hotswap link
# tools). A version manager's `python3` (pyenv's shim) is a shell script that costs about
# 0.4 s of processor time a start: the interpreter it picks goes first on PATH instead, and
# em++'s wrapper is told to use it (EMSDK_PYTHON).
if [ -z "${HOTSWAP_PYTHON_RESOLVED:-}" ]; then
  python_executable="$(python3 -c 'import sys; print(sys.executable)')"
  export PATH="$(dirname "$python_executable"):$PATH"
  export EMSDK_PYTHON="$python_executable"
  export HOTSWAP_PYTHON_RESOLVED=1
fi
# Python's compiled modules, kept in the build folder rather than beside the sources. Where
# PYTHONDONTWRITEBYTECODE is set (as on the project's machine), every Python start (the link
# tools, the exports list, a hot restart's build) would otherwise compile each module it
# imports anew: 60-80 ms of a hot restart's relink.
export PYTHONPYCACHEPREFIX="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/build/pycache"
unset PYTHONDONTWRITEBYTECODE
