// wwm: the web worker manager. The public API.
//
// The main thread spawns workers and is the only registry of them (the web has no API
// to list workers). Work reaches a worker as a *task*: a move-only C++ callable plus a
// JS payload, carried by a message; the worker runs it between returns to its event
// loop, which is what lets it also take patches (see hotswap/). Workers post tasks back
// to the main thread the same way. JS values never cross threads except inside those
// messages: an emscripten::val is a handle that means nothing on another thread.
//
//   WorkerId id = wwm::spawn([](wwm::JsValue canvas) { ... }, {canvas, transfer_list});
//   wwm::post(id, [](wwm::JsValue) { render_tiles(); wwm::post_to_main(done_task); });
//
// Protocol, statuses and the mapping onto Emscripten pthreads: docs/ARCHITECTURE.md.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "task.h"

namespace wwm {

// A worker's identity: 1, 2, 3, ... assigned by the main thread, never reused.
struct WorkerId {
  std::uint32_t value = 0;
  friend auto operator<=>(WorkerId, WorkerId) = default;
};

enum class WorkerStatus {
  Initializing,    // spawned; its init task has not reported back yet (tasks posted now queue)
  Normal,          // init confirmed; runs tasks
  DynamicLinking,  // applying a patch between tasks (set by hotswap)
  Finalizing,      // terminate() was called; shutting down after the tasks already queued
  Failed,          // a task trapped or threw; the worker takes no more tasks
};
const char* to_string(WorkerStatus status) noexcept;

struct WorkerInfo {
  WorkerId id;
  WorkerStatus status = WorkerStatus::Initializing;
  std::uint32_t tasks_posted = 0;  // tasks sent to it by the main thread (init included)
  std::string failure;             // why it failed, when status is Failed
  // How long it has been running one task without progress (note_progress), as the main
  // thread's calls to workers() saw it: 0 when it is idle or progressing.
  double stalled_ms = 0;
};

// A task's JS argument, and the objects to transfer rather than copy with it
// (an OffscreenCanvas must be transferred; an ArrayBuffer may be).
struct Payload {
  JsValue value = JsValue::undefined();
  JsValue transfer = JsValue::array();
};

// ---- Main thread only -------------------------------------------------------------

// Starts a worker. `init` runs in it once its instance is ready and every patch applied
// so far is loaded; when `init` returns the worker becomes Normal.
WorkerId spawn(Task init, Payload payload = {});

// Queues `task` on `worker` (also while it is Initializing). Returns false, destroying the
// task, when the worker is unknown, Finalizing or Failed.
bool post(WorkerId worker, Task task, Payload payload = {});

// Finishes the tasks already queued on `worker`, then stops it. Tasks that never ran are
// destroyed. A Failed worker is stopped at once.
void terminate(WorkerId worker);

// The worker's status, or nothing for an id that is unknown or already terminated.
std::optional<WorkerStatus> status(WorkerId worker);
std::vector<WorkerInfo> workers();

// Called on the main thread when a worker's task traps or throws (after the worker has
// been marked Failed and its queued tasks destroyed).
void on_worker_failed(std::function<void(WorkerId, const std::string& reason)> listener);

// Called on the main thread right after a worker is spawned, before its init task is
// posted: the place to queue what every new worker must run first (hotswap's catch-up).
void on_worker_spawned(std::function<void(WorkerId)> listener);

// Stops a worker at once, whatever it is running: for a worker stuck in a task (an endless
// loop), which no message reaches, so terminate() would wait for ever. It is Failed with
// `reason`, the tasks queued for it are destroyed and the failure listeners run, as for a
// task that trapped; the task it was running is destroyed once it has surely stopped. It is
// stopped where it holds no lock (a pthread mutex: the allocator's, std::mutex), so no
// other thread can hang on one; docs/ARCHITECTURE.md, "Stuck workers".
void kill(WorkerId worker, const std::string& reason);

// Marks a worker as applying a patch (hotswap sets it when the worker starts and clears it
// when the worker is done). While set, status() reports DynamicLinking.
void set_dynamic_linking(WorkerId worker, bool applying);

// ---- Any thread ---------------------------------------------------------------------

// From a worker: its running task is making progress (a no-op elsewhere). A long task calls
// it as it goes (the raytracer: once per row of pixels), so the main thread can tell a slow
// task from a stuck one (WorkerInfo::stalled_ms). Starting and ending a task count too.
void note_progress() noexcept;

// From a worker: queues `task` on the main thread.
void post_to_main(Task task, Payload payload = {});

// The id of the worker this code runs on, or nothing on the main thread.
std::optional<WorkerId> this_worker_id() noexcept;

// Reports bad input or a failed operation to the one error sink: the browser console
// and the page's error overlay (on a worker it is forwarded to the main thread).
void report_error(const std::string& text);

}  // namespace wwm
