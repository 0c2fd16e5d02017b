# Header-only libraries from Debian, as interface targets.
# Emscripten's sysroot must not see /usr/include (its libc headers would clash), so each
# library gets an include directory of its own that holds only a link to it.
function(add_isolated_header_library target_name header_path)
  get_filename_component(link_name "${header_path}" NAME)
  set(include_dir "${CMAKE_BINARY_DIR}/third_party/${target_name}")
  if(NOT EXISTS "${header_path}")
    message(FATAL_ERROR "${header_path} is missing: run scripts/setup.sh (it installs the Debian packages)")
  endif()
  file(MAKE_DIRECTORY "${include_dir}")
  file(CREATE_LINK "${header_path}" "${include_dir}/${link_name}" SYMBOLIC)
  add_library(third_party_${target_name} INTERFACE)
  target_include_directories(third_party_${target_name} SYSTEM INTERFACE "${include_dir}")
  add_library(third_party::${target_name} ALIAS third_party_${target_name})
endfunction()

add_isolated_header_library(glm /usr/include/glm)
add_isolated_header_library(stb /usr/include/stb)
add_isolated_header_library(json /usr/include/nlohmann)
# GLM: radians everywhere, no platform SIMD intrinsics (same arithmetic native and wasm).
target_compile_definitions(third_party_glm INTERFACE GLM_FORCE_RADIANS GLM_FORCE_PURE GLM_ENABLE_EXPERIMENTAL)
