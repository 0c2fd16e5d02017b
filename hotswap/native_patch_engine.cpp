// Native builds load no patches: the frame loop's calls are no-ops. Lets the same program
// code build natively.
#include "hotswap.h"

namespace hotswap {
std::uint32_t current_version() noexcept { return 0; }
std::uint32_t newest_version() noexcept { return 0; }
bool can_run_version(std::uint32_t version) { return version == 0; }
std::vector<std::uint32_t> runnable_versions() { return {0}; }
bool run_this_thread_on(std::uint32_t version) { return version == 0; }
void run_this_thread_on_newest() {}
int commit_ready_patches() { return 0; }
void on_patch_committed(std::function<void(std::uint32_t)>) {}
void on_patch_ready(std::function<void()>) {}
std::optional<std::uint32_t> roll_back_newest_patch(const std::string&, RunningFault) { return std::nullopt; }
namespace detail {
void on_change_reaching(std::uintptr_t, std::function<void()>) {}
}  // namespace detail
}  // namespace hotswap
