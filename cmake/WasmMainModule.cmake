# add_wasm_main_module(): a relocatable WebAssembly program that patches can link against.
#
#   add_wasm_main_module(raytracer_web
#     SOURCES web_main.cpp ...          # the program's own sources
#     LIBRARIES raytracer_core wwm ...  # static libraries whose symbols patches may use
#     OUTPUT_DIRECTORY dir              # where NAME.js, NAME.wasm, NAME.worker.js go
#     [PLAIN_CALLS])                    # no table routing (a benchmark's reference build)
#
# A library with JS glue names it in its WASM_JS_LIBRARIES (--js-library files) and
# WASM_JS_OBJECTS (the $objects a program must keep) properties; they are linked in here.
#
# The program is built -pthread -sMAIN_MODULE=2 with an export list generated from its
# objects by hotswap/tools/main_module_exports.py, so that every symbol of the program is
# exported for patches (it also writes no-op stubs for the thread-local initialisers a source
# refers to weakly and none defines, which a main module would otherwise import). It is linked through hotswap/tools/hot_linker.py, which routes every
# call to a function of the program's own sources through the function table (so a patch
# can replace any of them) and writes NAME.hotswap.json, the table map, beside NAME.wasm.
# The link's launcher, hotswap/tools/program_linker.py, relinks without em++'s JavaScript
# steps when only the program's code changed (a hot restart's relink).
# After linking, hotswap/tools/fix_start_order.py makes pointers in static data come out
# right (wasm-ld 14 set the GOT too late, wasm-ld 19 leaves the relocations to the runtime). NAME.sources.json lists the program's own sources: a patch is
# built from those only. Each of them is compiled through hotswap/tools/program_compiler.sh,
# which keeps the layouts of the record types it uses beside its object (a patch that
# changes one is refused: the program's objects in memory have the old layout) and, with the
# function-use plugin, the functions it emits (OBJECT.uses: which sources a header edit
# must compile, hotswap/tools/header_edits.py).
set(WASM_MAIN_MODULE_INITIAL_MEMORY 268435456 CACHE STRING "Bytes of shared memory of a main module (fixed: no growth)")
option(HOTSWAP_ROUTE_CALLS "Route calls to the program's functions through the table (off: plain calls, not patchable)" ON)
# The link's optimisation level (the sources keep the build type's -O3). At -O3 em++ runs
# wasm-opt -O3 over the linked program: 10 of the link's 13 s, which a hot restart waits for,
# and the program it makes was no faster (docs/BENCHMARKS.md, "Link optimisation level").
set(WASM_MAIN_MODULE_LINK_OPTIMIZATION "-O1" CACHE STRING "em++ optimisation flag for linking a main module")

# em++ finds wasm-ld in its LLVM root: this one holds hot_linker.py as wasm-ld, the real tools otherwise.
set(HOTSWAP_LLVM_ROOT "${CMAKE_BINARY_DIR}/hotswap-llvm")
if(EMSCRIPTEN)
  execute_process(COMMAND python3 "${PROJECT_SOURCE_DIR}/hotswap/tools/hot_linker.py" --llvm-root "${HOTSWAP_LLVM_ROOT}"
                          --em-config "${WASM_EMSCRIPTEN_CONFIG}"
                  RESULT_VARIABLE hot_linker_result)
  if(NOT hot_linker_result EQUAL 0)
    message(FATAL_ERROR "hotswap/tools/hot_linker.py could not set up ${HOTSWAP_LLVM_ROOT}")
  endif()
endif()

function(add_wasm_main_module target)
  cmake_parse_arguments(ARG "PLAIN_CALLS" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES;LINK_OPTIONS" ${ARGN})
  set(ARG_JS_LIBRARIES "")
  set(ARG_JS_OBJECTS "")
  foreach(library IN LISTS ARG_LIBRARIES)
    if(NOT TARGET ${library})
      message(FATAL_ERROR "add_wasm_main_module(${target}): ${library} is not a target (yet): add its folder first")
    endif()
    get_target_property(js_libraries ${library} WASM_JS_LIBRARIES)
    get_target_property(js_objects ${library} WASM_JS_OBJECTS)
    if(js_libraries)
      list(APPEND ARG_JS_LIBRARIES ${js_libraries})
      list(APPEND ARG_JS_OBJECTS ${js_objects})
    endif()
  endforeach()
  # JS runtime objects the program needs even though no C++ code names them (written to a
  # file because `$` names do not survive a shell).
  set(runtime_objects "\"$Emval\", \"$GOT\"")
  foreach(object IN LISTS ARG_JS_OBJECTS)
    string(APPEND runtime_objects ", \"$${object}\"")
  endforeach()
  set(runtime_functions "${CMAKE_CURRENT_BINARY_DIR}/${target}.runtime_functions.json")
  file(WRITE "${runtime_functions}" "[${runtime_objects}]\n")

  add_library(${target}_objects OBJECT ${ARG_SOURCES})
  target_link_libraries(${target}_objects PUBLIC ${ARG_LIBRARIES} PRIVATE project_warnings)
  foreach(compiled IN ITEMS ${target}_objects ${ARG_LIBRARIES})
    set_property(TARGET ${compiled} PROPERTY CXX_COMPILER_LAUNCHER
                 "${PROJECT_SOURCE_DIR}/hotswap/tools/program_compiler.sh;--function-use-plugin=${HOTSWAP_FUNCTION_USE_PLUGIN}")
  endforeach()

  set(exported_functions "${CMAKE_CURRENT_BINARY_DIR}/${target}.exported_functions.json")
  set(export_if_defined "${CMAKE_CURRENT_BINARY_DIR}/${target}.export_if_defined.txt")
  set(hot_functions "${CMAKE_CURRENT_BINARY_DIR}/${target}.hot_functions.json")
  set(thread_local_stubs "${CMAKE_CURRENT_BINARY_DIR}/${target}.thread_local_stubs.js")

  # The program's own sources (absolute paths): a patch is built from these and nothing else.
  set(program_sources "")
  foreach(source IN LISTS ARG_SOURCES)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" OUTPUT_VARIABLE absolute)
    list(APPEND program_sources "\"${absolute}\"")
  endforeach()
  foreach(library IN LISTS ARG_LIBRARIES)
    get_target_property(library_sources ${library} SOURCES)
    get_target_property(library_dir ${library} SOURCE_DIR)
    foreach(source IN LISTS library_sources)
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${library_dir}" OUTPUT_VARIABLE absolute)
      list(APPEND program_sources "\"${absolute}\"")
    endforeach()
  endforeach()
  list(JOIN program_sources ",\n " program_sources_json)
  file(WRITE "${ARG_OUTPUT_DIRECTORY}/${target}.sources.json" "[${program_sources_json}]\n")
  set(library_files "")
  foreach(library IN LISTS ARG_LIBRARIES)
    list(APPEND library_files "$<TARGET_FILE:${library}>")
  endforeach()
  add_custom_command(
    OUTPUT "${exported_functions}" "${export_if_defined}" "${hot_functions}" "${thread_local_stubs}"
    COMMAND python3 "${PROJECT_SOURCE_DIR}/hotswap/tools/main_module_exports.py"
            --exported-functions "${exported_functions}" --export-if-defined "${export_if_defined}"
            --hot-functions "${hot_functions}" --thread-local-stubs "${thread_local_stubs}"
            "$<TARGET_OBJECTS:${target}_objects>" ${library_files}
    # The objects themselves too: naming an OBJECT library gives no file-level dependency, and
    # the list went stale when only a program source changed.
    DEPENDS ${target}_objects "$<TARGET_OBJECTS:${target}_objects>" ${ARG_LIBRARIES} "${PROJECT_SOURCE_DIR}/hotswap/tools/main_module_exports.py"
            "${PROJECT_SOURCE_DIR}/hotswap/tools/wasm_binary.py"
    COMMAND_EXPAND_LISTS
    COMMENT "Listing the exports of ${target} for patches")
  add_custom_target(${target}_exports DEPENDS "${exported_functions}" "${export_if_defined}" "${hot_functions}" "${thread_local_stubs}")

  add_executable(${target} $<TARGET_OBJECTS:${target}_objects>)
  add_dependencies(${target} ${target}_exports)
  target_link_libraries(${target} PRIVATE ${ARG_LIBRARIES})
  set(js_library_options "SHELL:--js-library ${thread_local_stubs}")
  foreach(js_library IN LISTS ARG_JS_LIBRARIES)
    list(APPEND js_library_options "SHELL:--js-library ${js_library}")
  endforeach()
  target_link_options(${target} PRIVATE
    -sMAIN_MODULE=2 --bind
    "SHELL:-sEXPORTED_FUNCTIONS=@${exported_functions}"
    "SHELL:-Wl,@${export_if_defined}"
    "SHELL:-sDEFAULT_LIBRARY_FUNCS_TO_INCLUDE=@${runtime_functions}"
    -sEXPORTED_RUNTIME_METHODS=UTF8ToString,stringToUTF8,lengthBytesUTF8
    -sINITIAL_MEMORY=${WASM_MAIN_MODULE_INITIAL_MEMORY} -sALLOW_MEMORY_GROWTH=0
    # A full heap is an answer, not the end: malloc returns null (so the patch loader can
    # reject a patch whose memory does not fit) and operator new throws std::bad_alloc.
    -sABORTING_MALLOC=0
    -sENVIRONMENT=web,worker -sEXIT_RUNTIME=0
    ${js_library_options} ${ARG_LINK_OPTIONS}
    ${WASM_MAIN_MODULE_LINK_OPTIMIZATION})  # last: overrides the build type's -O3 for the link
  # Pointers in static data: relocated after the internal GOT is set, once (fix_start_order.py).
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND python3 "${PROJECT_SOURCE_DIR}/hotswap/tools/fix_start_order.py" "${ARG_OUTPUT_DIRECTORY}/${target}.wasm"
    VERBATIM)
  if(HOTSWAP_ROUTE_CALLS AND NOT ARG_PLAIN_CALLS)
    set(route "${hot_functions}")
  else()
    set(route "none")
  endif()
  set_target_properties(${target} PROPERTIES
    CXX_LINKER_LAUNCHER "python3;${PROJECT_SOURCE_DIR}/hotswap/tools/program_linker.py;--llvm-root;${HOTSWAP_LLVM_ROOT};--hot-functions;${route}"
    SUFFIX ".js"
    RUNTIME_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}"
    LINK_DEPENDS "${exported_functions};${export_if_defined};${hot_functions};${thread_local_stubs};${ARG_JS_LIBRARIES};${PROJECT_SOURCE_DIR}/hotswap/tools/hot_linker.py;${PROJECT_SOURCE_DIR}/hotswap/tools/table_routing.py;${PROJECT_SOURCE_DIR}/hotswap/tools/program_linker.py")
endfunction()
