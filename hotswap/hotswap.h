// hotswap: the public API of the hot-swap engine.
//
// A *hot function* is one called through the jump table:
//
//     glm::vec3 colour = hotswap::call(&sky_radiance, sky, ray);
//
// When nothing is patched the call goes straight to the function. Once a patch that
// redefines the function has been applied on this thread, the same call runs the new
// code. The jump table is per thread (each WebAssembly instance has its own function
// table), so a thread never jumps to code its own instance has not loaded.
#pragma once

#include <cstdint>
#include <utility>

namespace hotswap {

// The version of the program this thread runs: 0 as built, then 1, 2, ... for each
// patch applied on this thread.
std::uint32_t current_version() noexcept;

namespace detail {
// The code address (wasm: function table index) to call for `function` on this thread.
std::uintptr_t resolve(std::uintptr_t function) noexcept;
}  // namespace detail

// Calls the newest version of `function` that this thread has loaded.
template <class Result, class... Parameters, class... Arguments>
inline Result call(Result (*function)(Parameters...), Arguments&&... arguments) {
  using Function = Result (*)(Parameters...);
  const auto target = reinterpret_cast<Function>(detail::resolve(reinterpret_cast<std::uintptr_t>(function)));
  return target(std::forward<Arguments>(arguments)...);
}

}  // namespace hotswap
