// PNG files for the native build: writing renders (stb_image_write) and reading them back
// (stb_image) for the golden-image tests.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace raytracer {

struct RgbaImage {
  int width = 0;                     // pixels a row
  int height = 0;                    // rows
  std::vector<std::uint8_t> pixels;  // 4 bytes a pixel (red, green, blue, alpha), rows top to bottom
};

// Returns false when the file cannot be written.
bool write_png(const std::string& path, int width, int height, std::span<const std::uint8_t> rgba);

// Nothing when the file is missing or not a readable image.
std::optional<RgbaImage> read_png(const std::string& path);

}  // namespace raytracer
