// ByteSteps: a non-decreasing function from floats to bytes (a transfer curve rounded to 8
// bits), kept as the 255 inputs where it steps up. Looking a value up is a binary search
// that gives exactly the byte the function gives, without evaluating it: the tone mapper
// encodes every channel of every pixel each frame, and its sRGB curve needs a pow.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>

namespace raytracer {

class ByteSteps {
  // std::bit_cast, which Emscripten 3.1.6's libc++ lacks.
  static std::uint32_t bits_of(float value) { std::uint32_t bits; std::memcpy(&bits, &value, sizeof bits); return bits; }
  static float float_of(std::uint32_t bits) { float value; std::memcpy(&value, &bits, sizeof value); return value; }

 public:
  // `function` must be non-decreasing on [0, 1] and give 0 at 0 (tests/app checks the
  // sRGB encoding's table against the function itself).
  template <class Function>
  explicit ByteSteps(Function function) {
    first_input_[0] = 0.0f;
    const std::uint32_t one = bits_of(1.0f);
    for (int byte = 1; byte < 256; ++byte) {
      if (function(1.0f) < byte) {
        first_input_[byte] = std::numeric_limits<float>::infinity();
        continue;
      }
      // The smallest float in [0, 1] whose byte is at least `byte`: floats >= 0 sort like
      // their bit patterns, so this searches the bit patterns.
      std::uint32_t low = 0, high = one;
      while (low < high) {
        const std::uint32_t middle = low + (high - low) / 2;
        if (function(float_of(middle)) >= byte) high = middle;
        else low = middle + 1;
      }
      first_input_[byte] = float_of(low);
    }
  }

  // The function's byte for `value`: how many steps lie at or below it (NaN gives 0, values
  // past 1 what the function gives at 1).
  std::uint8_t operator()(float value) const {
    if (!(value >= 0.0f)) return 0;
    const auto above = std::upper_bound(first_input_.begin() + 1, first_input_.end(), value);
    return static_cast<std::uint8_t>(above - (first_input_.begin() + 1));
  }

 private:
  std::array<float, 256> first_input_{};  // [b]: the smallest input whose byte is >= b
};

}  // namespace raytracer
