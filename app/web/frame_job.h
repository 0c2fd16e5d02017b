// FrameJob: one frame's work, in shared memory, read by every thread that renders tiles.
// The main thread fills it between frames; during a frame it is only read, except for the
// atomic tile queue and the per-tile version tags the renderers write.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "raytracer.h"

namespace raytracer::web {

struct FrameJob {
  const Scene* scene = nullptr;
  Camera camera;
  FrameSettings settings;
  AccumulationBuffer* accumulation = nullptr;
  std::vector<Tile> tiles;
  // Where this frame's displayable RGBA8 pixels go; shared so that a present still in
  // flight keeps its buffer alive even if the resolution changes meanwhile.
  std::shared_ptr<std::vector<std::uint8_t>> pixels;
  std::uint32_t first_sample = 0;        // samples every pixel had before this frame
  std::uint32_t frame_number = 0;
  std::uint32_t version = 0;             // the patch version all its tiles were rendered with

  std::atomic<std::uint32_t> next_tile{0};   // the shared tile queue
  std::atomic<std::uint32_t> tiles_done{0};
  // The patch version each tile of this frame was rendered with (hotswap::current_version
  // on the thread that rendered it): a frame must never mix versions.
  std::unique_ptr<std::atomic<std::uint32_t>[]> tile_versions;
  std::uint32_t tile_capacity = 0;
};

// Renders tiles from the job's queue on this thread until none is left; returns how many
// this thread rendered, and whether it finished the frame's last tile.
struct TilesRendered {
  std::uint32_t count = 0;
  bool finished_frame = false;
};
TilesRendered render_tiles_from_queue(FrameJob& job, double time_budget_ms = 0);

}  // namespace raytracer::web
