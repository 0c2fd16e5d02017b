# add_browser_test(NAME SCRIPT): a Playwright test (node:test) that drives Debian's Chromium
# against pages served by the project's own server from the wasm build's site folder.
function(add_browser_test name script)
  add_test(NAME ${name} COMMAND node --test "${CMAKE_CURRENT_SOURCE_DIR}/${script}")
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "SITE_ROOT=${CMAKE_BINARY_DIR}/site;PROJECT_ROOT=${PROJECT_SOURCE_DIR};BUILD_ROOT=${CMAKE_BINARY_DIR}"
    TIMEOUT 600
    LABELS browser)
endfunction()
