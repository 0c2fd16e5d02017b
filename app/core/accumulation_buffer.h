// AccumulationBuffer: per-pixel sums of every sample rendered so far (progressive
// rendering keeps adding to them; tone mapping divides by the count). Tiles of one image
// touch disjoint pixels, so threads can fill one buffer at the same time without locks.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include <glm/vec4.hpp>

namespace raytracer {

class AccumulationBuffer {
 public:
  AccumulationBuffer() = default;
  AccumulationBuffer(int width, int height) { resize(width, height); }

  // Sets the size and clears every pixel.
  void resize(int width, int height);
  // Forgets every sample (the camera moved, the scene changed).
  void clear();

  int width() const { return width_; }
  int height() const { return height_; }
  // x, y, z: the sums of red, green and blue; w: the number of samples added to this pixel
  // (exact in a float up to 2^24 samples).
  glm::vec4& pixel(int x, int y) { return pixels_[static_cast<std::size_t>(y) * width_ + x]; }
  const glm::vec4& pixel(int x, int y) const { return pixels_[static_cast<std::size_t>(y) * width_ + x]; }
  std::span<const glm::vec4> pixels() const { return pixels_; }

 private:
  int width_ = 0;
  int height_ = 0;
  std::vector<glm::vec4> pixels_;
};

}  // namespace raytracer
