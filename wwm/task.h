// wwm::Task: a move-only C++ callable `void(JsValue payload)` that travels to another
// thread inside a message. The sender allocates it on the shared heap; the receiver runs it
// once and destroys it, also when it throws; the manager destroys a task whose worker died.
//
// The type erasure stores two plain function pointers set at construction time (in code,
// not in static data), so a task never depends on a vtable in a relocatable module.
#pragma once

#include <emscripten/val.h>

#include <type_traits>
#include <utility>

namespace wwm {

using JsValue = emscripten::val;

namespace detail {
// The heap object a message's `__wwm_callback` points to.
struct TaskBox {
  void (*run)(TaskBox* self, JsValue payload);
  void (*destroy)(TaskBox* self) noexcept;
};

template <class Function>
struct TaskBoxFor final : TaskBox {
  explicit TaskBoxFor(Function&& function_in) : TaskBox{}, function(std::move(function_in)) {
    run = [](TaskBox* self, JsValue payload) { static_cast<TaskBoxFor*>(self)->function(std::move(payload)); };
    destroy = [](TaskBox* self) noexcept { delete static_cast<TaskBoxFor*>(self); };
  }
  Function function;
};
}  // namespace detail

class Task {
 public:
  Task() = default;
  template <class Function,
            class = std::enable_if_t<!std::is_same_v<std::decay_t<Function>, Task> &&
                                     std::is_invocable_v<std::decay_t<Function>&, JsValue>>>
  Task(Function function)  // NOLINT(google-explicit-constructor): lambdas convert implicitly
      : box_(new detail::TaskBoxFor<std::decay_t<Function>>(std::move(function))) {}

  Task(Task&& other) noexcept : box_(std::exchange(other.box_, nullptr)) {}
  Task& operator=(Task&& other) noexcept {
    if (this != &other) {
      reset();
      box_ = std::exchange(other.box_, nullptr);
    }
    return *this;
  }
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;
  ~Task() { reset(); }

  explicit operator bool() const noexcept { return box_ != nullptr; }

  // Runs the callable once and destroys it (before returning, or while an exception
  // passes through).
  void run(JsValue payload) && {
    Task consumed(std::move(*this));
    consumed.box_->run(consumed.box_, std::move(payload));
  }

  // For the message layer: give up the heap object / take one back.
  detail::TaskBox* release() noexcept { return std::exchange(box_, nullptr); }
  static Task adopt(detail::TaskBox* box) noexcept {
    Task task;
    task.box_ = box;
    return task;
  }

 private:
  void reset() noexcept {
    if (detail::TaskBox* box = std::exchange(box_, nullptr)) box->destroy(box);
  }
  detail::TaskBox* box_ = nullptr;
};

}  // namespace wwm
