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
  # Every wasm object can end up in the relocatable main module or in a patch.
  # Hidden visibility + an explicit export list (cmake/WasmMainModule.cmake) avoids the
  # 3.1.6 bug that nulls function pointers in static data of a relocatable -pthread module;
  # the patch builder compiles patches with default visibility instead.
  target_compile_options(project_options INTERFACE -pthread -fPIC -fvisibility=hidden)
  target_link_options(project_options INTERFACE -pthread)
endif()
