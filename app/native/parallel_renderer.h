// The native counterpart of the browser's worker pool: renders an image with std::threads
// that pull tiles from a shared atomic counter. Used by the `render` tool and by the tests
// that check the thread count does not change the picture.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "raytracer.h"

namespace raytracer {

// Called on the calling thread about ten times a second while rendering, and once at the end.
using ProgressCallback = std::function<void(int tiles_done, int tile_count)>;

struct ParallelRenderSettings {
  int thread_count = 1;  // worker threads (the calling thread only waits)
  int tile_size = 32;    // tile side in pixels
};

// Adds samples first_sample_index .. first_sample_index + sample_count - 1 to every pixel.
void render_parallel(const Scene& scene, const Camera& camera, const FrameSettings& settings,
                     const ParallelRenderSettings& parallel, std::uint32_t first_sample_index,
                     std::uint32_t sample_count, AccumulationBuffer& accumulation,
                     const ProgressCallback& on_progress = {});

// The whole image as RGBA8 (resolve_tile over every tile).
std::vector<std::uint8_t> resolve_image(const AccumulationBuffer& accumulation, std::uint32_t sample_count);

}  // namespace raytracer
