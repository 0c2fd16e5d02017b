// The main-thread side of applying patches across the program (wasm build): committing
// prepared patches between frames, sending each one to every worker as a wwm task, replaying
// all of them to a worker spawned later, running the program's re-run hooks when a patch
// changed code that already ran, and the functions the JS loader calls into. Also any
// thread's switch to another loaded version (the table work is hotswap_versions.js's).
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include <cstdlib>
#include <cstring>
#include <utility>
#include <vector>

#include "detail/js_bridge.h"
#include "hotswap.h"
#include "wwm.h"

namespace hotswap {
namespace {

using wwm::JsValue;

thread_local std::uint32_t this_thread_version = 0;         // what this thread's table runs now
thread_local std::uint32_t this_thread_newest_version = 0;  // what its commits put in effect

std::vector<std::function<void(std::uint32_t)>>& committed_listeners() {
  static std::vector<std::function<void(std::uint32_t)>> listeners;
  return listeners;
}

std::vector<std::function<void()>>& ready_listeners() {
  static std::vector<std::function<void()>> listeners;
  return listeners;
}

struct RerunHook {
  std::uintptr_t entry;  // the entry point's table slot
  std::function<void()> rerun;
};

std::vector<RerunHook>& rerun_hooks() {
  static std::vector<RerunHook> hooks;
  return hooks;
}

JsValue patch_loader() { return JsValue::global("HotswapMain"); }

// Sends one step to a worker, to apply between its tasks. The worker shows DynamicLinking
// from now until it reports back.
void post_step(wwm::WorkerId worker, const JsValue& step) {
  const std::uint32_t version = step["plan"]["version"].as<std::uint32_t>();
  const bool is_patch = !step["module"].isNull();  // not a table reservation or a rollback
  if (is_patch) wwm::set_dynamic_linking(worker, true);
  wwm::post(worker, [worker, version, is_patch](JsValue received) {
    const double milliseconds = hotswap_js_apply_step(received.as_handle());
    wwm::post_to_main([worker, version, is_patch, milliseconds](JsValue) {
      if (!is_patch) return;
      wwm::set_dynamic_linking(worker, false);
      patch_loader().call<void>("workerApplied", worker.value, version, milliseconds);
    });
  }, {step});
}

void post_to_every_worker(const JsValue& step) {
  for (const wwm::WorkerInfo& worker : wwm::workers()) {
    if (worker.status != wwm::WorkerStatus::Finalizing && worker.status != wwm::WorkerStatus::Failed) post_step(worker.id, step);
  }
}

// A new worker first replays every step so far, in order (wwm posts its init after this);
// a patch rolled back is not among them (only the table growth it made).
const bool catch_up_registered = [] {
  wwm::on_worker_spawned([](wwm::WorkerId worker) {
    const JsValue steps = patch_loader().call<JsValue>("catchUpSteps");
    const int count = steps["length"].as<int>();
    for (int i = 0; i < count; ++i) post_step(worker, steps[i]);
  });
  return true;
}();

}  // namespace

std::uint32_t current_version() noexcept { return this_thread_version; }

std::uint32_t newest_version() noexcept { return this_thread_newest_version; }

bool can_run_version(std::uint32_t version) { return hotswap_js_can_run_version(version) != 0; }

std::vector<std::uint32_t> runnable_versions() {
  const JsValue versions = JsValue::global("HotswapVersions").call<JsValue>("available");
  std::vector<std::uint32_t> runnable;
  const int count = versions["length"].as<int>();
  for (int i = 0; i < count; ++i) runnable.push_back(versions[i].as<std::uint32_t>());
  return runnable;
}

bool run_this_thread_on(std::uint32_t version) {
  if (version == this_thread_version) return true;
  return hotswap_js_run_version(version) != 0;
}

void run_this_thread_on_newest() {
  if (this_thread_version != this_thread_newest_version) run_this_thread_on(this_thread_newest_version);
}

int commit_ready_patches() {
  int committed = 0;
  std::vector<std::uint32_t> versions;
  for (JsValue step = patch_loader().call<JsValue>("commitNext"); !step.isNull(); step = patch_loader().call<JsValue>("commitNext")) {
    post_to_every_worker(step);
    if (step["module"].isNull()) continue;  // a table reservation, not a patch
    ++committed;
    const std::uint32_t version = step["plan"]["version"].as<std::uint32_t>();
    versions.push_back(version);
    for (auto& listener : committed_listeners()) listener(version);
  }
  // Each hook once, however many of the committed patches reach its entry point.
  for (const RerunHook& hook : rerun_hooks()) {
    for (const std::uint32_t version : versions) {
      if (patch_loader().call<bool>("changeReaches", version, static_cast<double>(hook.entry))) {
        hook.rerun();
        break;
      }
    }
  }
  return committed;
}

std::optional<std::uint32_t> roll_back_newest_patch(const std::string& reason, RunningFault fault) {
  const char* kind = fault == RunningFault::Hung ? "hung_while_running" : "trapped_while_running";
  const JsValue step = patch_loader().call<JsValue>("rollBackNewest", reason, std::string(kind));
  if (step.isNull()) return std::nullopt;
  post_to_every_worker(step);
  const std::uint32_t version = step["plan"]["version"].as<std::uint32_t>();
  for (auto& listener : committed_listeners()) listener(version);
  return version;
}

void on_patch_ready(std::function<void()> listener) { ready_listeners().push_back(std::move(listener)); }

void on_patch_committed(std::function<void(std::uint32_t)> listener) {
  static_cast<void>(catch_up_registered);
  committed_listeners().push_back(std::move(listener));
}

namespace detail {
void on_change_reaching(std::uintptr_t entry, std::function<void()> rerun) {
  static_cast<void>(catch_up_registered);
  rerun_hooks().push_back({entry, std::move(rerun)});
}
}  // namespace detail

}  // namespace hotswap

// ---- Called by the JS loader ------------------------------------------------------------

extern "C" {

// A commit on this thread: it runs `version`, the newest.
EMSCRIPTEN_KEEPALIVE void hotswap_detail_set_version(std::uint32_t version) {
  hotswap::this_thread_version = hotswap::this_thread_newest_version = version;
}

// A switch to another loaded version (hotswap_versions.js).
EMSCRIPTEN_KEEPALIVE void hotswap_detail_set_running_version(std::uint32_t version) { hotswap::this_thread_version = version; }

// This thread's thread-local block of the program: a patch binds the program's thread-locals
// (its table map gives each one's offset in the block) to this thread's copies.
EMSCRIPTEN_KEEPALIVE std::uintptr_t hotswap_detail_thread_locals_base() {
  return reinterpret_cast<std::uintptr_t>(__builtin_wasm_tls_base());
}

// The loader prepared a patch: tell the program (it commits between frames).
EMSCRIPTEN_KEEPALIVE void hotswap_detail_patch_ready() {
  auto listeners = hotswap::ready_listeners();
  for (auto& listener : listeners) listener();
}

// Memory for a patch's data, zeroed, in the shared heap (never freed: a patch's data may be
// referenced for as long as the program runs). Also each thread's block of a patch's own
// thread-locals.
EMSCRIPTEN_KEEPALIVE std::uintptr_t hotswap_detail_allocate(std::uint32_t size, std::uint32_t alignment) {
  const std::size_t rounded = (size + alignment - 1) / alignment * alignment;
  void* memory = std::aligned_alloc(alignment, rounded);
  if (memory != nullptr) std::memset(memory, 0, rounded);
  return reinterpret_cast<std::uintptr_t>(memory);
}

}  // extern "C"
