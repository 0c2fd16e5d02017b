// ByteSteps: a non-decreasing function from floats to bytes (a transfer curve rounded to 8
// bits), kept as the 255 inputs where it steps up. Looking a value up gives exactly the
// byte the function gives, without evaluating it: the tone mapper encodes every channel of
// every pixel each frame, and its sRGB curve needs a pow.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>

namespace raytracer {

class ByteSteps {
  // std::bit_cast, which Emscripten 3.1.6's libc++ lacks.
  static std::uint32_t bits_of(float value) { std::uint32_t bits; std::memcpy(&bits, &value, sizeof bits); return bits; }
  static float float_of(std::uint32_t bits) { float value; std::memcpy(&value, &bits, sizeof value); return value; }

 public:
  // The binary search this replaced was 12-14 % of a native frame at one sample a frame.
  // Floats >= 0 sort like their bit patterns, so `bits >> kBucketShift` splits [0, 1] into
  // buckets, 128 to each power of two: a bucket spans at most 1/128 of its smallest value,
  // and the sRGB curve's steps lie at least 1/112 of their value apart, so each bucket holds
  // at most one step (tests/app checks it). 16 KiB of bytes, small enough to stay in L1.
  static constexpr int kBucketShift = 16;
  static constexpr std::uint32_t kOneBits = 0x3f800000u;  // 1.0f's bits (bits_of is not constexpr)

  // `function` must be non-decreasing on [0, 1] and give 0 at 0 (tests/app checks the
  // sRGB encoding's table against the function itself).
  template <class Function>
  explicit ByteSteps(Function function) {
    first_input_[0] = 0.0f;
    first_input_[256] = std::numeric_limits<float>::quiet_NaN();
    for (int byte = 1; byte < 256; ++byte) {
      if (function(1.0f) < byte) {
        first_input_[byte] = std::numeric_limits<float>::infinity();
        continue;
      }
      // The smallest float in [0, 1] whose byte is at least `byte`: floats >= 0 sort like
      // their bit patterns, so this searches the bit patterns.
      std::uint32_t low = 0, high = kOneBits;
      while (low < high) {
        const std::uint32_t middle = low + (high - low) / 2;
        if (function(float_of(middle)) >= byte) high = middle;
        else low = middle + 1;
      }
      first_input_[byte] = float_of(low);
    }
    for (std::uint32_t bucket = 0; bucket < bucket_byte_.size(); ++bucket) {
      bucket_byte_[bucket] = search(float_of(bucket << kBucketShift));
    }
  }

  // The function's byte for `value`: how many steps lie at or below it (NaN and negatives
  // give 0, finite values past 1 what the function gives at 1, +infinity 255). The byte of
  // the smallest value in the value's bucket, then the steps between that value and this
  // one: exactly the byte the binary search over the steps gave (tests/app checks every
  // float in [0, 1]), as the page's picture must match the native one bit for bit.
  std::uint8_t operator()(float value) const {
    if (!(value >= 0.0f)) return 0;
    // Clearing the sign bit makes -0, the one value with it set that gets here, +0. Values
    // past 1 start from 1's bucket: a finite one stops at the first infinite step (a byte
    // the function never reaches), +infinity passes them all, as in the binary search.
    const std::uint32_t bits = std::min(bits_of(value) & 0x7fffffffu, kOneBits);
    int byte = bucket_byte_[bits >> kBucketShift];
    // The sRGB curve's one step in a bucket: added, not branched on, as whether a value is
    // past it is a coin toss the branch predictor loses (on rendered pictures a lookup took
    // 2-4.9 ns branching, 1.8 adding). The loop is for curves with crowded steps; the NaN
    // after the last step stops it at 255.
    byte += value >= first_input_[byte + 1];
    while (value >= first_input_[byte + 1]) ++byte;
    return static_cast<std::uint8_t>(byte);
  }

  // The steps, for tests: [b] is the smallest input whose byte is >= b (+infinity if none).
  std::span<const float, 256> first_inputs() const { return std::span<const float, 256>(first_input_.data(), 256); }

 private:
  // The byte by binary search over the steps, which the lookup above must agree with.
  std::uint8_t search(float value) const {
    const auto above = std::upper_bound(first_input_.begin() + 1, first_input_.begin() + 256, value);
    return static_cast<std::uint8_t>(above - (first_input_.begin() + 1));
  }

  // [b]: the smallest input whose byte is >= b; [256] is NaN, which no value is at or past.
  std::array<float, 257> first_input_{};
  // [i]: the byte of the smallest value in bucket i, the floats whose bits >> kBucketShift are i.
  std::array<std::uint8_t, (kOneBits >> kBucketShift) + 1> bucket_byte_{};
};

}  // namespace raytracer
