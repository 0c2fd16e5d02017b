// The JavaScript half of wwm as seen from C++: functions implemented in
// wwm/js/wwm_main.js and wwm/js/wwm_worker.js. Nothing else in C++ talks to the glue.
#pragma once

#include <emscripten/val.h>
#include <pthread.h>

#include <cstdint>

extern "C" {
// Main thread: adopt the Worker behind `thread`, own its onmessage, send the init message.
void wwm_js_attach_worker(pthread_t thread, std::uint32_t worker, std::uint32_t address, std::uint32_t serial);
// Main thread: send a task message to a worker.
void wwm_js_post_to_worker(std::uint32_t worker, std::uint32_t address, std::uint32_t serial,
                           emscripten::EM_VAL payload, emscripten::EM_VAL transfer);
// Main thread: stop a worker now and forget its Worker object.
void wwm_js_stop_worker(std::uint32_t worker);
// Main thread: terminate a worker stuck in a task (kill) and forget its Worker object; its
// pthread stays known to Emscripten until wwm_js_release_thread.
void wwm_js_terminate_worker(std::uint32_t worker);
// Main thread: Emscripten forgets a killed worker's pthread and frees its stack.
void wwm_js_release_thread(pthread_t thread);
// Worker: send a task message to the main thread.
void wwm_js_post_to_main(std::uint32_t address, std::uint32_t serial, emscripten::EM_VAL payload,
                         emscripten::EM_VAL transfer);
// Worker: the pthread is running; tasks may run from now on.
void wwm_js_worker_ready();
// Any thread: the one error sink.
void wwm_js_report_error(const char* text);
}
