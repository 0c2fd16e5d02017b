// FrameStatistics: what the page's stats panel shows, measured by the frame loop: frame
// time, samples per second, how many frames mixed patch versions (must stay 0).
#pragma once

#include <cstdint>
#include <deque>

namespace raytracer::web {

class FrameStatistics {
 public:
  void frame_started(double now_ms) { frame_started_ms_ = now_ms; }
  // `samples` = pixels x samples per pixel the frame added.
  void frame_finished(double now_ms, double samples, std::uint32_t version, bool mixed_versions);

  double last_frame_ms() const { return last_frame_ms_; }
  double samples_per_second() const;        // over the last second of frames
  std::uint64_t frames() const { return frames_; }
  std::uint64_t mixed_version_frames() const { return mixed_version_frames_; }
  std::uint32_t last_frame_version() const { return last_frame_version_; }

 private:
  struct Finished {
    double at_ms;
    double duration_ms;
    double samples;
  };
  double frame_started_ms_ = 0;
  double last_frame_ms_ = 0;
  std::deque<Finished> recent_;
  std::uint64_t frames_ = 0;
  std::uint64_t mixed_version_frames_ = 0;
  std::uint32_t last_frame_version_ = 0;
};

}  // namespace raytracer::web
