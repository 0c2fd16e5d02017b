// Running one task on this thread (see detail/running_task.h) and this thread's identity.
#include "detail/running_task.h"

#include "detail/worker_control.h"

#include <optional>
#include <utility>

#include "wwm.h"

namespace wwm::detail {
namespace {
thread_local TaskBox* running_box = nullptr;
thread_local std::optional<WorkerId> this_thread_worker;
}  // namespace

void run_task_here(Task task, JsValue payload) {
  running_box = task.release();
  task_started(running_box);
  running_box->run(running_box, std::move(payload));
  TaskBox* box = std::exchange(running_box, nullptr);
  task_ended();
  box->destroy(box);
}

void abandon_running_task() noexcept {
  task_ended();
  if (TaskBox* box = std::exchange(running_box, nullptr)) box->destroy(box);
}

void set_this_worker_id(WorkerId id) noexcept { this_thread_worker = id; }

}  // namespace wwm::detail

namespace wwm {
std::optional<WorkerId> this_worker_id() noexcept { return detail::this_thread_worker; }
}  // namespace wwm
