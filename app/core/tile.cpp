// make_tiles: cutting an image into tiles.
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

}  // namespace raytracer
