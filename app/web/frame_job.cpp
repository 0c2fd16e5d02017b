// Rendering a frame's tiles (any thread: workers or, in zero-worker mode, the main thread
// in time slices), and finishing the tiles of a thread that failed. When the frame compares
// two versions, the thread runs each tile's version for that tile (hotswap::run_this_thread_on)
// and the newest again once it has no more tiles.
#include "frame_job.h"

#include <emscripten/emscripten.h>
#include <emscripten/threading.h>

#include <algorithm>
#include <cstdint>

#include "core/check.h"
#include "hotswap.h"
#include "wwm.h"

namespace raytracer::web {
namespace {

// What a tile is rendered from and into, on the version it must be rendered with.
struct TileTarget {
  const Scene& scene;
  AccumulationBuffer& accumulation;
  std::span<std::uint8_t> pixels;
};

TileTarget target_of(FrameJob& job, std::uint32_t index) {
  if (job.tile_sides.empty()) return {job.scene->scene, *job.accumulation, std::span<std::uint8_t>(*job.pixels)};
  FrameSide& side = job.sides[job.tile_sides[index]];
  RT_CHECK(hotswap::run_this_thread_on(side.version));
  return {side.scene->scene, *side.accumulation, std::span<std::uint8_t>(*side.pixels)};
}

// Between tasks a thread runs the newest version (a patch is applied on top of it).
void back_to_newest(const FrameJob& job) {
  if (!job.tile_sides.empty()) hotswap::run_this_thread_on_newest();
}

// How long a held worker sleeps before it looks again and tells the watchdog it is waiting,
// not stuck (a stuck worker is one without progress for seconds: frame_loop.h).
constexpr double kHeldWaitSliceMs = 100.0;

bool on_main_thread() { return emscripten_is_main_browser_thread(); }

// A held frame's worker sleeps here, off the cores, until the frame is released or given up.
// The main thread never blocks: its slices stop instead (render_tiles_from_queue).
void wait_while_held(FrameJob& job) {
  if (on_main_thread()) return;
  while (job.held.load() != 0 && !job.abandoned.load()) {
    emscripten_futex_wait(&job.held, 1, kHeldWaitSliceMs);
    wwm::note_progress();
  }
}

// A tile is rendered a row of pixels at a time, and each row tells wwm this worker is making
// progress: the frame loop's watchdog tells a slow tile (a patch that makes every sample
// expensive) from a stuck one (an endless loop) by it. Samples depend on (pixel, sample
// index) only, so rows give the same bits as the whole tile at once.
template <class RenderRow>
void by_rows(FrameJob& job, const Tile& tile, RenderRow render_row) {
  for (int y = tile.y0; y < tile.y1; ++y) {
    render_row(Tile{tile.x0, y, tile.x1, y + 1});
    wwm::note_progress();
    wait_while_held(job);
  }
}

// Marks a tile finished; true when it was the frame's last.
bool tile_finished(FrameJob& job, std::uint32_t index) {
  job.tile_versions[index].store(hotswap::current_version());
  job.tile_done[index].store(1);
  return job.tiles_done.fetch_add(1) + 1 == job.tiles.size();
}

}  // namespace

void hold_frame(FrameJob& job) { job.held.store(1); }

void release_frame(FrameJob& job) {
  job.held.store(0);
  emscripten_futex_wake(&job.held, INT32_MAX);
}

TilesRendered render_tiles_from_queue(FrameJob& job, std::uint32_t owner, double time_budget_ms) {
  TilesRendered rendered;
  const std::uint32_t tile_count = static_cast<std::uint32_t>(job.tiles.size());
  const std::uint32_t end_sample = job.first_sample + job.settings.samples_per_frame;
  const double started = emscripten_get_now();
  while (!job.abandoned.load()) {
    if (time_budget_ms > 0 && rendered.count > 0 && emscripten_get_now() - started > time_budget_ms) break;
    if (on_main_thread() && job.held.load() != 0) break;
    wait_while_held(job);
    const std::uint32_t index = job.next_tile.fetch_add(1);
    if (index >= tile_count) break;
    job.tile_owners[index].store(owner);
    const Tile& tile = job.tiles[index];
    const TileTarget target = target_of(job, index);
    by_rows(job, tile, [&](const Tile& row) {
      render_tile(target.scene, job.camera, job.settings, row, job.first_sample, job.settings.samples_per_frame, target.accumulation);
    });
    resolve_tile(target.accumulation, tile, end_sample, target.pixels);
    ++rendered.count;
    if (tile_finished(job, index)) rendered.finished_frame = true;
  }
  back_to_newest(job);
  return rendered;
}

TilesRendered finish_tiles(FrameJob& job, const std::vector<std::uint32_t>& tile_indices, std::uint32_t owner) {
  TilesRendered rendered;
  const std::uint32_t end_sample = job.first_sample + job.settings.samples_per_frame;
  for (std::uint32_t index : tile_indices) {
    if (job.abandoned.load() || job.tile_done[index].load()) continue;
    job.tile_owners[index].store(owner);
    const Tile& tile = job.tiles[index];
    const TileTarget target = target_of(job, index);
    by_rows(job, tile, [&](const Tile& row) {
      complete_tile(target.scene, job.camera, job.settings, row, job.first_sample, end_sample, target.accumulation);
    });
    resolve_tile(target.accumulation, tile, end_sample, target.pixels);
    ++rendered.count;
    if (tile_finished(job, index)) rendered.finished_frame = true;
  }
  back_to_newest(job);
  return rendered;
}

bool tiles_rendered_by_their_versions(const FrameJob& job) {
  for (std::uint32_t index = 0; index < job.tiles.size(); ++index) {
    const std::uint32_t wanted = job.tile_sides.empty() ? job.tile_versions[0].load() : job.sides[job.tile_sides[index]].version;
    if (job.tile_versions[index].load() != wanted) return false;
  }
  return true;
}

std::uint32_t version_shown(const FrameJob& job) {
  if (job.tile_sides.empty()) return job.tile_versions[0].load();
  return std::max(job.sides[0].version, job.sides[1].version);
}

std::vector<std::uint32_t> unfinished_tiles_of(const FrameJob& job, std::uint32_t owner) {
  std::vector<std::uint32_t> unfinished;
  for (std::uint32_t index = 0; index < job.tiles.size(); ++index) {
    if (job.tile_owners[index].load() == owner && !job.tile_done[index].load()) unfinished.push_back(index);
  }
  return unfinished;
}

std::vector<std::uint32_t> orphaned_tiles(const FrameJob& job, const std::vector<std::uint32_t>& live) {
  std::vector<std::uint32_t> orphaned;
  const std::uint32_t taken = std::min<std::uint32_t>(job.next_tile.load(), static_cast<std::uint32_t>(job.tiles.size()));
  for (std::uint32_t index = 0; index < taken; ++index) {
    if (job.tile_done[index].load()) continue;
    const std::uint32_t owner = job.tile_owners[index].load();
    if (std::find(live.begin(), live.end(), owner) == live.end()) orphaned.push_back(index);
  }
  return orphaned;
}

}  // namespace raytracer::web
