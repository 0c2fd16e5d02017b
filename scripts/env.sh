# Sourced by every script: the environment the toolchain needs.
# em++ 3.1.6 from Debian looks for its JS dependencies (acorn) on NODE_PATH.
export NODE_PATH=/usr/share/nodejs
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
