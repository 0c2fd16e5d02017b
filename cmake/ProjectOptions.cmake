# Flags every target of the project shares. Two interface targets:
#   project_warnings - the warning set (link it to every target we own)
#   project_options  - code-generation flags that keep native and wasm renders bit-identical
add_library(project_warnings INTERFACE)
target_compile_options(project_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wdouble-promotion -Wimplicit-fallthrough)
if(PROJECT_WARNINGS_AS_ERRORS)
  target_compile_options(project_warnings INTERFACE -Werror)
endif()

add_library(project_options INTERFACE)
# No fused multiply-add and no reassociation: the same float operations in the same order
# on x86-64 and on wasm32, so a native render and a browser render agree bit for bit.
target_compile_options(project_options INTERFACE -ffp-contract=off -fno-fast-math)
if(EMSCRIPTEN)
  # Every wasm object can end up in the relocatable main module or in a patch, and both are
  # compiled with exactly these flags (default visibility: a patch's globals must bind to the
  # program's copies), so an unchanged function compiles to the same code in both: that is
  # how the patch builder tells which functions an edit changed. The 3.1.6 bug that nulls
  # pointers in static data to default-visibility symbols is fixed after linking
  # (hotswap/tools/fix_start_order.py).
  target_compile_options(project_options INTERFACE -pthread -fPIC)
  target_link_options(project_options INTERFACE -pthread)
endif()

# Precompiled headers (wasm build): the standard and third-party headers most of the
# program's sources include, parsed once per target instead of once per source. A patch
# compiles a source with the same compile command, so it reuses the program's PCH from the
# first save on (hotswap/tools/patch_builder.py). Sources compiled with options of their own
# (-fexceptions) cannot share it: they skip it (SKIP_PRECOMPILE_HEADERS) and the patch
# builder precompiles their include block itself.
set(PROJECT_PRECOMPILED_HEADERS
  <algorithm> <array> <atomic> <cmath> <cstdint> <cstring> <functional> <limits> <map> <memory>
  <optional> <span> <string> <string_view> <utility> <variant> <vector>
  <glm/common.hpp> <glm/geometric.hpp> <glm/vec3.hpp> <glm/vec4.hpp> <nlohmann/json.hpp>)

function(use_project_precompiled_headers target)
  if(EMSCRIPTEN)
    target_precompile_headers(${target} PRIVATE ${PROJECT_PRECOMPILED_HEADERS})
  endif()
endfunction()
