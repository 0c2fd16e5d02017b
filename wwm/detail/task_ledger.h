// The ledger of tasks in flight, kept in shared memory and guarded by a mutex.
// A message's `__wwm_callback` is a ticket [address, serial] into it. The ledger lets a
// receiver check that a ticket names a live task meant for it (a forged, stale or
// duplicated message is rejected, never run), and lets the manager destroy the tasks of
// a worker that is gone, so no task leaks.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "task.h"

namespace wwm::detail {

// Who receives a task: the main thread, or a worker by its id value.
inline constexpr std::uint32_t kMainThreadReceiver = 0;

struct Ticket {
  std::uint32_t address = 0;
  std::uint32_t serial = 0;
};

class TaskLedger {
 public:
  // Takes ownership of the task for the journey; returns the ticket the message carries.
  Ticket record(Task task, std::uint32_t receiver);
  // Hands the task to its receiver. On a bad ticket, `task` stays empty and `problem`
  // says what was wrong.
  Task claim(Ticket ticket, std::uint32_t receiver, std::string& problem);
  // Removes and returns every task still waiting for `receiver` (to destroy them).
  std::vector<Task> take_all_for(std::uint32_t receiver);
  std::size_t in_flight() const;

 private:
  struct Entry {
    TaskBox* box;
    std::uint32_t receiver;
  };
  mutable std::mutex mutex_;
  std::uint32_t next_serial_ = 1;
  std::unordered_map<std::uint32_t, Entry> entries_;
};

TaskLedger& task_ledger();

}  // namespace wwm::detail
