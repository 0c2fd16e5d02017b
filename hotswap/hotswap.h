// hotswap: the public API of the hot-swap engine.
//
// Every function the program's own sources define is hot: the link routes each call to it
// through its slot in the function table (hotswap/tools/table_routing.py), and a patch that
// redefines the function writes that slot in each instance's own table. So after a patch,
// direct calls, calls through function pointers and virtual calls all run the new code, on
// every thread, and the program is written as plain C++ (no call wrappers).
//
// What the program still decides: *when* new code takes over (commit_ready_patches, between
// two frames, so a frame never mixes versions), and what to run again when a patch changes
// code that already ran (on_change_reaching: scene loading, say), and which thread runs an
// older version for a while (run_this_thread_on: two versions on one picture).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hotswap {

// The version of the program this thread runs: 0 as built, then 1, 2, ... for each
// patch applied on this thread (or an older one, while run_this_thread_on says so).
std::uint32_t current_version() noexcept;

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

// Called on the main thread when the patches announced so far are loaded and checked (or
// rejected) and some wait to be committed (a program that is idle between frames, e.g.
// paused, should run a frame boundary now). Patches announced together commit together:
// commit_ready_patches commits nothing while one of them is still loading.
void on_patch_ready(std::function<void()> listener);

// Code that ran once and built what the program shows (loading a scene, building a BVH)
// is not run again by a patch. Name its entry point here: after a commit whose patch changed
// the code of `entry` or of any function it calls (directly or through other functions;
// calls through pointers are not followed), `rerun` is called on the main thread, once per
// commit_ready_patches(), so the program can run that code again with the new functions.
template <class Result, class... Parameters>
void on_change_reaching(Result (*entry)(Parameters...), std::function<void()> rerun);

// How the newest patch failed while it ran (the patch log's failure kind).
enum class RunningFault {
  Trapped,  // it trapped or threw again and again: trapped_while_running
  Hung,     // a thread running it made no progress (an endless loop?): hung_while_running
};

// Undoes the newest committed patch on every thread: each function it redefined goes back
// to the code it had before (its code stays loaded, unused, and workers spawned later never
// load it). For a program that finds a patch failing while it runs. `reason` says what was
// seen (which thread, where); the patch log shows it. Returns the version running now, or
// nothing when no patch is in effect. Call only between frames.
std::optional<std::uint32_t> roll_back_newest_patch(const std::string& reason, RunningFault fault);

// ---- Running another loaded version (any thread) ---------------------------------------
//
// Every version committed so far stays loaded in every instance: version 0 (the program as
// built) and each patch not rolled back. A thread can run any of them for a while and come
// back, changing only its own table: a switch writes the slots whose function differs
// between the two versions (worked out once per pair and thread), microseconds. A commit or
// a rollback first brings the thread back to the newest version. Code running when the
// switch happens finishes as it was; every call made after it runs the chosen version.

// Whether this thread can run `version`: committed here, and not rolled back.
bool can_run_version(std::uint32_t version);
// The versions this thread can run, in order (on the main thread: what a user can pick).
std::vector<std::uint32_t> runnable_versions();
// Runs this thread on `version` from now on; false, changing nothing, if it cannot.
bool run_this_thread_on(std::uint32_t version);
// Back to the newest committed version, if this thread left it.
void run_this_thread_on_newest();
// The newest version committed on this thread (what it runs outside run_this_thread_on).
std::uint32_t newest_version() noexcept;

// ---- Implementation details ------------------------------------------------------------
namespace detail {
// `entry` is a function's address: on WebAssembly, its slot in the function table.
void on_change_reaching(std::uintptr_t entry, std::function<void()> rerun);
}  // namespace detail

template <class Result, class... Parameters>
void on_change_reaching(Result (*entry)(Parameters...), std::function<void()> rerun) {
  detail::on_change_reaching(reinterpret_cast<std::uintptr_t>(entry), std::move(rerun));
}

}  // namespace hotswap
