// WorkerPool: the page's render workers. Spawns and stops workers to match the count the
// user wants (changed without a reload), keeps each one's tile count and patch version
// for the worker table, and knows which one presents frames.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "wwm.h"

namespace raytracer::web {

// What a worker's tasks update, read by the main thread for the worker table.
struct WorkerCounters {
  std::atomic<std::uint64_t> tiles{0};     // tiles rendered since the worker started
  std::atomic<std::uint32_t> version{0};   // patch version its render tasks run (set as each one starts)
};

struct PoolMember {
  wwm::WorkerId id;
  std::shared_ptr<WorkerCounters> counters;
};

class WorkerPool {
 public:
  // Starts or stops workers until `count` remain. One worker presents frames (the oldest;
  // if it goes, the next one spawned gets a fresh canvas); when the pool empties, the main
  // thread takes a canvas of its own.
  // Returns the workers it spawned.
  std::vector<PoolMember> resize(int count, int canvas_width, int canvas_height);
  const std::vector<PoolMember>& members() const { return members_; }
  const PoolMember* find(wwm::WorkerId id) const;
  std::optional<wwm::WorkerId> presenter() const { return presenter_; }
  bool empty() const { return members_.empty(); }
  // Forgets a worker wwm reported as failed (it no longer takes tasks); true if it was the
  // presenter.
  bool forget(wwm::WorkerId id);

 private:
  void spawn(bool presenter, int canvas_width, int canvas_height);
  std::vector<PoolMember> members_;
  std::optional<wwm::WorkerId> presenter_;
  bool main_thread_presents_ = false;
};

}  // namespace raytracer::web
