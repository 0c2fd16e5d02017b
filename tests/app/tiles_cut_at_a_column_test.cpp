// Tiles cut at a column (the split line of two versions on one picture): they still cover
// the image exactly once, and none crosses the column, wherever it is (edges included).
#include <gtest/gtest.h>

#include <vector>

#include "raytracer.h"

namespace raytracer {
namespace {

TEST(TilesCutAtAColumn, CoverTheImageOnceAndNoneCrossesTheColumn) {
  const int width = 70, height = 38;
  for (const int tile_size : {1, 7, 16, 100}) {
    for (int column = 0; column <= width; ++column) {
      std::vector<int> covered(static_cast<std::size_t>(width) * height, 0);
      for (const Tile& tile : make_tiles(width, height, tile_size, column)) {
        EXPECT_FALSE(tile.x0 < column && column < tile.x1) << "tile " << tile.x0 << ".." << tile.x1 << " crosses column " << column;
        for (int y = tile.y0; y < tile.y1; ++y) {
          for (int x = tile.x0; x < tile.x1; ++x) ++covered[static_cast<std::size_t>(y) * width + x];
        }
      }
      for (const int count : covered) ASSERT_EQ(count, 1) << "tile size " << tile_size << ", column " << column;
    }
  }
}

TEST(TilesCutAtAColumn, OnlyTilesTheColumnCrossesAreCut) {
  EXPECT_EQ(make_tiles(64, 32, 32, 40).size(), make_tiles(64, 32, 32).size() + 1);
  EXPECT_EQ(make_tiles(64, 32, 32, 32).size(), make_tiles(64, 32, 32).size());  // on a tile edge
  EXPECT_EQ(make_tiles(64, 32, 32, 0).size(), make_tiles(64, 32, 32).size());
}

}  // namespace
}  // namespace raytracer
