// The page's worker pool (see worker_pool.h).
#include "worker_pool.h"

#include <algorithm>

#include "canvas_bridge.h"

namespace raytracer::web {

void WorkerPool::spawn(bool presenter, int canvas_width, int canvas_height) {
  auto counters = std::make_shared<WorkerCounters>();
  wwm::Payload payload;
  if (presenter) {
    payload.value = take_canvas_for_worker(canvas_width, canvas_height);
    payload.transfer.call<void>("push", payload.value);
  }
  const wwm::WorkerId id = wwm::spawn([presenter](wwm::JsValue canvas) {
    if (presenter) adopt_canvas(canvas);
  }, std::move(payload));
  members_.push_back({id, std::move(counters)});
}

void WorkerPool::resize(int count, int canvas_width, int canvas_height) {
  count = std::max(count, 0);
  while (static_cast<int>(members_.size()) > count) {
    // The presenter (first) goes last, so the canvas stays with a worker while any remains.
    wwm::terminate(members_.back().id);
    members_.pop_back();
  }
  if (members_.empty() && count == 0 && !main_thread_presents_) {
    take_canvas_for_main_thread(canvas_width, canvas_height);
    main_thread_presents_ = true;
  }
  while (static_cast<int>(members_.size()) < count) {
    const bool presenter = members_.empty();
    spawn(presenter, canvas_width, canvas_height);
    if (presenter) main_thread_presents_ = false;
  }
}

std::optional<wwm::WorkerId> WorkerPool::presenter() const {
  if (members_.empty()) return std::nullopt;
  return members_.front().id;
}

void WorkerPool::forget(wwm::WorkerId id) {
  std::erase_if(members_, [id](const PoolMember& member) { return member.id == id; });
}

}  // namespace raytracer::web
