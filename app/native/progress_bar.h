// ProgressBar: a one-line bar on stderr, redrawn in place. Only draws when stderr is a
// terminal, so logs and pipes get no control characters.
#pragma once

#include <chrono>

namespace raytracer {

class ProgressBar {
 public:
  ProgressBar();
  void update(int done, int total);
  // Ends the line (when something was drawn).
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace raytracer
