// Native builds load no patches: the frame loop's calls are no-ops, hot calls go straight
// through the (empty) jump table. Lets the same program code build natively.
#include "hotswap.h"

namespace hotswap {
int commit_ready_patches() { return 0; }
void on_patch_committed(std::function<void(std::uint32_t)>) {}
void on_patch_ready(std::function<void()>) {}
std::optional<std::uint32_t> roll_back_newest_patch(const std::string&) { return std::nullopt; }
}  // namespace hotswap
