// A worker's control block, in shared memory: what the main thread can still see of a worker
// that no longer returns to its event loop (a task stuck in an endless loop takes no
// message), and how it stops one without losing a lock. The worker writes its progress, the
// task it runs and the mutexes it holds; the main thread reads them and asks it to stop.
//
// Why locks matter: a worker is stopped from outside (Worker.terminate()), and Chromium
// stops a worker that does not return to its event loop only about 2 s after that call
// (measured), at whatever point it has reached. Stopped inside a critical section (the
// allocator's, the task ledger's, a std::mutex of the program), it would hold that lock for
// ever and every thread that takes it next would hang, the main thread included. So every
// pthread mutex taken on a worker goes through wwm (worker_control.cpp overrides
// pthread_mutex_lock and its kin): once a stop is requested, the worker parks at the next
// lock it would take holding none, and the main thread stops it only once it has parked or
// while it holds none.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>

#include "task.h"

namespace wwm::detail {

struct WorkerControl {
  std::atomic<std::uint32_t> progress{0};       // bumped when a task starts or ends, and by note_progress()
  std::atomic<std::uint32_t> running{0};        // 1 while a task runs
  std::atomic<TaskBox*> running_task{nullptr};  // the task running now (destroyed by the main thread if it never returns)
  std::atomic<std::uint32_t> stop_requested{0}; // set by the main thread: park at the next outermost lock
  std::atomic<std::uint32_t> parked{0};         // 1 once the worker parked for good
  std::atomic<std::int32_t> locks_held{0};      // pthread mutexes held (or being taken) now
  // The mutexes it holds, to release them if it must be stopped holding one anyway (it
  // loops inside a critical section of its own).
  static constexpr int kLocksRemembered = 8;
  std::atomic<pthread_mutex_t*> locks[kLocksRemembered]{};
};

// This thread's control block: null on the main thread and on threads wwm did not start
// (and on a worker before its start task ran).
WorkerControl* this_thread_control() noexcept;
// Worker: the start task hands the thread its control block.
void adopt_control(WorkerControl* control) noexcept;
// Worker: the task that starts or ends running here (null when it ends).
void task_started(TaskBox* box) noexcept;
void task_ended() noexcept;

// Main thread, once the worker has surely stopped: releases the mutexes it still held.
// Returns how many it released.
int release_locks_of(WorkerControl& control) noexcept;

}  // namespace wwm::detail
