// render_parallel: a fixed set of std::threads, each taking the next tile index from an
// atomic counter until none are left. Every tile writes its own pixels, so no locks and no
// shared floating-point sums are needed.
#include "native/parallel_renderer.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/check.h"

namespace raytracer {

void render_parallel(const Scene& scene, const Camera& camera, const FrameSettings& settings,
                     const ParallelRenderSettings& parallel, std::uint32_t first_sample_index,
                     std::uint32_t sample_count, AccumulationBuffer& accumulation,
                     const ProgressCallback& on_progress) {
  RT_CHECK(parallel.thread_count > 0);
  const std::vector<Tile> tiles = make_tiles(settings.width, settings.height, parallel.tile_size);
  const int tile_count = static_cast<int>(tiles.size());
  std::atomic<int> next_tile{0};
  std::atomic<int> tiles_done{0};
  std::mutex finished_mutex;
  std::condition_variable finished;  // signalled when the last tile is done

  const auto work = [&] {
    for (int index = next_tile.fetch_add(1); index < tile_count; index = next_tile.fetch_add(1)) {
      render_tile(scene, camera, settings, tiles[index], first_sample_index, sample_count, accumulation);
      if (tiles_done.fetch_add(1) + 1 == tile_count) {
        const std::lock_guard<std::mutex> lock(finished_mutex);
        finished.notify_all();
      }
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(parallel.thread_count);
  for (int i = 0; i < parallel.thread_count; ++i) threads.emplace_back(work);

  if (on_progress) {
    std::unique_lock<std::mutex> lock(finished_mutex);
    while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return tiles_done.load() == tile_count; })) {
      on_progress(tiles_done.load(), tile_count);
    }
    on_progress(tile_count, tile_count);
  }
  for (std::thread& thread : threads) thread.join();
}

std::vector<std::uint8_t> resolve_image(const AccumulationBuffer& accumulation, std::uint32_t sample_count) {
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(accumulation.width()) * accumulation.height() * 4);
  for (const Tile& tile : make_tiles(accumulation.width(), accumulation.height(), 64)) {
    resolve_tile(accumulation, tile, sample_count, rgba);
  }
  return rgba;
}

}  // namespace raytracer
