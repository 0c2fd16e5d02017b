// The per-sample random streams: the same (seed, pixel, sample) always gives the same
// numbers, and changing any of the three gives a different stream.
#include <gtest/gtest.h>

#include <array>
#include <set>

#include "raytracer.h"

namespace raytracer {
namespace {

std::array<std::uint32_t, 8> first_numbers(Random random) {
  std::array<std::uint32_t, 8> numbers{};
  for (std::uint32_t& number : numbers) number = random.next_uint32();
  return numbers;
}

TEST(RandomStreams, TheSameSeedPixelAndSampleGiveTheSameSequence) {
  EXPECT_EQ(first_numbers(Random::for_sample(7, 1234, 5)), first_numbers(Random::for_sample(7, 1234, 5)));
}

TEST(RandomStreams, MatchThePublishedPcg32Sequence) {
  // pcg32-demo from pcg-random.org seeds (42, 54) and prints these first outputs.
  Random random(42u, 54u);
  const std::array<std::uint32_t, 6> expected = {0xa15c02b7, 0x7b47f409, 0xba1d3330, 0x83d2f293, 0xbfa4784b, 0xcbed606e};
  for (const std::uint32_t value : expected) EXPECT_EQ(random.next_uint32(), value);
}

TEST(RandomStreams, NeighbouringPixelsGetDifferentStreams) {
  std::set<std::array<std::uint32_t, 8>> streams;
  for (std::uint32_t pixel = 0; pixel < 1000; ++pixel) streams.insert(first_numbers(Random::for_sample(1, pixel, 0)));
  EXPECT_EQ(streams.size(), 1000u);
}

TEST(RandomStreams, SuccessiveSamplesOfAPixelGetDifferentStreams) {
  std::set<std::array<std::uint32_t, 8>> streams;
  for (std::uint32_t sample = 0; sample < 1000; ++sample) streams.insert(first_numbers(Random::for_sample(1, 42, sample)));
  EXPECT_EQ(streams.size(), 1000u);
}

TEST(RandomStreams, PixelAndSampleAreNotInterchangeable) {
  EXPECT_NE(first_numbers(Random::for_sample(1, 3, 5)), first_numbers(Random::for_sample(1, 5, 3)));
}

TEST(RandomStreams, TheImageSeedChangesEveryStream) {
  EXPECT_NE(first_numbers(Random::for_sample(1, 42, 0)), first_numbers(Random::for_sample(2, 42, 0)));
}

TEST(RandomStreams, FloatsLieInTheUnitIntervalAndAverageOneHalf) {
  Random random = Random::for_sample(9, 9, 9);
  double sum = 0.0;
  constexpr int kCount = 100000;
  for (int i = 0; i < kCount; ++i) {
    const float value = random.next_float();
    ASSERT_GE(value, 0.0f);
    ASSERT_LT(value, 1.0f);
    sum += static_cast<double>(value);
  }
  EXPECT_NEAR(sum / kCount, 0.5, 0.01);
}

}  // namespace
}  // namespace raytracer
