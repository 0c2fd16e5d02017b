// A program for hotswap's browser tests: calls its functions (plain calls: the link routes
// them through the table) on the main thread and on workers, reports results with the patch version each thread runs, commits patches on
// request (as the raytracer does between frames) and counts what committed.
#include <emscripten/emscripten.h>
#include <emscripten/val.h>

#include <mutex>
#include <string>
#include <vector>

#include "hotswap.h"
#include "program/hot_functions.h"
#include "wwm.h"

namespace {

using wwm::JsValue;

std::mutex results_mutex;
std::vector<std::string> results;  // "<where> v<version> value <n> c <n> scale <n> since-load <m> pointer <n> virtual <n>"

// Made before any patch: a pointer to a patched function, an object whose class a patch edits.
int (*const scale_through_pointer)(int) = &hot_scale;
const HotShape* const shape = new HotShape();

void record_hot_call(int argument) {
  const int value = hot_value(argument);
  const int since_load = hot_calls_since_load();
  const int c_value = hot_c_function(argument);
  const int scaled = hot_scale(argument);
  const int pointer = scale_through_pointer(argument);
  const int area = shape->area(argument);
  const int checked = hot_checked(argument);
  auto id = wwm::this_worker_id();
  std::string where = id ? "worker " + std::to_string(id->value) : std::string("main");
  std::lock_guard lock(results_mutex);
  results.push_back(where + " v" + std::to_string(hotswap::current_version()) + " value " + std::to_string(value) +
                    " c " + std::to_string(c_value) + " scale " + std::to_string(scaled) + " since-load " + std::to_string(since_load) +
                    " pointer " + std::to_string(pointer) + " virtual " + std::to_string(area) +
                    " checked " + std::to_string(checked));
}

// "<where> v<version> counted <n> calls <n> here <n> seed <n>": what hot_count_on_this_thread
// returned, the thread-locals it counts in as unpatched code reads them, and the file-local one.
std::vector<std::string> thread_results;

void record_thread_count() {
  const int counted = hot_count_on_this_thread();
  auto id = wwm::this_worker_id();
  std::string where = id ? "worker " + std::to_string(id->value) : std::string("main");
  std::lock_guard lock(results_mutex);
  thread_results.push_back(where + " v" + std::to_string(hotswap::current_version()) + " counted " + std::to_string(counted) +
                           " calls " + std::to_string(thread_calls) + " here " + std::to_string(hot_calls_here_on_this_thread()) +
                           " seed " + std::to_string(thread_seed));
}

std::vector<std::uint32_t> committed_versions;

EM_JS(void, mark_page_ready, (), { globalThis.hotswapTestReady = true; });

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int test_spawn() { return static_cast<int>(wwm::spawn({}).value); }

EMSCRIPTEN_KEEPALIVE void test_call_everywhere(int argument) {
  record_hot_call(argument);
  for (const wwm::WorkerInfo& worker : wwm::workers()) {
    wwm::post(worker.id, [argument](JsValue) { record_hot_call(argument); });
  }
}

// The same on `version` (an older one still loaded): each thread switches its table for the
// call and back to the newest after it. 0 if the main thread cannot run that version.
EMSCRIPTEN_KEEPALIVE int test_call_everywhere_on(int version, int argument) {
  const auto on_version = [version, argument] {
    if (!hotswap::run_this_thread_on(static_cast<std::uint32_t>(version))) return false;
    record_hot_call(argument);
    hotswap::run_this_thread_on_newest();
    return true;
  };
  if (!on_version()) return 0;
  for (const wwm::WorkerInfo& worker : wwm::workers()) {
    wwm::post(worker.id, [on_version](JsValue) { on_version(); });
  }
  return 1;
}

// The main thread counts `main_times` times, every worker once; the last count of each
// thread is recorded.
EMSCRIPTEN_KEEPALIVE void test_count_everywhere(int main_times) {
  for (int i = 1; i < main_times; ++i) hot_count_on_this_thread();
  record_thread_count();
  for (const wwm::WorkerInfo& worker : wwm::workers()) {
    wwm::post(worker.id, [](JsValue) { record_thread_count(); });
  }
}

EMSCRIPTEN_KEEPALIVE char* test_thread_results_json() {
  std::lock_guard lock(results_mutex);
  static std::string json;
  json = "[";
  for (std::size_t i = 0; i < thread_results.size(); ++i) json += (i ? ",\"" : "\"") + thread_results[i] + "\"";
  json += "]";
  return json.data();
}

EMSCRIPTEN_KEEPALIVE int test_commit() { return hotswap::commit_ready_patches(); }

EMSCRIPTEN_KEEPALIVE int test_hot_calls() { return hot_calls; }

EMSCRIPTEN_KEEPALIVE int test_status(int worker) {
  auto status = wwm::status(wwm::WorkerId{static_cast<std::uint32_t>(worker)});
  return status ? static_cast<int>(*status) : -1;
}

EMSCRIPTEN_KEEPALIVE char* test_results_json() {
  std::lock_guard lock(results_mutex);
  static std::string json;
  json = "{\"committed\":[";
  for (std::size_t i = 0; i < committed_versions.size(); ++i) json += (i ? "," : "") + std::to_string(committed_versions[i]);
  json += "],\"results\":[";
  for (std::size_t i = 0; i < results.size(); ++i) json += (i ? ",\"" : "\"") + results[i] + "\"";
  json += "]}";
  return json.data();
}

}  // extern "C"

int main() {
  hotswap::on_patch_committed([](std::uint32_t version) { committed_versions.push_back(version); });
  mark_page_ready();
  return 0;
}
