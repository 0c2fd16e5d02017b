// The page's worker pool (see worker_pool.h).
#include "worker_pool.h"

#include <algorithm>

#include "canvas_bridge.h"
#include "frame_loop.h"

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
    watch_main_thread_from_this_worker();
  }, std::move(payload));
  members_.push_back({id, std::move(counters)});
  if (presenter) presenter_ = id;
}

std::vector<PoolMember> WorkerPool::resize(int count, int canvas_width, int canvas_height) {
  count = std::max(count, 0);
  while (static_cast<int>(members_.size()) > count) {
    // The newest go first; the presenter goes last, so the canvas stays with a worker
    // while any remains.
    auto leaving = members_.end() - 1;
    if (leaving->id == presenter_ && members_.size() > 1) --leaving;
    wwm::terminate(leaving->id);
    if (leaving->id == presenter_) presenter_.reset();
    members_.erase(leaving);
  }
  if (members_.empty() && count == 0 && !main_thread_presents_) {
    take_canvas_for_main_thread(canvas_width, canvas_height);
    main_thread_presents_ = true;
  }
  std::vector<PoolMember> spawned;
  while (static_cast<int>(members_.size()) < count) {
    const bool presenter = !presenter_.has_value();
    spawn(presenter, canvas_width, canvas_height);
    if (presenter) main_thread_presents_ = false;
    spawned.push_back(members_.back());
  }
  return spawned;
}

const PoolMember* WorkerPool::find(wwm::WorkerId id) const {
  auto found = std::find_if(members_.begin(), members_.end(), [id](const PoolMember& member) { return member.id == id; });
  return found == members_.end() ? nullptr : &*found;
}

bool WorkerPool::forget(wwm::WorkerId id) {
  std::erase_if(members_, [id](const PoolMember& member) { return member.id == id; });
  if (presenter_ != id) return false;
  presenter_.reset();
  return true;
}

}  // namespace raytracer::web
