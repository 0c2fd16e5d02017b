// ByteSteps looks a byte up in a table indexed by the float's top bits and then steps past
// the remaining steps; it replaced a binary search over the steps, and must give exactly
// that search's byte for every float (the page's picture must match the native one bit for
// bit, and the goldens must not change). The search is kept here as the reference.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <span>

#include "core/byte_steps.h"
#include "hot/tone_map.h"

namespace raytracer {
namespace {

// The lookup as it was: how many steps lie at or below the value, NaN and negatives 0.
std::uint8_t binary_search_byte(std::span<const float, 256> first_input, float value) {
  if (!(value >= 0.0f)) return 0;
  const auto above = std::upper_bound(first_input.begin() + 1, first_input.end(), value);
  return static_cast<std::uint8_t>(above - (first_input.begin() + 1));
}

constexpr std::uint32_t kOne = 0x3f800000u;  // 1.0f
constexpr std::uint32_t kInfinity = 0x7f800000u;
constexpr std::uint32_t kSign = 0x80000000u;

// Checks the bit patterns from..to (inclusive) every `stride`, stopping at the first
// difference; the comparison stays out of gtest's macros so the full sweep stays fast.
::testing::AssertionResult same_bytes(const ByteSteps& steps, std::uint32_t from, std::uint32_t to,
                                      std::uint32_t stride = 1) {
  for (std::uint64_t bits = from; bits <= to; bits += stride) {
    const float value = std::bit_cast<float>(static_cast<std::uint32_t>(bits));
    const std::uint8_t lookup = steps(value);
    const std::uint8_t search = binary_search_byte(steps.first_inputs(), value);
    if (lookup != search) {
      return ::testing::AssertionFailure() << "at " << value << " (bits " << bits << "): lookup " << int{lookup}
                                           << ", binary search " << int{search};
    }
  }
  return ::testing::AssertionSuccess();
}

// Values past 1, +infinity, every kind of NaN and the negatives, -0 among them: the
// branches around the table.
void expect_same_bytes_outside_zero_to_one(const ByteSteps& steps) {
  EXPECT_TRUE(same_bytes(steps, kOne, 0x40000000u));                // every float in [1, 2]
  EXPECT_TRUE(same_bytes(steps, 0x40000000u, kInfinity - 1, 4099));  // and on to the largest
  EXPECT_TRUE(same_bytes(steps, kInfinity, kInfinity));
  EXPECT_TRUE(same_bytes(steps, kInfinity + 1, kSign - 1, 4093));    // NaNs, signalling and quiet
  EXPECT_TRUE(same_bytes(steps, kSign - 1, kSign - 1));
  EXPECT_TRUE(same_bytes(steps, kSign, kSign + (1u << 16)));         // -0 and the smallest negatives
  EXPECT_TRUE(same_bytes(steps, kSign, 0xffffffffu, 4091));          // the rest, -infinity and -NaN
  EXPECT_TRUE(same_bytes(steps, 0xff800000u, 0xff800000u));
  EXPECT_TRUE(same_bytes(steps, 0xffffffffu, 0xffffffffu));
  EXPECT_EQ(steps(-0.0f), steps(0.0f));
  EXPECT_EQ(steps(std::numeric_limits<float>::quiet_NaN()), 0);
  EXPECT_EQ(steps(-std::numeric_limits<float>::infinity()), 0);
}

const ByteSteps& srgb_steps() {
  static const ByteSteps steps(tone_map_detail::srgb_byte_direct);
  return steps;
}

// All 1,065,353,217 floats in [0, 1]: 5-10 s on a 2-core VM.
TEST(ByteStepsLookup, GivesTheBinarySearchsByteForEveryFloatFromZeroToOneOnTheSrgbCurve) {
  EXPECT_TRUE(same_bytes(srgb_steps(), 0, kOne));
}

TEST(ByteStepsLookup, GivesTheBinarySearchsByteOnTheSrgbCurveAboveOneAndForInfinityNanAndNegatives) {
  expect_same_bytes_outside_zero_to_one(srgb_steps());
  EXPECT_EQ(srgb_steps()(2.0f), 255);
  EXPECT_EQ(srgb_steps()(std::numeric_limits<float>::infinity()), 255);
}

// What keeps the correcting loop to one step for the sRGB curve (the table's width was
// chosen for it): no bucket holds two of its steps.
TEST(ByteStepsLookup, NoBucketHoldsTwoStepsOfTheSrgbCurve) {
  const std::span<const float, 256> first_input = srgb_steps().first_inputs();
  for (int byte = 2; byte < 256; ++byte) {
    ASSERT_LE(first_input[byte], 1.0f) << "the sRGB curve reaches 255 at 1";
    EXPECT_NE(std::bit_cast<std::uint32_t>(first_input[byte]) >> ByteSteps::kBucketShift,
              std::bit_cast<std::uint32_t>(first_input[byte - 1]) >> ByteSteps::kBucketShift)
        << "steps " << byte - 1 << " and " << byte;
  }
}

// Curves unlike sRGB take the lookup's other paths: all the steps in one bucket (the loop
// walks them all), at a bucket's smallest value or just past it; steps near 0 where buckets
// are narrow; bytes never reached (their steps are infinite). Checked around every step
// and at both ends of every bucket.
std::uint8_t jumps_at_0_3(float x) { return x >= 0.3f ? 255 : 0; }
std::uint8_t jumps_at_0_5(float x) { return x >= 0.5f ? 255 : 0; }  // 0.5 starts a bucket
std::uint8_t jumps_just_past_0_5(float x) { return x > 0.5f ? 255 : 0; }
std::uint8_t steep_near_zero(float x) { return static_cast<std::uint8_t>(std::min(x * 1.0e6f, 255.0f)); }
std::uint8_t stops_at_100(float x) { return static_cast<std::uint8_t>(std::clamp(x, 0.0f, 1.0f) * 100.0f + 0.5f); }

TEST(ByteStepsLookup, GivesTheBinarySearchsByteOnCurvesWithCrowdedOrMissingSteps) {
  for (const auto function : {jumps_at_0_3, jumps_at_0_5, jumps_just_past_0_5, steep_near_zero, stops_at_100}) {
    const ByteSteps steps(function);
    for (const float step : steps.first_inputs()) {
      if (std::isinf(step)) continue;
      const std::uint32_t bits = std::bit_cast<std::uint32_t>(step);
      EXPECT_TRUE(same_bytes(steps, bits < 256 ? 0 : bits - 256, std::min(bits + 256, kOne)));
    }
    const std::uint32_t bucket = 1u << ByteSteps::kBucketShift;
    for (std::uint32_t start = 0; start <= kOne; start += bucket) {
      EXPECT_TRUE(same_bytes(steps, start, std::min(start + 16, kOne)));
      if (start > 0) {
        EXPECT_TRUE(same_bytes(steps, start - 16, start - 1));
      }
    }
    EXPECT_TRUE(same_bytes(steps, 0, kOne, 509));
    expect_same_bytes_outside_zero_to_one(steps);
  }
  EXPECT_EQ(ByteSteps(jumps_at_0_3)(0.3f), 255);
  EXPECT_EQ(ByteSteps(jumps_at_0_3)(std::nextafter(0.3f, 0.0f)), 0);
  EXPECT_EQ(ByteSteps(stops_at_100)(2.0f), 100);
  EXPECT_EQ(ByteSteps(stops_at_100)(std::numeric_limits<float>::infinity()), 255) << "as the binary search gave";
}

}  // namespace
}  // namespace raytracer
