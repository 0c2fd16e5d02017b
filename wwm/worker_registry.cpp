// The main thread's worker registry (see detail/worker_registry.h).
#include "detail/worker_registry.h"

namespace wwm::detail {

WorkerRecord& WorkerRegistry::add(pthread_t thread) {
  WorkerId id{next_id_++};
  WorkerRecord& record = records_[id];
  record.info.id = id;
  record.thread = thread;
  return record;
}

WorkerRecord* WorkerRegistry::find(WorkerId id) {
  auto found = records_.find(id);
  return found == records_.end() ? nullptr : &found->second;
}

void WorkerRegistry::remove(WorkerId id) { records_.erase(id); }

std::vector<WorkerInfo> WorkerRegistry::list() const {
  std::vector<WorkerInfo> infos;
  for (const auto& [id, record] : records_) infos.push_back(record.info);
  return infos;
}

WorkerRegistry& worker_registry() {
  static WorkerRegistry registry;
  return registry;
}

}  // namespace wwm::detail
