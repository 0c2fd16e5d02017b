// Tile: a rectangle of pixels, the unit of work a thread (or a web worker) renders at once.
#pragma once

#include <vector>

namespace raytracer {

struct Tile {
  int x0;  // first column
  int y0;  // first row (row 0 is the top of the image)
  int x1;  // one past the last column
  int y1;  // one past the last row
};

// Covers a width x height image with tiles of tile_size x tile_size pixels (smaller at the
// right and bottom edges), row by row from the top left.
std::vector<Tile> make_tiles(int width, int height, int tile_size);

// The same tiles, except that none crosses column `cut_column` (0..width): a tile that would is
// cut in two there, so every tile lies wholly left or wholly right of it.
std::vector<Tile> make_tiles(int width, int height, int tile_size, int cut_column);

}  // namespace raytracer
