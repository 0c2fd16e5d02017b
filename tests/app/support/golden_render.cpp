// render_golden_image and compare_images (see golden_render.h).
#include "support/golden_render.h"

#include <cmath>
#include <limits>

namespace raytracer::testing {

FrameSettings golden_frame_settings() {
  FrameSettings settings;
  settings.width = GoldenSettings::kWidth;
  settings.height = GoldenSettings::kHeight;
  settings.samples_per_frame = GoldenSettings::kSamplesPerPixel;
  settings.max_depth = GoldenSettings::kMaxDepth;
  settings.seed = GoldenSettings::kSeed;
  return settings;
}

std::vector<std::uint8_t> render_golden_image(const LoadedScene& loaded) {
  const FrameSettings settings = golden_frame_settings();
  AccumulationBuffer accumulation(settings.width, settings.height);
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(settings.width) * settings.height * 4);
  const std::vector<Tile> tiles = make_tiles(settings.width, settings.height, GoldenSettings::kTileSize);
  for (const Tile& tile : tiles) {
    render_tile(loaded.scene, loaded.camera, settings, tile, 0, settings.samples_per_frame, accumulation);
  }
  for (const Tile& tile : tiles) resolve_tile(accumulation, tile, settings.samples_per_frame, rgba);
  return rgba;
}

ImageDifference compare_images(const std::vector<std::uint8_t>& expected, const std::vector<std::uint8_t>& actual) {
  ImageDifference difference{0, std::numeric_limits<double>::infinity()};
  if (expected.size() != actual.size()) return {-1, 0.0};
  double squared_error = 0.0;
  for (std::size_t pixel = 0; pixel < expected.size(); pixel += 4) {
    bool differs = false;
    for (std::size_t channel = 0; channel < 3; ++channel) {
      const double delta = static_cast<double>(expected[pixel + channel]) - static_cast<double>(actual[pixel + channel]);
      squared_error += delta * delta;
      differs = differs || delta != 0.0;
    }
    difference.differing_pixels += differs ? 1 : 0;
  }
  if (squared_error > 0.0) {
    const double mean_squared_error = squared_error / (static_cast<double>(expected.size()) / 4.0 * 3.0);
    difference.psnr_db = 10.0 * std::log10(255.0 * 255.0 / mean_squared_error);
  }
  return difference;
}

}  // namespace raytracer::testing
