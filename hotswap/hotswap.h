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
#include <functional>
#include <optional>
#include <string>
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
// (Built with HOTSWAP_DIRECT_CALLS defined, it is a plain call: the benchmarks compare the two.)
template <class Result, class... Parameters, class... Arguments>
inline Result call(Result (*function)(Parameters...), Arguments&&... arguments) {
#ifdef HOTSWAP_DIRECT_CALLS
  return function(std::forward<Arguments>(arguments)...);
#else
  using Function = Result (*)(Parameters...);
  const auto target = reinterpret_cast<Function>(detail::resolve(reinterpret_cast<std::uintptr_t>(function)));
  return target(std::forward<Arguments>(arguments)...);
#endif
}

// ---- Main thread (the program's frame loop) ------------------------------------------
//
// Patches arrive asynchronously: the page announces them, the loader fetches, checks and
// instantiates each on the main thread. Nothing changes for the running code until the
// program calls commit_ready_patches() between two frames: then the main thread switches
// to each ready patch in version order and every worker is sent it, to apply before its
// next task. So a frame runs entirely on old code or entirely on new code.

// Commits every patch that is ready; returns how many. Call only between frames.
int commit_ready_patches();

// Called on the main thread for each committed patch, with its version, and after a
// rollback with the version running again (the raytracer resets its accumulated samples
// here and keeps everything else).
void on_patch_committed(std::function<void(std::uint32_t version)> listener);

// Called on the main thread when a patch is loaded, checked and waiting to be committed
// (a program that is idle between frames, e.g. paused, should run a frame boundary now).
void on_patch_ready(std::function<void()> listener);

// Undoes the newest committed patch on every thread: each jump table goes back to where it
// pointed before that patch (its code stays loaded, unused). For a program that finds a
// patch failing while it runs (a worker trapped in it again and again). Returns the
// version running now, or nothing when no patch is in effect. Call only between frames.
std::optional<std::uint32_t> roll_back_newest_patch(const std::string& reason);

}  // namespace hotswap
