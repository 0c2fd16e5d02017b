// The task ledger (see detail/task_ledger.h).
#include "detail/task_ledger.h"

#include <cinttypes>

namespace wwm::detail {

Ticket TaskLedger::record(Task task, std::uint32_t receiver) {
  TaskBox* box = task.release();
  std::lock_guard lock(mutex_);
  std::uint32_t serial = next_serial_++;
  if (next_serial_ == 0) next_serial_ = 1;  // 0 is never a valid serial
  entries_.emplace(serial, Entry{box, receiver});
  return {static_cast<std::uint32_t>(reinterpret_cast<std::uintptr_t>(box)), serial};
}

Task TaskLedger::claim(Ticket ticket, std::uint32_t receiver, std::string& problem) {
  std::lock_guard lock(mutex_);
  auto found = entries_.find(ticket.serial);
  if (found == entries_.end()) {
    problem = "no task with serial " + std::to_string(ticket.serial) + " is in flight (already run, destroyed, or never sent)";
    return {};
  }
  const Entry& entry = found->second;
  if (reinterpret_cast<std::uintptr_t>(entry.box) != ticket.address) {
    problem = "task " + std::to_string(ticket.serial) + " lives at address " +
              std::to_string(reinterpret_cast<std::uintptr_t>(entry.box)) + ", not " + std::to_string(ticket.address);
    return {};
  }
  if (entry.receiver != receiver) {
    auto name = [](std::uint32_t who) { return who == kMainThreadReceiver ? std::string("the main thread") : "worker " + std::to_string(who); };
    problem = "task " + std::to_string(ticket.serial) + " was sent to " + name(entry.receiver) + ", not to " + name(receiver);
    return {};
  }
  Task task = Task::adopt(entry.box);
  entries_.erase(found);
  return task;
}

std::vector<Task> TaskLedger::take_all_for(std::uint32_t receiver) {
  std::vector<Task> tasks;
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->second.receiver == receiver) {
      tasks.push_back(Task::adopt(it->second.box));
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  return tasks;
}

std::size_t TaskLedger::in_flight() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

TaskLedger& task_ledger() {
  static TaskLedger ledger;
  return ledger;
}

}  // namespace wwm::detail
