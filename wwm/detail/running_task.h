// Runs a claimed task on this thread, and cleans up after one that trapped or threw
// (a wasm trap or a C++ exception with catching disabled unwinds no C++ frames, so the
// JS glue asks for the clean-up explicitly).
#pragma once

#include "wwm.h"

namespace wwm::detail {
void run_task_here(Task task, JsValue payload);
// Destroys the task that was running when an exception escaped it, if any.
void abandon_running_task() noexcept;
void set_this_worker_id(WorkerId id) noexcept;
}  // namespace wwm::detail
