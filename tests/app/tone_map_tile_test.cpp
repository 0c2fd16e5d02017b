// tone_map_tile: black stays black, brighter sums give brighter bytes, highlights saturate
// at 255, alpha is opaque, and only the tile's own pixels are written.
#include <gtest/gtest.h>

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

TEST(ToneMapTile, ResolveTileChecksTheImageSize) {
  AccumulationBuffer accumulation(4, 4);
  std::vector<std::uint8_t> too_small(4 * 4 * 4 - 1);
  EXPECT_DEATH(resolve_tile(accumulation, Tile{0, 0, 4, 4}, 1, too_small), "check failed: rgba.size\\(\\)");
}

}  // namespace
}  // namespace raytracer
