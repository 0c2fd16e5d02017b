// tone_map_tile: black stays black, brighter sums give brighter bytes, highlights saturate
// at 255, alpha is opaque, and only the tile's own pixels are written. Its sRGB encoding
// comes from a table of the curve's steps: the table must give the curve's own bytes.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "hot/tone_map.h"
#include "raytracer.h"

namespace raytracer {
namespace {

TEST(ToneMapTile, MapsAveragesMonotonicallyOntoBytes) {
  AccumulationBuffer accumulation(4, 1);
  accumulation.pixel(0, 0) = {0.0f, 0.0f, 0.0f, 2.0f};
  accumulation.pixel(1, 0) = {0.2f, 0.4f, 0.8f, 2.0f};   // averages 0.1, 0.2, 0.4
  accumulation.pixel(2, 0) = {200.0f, 200.0f, 200.0f, 2.0f};
  std::vector<std::uint8_t> rgba(4 * 4, 7);
  tone_map_tile(accumulation, Tile{0, 0, 3, 1}, 2, rgba);

  EXPECT_EQ(rgba[0], 0);
  EXPECT_EQ(rgba[3], 255);
  EXPECT_GT(rgba[4], 0);
  EXPECT_LT(rgba[4], rgba[5]);
  EXPECT_LT(rgba[5], rgba[6]);
  EXPECT_EQ(rgba[8], 255);
  EXPECT_EQ(rgba[12], 7);  // outside the tile: untouched
}

// Where the table could go wrong is at its steps: every float within 2^16 of each input
// where the direct encoding's byte changes, and every 509th float of [0, 1] besides. (An
// exhaustive sweep of all 1.07e9 floats in [0, 1] also agreed; about 20 s.)
TEST(ToneMapTile, TheSrgbTableGivesTheDirectEncodingsByteForEveryInput) {
  using tone_map_detail::srgb_byte;
  using tone_map_detail::srgb_byte_direct;
  const std::uint32_t one = std::bit_cast<std::uint32_t>(1.0f);
  std::uint32_t checked = 0, steps = 0;
  const auto expect_same = [&](std::uint32_t bits) {
    const float value = std::bit_cast<float>(bits);
    ASSERT_EQ(srgb_byte(value), srgb_byte_direct(value)) << "at " << value << " (bits " << bits << ")";
    ++checked;
  };
  for (std::uint32_t bits = 0; bits <= one; bits += 509) expect_same(bits);
  std::uint8_t previous = srgb_byte_direct(0.0f);
  for (std::uint32_t bits = 0; bits <= one; bits += 1u << 16) {  // find each step's neighbourhood
    const std::uint8_t byte = srgb_byte_direct(std::bit_cast<float>(bits));
    if (byte == previous) continue;
    previous = byte;
    ++steps;
    const std::uint32_t from = bits < (1u << 16) ? 0 : bits - (1u << 16);
    for (std::uint32_t near = from; near <= bits; ++near) expect_same(near);
  }
  EXPECT_GE(steps, 200u) << "the curve should step through most bytes";
  EXPECT_EQ(srgb_byte(-1.0f), srgb_byte_direct(-1.0f));
  EXPECT_EQ(srgb_byte(2.0f), srgb_byte_direct(2.0f));
  EXPECT_EQ(srgb_byte(std::numeric_limits<float>::quiet_NaN()), 0);
  EXPECT_GT(checked, 1000000u);
}

TEST(ToneMapTile, ResolveTileChecksTheImageSize) {
  AccumulationBuffer accumulation(4, 4);
  std::vector<std::uint8_t> too_small(4 * 4 * 4 - 1);
  EXPECT_DEATH(resolve_tile(accumulation, Tile{0, 0, 4, 4}, 1, too_small), "check failed: rgba.size\\(\\)");
}

}  // namespace
}  // namespace raytracer
