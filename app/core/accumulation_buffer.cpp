// AccumulationBuffer: sizing and clearing.
#include "core/accumulation_buffer.h"

#include <algorithm>

#include "core/check.h"

namespace raytracer {

void AccumulationBuffer::resize(int width, int height) {
  RT_CHECK(width >= 0 && height >= 0);
  width_ = width;
  height_ = height;
  pixels_.assign(static_cast<std::size_t>(width) * static_cast<std::size_t>(height), glm::vec4(0.0f));
}

void AccumulationBuffer::clear() { std::fill(pixels_.begin(), pixels_.end(), glm::vec4(0.0f)); }

}  // namespace raytracer
