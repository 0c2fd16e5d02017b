// write_png and read_png on top of stb_image_write and stb_image; this file holds the one
// copy of their implementations in the native build.
#include "native/png_file.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_IMPLEMENTATION
#define STBI_ONLY_PNG
#include <stb/stb_image.h>
#include <stb/stb_image_write.h>

#include "core/check.h"

namespace raytracer {

bool write_png(const std::string& path, int width, int height, std::span<const std::uint8_t> rgba) {
  RT_CHECK(rgba.size() == static_cast<std::size_t>(width) * height * 4);
  return stbi_write_png(path.c_str(), width, height, 4, rgba.data(), width * 4) != 0;
}

std::optional<RgbaImage> read_png(const std::string& path) {
  int width = 0;
  int height = 0;
  int channels_in_file = 0;
  std::uint8_t* data = stbi_load(path.c_str(), &width, &height, &channels_in_file, 4);
  if (data == nullptr) return std::nullopt;
  RgbaImage image{width, height, std::vector<std::uint8_t>(data, data + static_cast<std::size_t>(width) * height * 4)};
  stbi_image_free(data);
  return image;
}

}  // namespace raytracer
