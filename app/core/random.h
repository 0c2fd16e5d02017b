// Random: the renderer's random number generator, PCG32 (O'Neill, pcg-random.org): small
// state, good statistics, and only integer arithmetic, so the same numbers natively and
// in WebAssembly.
//
// Each (image seed, pixel, sample index) gets its own generator, seeded from a hash of those
// three numbers only. A pixel's sample therefore never depends on which thread, tile or
// frame rendered it: that is what makes the image independent of the tiling and thread count.
//
// Draw at most one number per expression: C++ leaves the evaluation order of function
// arguments unspecified and g++ and clang differ, so f(random.next_float(),
// random.next_float()) would give different pictures natively and in the browser.
#pragma once

#include <cstdint>

namespace raytracer {

class Random {
 public:
  // The generator of one camera sample.
  static Random for_sample(std::uint32_t image_seed, std::uint32_t pixel_index, std::uint32_t sample_index) {
    const std::uint64_t key = (std::uint64_t{pixel_index} << 32) | sample_index;
    const std::uint64_t state = mix(key ^ mix(std::uint64_t{image_seed} + 0x9e3779b97f4a7c15ULL));
    return Random(state, mix(state ^ 0xda3e39cb94b95bdbULL));
  }

  // PCG32's standard seeding: `stream` selects one of 2^63 independent sequences.
  Random(std::uint64_t seed, std::uint64_t stream) : increment_((stream << 1u) | 1u) {
    next_uint32();
    state_ += seed;
    next_uint32();
  }

  std::uint32_t next_uint32() {
    const std::uint64_t old_state = state_;
    state_ = old_state * 6364136223846793005ULL + increment_;
    const auto xor_shifted = static_cast<std::uint32_t>(((old_state >> 18u) ^ old_state) >> 27u);
    const auto rotation = static_cast<std::uint32_t>(old_state >> 59u);
    return (xor_shifted >> rotation) | (xor_shifted << ((~rotation + 1u) & 31u));
  }

  // Uniform in [0, 1): the top 24 bits, exactly representable as a float.
  float next_float() { return static_cast<float>(next_uint32() >> 8) * 0x1.0p-24f; }

 private:
  // SplitMix64's finaliser: spreads every input bit over the whole output.
  static std::uint64_t mix(std::uint64_t value) {
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ULL;
    value = (value ^ (value >> 27)) * 0x94d049bb133111ebULL;
    return value ^ (value >> 31);
  }

  std::uint64_t state_ = 0;
  std::uint64_t increment_;
};

}  // namespace raytracer
