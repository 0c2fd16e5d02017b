// The main thread's record of every worker it spawned: status, pthread, counters.
// Only the main thread touches it, so it needs no lock.
#pragma once

#include <pthread.h>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "wwm.h"

namespace wwm::detail {

struct WorkerRecord {
  WorkerInfo info;
  pthread_t thread{};
};

class WorkerRegistry {
 public:
  WorkerRecord& add(pthread_t thread);  // assigns the next id
  WorkerRecord* find(WorkerId id);
  void remove(WorkerId id);
  std::vector<WorkerInfo> list() const;

  std::vector<std::function<void(WorkerId, const std::string&)>> failure_listeners;
  std::vector<std::function<void(WorkerId)>> spawn_listeners;

 private:
  std::uint32_t next_id_ = 1;
  std::map<WorkerId, WorkerRecord> records_;
};

WorkerRegistry& worker_registry();

}  // namespace wwm::detail
