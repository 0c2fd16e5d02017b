// Rendering a frame's tiles from its shared queue (any thread: workers or, in zero-worker
// mode, the main thread in time slices).
#include "frame_job.h"

#include <emscripten/emscripten.h>

#include "hotswap.h"

namespace raytracer::web {

TilesRendered render_tiles_from_queue(FrameJob& job, double time_budget_ms) {
  TilesRendered rendered;
  const std::uint32_t tile_count = static_cast<std::uint32_t>(job.tiles.size());
  const double started = emscripten_get_now();
  const std::span<std::uint8_t> rgba(*job.pixels);
  while (true) {
    if (time_budget_ms > 0 && rendered.count > 0 && emscripten_get_now() - started > time_budget_ms) break;
    const std::uint32_t index = job.next_tile.fetch_add(1);
    if (index >= tile_count) break;
    const Tile& tile = job.tiles[index];
    render_tile(*job.scene, job.camera, job.settings, tile, job.first_sample, job.settings.samples_per_frame, *job.accumulation);
    resolve_tile(*job.accumulation, tile, job.first_sample + job.settings.samples_per_frame, rgba);
    job.tile_versions[index].store(hotswap::current_version());
    ++rendered.count;
    if (job.tiles_done.fetch_add(1) + 1 == tile_count) rendered.finished_frame = true;
  }
  return rendered;
}

}  // namespace raytracer::web
