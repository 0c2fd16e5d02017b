// average_radiance and write_pfm (see float_image_file.h).
#include "native/float_image_file.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>

#include "core/check.h"

namespace raytracer {

std::vector<glm::vec3> average_radiance(const AccumulationBuffer& accumulation) {
  std::vector<glm::vec3> average;
  average.reserve(accumulation.pixels().size());
  for (const glm::vec4& sum : accumulation.pixels()) {
    average.push_back(sum.w > 0.0f ? glm::vec3(sum) / sum.w : glm::vec3(0.0f));
  }
  return average;
}

bool write_pfm(const std::string& path, int width, int height, std::span<const glm::vec3> pixels) {
  RT_CHECK(pixels.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  static_assert(std::endian::native == std::endian::little, "the PFM header below says little-endian");
  std::ofstream stream(path, std::ios::binary);
  // A negative scale means little-endian.
  stream << "PF\n" << width << " " << height << "\n-1.0\n";
  for (int row = height - 1; row >= 0; --row) {
    const glm::vec3* first = &pixels[static_cast<std::size_t>(row) * static_cast<std::size_t>(width)];
    for (int x = 0; x < width; ++x) {
      const float rgb[3] = {first[x].x, first[x].y, first[x].z};
      stream.write(reinterpret_cast<const char*>(rgb), sizeof rgb);
    }
  }
  return static_cast<bool>(stream);
}

}  // namespace raytracer
