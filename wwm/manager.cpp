// The main-thread half of the wwm API: spawning, posting, status, termination.
// Each managed worker is an Emscripten pthread whose entry function returns to the JS
// event loop, so the worker stays alive and idle between tasks (see ARCHITECTURE.md).
#include <emscripten/emscripten.h>
#include <emscripten/eventloop.h>
#include <emscripten/threading.h>

#include <string>

#include "detail/check.h"
#include "detail/js_bridge.h"
#include "detail/running_task.h"
#include "detail/task_ledger.h"
#include "detail/worker_control.h"
#include "detail/worker_registry.h"
#include "wwm.h"

namespace wwm {
namespace {

using detail::task_ledger;
using detail::worker_registry;
using detail::WorkerControl;
using detail::WorkerRecord;

// Stopping a stuck worker (kill). Chromium stops a worker that does not return to its event
// loop about 2 s after Worker.terminate() (measured: docs/ARCHITECTURE.md, "Stuck
// workers"); until then it runs on. What it may still touch (its stack, its running task,
// its control block) is freed only after this long.
constexpr double kSurelyStoppedAfterMs = 5000;
// Once asked to stop, a worker parks at its next lock; one that holds a lock is given this
// long to let go of it (a worker inside malloc leaves it in microseconds); one that keeps
// holding a lock (it loops inside a critical section) is stopped anyway, and what it held
// released once it has surely stopped.
constexpr double kLongestLockWaitMs = 1000;
constexpr double kLockPollMs = 2;

// A killed worker on its way out: the main thread's handles on what it leaves behind.
struct Reaping {
  WorkerId id;
  pthread_t thread;
  WorkerControl* control;
  double requested_ms;
};

void* worker_thread_main(void*) {
  wwm_js_worker_ready();
  emscripten_exit_with_live_runtime();  // back to the event loop: tasks arrive as messages
  return nullptr;
}

void require_main_thread(const char* function) {
  WWM_CHECK(emscripten_is_main_browser_thread(), "%s runs on the main thread only (workers do not manage workers)", function);
}

void send(WorkerRecord& record, Task task, Payload payload) {
  detail::Ticket ticket = task_ledger().record(std::move(task), record.info.id.value);
  ++record.info.tasks_posted;
  wwm_js_post_to_worker(record.info.id.value, ticket.address, ticket.serial, payload.value.as_handle(),
                        payload.transfer.as_handle());
}

void destroy_tasks_waiting_for(WorkerId id) { task_ledger().take_all_for(id.value); }

void confirm_initialized(WorkerId id) {
  WorkerRecord* record = worker_registry().find(id);
  if (record != nullptr && record->info.status == WorkerStatus::Initializing) record->info.status = WorkerStatus::Normal;
}

// Frees a control block once its worker can no longer write to it.
void free_control_later(WorkerControl* control) {
  if (control == nullptr) return;
  emscripten_set_timeout([](void* data) { delete static_cast<WorkerControl*>(data); }, kSurelyStoppedAfterMs, control);
}

void finish_termination(WorkerId id) {
  WorkerRecord* record = worker_registry().find(id);
  if (record != nullptr && !record->killed) {  // a killed worker is stopped and freed by its reaper
    wwm_js_stop_worker(id.value);
    destroy_tasks_waiting_for(id);
    free_control_later(record->control);
  }
  worker_registry().remove(id);
}

// The worker has surely stopped: release the locks it died holding, destroy the task it was
// running (its captures: shared state it kept alive) and let Emscripten free its thread.
void reap(Reaping* reaping) {
  WorkerControl& control = *reaping->control;
  if (const int released = detail::release_locks_of(control); released > 0) {
    wwm_js_report_error(("worker " + std::to_string(reaping->id.value) + " was stopped while it held " + std::to_string(released) +
                         " lock(s) for over a second (an endless loop inside a critical section?); they are released now, "
                         "and what they guard may be half updated").c_str());
  }
  if (detail::TaskBox* box = control.running_task.exchange(nullptr)) box->destroy(box);
  wwm_js_release_thread(reaping->thread);
  delete reaping->control;
  delete reaping;
}

// Stops the worker's Worker once it holds no lock (or has parked for good, or the wait is
// over), then reaps it once it has surely stopped.
void stop_when_no_lock_is_held(Reaping* reaping) {
  const WorkerControl& control = *reaping->control;
  const bool safe = control.locks_held.load() == 0 || control.parked.load() != 0;
  if (!safe && emscripten_get_now() - reaping->requested_ms < kLongestLockWaitMs) {
    emscripten_set_timeout([](void* data) { stop_when_no_lock_is_held(static_cast<Reaping*>(data)); }, kLockPollMs, reaping);
    return;
  }
  wwm_js_terminate_worker(reaping->id.value);
  emscripten_set_timeout([](void* data) { reap(static_cast<Reaping*>(data)); }, kSurelyStoppedAfterMs, reaping);
}

}  // namespace

const char* to_string(WorkerStatus status) noexcept {
  switch (status) {
    case WorkerStatus::Initializing: return "Initializing";
    case WorkerStatus::Normal: return "Normal";
    case WorkerStatus::DynamicLinking: return "DynamicLinking";
    case WorkerStatus::Finalizing: return "Finalizing";
    case WorkerStatus::Failed: return "Failed";
  }
  return "?";
}

WorkerId spawn(Task init, Payload payload) {
  require_main_thread("wwm::spawn");
  pthread_attr_t attributes;
  pthread_attr_init(&attributes);
  pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
  pthread_t thread{};
  const int error = pthread_create(&thread, &attributes, worker_thread_main, nullptr);
  pthread_attr_destroy(&attributes);
  WWM_CHECK(error == 0, "pthread_create returned %d (is the page cross-origin isolated?)", error);

  WorkerRecord& record = worker_registry().add(thread);
  const WorkerId id = record.info.id;
  WorkerControl* control = new WorkerControl();
  record.control = control;
  record.seen_since_ms = emscripten_get_now();

  // The init message carries the manager's start task; the caller's init follows as the
  // first task, after whatever the spawn listeners queue (hotswap's patch catch-up).
  detail::Ticket start = task_ledger().record(Task([id, control](JsValue) {
    detail::set_this_worker_id(id);
    detail::adopt_control(control);
  }), id.value);
  ++record.info.tasks_posted;
  wwm_js_attach_worker(thread, id.value, start.address, start.serial);

  auto listeners = worker_registry().spawn_listeners;  // a listener may register another
  for (auto& listener : listeners) listener(id);

  if (!init) init = Task([](JsValue) {});
  Task init_then_confirm([id, init = std::move(init)](JsValue init_payload) mutable {
    std::move(init).run(std::move(init_payload));
    post_to_main([id](JsValue) { confirm_initialized(id); });
  });
  if (WorkerRecord* current = worker_registry().find(id)) send(*current, std::move(init_then_confirm), std::move(payload));
  return id;
}

bool post(WorkerId worker, Task task, Payload payload) {
  require_main_thread("wwm::post");
  WorkerRecord* record = worker_registry().find(worker);
  if (record == nullptr || record->info.status == WorkerStatus::Finalizing || record->info.status == WorkerStatus::Failed) {
    return false;  // `task` is destroyed here, unrun
  }
  send(*record, std::move(task), std::move(payload));
  return true;
}

void terminate(WorkerId worker) {
  require_main_thread("wwm::terminate");
  WorkerRecord* record = worker_registry().find(worker);
  if (record == nullptr || record->info.status == WorkerStatus::Finalizing) return;
  if (record->info.status == WorkerStatus::Failed) {
    finish_termination(worker);
    return;
  }
  record->info.status = WorkerStatus::Finalizing;
  send(*record, Task([worker](JsValue) { post_to_main([worker](JsValue) { finish_termination(worker); }); }), {});
}

std::optional<WorkerStatus> status(WorkerId worker) {
  require_main_thread("wwm::status");
  const WorkerRecord* record = worker_registry().find(worker);
  if (record == nullptr) return std::nullopt;
  return record->info.status;
}

void kill(WorkerId worker, const std::string& reason) {
  require_main_thread("wwm::kill");
  WorkerRecord* record = worker_registry().find(worker);
  if (record == nullptr || record->killed) return;
  record->killed = true;
  WorkerControl* control = record->control;
  control->stop_requested.store(1);  // from now on it parks at its next lock
  record->info.status = WorkerStatus::Failed;
  record->info.failure = reason;
  record->info.stalled_ms = 0;
  destroy_tasks_waiting_for(worker);
  stop_when_no_lock_is_held(new Reaping{worker, record->thread, control, emscripten_get_now()});
  auto listeners = worker_registry().failure_listeners;
  for (auto& listener : listeners) listener(worker, reason);
}

std::vector<WorkerInfo> workers() {
  require_main_thread("wwm::workers");
  const double now = emscripten_get_now();
  for (auto& [id, record] : worker_registry().records()) {
    const WorkerControl& control = *record.control;
    const std::uint32_t progress = control.progress.load();
    if (record.killed || control.running.load() == 0 || progress != record.seen_progress) {
      record.seen_progress = progress;
      record.seen_since_ms = now;
      record.info.stalled_ms = 0;
    } else {
      record.info.stalled_ms = now - record.seen_since_ms;
    }
  }
  return worker_registry().list();
}

void on_worker_failed(std::function<void(WorkerId, const std::string&)> listener) {
  worker_registry().failure_listeners.push_back(std::move(listener));
}

void on_worker_spawned(std::function<void(WorkerId)> listener) {
  worker_registry().spawn_listeners.push_back(std::move(listener));
}

void set_dynamic_linking(WorkerId worker, bool applying) {
  require_main_thread("wwm::set_dynamic_linking");
  WorkerRecord* record = worker_registry().find(worker);
  if (record == nullptr) return;
  WorkerStatus& status = record->info.status;
  if (applying && status == WorkerStatus::Normal) status = WorkerStatus::DynamicLinking;
  if (!applying && status == WorkerStatus::DynamicLinking) status = WorkerStatus::Normal;
}

void post_to_main(Task task, Payload payload) {
  detail::Ticket ticket = task_ledger().record(std::move(task), detail::kMainThreadReceiver);
  wwm_js_post_to_main(ticket.address, ticket.serial, payload.value.as_handle(), payload.transfer.as_handle());
}

void report_error(const std::string& text) { wwm_js_report_error(text.c_str()); }

}  // namespace wwm

// ---- Called by the JS glue -------------------------------------------------------------

extern "C" {

// Runs the task a message names on this thread. Returns null, or what was wrong with
// the message's callback (the message is then dropped, nothing runs).
EMSCRIPTEN_KEEPALIVE const char* wwm_detail_run_task(std::uint32_t address, std::uint32_t serial,
                                                     std::uint32_t receiver, emscripten::EM_VAL payload_handle) {
  static thread_local std::string problem;
  problem.clear();
  wwm::JsValue payload = wwm::JsValue::take_ownership(payload_handle);
  wwm::Task task = wwm::detail::task_ledger().claim({address, serial}, receiver, problem);
  if (!task) return problem.c_str();
  wwm::detail::run_task_here(std::move(task), std::move(payload));
  return nullptr;
}

EMSCRIPTEN_KEEPALIVE void wwm_detail_abandon_running_task() { wwm::detail::abandon_running_task(); }

// A worker's task trapped or threw: the worker is Failed and stopped, its queued tasks
// destroyed, and the failure listeners told.
EMSCRIPTEN_KEEPALIVE void wwm_detail_worker_failed(std::uint32_t worker_value, emscripten::EM_VAL reason_handle) {
  const std::string reason = wwm::JsValue::take_ownership(reason_handle).as<std::string>();
  const wwm::WorkerId worker{worker_value};
  wwm::detail::WorkerRecord* record = wwm::detail::worker_registry().find(worker);
  if (record == nullptr || record->info.status == wwm::WorkerStatus::Failed) return;
  record->info.status = wwm::WorkerStatus::Failed;
  record->info.failure = reason;
  wwm_js_stop_worker(worker_value);
  wwm::detail::task_ledger().take_all_for(worker_value);
  auto listeners = wwm::detail::worker_registry().failure_listeners;
  for (auto& listener : listeners) listener(worker, reason);
}

// Address of a word both sides can see: a worker writes a token there through the
// memory its init message carried and reads it back through its own instance, proving
// they are the same memory.
EMSCRIPTEN_KEEPALIVE std::uint32_t wwm_detail_memory_probe_address() {
  static std::uint32_t probe = 0;
  return static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(&probe));
}

// For tests and diagnostics: tasks sent and not yet run or destroyed.
EMSCRIPTEN_KEEPALIVE std::uint32_t wwm_detail_tasks_in_flight() {
  return static_cast<std::uint32_t>(wwm::detail::task_ledger().in_flight());
}

}  // extern "C"
