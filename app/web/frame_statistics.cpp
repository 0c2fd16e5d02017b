// Frame statistics (see frame_statistics.h).
#include "frame_statistics.h"

namespace raytracer::web {

void FrameStatistics::frame_finished(double now_ms, double samples, std::uint32_t version, bool mixed_versions) {
  last_frame_ms_ = now_ms - frame_started_ms_;
  recent_.push_back({now_ms, last_frame_ms_, samples});
  while (recent_.size() > 1 && now_ms - recent_.front().at_ms > 1000.0) recent_.pop_front();
  ++frames_;
  if (mixed_versions) ++mixed_version_frames_;
  last_frame_version_ = version;
}

double FrameStatistics::samples_per_second() const {
  double samples = 0, milliseconds = 0;
  for (const Finished& frame : recent_) {
    samples += frame.samples;
    milliseconds += frame.duration_ms;
  }
  return milliseconds > 0 ? samples / (milliseconds / 1000.0) : 0.0;
}

}  // namespace raytracer::web
