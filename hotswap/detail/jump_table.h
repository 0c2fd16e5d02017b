// The per-thread jump table behind hotswap::call: "calls to code address A go to code
// address B", plus the patch version the thread runs. Each thread (each WebAssembly
// instance) owns one; only the patch loader on that thread changes it, between tasks.
// An open-addressing hash table: a patch redirects every function it shares with the
// program (inline helpers included), so lookups must not grow with the entry count.
#pragma once

#include <cstdint>
#include <optional>

namespace hotswap::detail {

class JumpTable {
 public:
  // Most distinct functions that can be redirected (a power of two; kept under 3/4 full).
  static constexpr int kCapacity = 8192;
  static constexpr int kMaximumEntries = kCapacity / 4 * 3;

  // Redirects calls of `original` to `replacement`; false when the table is full.
  bool redirect(std::uintptr_t original, std::uintptr_t replacement) noexcept;
  // Where a call to `original` goes now, or nothing if it is not redirected.
  std::optional<std::uintptr_t> find(std::uintptr_t original) const noexcept;
  std::uintptr_t resolve(std::uintptr_t function) const noexcept {
    if (count_ == 0) return function;  // the common case: nothing patched
    return find(function).value_or(function);
  }
  int size() const noexcept { return count_; }
  void clear() noexcept;

 private:
  struct Entry {
    std::uintptr_t original;  // 0: empty (no function lives at address 0)
    std::uintptr_t replacement;
  };
  static std::uint32_t slot_for(std::uintptr_t original) noexcept {
    return static_cast<std::uint32_t>(original * 2654435761u) & (kCapacity - 1);
  }
  Entry entries_[kCapacity] = {};
  int count_ = 0;
};

// This thread's jump table and patch version.
JumpTable& this_thread_jump_table() noexcept;
void set_this_thread_version(std::uint32_t version) noexcept;

}  // namespace hotswap::detail
