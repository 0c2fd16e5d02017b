// The hot function the hotswap tests edit. Tests copy this file, change the marked
// numbers, and build patches from the copies.
#include "hot_functions.h"
#include "hot_helpers.h"

int hot_calls = 0;              // a program global defined in the patched file: keeps its value
static int calls_since_load = 0;  // file-static: a patch keeps using the program's copy

// An inline function defined in the patched file itself.
__attribute__((noinline)) inline int offset_for_hot_value() { return 1000; }  // EDIT: offset

int hot_value(int x) {
  ++hot_calls;
  ++calls_since_load;
  return scale_for_hot_value(x) + offset_for_hot_value();  // EDIT: formula
}

int hot_calls_since_load() { return calls_since_load; }

extern "C" int hot_c_function(int x) { return x + 1; }
