// Hot function tone_map_tile: from accumulated radiance to screen pixels. Average the
// samples, compress highlights with the ACES filmic curve (Narkowicz's fit), encode with
// the sRGB transfer curve, round to 8 bits.
#include <algorithm>

#include "core/byte_steps.h"
#include "core/portable_math.h"
#include "hot/hot_functions.h"
#include "hot/tone_map.h"

namespace raytracer {
namespace {
// Narkowicz 2015, "ACES Filmic Tone Mapping Curve": maps [0, infinity) onto [0, 1).
float aces_filmic(float x) {
  const float mapped = (x * (2.51f * x + 0.03f)) / (x * (2.43f * x + 0.59f) + 0.14f);
  return std::clamp(mapped, 0.0f, 1.0f);
}

float srgb_encode(float linear) {
  if (linear <= 0.0031308f) return 12.92f * linear;
  return 1.055f * portable_math::pow(linear, 1.0f / 2.4f) - 0.055f;
}

std::uint8_t to_byte(float value) {
  return static_cast<std::uint8_t>(std::clamp(value, 0.0f, 1.0f) * 255.0f + 0.5f);
}
}  // namespace

namespace tone_map_detail {
std::uint8_t srgb_byte_direct(float linear) { return to_byte(srgb_encode(linear)); }

// Three pows per pixel every frame took about a third of the page's time at one sample a
// frame (scripts/bench.sh's throughput); a table of the curve's steps gives the same bytes.
// Built once, on first use, from the functions above: a patch of this file starts with
// fresh statics, so an edited curve gets its own table.
const ByteSteps& srgb_steps() {
  static const ByteSteps steps(srgb_byte_direct);
  return steps;
}

std::uint8_t srgb_byte(float linear) { return srgb_steps()(linear); }
}  // namespace tone_map_detail

void tone_map_tile(const AccumulationBuffer& accumulation, const Tile& tile, std::uint32_t sample_count,
                   std::span<std::uint8_t> rgba) {
  const float inverse_count = 1.0f / static_cast<float>(sample_count);
  const ByteSteps& srgb = tone_map_detail::srgb_steps();  // once a tile: not a static's guard per channel
  for (int y = tile.y0; y < tile.y1; ++y) {
    for (int x = tile.x0; x < tile.x1; ++x) {
      const glm::vec4& sum = accumulation.pixel(x, y);
      std::uint8_t* pixel = &rgba[(static_cast<std::size_t>(y) * accumulation.width() + x) * 4];
      pixel[0] = srgb(aces_filmic(sum.x * inverse_count));
      pixel[1] = srgb(aces_filmic(sum.y * inverse_count));
      pixel[2] = srgb(aces_filmic(sum.z * inverse_count));
      pixel[3] = 255;
    }
  }
}

}  // namespace raytracer
