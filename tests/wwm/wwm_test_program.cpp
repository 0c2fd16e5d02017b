// A program for wwm's browser tests: small C++ entry points that spawn workers, post
// counted tasks and record what ran where, so the tests can drive wwm from Playwright and
// check its promises (run once, destroy once, ids, statuses, order, payloads).
#include <emscripten/emscripten.h>
#include <emscripten/val.h>
#include <pthread.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "wwm.h"

extern "C" std::uint32_t wwm_detail_tasks_in_flight();

namespace {

using wwm::JsValue;

// Shared counters: every CountedTask copy/move is a construction; each must be destroyed.
std::atomic<int> constructions{0};
std::atomic<int> destructions{0};
std::atomic<int> runs{0};

std::mutex log_mutex;
std::vector<std::string> event_log;

void log_event(const std::string& event) {
  std::lock_guard lock(log_mutex);
  event_log.push_back(event);
}

std::string where() {
  auto id = wwm::this_worker_id();
  return id ? "worker " + std::to_string(id->value) : std::string("main");
}

struct CountedTask {
  int tag;
  explicit CountedTask(int tag_in) : tag(tag_in) { ++constructions; }
  CountedTask(const CountedTask& other) : tag(other.tag) { ++constructions; }
  CountedTask(CountedTask&& other) noexcept : tag(other.tag) { ++constructions; }
  CountedTask& operator=(const CountedTask&) = delete;
  ~CountedTask() { ++destructions; }
  void operator()(JsValue) const {
    ++runs;
    log_event("task " + std::to_string(tag) + " on " + where());
  }
};

JsValue test_result_slot() { return JsValue::global("globalThis")["wwmTestResults"]; }

EM_JS(void, post_raw_garbage_to_main, (), {
  postMessage({__wwm_callback: [1, 2, 3]});
  postMessage('not an object');
  postMessage({hello: 1});
});
EM_JS(void, adopt_worker, (pthread_t thread, int id), { WwmMain.adopt(thread, id); });
EM_JS(void, mark_page_ready, (), { globalThis.wwmTestResults = {}; globalThis.wwmTestReady = true; });

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE int test_spawn() {
  return static_cast<int>(wwm::spawn([](JsValue payload) {
    log_event("init on " + where() + " payload " + (payload.isString() ? payload.as<std::string>() : std::string("-")));
  }, {JsValue("hello")}).value);
}

EMSCRIPTEN_KEEPALIVE int test_post(int worker, int tag) {
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, CountedTask(tag)) ? 1 : 0;
}

// A task that, on the worker, posts a counted task back to the main thread.
EMSCRIPTEN_KEEPALIVE int test_post_round_trip(int worker, int tag) {
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [tag](JsValue) {
    log_event("round trip " + std::to_string(tag) + " out on " + where());
    wwm::post_to_main(CountedTask(tag));
  }) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int test_post_trap(int worker) {
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [](JsValue) { __builtin_trap(); }) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE int test_post_throw(int worker) {
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [](JsValue) {
    throw std::runtime_error("thrown on purpose by the test");
  }) ? 1 : 0;
}

// Sends an ArrayBuffer (transferred) to the worker; the worker sums its bytes and sends a
// new buffer (transferred) back to the main thread, which stores both in wwmTestResults.
EMSCRIPTEN_KEEPALIVE int test_post_buffer(int worker, emscripten::EM_VAL buffer_handle) {
  JsValue buffer = JsValue::take_ownership(buffer_handle);
  JsValue transfer = JsValue::array();
  transfer.call<void>("push", buffer);
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [](JsValue received) {
    JsValue bytes = JsValue::global("Uint8Array").new_(received);
    int sum = 0;
    const int length = bytes["length"].as<int>();
    for (int i = 0; i < length; ++i) sum += bytes[i].as<int>();
    JsValue reply = JsValue::global("ArrayBuffer").new_(4);
    JsValue::global("Int32Array").new_(reply).set(0, sum);
    JsValue reply_transfer = JsValue::array();
    reply_transfer.call<void>("push", reply);
    wwm::post_to_main([](JsValue echoed) {
      test_result_slot().set("bufferSum", JsValue::global("Int32Array").new_(echoed)[0]);
    }, {reply, reply_transfer});
  }, {buffer, transfer}) ? 1 : 0;
}

// Sends an OffscreenCanvas (transferred); the worker fills it and sends back what it drew
// as an ImageBitmap (a canvas with a rendering context can no longer be transferred).
EMSCRIPTEN_KEEPALIVE int test_post_canvas(int worker, emscripten::EM_VAL canvas_handle) {
  JsValue canvas = JsValue::take_ownership(canvas_handle);
  JsValue transfer = JsValue::array();
  transfer.call<void>("push", canvas);
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [](JsValue received) {
    const bool is_offscreen_canvas = received.instanceof(JsValue::global("OffscreenCanvas"));
    JsValue context = received.call<JsValue>("getContext", std::string("2d"));
    context.set("fillStyle", std::string("rgb(10, 200, 30)"));
    context.call<void>("fillRect", 0, 0, received["width"], received["height"]);
    log_event(std::string("canvas on ") + where() + (is_offscreen_canvas ? " is an OffscreenCanvas" : " is NOT an OffscreenCanvas"));
    JsValue bitmap = received.call<JsValue>("transferToImageBitmap");
    JsValue back = JsValue::array();
    back.call<void>("push", bitmap);
    wwm::post_to_main([](JsValue returned) { test_result_slot().set("bitmap", returned); }, {bitmap, back});
  }, {canvas, transfer}) ? 1 : 0;
}

// Stuck workers. A task that never ends, capturing a counted task (destroyed only when the
// manager destroys the running task of a killed worker): 0 spins; 1 takes shared_mutex again
// and again and allocates while it holds it (so it holds a lock most of the time: stopped
// at a random point, it would keep it for good); 2 spins while it holds shared_mutex.
std::mutex shared_mutex;

EMSCRIPTEN_KEEPALIVE int test_post_endless_loop(int worker, int kind) {
  return wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [kind, counted = CountedTask(0)](JsValue) {
    log_event("endless loop " + std::to_string(kind) + " on " + where());
    volatile int spin = 0;
    if (kind == 1) {
      for (;;) {  // most of its time inside a critical section, allocating
        std::lock_guard<std::mutex> lock(shared_mutex);
        for (int i = 0; i < 64; ++i) {
          void* volatile bytes = std::malloc(static_cast<std::size_t>(16 + (spin + i) % 4000));
          std::free(bytes);
        }
        spin = spin + 1;
      }
    }
    std::unique_lock<std::mutex> held;
    if (kind == 2) held = std::unique_lock<std::mutex>(shared_mutex);
    while (spin >= 0) spin = spin * 1;
  }) ? 1 : 0;
}

EMSCRIPTEN_KEEPALIVE void test_kill(int worker) { wwm::kill(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, "killed by the test"); }

// -1 for an unknown worker.
EMSCRIPTEN_KEEPALIVE double test_stalled_ms(int worker) {
  for (const wwm::WorkerInfo& info : wwm::workers()) {
    if (info.id.value == static_cast<std::uint32_t>(worker)) return info.stalled_ms;
  }
  return -1;
}

// The main thread allocates and frees: it would hang for good on an allocator lock that a
// stopped worker kept.
EMSCRIPTEN_KEEPALIVE int test_allocate_on_main(int count) {
  int sum = 0;
  for (int i = 0; i < count; ++i) {
    std::vector<int>* numbers = new std::vector<int>(static_cast<std::size_t>(16 + i % 64), i);
    sum += numbers->front() % 3;
    delete numbers;
  }
  return sum;
}

// 1 if the main thread could take shared_mutex now (it lets it go at once).
EMSCRIPTEN_KEEPALIVE int test_shared_mutex_free() {
  if (!shared_mutex.try_lock()) return 0;
  shared_mutex.unlock();
  return 1;
}

EMSCRIPTEN_KEEPALIVE int test_status(int worker) {
  auto status = wwm::status(wwm::WorkerId{static_cast<std::uint32_t>(worker)});
  return status ? static_cast<int>(*status) : -1;
}

EMSCRIPTEN_KEEPALIVE void test_terminate(int worker) { wwm::terminate(wwm::WorkerId{static_cast<std::uint32_t>(worker)}); }

EMSCRIPTEN_KEEPALIVE void test_report_error_from_worker(int worker) {
  wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [](JsValue) { wwm::report_error("reported on purpose by the test"); });
}

// A task that posts a raw, malformed message from the worker to the main thread.
EMSCRIPTEN_KEEPALIVE void test_worker_posts_garbage(int worker) {
  wwm::post(wwm::WorkerId{static_cast<std::uint32_t>(worker)}, [](JsValue) {
    post_raw_garbage_to_main();
  });
}

// A worker that wwm never sent an init message: a plain pthread whose Worker the glue
// adopts under the given id.
EMSCRIPTEN_KEEPALIVE void test_adopt_uninitialised_worker(int id) {
  pthread_t thread{};
  pthread_create(&thread, nullptr, [](void*) -> void* {
    emscripten_exit_with_live_runtime();
    return nullptr;
  }, nullptr);
  adopt_worker(thread, id);
}

EMSCRIPTEN_KEEPALIVE char* test_state_json() {
  std::lock_guard lock(log_mutex);
  std::string json = "{\"constructions\":" + std::to_string(constructions.load()) +
                     ",\"destructions\":" + std::to_string(destructions.load()) + ",\"runs\":" + std::to_string(runs.load()) +
                     ",\"tasksInFlight\":" + std::to_string(wwm_detail_tasks_in_flight()) +
                     ",\"log\":[";
  for (std::size_t i = 0; i < event_log.size(); ++i) json += (i ? ",\"" : "\"") + event_log[i] + "\"";
  json += "]}";
  static std::string result;
  result = json;
  return result.data();
}

}  // extern "C"

int main() {
  mark_page_ready();
  return 0;
}
