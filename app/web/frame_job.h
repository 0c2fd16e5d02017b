// FrameJob: one frame's work, in shared memory, read by every thread that renders tiles.
// The main thread fills it before the frame; during the frame only the atomic tile queue and
// the per-tile bookkeeping change. Buffers are shared_ptrs so that a frame given up after a
// failure can never write into the next frame's buffers: its stragglers keep their own.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <set>
#include <vector>

#include "raytracer.h"

namespace raytracer::web {

// Who claimed a tile: nobody yet, the main thread, or a worker (by its id value).
inline constexpr std::uint32_t kNoOwner = 0;
inline constexpr std::uint32_t kMainThreadOwner = 0xFFFFFFFFu;

// One side of a frame comparing two versions of the code (compare_view.h): the version that
// renders its tiles, the scene that version's code loaded, and the picture its tiles add to
// (the frame's own in the split view; one of two whole pictures in the other views).
struct FrameSide {
  std::uint32_t version = 0;
  std::shared_ptr<const LoadedScene> scene;
  std::shared_ptr<AccumulationBuffer> accumulation;
  std::shared_ptr<std::vector<std::uint8_t>> pixels;
};

struct FrameJob {
  std::shared_ptr<const LoadedScene> scene;  // shared: a frame given up may still be rendering when the scene changes
  Camera camera;
  FrameSettings settings;
  std::shared_ptr<AccumulationBuffer> accumulation;
  std::vector<Tile> tiles;
  // Where this frame's displayable RGBA8 pixels go (kept alive by a present in flight too).
  std::shared_ptr<std::vector<std::uint8_t>> pixels;
  std::uint32_t first_sample = 0;        // samples every pixel had before this frame
  std::uint32_t frame_number = 0;
  std::uint32_t version = 0;             // the patch version all its tiles were rendered with
  bool preview = false;                  // a preview (preview_frame.h): small pixels, its own samples

  std::atomic<std::uint32_t> next_tile{0};   // the shared tile queue
  std::atomic<std::uint32_t> tiles_done{0};
  std::atomic<bool> abandoned{false};        // given up (after a rollback): take no more tiles
  // A patch is being built (FrameLoop::pause_for_build): workers wait between rows until it is
  // released or given up, so the compiler gets the cores and, should the build fail, the
  // frame goes on where it was. A futex word: 1 held, 0 not.
  std::atomic<std::uint32_t> held{0};
  // Per tile: who claimed it, whether it is finished, and the patch version it was rendered
  // with (hotswap::current_version on that thread): a frame must never mix versions.
  std::unique_ptr<std::atomic<std::uint32_t>[]> tile_owners;
  std::unique_ptr<std::atomic<std::uint32_t>[]> tile_done;
  std::unique_ptr<std::atomic<std::uint32_t>[]> tile_versions;
  std::set<std::uint32_t> reassigned;  // main thread only: tiles already given to another thread
  // Comparing two versions: each tile's side (0: version A, 1: version B), and the sides. Empty
  // otherwise: every tile is rendered by the version its thread runs, into the fields above.
  std::vector<std::uint8_t> tile_sides;
  FrameSide sides[2];

  explicit FrameJob(std::size_t tile_count)
      : tile_owners(new std::atomic<std::uint32_t>[tile_count]()),
        tile_done(new std::atomic<std::uint32_t>[tile_count]()),
        tile_versions(new std::atomic<std::uint32_t>[tile_count]()) {}
};

struct TilesRendered {
  std::uint32_t count = 0;
  bool finished_frame = false;  // this thread finished the frame's last tile
};

// Holds the frame's workers between rows (a build is under way), and lets them go on. A
// frame given up is let go too: its workers see it abandoned and stop.
void hold_frame(FrameJob& job);
void release_frame(FrameJob& job);

// Renders tiles from the job's queue on this thread until none is left (or the time budget
// is spent, or the frame is abandoned), claiming each under `owner`. The main thread (zero
// workers) never waits on a held frame: it returns, and the frame loop resumes it.
TilesRendered render_tiles_from_queue(FrameJob& job, std::uint32_t owner, double time_budget_ms = 0);

// Finishes the given tiles (claimed by a thread that failed): each pixel continues from the
// samples it holds, so the frame comes out as if nothing had happened.
TilesRendered finish_tiles(FrameJob& job, const std::vector<std::uint32_t>& tile_indices, std::uint32_t owner);

// Whether every tile was rendered by the version it had to be: its side's when comparing, else
// one version for the whole frame (a frame never mixes versions otherwise).
bool tiles_rendered_by_their_versions(const FrameJob& job);
// The version the frame shows: its tiles' (the newer side's when comparing).
std::uint32_t version_shown(const FrameJob& job);

// Tiles `owner` claimed and did not finish.
std::vector<std::uint32_t> unfinished_tiles_of(const FrameJob& job, std::uint32_t owner);

// Tiles taken from the queue and not finished whose claimant is not in `live` (a worker
// stopped after the fact, or one killed before it recorded its claim).
std::vector<std::uint32_t> orphaned_tiles(const FrameJob& job, const std::vector<std::uint32_t>& live);

}  // namespace raytracer::web
