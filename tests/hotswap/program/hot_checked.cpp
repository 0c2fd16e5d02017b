// A hot function compiled with C++ exceptions (as the raytracer's scene loading is): it
// throws and catches within the function, so a patch of it must see the exception state
// Emscripten's runtime keeps per thread. Tests edit the marked number.
#include <stdexcept>

#include "hot_functions.h"

namespace {
__attribute__((noinline)) int half_of_even(int x) {
  if (x % 2 != 0) throw std::domain_error("odd");
  return x / 2;
}
}  // namespace

int hot_checked(int x) {
  try {
    return half_of_even(x);
  } catch (const std::domain_error&) {
    return -1;  // EDIT: caught
  }
}
