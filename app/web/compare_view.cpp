// Two versions on one picture: tiles per side, and the difference view (see compare_view.h).
#include "compare_view.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>

#include "core/check.h"

namespace raytracer::web {
namespace {

struct NamedView {
  const char* name;
  CompareView view;
};
constexpr std::array<NamedView, 4> kViewNames = {{
    {"split", CompareView::Split}, {"difference", CompareView::Difference}, {"left", CompareView::Left}, {"right", CompareView::Right}}};

// The heat map's colours from the smallest difference to the largest (a dark violet through
// red and orange to pale yellow): any difference at all is visibly not black.
constexpr std::array<std::array<float, 3>, 4> kHeatStops = {{{64, 16, 112}, {190, 40, 90}, {250, 140, 30}, {255, 250, 190}}};

}  // namespace

const char* to_string(CompareView view) {
  for (const NamedView& named : kViewNames) {
    if (named.view == view) return named.name;
  }
  return "split";
}

std::optional<CompareView> compare_view_named(const std::string& name) {
  for (const NamedView& named : kViewNames) {
    if (name == named.name) return named.view;
  }
  return std::nullopt;
}

bool renders_both_pictures(CompareView view) { return view != CompareView::Split; }

bool renders_the_same(const Comparison& a, const Comparison& b) {
  if (a.left != b.left || a.right != b.right || renders_both_pictures(a.view) != renders_both_pictures(b.view)) return false;
  return renders_both_pictures(a.view) || a.split == b.split;
}

int split_column(const Comparison& comparison, int width) {
  const double split = std::clamp(comparison.split, 0.0, 1.0);
  return std::clamp(static_cast<int>(std::lround(split * width)), 0, width);
}

ComparisonTiles comparison_tiles(const Comparison& comparison, int width, int height, int tile_size) {
  ComparisonTiles result;
  if (renders_both_pictures(comparison.view)) {
    // Every pixel twice: A's picture, then B's.
    const std::vector<Tile> tiles = make_tiles(width, height, tile_size);
    for (std::uint8_t side = 0; side < 2; ++side) {
      result.tiles.insert(result.tiles.end(), tiles.begin(), tiles.end());
      result.sides.insert(result.sides.end(), tiles.size(), side);
    }
    return result;
  }
  const int column = split_column(comparison, width);
  std::vector<Tile> tiles = make_tiles(width, height, tile_size, column);
  // Left of the line first (stable: each side keeps the usual order).
  std::stable_partition(tiles.begin(), tiles.end(), [column](const Tile& tile) { return tile.x1 <= column; });
  for (const Tile& tile : tiles) result.sides.push_back(tile.x1 <= column ? 0 : 1);
  result.tiles = std::move(tiles);
  return result;
}

void heat_colour(std::uint32_t difference, std::uint32_t largest, std::uint8_t rgb[3]) {
  if (difference == 0 || largest == 0) {
    rgb[0] = rgb[1] = rgb[2] = 0;
    return;
  }
  // 1 step maps to the first stop, `largest` to the last.
  const float t = largest == 1 ? 1.0f : static_cast<float>(difference - 1) / static_cast<float>(largest - 1);
  const float position = std::clamp(t, 0.0f, 1.0f) * static_cast<float>(kHeatStops.size() - 1);
  const std::size_t below = std::min(static_cast<std::size_t>(position), kHeatStops.size() - 2);
  const float blend = position - static_cast<float>(below);
  for (int channel = 0; channel < 3; ++channel) {
    const float value = kHeatStops[below][channel] + blend * (kHeatStops[below + 1][channel] - kHeatStops[below][channel]);
    rgb[channel] = static_cast<std::uint8_t>(std::lround(value));
  }
}

PictureDifference show_comparison(CompareView view, std::span<const std::uint8_t> a, std::span<const std::uint8_t> b,
                                  std::span<std::uint8_t> shown) {
  RT_CHECK(a.size() == b.size());
  RT_CHECK(a.size() == shown.size());
  RT_CHECK(a.size() % 4 == 0);
  RT_CHECK(renders_both_pictures(view));
  PictureDifference difference;
  const std::size_t pixel_count = a.size() / 4;
  // Largest channel difference per pixel, kept in `shown`'s alpha bytes until it is scaled.
  for (std::size_t pixel = 0; pixel < pixel_count; ++pixel) {
    const std::uint8_t* pa = a.data() + pixel * 4;
    const std::uint8_t* pb = b.data() + pixel * 4;
    std::uint32_t largest = 0;
    for (int channel = 0; channel < 3; ++channel) {
      largest = std::max<std::uint32_t>(largest, static_cast<std::uint32_t>(std::abs(int{pa[channel]} - int{pb[channel]})));
    }
    difference.largest = std::max(difference.largest, largest);
    if (largest > 0) ++difference.differing_pixels;
    if (view == CompareView::Difference) shown[pixel * 4 + 3] = static_cast<std::uint8_t>(largest);
  }
  if (view == CompareView::Left) {
    std::memcpy(shown.data(), a.data(), a.size());
  } else if (view == CompareView::Right) {
    std::memcpy(shown.data(), b.data(), b.size());
  } else {
    for (std::size_t pixel = 0; pixel < pixel_count; ++pixel) {
      std::uint8_t* out = shown.data() + pixel * 4;
      heat_colour(out[3], difference.largest, out);
      out[3] = 255;
    }
  }
  return difference;
}

}  // namespace raytracer::web
