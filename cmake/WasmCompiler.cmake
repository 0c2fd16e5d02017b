# The compiler behind em++: Debian's clang 19 and wasm-ld 19 instead of the clang 14 that
# Emscripten 3.1.6 comes with, for its WebAssembly SIMD code (docs/BENCHMARKS.md, "The
# compiler"). em++ stays 3.1.6, with its runtime JS and its prebuilt (clang 14) libraries.
#
# em++ takes its LLVM from a config file; the build writes its own (Debian's, with LLVM_ROOT
# pointing at WASM_LLVM_ROOT) and passes it to every compile and link (`--em-config`). The
# patch builder reads the same file (hotswap/tools/toolchain.py): the program and its patches
# are always built by one compiler with one set of flags.
#
# Two things clang 19 needs from 3.1.6, both done after linking (hotswap/tools/fix_start_order.py
# and the link options below): the heap base, which 3.1.6 supplies from JS, must be allowed to
# stay undefined; and the data relocations, which wasm-ld 19 no longer applies at start-up in a
# shared-memory program, are applied once before the constructors.
set(WASM_LLVM_ROOT "/usr/lib/llvm-19/bin" CACHE PATH "LLVM tools (clang, wasm-ld) em++ runs: see cmake/WasmCompiler.cmake")
# Code generation every WebAssembly object shares: SIMD lets clang vectorise the vector math
# (float lanes are IEEE like scalar floats, so pictures stay bit-identical to native ones).
# LLVM 19's default CPU also turns on reference types and multivalue; the 3.1.6 runtime and
# the hotswap tools are written for the table and calls without them.
set(WASM_CODE_GENERATION_FLAGS -msimd128 -mno-reference-types -mno-multivalue)

set(WASM_EMSCRIPTEN_CONFIG "${CMAKE_BINARY_DIR}/emscripten_config.py")
# The patch builder's host tools (hotswap/compiler): a compile server that keeps clang and
# wasm-ld loaded between saves, and a pass plugin that records which functions each compile
# emits. The native preset builds them (scripts/build.sh builds them before this build); the
# program's compiler launcher and the patch builder use them when they are there.
set(HOTSWAP_HOST_TOOLS_DIR "${PROJECT_SOURCE_DIR}/build/native/hotswap/compiler" CACHE PATH
    "Where the native preset builds hotswap_compile_server and hotswap_function_use.so")
set(HOTSWAP_FUNCTION_USE_PLUGIN "${HOTSWAP_HOST_TOOLS_DIR}/hotswap_function_use.so")
set(WASM_UNDEFINED_RUNTIME_SYMBOLS "${CMAKE_BINARY_DIR}/runtime_undefined_symbols.txt")

if(EMSCRIPTEN)
  foreach(tool IN ITEMS clang clang++ wasm-ld)
    if(NOT EXISTS "${WASM_LLVM_ROOT}/${tool}")
      message(FATAL_ERROR "${WASM_LLVM_ROOT}/${tool} is missing: run scripts/setup.sh (it installs clang-19 lld-19 llvm-19)")
    endif()
  endforeach()
  file(READ "${EMSCRIPTEN_ROOT_PATH}/.emscripten" debian_config)
  string(REGEX REPLACE "\nLLVM_ROOT = [^\n]*" "\nLLVM_ROOT = '${WASM_LLVM_ROOT}'" config "\n${debian_config}")
  string(REGEX REPLACE "\nLLVM_ADD_VERSION = [^\n]*" "\nLLVM_ADD_VERSION = ''" config "${config}")
  string(REGEX REPLACE "\nCLANG_ADD_VERSION = [^\n]*" "\nCLANG_ADD_VERSION = ''" config "${config}")
  file(WRITE "${WASM_EMSCRIPTEN_CONFIG}" "# Written by cmake/WasmCompiler.cmake from ${EMSCRIPTEN_ROOT_PATH}/.emscripten: do not edit.${config}")
  # wasm-ld 19 reports undefined data symbols of a PIE; 3.1.6 defines this one in JS.
  file(WRITE "${WASM_UNDEFINED_RUNTIME_SYMBOLS}" "__heap_base\n")
  file(WRITE "${CMAKE_BINARY_DIR}/hotswap_host_tools.json"
       "{\"compile_server\": \"${HOTSWAP_HOST_TOOLS_DIR}/hotswap_compile_server\",\n \"function_use_plugin\": \"${HOTSWAP_FUNCTION_USE_PLUGIN}\"}\n")

  # Archives with llvm-ar and llvm-ranlib themselves: emar and emranlib only run them (the
  # config's LLVM_ROOT), from Python, ~0.3 s a call, twice in every relink of a hot restart.
  set(CMAKE_AR "${WASM_LLVM_ROOT}/llvm-ar")
  set(CMAKE_RANLIB "${WASM_LLVM_ROOT}/llvm-ranlib")
  # One llvm-ar run writes the archive and its symbol index ('s'): no llvm-ranlib after it,
  # a process loading LLVM's libraries (~60 ms) less in a hot restart's relink.
  foreach(language C CXX)
    set(CMAKE_${language}_ARCHIVE_CREATE "<CMAKE_AR> qcs <TARGET> <LINK_FLAGS> <OBJECTS>")
    set(CMAKE_${language}_ARCHIVE_FINISH "")
  endforeach()

  add_compile_options("SHELL:--em-config ${WASM_EMSCRIPTEN_CONFIG}" ${WASM_CODE_GENERATION_FLAGS})
  add_link_options("SHELL:--em-config ${WASM_EMSCRIPTEN_CONFIG}" ${WASM_CODE_GENERATION_FLAGS}
                   "SHELL:-Wl,--allow-undefined-file=${WASM_UNDEFINED_RUNTIME_SYMBOLS}")
endif()
