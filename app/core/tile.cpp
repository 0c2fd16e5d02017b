// make_tiles: cutting an image into tiles (and at a column: two versions side by side).
#include "core/tile.h"

#include <algorithm>

#include "core/check.h"

namespace raytracer {

std::vector<Tile> make_tiles(int width, int height, int tile_size) {
  RT_CHECK(width > 0 && height > 0);
  RT_CHECK(tile_size > 0);
  std::vector<Tile> tiles;
  for (int y = 0; y < height; y += tile_size) {
    for (int x = 0; x < width; x += tile_size) {
      tiles.push_back({x, y, std::min(x + tile_size, width), std::min(y + tile_size, height)});
    }
  }
  return tiles;
}

std::vector<Tile> make_tiles(int width, int height, int tile_size, int cut_column) {
  RT_CHECK(0 <= cut_column && cut_column <= width);
  std::vector<Tile> tiles;
  for (const Tile& tile : make_tiles(width, height, tile_size)) {
    if (tile.x0 < cut_column && cut_column < tile.x1) {
      tiles.push_back({tile.x0, tile.y0, cut_column, tile.y1});
      tiles.push_back({cut_column, tile.y0, tile.x1, tile.y1});
    } else {
      tiles.push_back(tile);
    }
  }
  return tiles;
}

}  // namespace raytracer
