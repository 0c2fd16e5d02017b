// ProgressBar: "[##########..........]  50%  120/240 tiles  3.1 s".
#include "native/progress_bar.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace raytracer {
namespace {
constexpr int kBarWidth = 40;
}

ProgressBar::ProgressBar() : enabled_(isatty(STDERR_FILENO) != 0), start_(std::chrono::steady_clock::now()) {}

void ProgressBar::update(int done, int total) {
  if (!enabled_ || total <= 0) return;
  const int filled = done * kBarWidth / total;
  const std::string bar = std::string(filled, '#') + std::string(kBarWidth - filled, '.');
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r[%s] %3d%%  %d/%d tiles  %.1f s", bar.c_str(), done * 100 / total, done, total, seconds);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (drawn_) std::fprintf(stderr, "\n");
  drawn_ = false;
}

}  // namespace raytracer
