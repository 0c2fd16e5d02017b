// The JavaScript half of hotswap as seen from C++ (hotswap/js/*.js).
#pragma once

#include <emscripten/val.h>

extern "C" {
// Applies one step (a patch or a table reservation) on this worker; returns the ms spent.
// Throws (a JS exception) when the worker cannot apply it.
double hotswap_js_apply_step(emscripten::EM_VAL step);
}
