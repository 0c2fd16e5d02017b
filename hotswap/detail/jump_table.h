// The per-thread jump table behind hotswap::call: a short list of redirects
// "calls to code address A go to code address B", plus the patch version of the thread.
// Each thread (each WebAssembly instance) owns one; only the patch loader on that
// thread changes it, between tasks.
#pragma once

#include <cstdint>
#include <optional>

namespace hotswap::detail {

class JumpTable {
 public:
  // Largest number of distinct redirected functions (the raytracer has a handful).
  static constexpr int kCapacity = 256;

  // Redirects calls of `original` to `replacement`; returns false when the table is full.
  bool redirect(std::uintptr_t original, std::uintptr_t replacement) noexcept;
  // Where a call to `original` goes now, or nothing if it is not redirected.
  std::optional<std::uintptr_t> find(std::uintptr_t original) const noexcept;
  std::uintptr_t resolve(std::uintptr_t function) const noexcept {
    if (count_ == 0) return function;  // the common case: nothing patched
    return find(function).value_or(function);
  }
  int size() const noexcept { return count_; }
  void clear() noexcept { count_ = 0; }

 private:
  struct Entry {
    std::uintptr_t original;
    std::uintptr_t replacement;
  };
  Entry entries_[kCapacity] = {};
  int count_ = 0;
};

// This thread's jump table and patch version.
JumpTable& this_thread_jump_table() noexcept;
void set_this_thread_version(std::uint32_t version) noexcept;

}  // namespace hotswap::detail
