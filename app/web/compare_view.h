// Two versions of the code on one picture: what a comparison is, which tiles each version
// renders, and what the page shows of the two pictures. Plain raytracer logic: the frame
// loop (comparison.cpp) builds frames from it, and each thread runs a tile's version while it
// renders that tile (frame_job.cpp, through hotswap::run_this_thread_on).
//
// Each version renders its pixels with the same samples (seed, pixel, sample index) it would
// alone, into pixels only it renders, so each version's pixels are bit-identical to that
// version's picture alone.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/tile.h"

namespace raytracer::web {

enum class CompareView {
  Split,       // version A left of the split line, version B right of it, on one picture
  Difference,  // |A - B| per pixel as a heat map (both pictures rendered whole)
  Left,        // version A's whole picture (the flip side of Right: switching renders nothing again)
  Right,       // version B's whole picture
};

const char* to_string(CompareView view);  // "split", "difference", "left", "right"
std::optional<CompareView> compare_view_named(const std::string& name);

struct Comparison {
  std::uint32_t left = 0;   // version A: left of the line
  std::uint32_t right = 0;  // version B: right of it
  double split = 0.5;       // where the line is, a fraction of the width, 0..1
  CompareView view = CompareView::Split;
};

// Difference, Left and Right render both pictures whole; Split renders one.
bool renders_both_pictures(CompareView view);
// Whether `a` and `b` render the same pixels (they may differ in which of them they show).
bool renders_the_same(const Comparison& a, const Comparison& b);
// The first column right of the line: version B renders columns split_column.. of a split view.
int split_column(const Comparison& comparison, int width);

// A comparison frame's tiles, each with its side (0: version A, 1: version B). A's come
// first, so a thread switches versions about once a frame rather than once a tile.
struct ComparisonTiles {
  std::vector<Tile> tiles;
  std::vector<std::uint8_t> sides;
};
ComparisonTiles comparison_tiles(const Comparison& comparison, int width, int height, int tile_size);

// How far apart the two pictures are, in 8-bit steps of the tone-mapped values.
struct PictureDifference {
  std::uint32_t largest = 0;           // the largest |A - B| of any channel of any pixel
  std::uint64_t differing_pixels = 0;  // pixels where A and B differ at all
};

// Measures A against B (RGBA8, same size) and writes into `shown` what `view` shows of them:
// for Difference, a heat map of each pixel's largest channel difference, scaled so the largest
// is the brightest (black exactly where A and B agree); for Left or Right, A or B.
PictureDifference show_comparison(CompareView view, std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                                  std::span<std::uint8_t> shown);

// The heat map's colour for a difference of `difference` steps out of `largest` (0: black).
void heat_colour(std::uint32_t difference, std::uint32_t largest, std::uint8_t rgb[3]);

}  // namespace raytracer::web
