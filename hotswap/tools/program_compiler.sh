#!/usr/bin/env bash
# The compiler launcher of the program's sources (cmake/WasmMainModule.cmake). Compiles as
# asked, and:
#  - keeps beside the object (OBJECT.layouts) the layout clang computed for every record type
#    the source uses (size, alignment, member offsets): the patch builder compares a patch's
#    layouts with these (record_layouts.py), since the program's objects in memory have them;
#  - with --function-use-plugin=PLUGIN (hotswap/compiler, when the native preset built it),
#    keeps beside the object (OBJECT.uses) every function the compile emitted before any LLVM
#    pass: which sources a header edit must compile (header_edits.py), known from the first
#    save. The plugin changes nothing in the object;
#  - when HOTSWAP_WARNINGS_ARE_NOT_ERRORS is set (the dev loop's hot restart), lets warnings
#    through: a save that compiles with a warning must still reach the screen. Other builds
#    (scripts/build.sh, CI) keep -Werror;
#  - takes OBJECT.prebuilt instead of compiling, when the dev loop left one for a hot restart
#    (the patch build compiled the source with the same compiler and flags: PatchBuilder.
#    install_for_restart) and no file its dependency file names is newer than it: with its
#    dependency file (for Ninja), layouts and use set. It is taken once.
set -o pipefail
use_prebuilt() {  # object depfile target
  local prebuilt="$1.prebuilt" file
  [ -f "$prebuilt" ] && [ -f "$prebuilt.d" ] && [ -f "$prebuilt.layouts" ] || return 1
  for file in $(sed -e 's/\\$//' -e '1s/^[^:]*://' "$prebuilt.d"); do
    [ -e "$file" ] && [ ! "$file" -nt "$prebuilt" ] || return 1
  done
  { printf '%s:' "$3"; sed -e '1s/^[^:]*://' "$prebuilt.d"; } > "$2"
  mv -f "$prebuilt.layouts" "$1.layouts"
  if [ -f "$prebuilt.uses" ]; then mv -f "$prebuilt.uses" "$1.uses"; else rm -f "$1.uses"; fi
  rm -f "$prebuilt.d"
  mv -f "$prebuilt" "$1"
}
plugin=""
case "${1:-}" in
  --function-use-plugin=*) plugin="${1#--function-use-plugin=}"; shift ;;
esac
object=""
depfile=""
target=""
previous=""
for argument in "$@"; do
  [ "$previous" = "-o" ] && object="$argument"
  [ "$previous" = "-MF" ] && depfile="$argument"
  [ "$previous" = "-MT" ] && target="$argument"
  previous="$argument"
done
if [ -n "$object" ] && [ -n "$depfile" ] && [ -n "$target" ] && use_prebuilt "$object" "$depfile" "$target"; then
  exit 0
fi
rm -f "$object.prebuilt" "$object.prebuilt.d" "$object.prebuilt.layouts" "$object.prebuilt.uses"  # stale: compiled below
extra=()
[ -n "${HOTSWAP_WARNINGS_ARE_NOT_ERRORS:-}" ] && extra+=(-Wno-error)
if [ -z "$object" ]; then exec "$@" "${extra[@]}"; fi
case "$object" in
  *.o)
    rm -f "$object.uses"  # an object without a fresh set must not keep a stale one
    if [ -n "$plugin" ] && [ -f "$plugin" ]; then
      extra+=("-fpass-plugin=$plugin")
      export HOTSWAP_FUNCTION_USE_OUTPUT="$object.uses"
    fi ;;
esac
# clang prints the layouts on standard output; only the one-block-per-type summaries are kept.
"$@" "${extra[@]}" -Xclang -fdump-record-layouts-simple | awk '/^Type: /{keep=1} keep{print} /FieldOffsets:/{keep=0}' > "$object.layouts"
