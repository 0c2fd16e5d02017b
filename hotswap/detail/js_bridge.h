// The JavaScript half of hotswap as seen from C++ (hotswap/js/*.js).
#pragma once

#include <emscripten/val.h>

extern "C" {
// Applies one step (a patch or a table reservation) on this worker; returns the ms spent.
// Throws (a JS exception) when the worker cannot apply it.
double hotswap_js_apply_step(emscripten::EM_VAL step);
// Switches this thread's table to `version` (hotswap_versions.js); 0 if it cannot run it.
int hotswap_js_run_version(std::uint32_t version);
// 1 if this thread can run `version`.
int hotswap_js_can_run_version(std::uint32_t version);
}
