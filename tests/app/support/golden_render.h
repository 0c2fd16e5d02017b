// The one definition of how a golden image is rendered (size, samples, seed, tiling), shared
// by the native golden test and the WebAssembly check that compares against the same files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raytracer.h"

namespace raytracer::testing {

// The scenes with a golden image in tests/app/golden/<name>.png.
inline const std::vector<std::string> kGoldenScenes = {"cornell_box", "sphere_field", "mesh"};

struct GoldenSettings {
  static constexpr int kWidth = 96;                    // image width in pixels
  static constexpr int kHeight = 54;                   // image height in pixels
  static constexpr std::uint32_t kSamplesPerPixel = 8; // camera samples per pixel
  static constexpr int kMaxDepth = 8;                  // bounces per path
  static constexpr std::uint32_t kSeed = 1;            // image seed
  static constexpr int kTileSize = 16;                 // tile side (any size gives the same image)
};

FrameSettings golden_frame_settings();

// Renders the scene on the calling thread, tile by tile, and returns the RGBA8 image.
std::vector<std::uint8_t> render_golden_image(const LoadedScene& loaded);

// How two RGBA8 images of the same size differ.
struct ImageDifference {
  int differing_pixels;  // pixels whose R, G or B differ
  double psnr_db;        // peak signal-to-noise ratio over R, G, B (infinity when identical)
};
ImageDifference compare_images(const std::vector<std::uint8_t>& expected, const std::vector<std::uint8_t>& actual);

}  // namespace raytracer::testing
