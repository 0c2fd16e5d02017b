// The main thread's record of every worker it spawned: status, pthread, counters.
// Only the main thread touches it, so it needs no lock.
#pragma once

#include <pthread.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "detail/worker_control.h"
#include "wwm.h"

namespace wwm::detail {

struct WorkerRecord {
  WorkerInfo info;
  pthread_t thread{};
  WorkerControl* control = nullptr;  // shared with the worker; freed once it has surely stopped
  // The main thread's last look at the worker's progress: the count, and since when it has not moved.
  std::uint32_t seen_progress = 0;
  double seen_since_ms = 0;
  bool killed = false;  // stopped from outside (kill): the reaper, not termination, frees its thread
};

class WorkerRegistry {
 public:
  WorkerRecord& add(pthread_t thread);  // assigns the next id
  WorkerRecord* find(WorkerId id);
  void remove(WorkerId id);
  std::vector<WorkerInfo> list() const;
  std::map<WorkerId, WorkerRecord>& records() { return records_; }

  std::vector<std::function<void(WorkerId, const std::string&)>> failure_listeners;
  std::vector<std::function<void(WorkerId)>> spawn_listeners;

 private:
  std::uint32_t next_id_ = 1;
  std::map<WorkerId, WorkerRecord> records_;
};

WorkerRegistry& worker_registry();

}  // namespace wwm::detail
