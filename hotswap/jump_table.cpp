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
  for (int i = 0; i < count_; ++i) {
    if (entries_[i].original == original) {
      entries_[i].replacement = replacement;
      return true;
    }
  }
  if (count_ == kCapacity) return false;
  entries_[count_++] = {original, replacement};
  return true;
}

std::optional<std::uintptr_t> JumpTable::find(std::uintptr_t original) const noexcept {
  for (int i = 0; i < count_; ++i) {
    if (entries_[i].original == original) return entries_[i].replacement;
  }
  return std::nullopt;
}

JumpTable& this_thread_jump_table() noexcept { return this_thread_table; }
void set_this_thread_version(std::uint32_t version) noexcept { this_thread_version = version; }

std::uintptr_t resolve(std::uintptr_t function) noexcept { return this_thread_table.resolve(function); }

}  // namespace hotswap::detail

namespace hotswap {
std::uint32_t current_version() noexcept { return detail::this_thread_version; }
}  // namespace hotswap
