# Browser tests: Playwright (playwright-core) driving Debian's Chromium against pages served
# by the project's own server from the wasm build's site folder.
#   add_browser_test(NAME SCRIPT)                a node:test file, relative to this folder
#   add_browser_script_test(NAME SCRIPT ARGS...) a plain node script (exit code decides)

function(_set_browser_test_properties name)
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "SITE_ROOT=${CMAKE_BINARY_DIR}/site;PROJECT_ROOT=${PROJECT_SOURCE_DIR};BUILD_ROOT=${CMAKE_BINARY_DIR}"
    TIMEOUT 600
    LABELS browser)
endfunction()

function(add_browser_test name script)
  add_test(NAME ${name} COMMAND node --test "${CMAKE_CURRENT_SOURCE_DIR}/${script}")
  _set_browser_test_properties(${name})
endfunction()

function(add_browser_script_test name script)
  add_test(NAME ${name} COMMAND node "${script}" ${ARGN})
  _set_browser_test_properties(${name})
endfunction()
