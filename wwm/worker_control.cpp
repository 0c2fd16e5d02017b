// Worker control blocks (see detail/worker_control.h): progress, the running task, and the
// lock bookkeeping that lets the main thread stop a stuck worker without losing a lock.
//
// The program's pthread mutex functions are defined here, over musl's own (which it defines
// as weak aliases of __pthread_mutex_lock and kin, so these take their place in the link):
// the allocator (dlmalloc locks a pthread mutex), std::mutex, the task ledger and
// Emscripten's own queues all lock through them. On the main thread, and on a worker before
// its start task ran, they only forward. On a worker they count the locks it holds and, once
// the main thread asked it to stop, park it before it takes another.
#include "detail/worker_control.h"

#include <emscripten/threading.h>

#include <limits>
#include <utility>

extern "C" {
// musl's implementations (hidden, defined in the same link).
int __pthread_mutex_lock(pthread_mutex_t* mutex);
int __pthread_mutex_trylock(pthread_mutex_t* mutex);
int __pthread_mutex_timedlock(pthread_mutex_t* __restrict mutex, const struct timespec* __restrict deadline);
int __pthread_mutex_unlock(pthread_mutex_t* mutex);
int __pthread_cond_timedwait(pthread_cond_t* __restrict condition, pthread_mutex_t* __restrict mutex,
                             const struct timespec* __restrict deadline);
}

namespace wwm::detail {
namespace {

thread_local WorkerControl* this_control = nullptr;

// Until a thread's TLS block exists (a new worker locks the allocator while it makes it),
// thread_local variables must not be read: their address would be an offset from 0.
WorkerControl* control_if_any() noexcept {
  if (__builtin_wasm_tls_base() == nullptr) return nullptr;
  return this_control;
}

[[noreturn]] void park_for_good(WorkerControl& control) noexcept {
  control.parked.store(1);
  for (;;) emscripten_futex_wait(&control.stop_requested, 1, std::numeric_limits<double>::infinity());
}

// Before taking a lock: counted first, then the stop request looked at (the main thread does
// the opposite), so one of the two always sees the other. A worker asked to stop parks only
// at a lock it would take holding none: parked inside a critical section (a malloc under a
// mutex of its own), it would keep the outer lock.
void before_lock(WorkerControl& control) noexcept {
  const std::int32_t held_before = control.locks_held.fetch_add(1);
  if (held_before == 0 && control.stop_requested.load() != 0) {
    control.locks_held.fetch_sub(1);
    park_for_good(control);
  }
}

void remember(WorkerControl& control, pthread_mutex_t* mutex) noexcept {
  for (auto& slot : control.locks) {
    pthread_mutex_t* empty = nullptr;
    if (slot.compare_exchange_strong(empty, mutex)) return;
  }
}

void forget(WorkerControl& control, pthread_mutex_t* mutex) noexcept {
  control.locks_held.fetch_sub(1);
  for (auto& slot : control.locks) {
    pthread_mutex_t* held = mutex;
    if (slot.compare_exchange_strong(held, nullptr)) return;
  }
}

template <class Lock>
int locking(pthread_mutex_t* mutex, Lock lock) noexcept {
  WorkerControl* control = control_if_any();
  if (control == nullptr) return lock();
  before_lock(*control);
  const int result = lock();
  if (result == 0) {
    remember(*control, mutex);
  } else {
    control->locks_held.fetch_sub(1);
  }
  return result;
}

}  // namespace

WorkerControl* this_thread_control() noexcept { return control_if_any(); }

void adopt_control(WorkerControl* control) noexcept { this_control = control; }

void task_started(TaskBox* box) noexcept {
  if (WorkerControl* control = control_if_any()) {
    control->running_task.store(box);
    control->running.store(1);
    control->progress.fetch_add(1);
  }
}

void task_ended() noexcept {
  if (WorkerControl* control = control_if_any()) {
    control->running.store(0);
    control->running_task.store(nullptr);
    control->progress.fetch_add(1);
  }
}

int release_locks_of(WorkerControl& control) noexcept {
  int released = 0;
  for (auto& slot : control.locks) {
    pthread_mutex_t* mutex = slot.exchange(nullptr);
    if (mutex == nullptr) continue;
    // Whatever the mutex's type, as its owner would: musl's unlock of a normal mutex does not
    // check the owner. A recursive or error-checking one does; clear it as unlock would.
    if (__pthread_mutex_unlock(mutex) != 0) {
      mutex->__u.__i[5] = 0;  // musl's _m_count
      __atomic_store_n(&mutex->__u.__vi[1], 0, __ATOMIC_SEQ_CST);  // musl's _m_lock
      emscripten_futex_wake(const_cast<int*>(&mutex->__u.__vi[1]), INT32_MAX);
    }
    ++released;
  }
  control.locks_held.store(0);
  return released;
}

}  // namespace wwm::detail

namespace wwm {
void note_progress() noexcept {
  if (detail::WorkerControl* control = detail::control_if_any()) control->progress.fetch_add(1, std::memory_order_relaxed);
}
}  // namespace wwm

// ---- The program's pthread mutex functions ----------------------------------------------

extern "C" {

int pthread_mutex_lock(pthread_mutex_t* mutex) {
  return wwm::detail::locking(mutex, [mutex] { return __pthread_mutex_lock(mutex); });
}

int pthread_mutex_trylock(pthread_mutex_t* mutex) {
  return wwm::detail::locking(mutex, [mutex] { return __pthread_mutex_trylock(mutex); });
}

int pthread_mutex_timedlock(pthread_mutex_t* __restrict mutex, const struct timespec* __restrict deadline) {
  return wwm::detail::locking(mutex, [mutex, deadline] { return __pthread_mutex_timedlock(mutex, deadline); });
}

int pthread_mutex_unlock(pthread_mutex_t* mutex) {
  const int result = __pthread_mutex_unlock(mutex);
  if (result == 0) {
    if (wwm::detail::WorkerControl* control = wwm::detail::this_thread_control()) wwm::detail::forget(*control, mutex);
  }
  return result;
}

// musl's wait releases the mutex with its own unlock (not counted here) and takes it back
// with pthread_mutex_lock (counted): so it is forgotten here first.
int pthread_cond_timedwait(pthread_cond_t* __restrict condition, pthread_mutex_t* __restrict mutex,
                           const struct timespec* __restrict deadline) {
  if (wwm::detail::WorkerControl* control = wwm::detail::this_thread_control()) wwm::detail::forget(*control, mutex);
  return __pthread_cond_timedwait(condition, mutex, deadline);
}

}  // extern "C"
