// The per-thread jump table (see detail/jump_table.h) and the non-inline half of
// hotswap::call. Kept out of the header on purpose: a patch that instantiates
// hotswap::call imports `resolve` from the running program instead of reaching into
// the program's thread-local storage itself.
#include "detail/jump_table.h"

#include "hotswap.h"

namespace hotswap::detail {
namespace {
thread_local JumpTable this_thread_table;
thread_local std::uint32_t this_thread_version = 0;
}  // namespace

bool JumpTable::redirect(std::uintptr_t original, std::uintptr_t replacement) noexcept {
  if (original == 0) return false;
  for (std::uint32_t slot = slot_for(original);; slot = (slot + 1) & (kCapacity - 1)) {
    Entry& entry = entries_[slot];
    if (entry.original == original) {
      entry.replacement = replacement;
      return true;
    }
    if (entry.original == 0) {
      if (count_ == kMaximumEntries) return false;
      entry = {original, replacement};
      ++count_;
      return true;
    }
  }
}

std::optional<std::uintptr_t> JumpTable::find(std::uintptr_t original) const noexcept {
  for (std::uint32_t slot = slot_for(original);; slot = (slot + 1) & (kCapacity - 1)) {
    const Entry& entry = entries_[slot];
    if (entry.original == original) return entry.replacement;
    if (entry.original == 0) return std::nullopt;
  }
}

void JumpTable::clear() noexcept {
  for (Entry& entry : entries_) entry = {};
  count_ = 0;
}

JumpTable& this_thread_jump_table() noexcept { return this_thread_table; }
void set_this_thread_version(std::uint32_t version) noexcept { this_thread_version = version; }

std::uintptr_t resolve(std::uintptr_t function) noexcept { return this_thread_table.resolve(function); }

}  // namespace hotswap::detail

namespace hotswap {
std::uint32_t current_version() noexcept { return detail::this_thread_version; }
}  // namespace hotswap
