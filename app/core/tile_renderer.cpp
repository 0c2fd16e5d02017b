// render_tile and resolve_tile: the per-pixel sample loop around shade_path and
// tone_map_tile.
#include "core/tile_renderer.h"

#include <cmath>

#include "core/camera_view.h"
#include "core/check.h"
#include "core/random.h"
#include "hot/hot_functions.h"

namespace raytracer {
namespace {
void check_tile_inside(const Tile& tile, int width, int height) {
  RT_CHECK(0 <= tile.x0 && tile.x0 < tile.x1 && tile.x1 <= width);
  RT_CHECK(0 <= tile.y0 && tile.y0 < tile.y1 && tile.y1 <= height);
}

// A path that produced NaN or infinity (a patched function's bug, a degenerate hit) would
// poison the pixel for good; it counts as black instead.
glm::vec3 finite_or_black(const glm::vec3& color) {
  if (std::isfinite(color.x) && std::isfinite(color.y) && std::isfinite(color.z)) return color;
  return glm::vec3(0.0f);
}

// Adds samples to every pixel of the tile until each holds end_sample_index; a pixel must
// hold between first_sample_index and end_sample_index already (`resuming`), or exactly
// first_sample_index (not resuming).
void add_samples(const Scene& scene, const Camera& camera, const FrameSettings& settings, const Tile& tile,
                 std::uint32_t first_sample_index, std::uint32_t end_sample_index, bool resuming,
                 AccumulationBuffer& accumulation) {
  RT_CHECK(accumulation.width() == settings.width);
  RT_CHECK(accumulation.height() == settings.height);
  check_tile_inside(tile, settings.width, settings.height);

  const CameraView view(camera, static_cast<float>(settings.width) / static_cast<float>(settings.height));
  const float inverse_width = 1.0f / static_cast<float>(settings.width);
  const float inverse_height = 1.0f / static_cast<float>(settings.height);

  for (int y = tile.y0; y < tile.y1; ++y) {
    for (int x = tile.x0; x < tile.x1; ++x) {
      const auto pixel_index = static_cast<std::uint32_t>(y * settings.width + x);
      glm::vec4& sum = accumulation.pixel(x, y);
      std::uint32_t start = first_sample_index;
      if (resuming) {
        RT_CHECK(sum.w >= static_cast<float>(first_sample_index) && sum.w <= static_cast<float>(end_sample_index));
        start = static_cast<std::uint32_t>(sum.w);
      } else {
        RT_CHECK(sum.w == static_cast<float>(first_sample_index));
      }
      for (std::uint32_t sample = start; sample < end_sample_index; ++sample) {
        Random random = Random::for_sample(settings.seed, pixel_index, sample);
        const float s = (static_cast<float>(x) + random.next_float()) * inverse_width;
        const float t = (static_cast<float>(y) + random.next_float()) * inverse_height;
        const Ray camera_ray = view.ray(s, t, random);
        const glm::vec3 color = settings.light_sampling
                                    ? shade_path(scene, camera_ray, settings.max_depth, random)
                                    : shade_path_material_sampling(scene, camera_ray, settings.max_depth, random);
        sum += glm::vec4(finite_or_black(color), 1.0f);
      }
    }
  }
}
}  // namespace

void render_tile(const Scene& scene, const Camera& camera, const FrameSettings& settings, const Tile& tile,
                 std::uint32_t first_sample_index, std::uint32_t sample_count, AccumulationBuffer& accumulation) {
  add_samples(scene, camera, settings, tile, first_sample_index, first_sample_index + sample_count, false, accumulation);
}

void complete_tile(const Scene& scene, const Camera& camera, const FrameSettings& settings, const Tile& tile,
                   std::uint32_t first_sample_index, std::uint32_t end_sample_index, AccumulationBuffer& accumulation) {
  add_samples(scene, camera, settings, tile, first_sample_index, end_sample_index, true, accumulation);
}

void resolve_tile(const AccumulationBuffer& accumulation, const Tile& tile, std::uint32_t sample_count,
                  std::span<std::uint8_t> rgba) {
  check_tile_inside(tile, accumulation.width(), accumulation.height());
  RT_CHECK(rgba.size() == static_cast<std::size_t>(accumulation.width()) * accumulation.height() * 4);
  RT_CHECK(sample_count > 0);
  tone_map_tile(accumulation, tile, sample_count, rgba);
}

}  // namespace raytracer
