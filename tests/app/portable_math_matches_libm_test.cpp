// portable_math agrees with the C library to about 1e-6 over the ranges the renderer uses,
// and handles the special values the same way.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "core/portable_math.h"

namespace raytracer {
namespace {

// Relative error, or absolute near zero (where relative error means nothing).
double error_between(double expected, double actual) {
  return std::abs(expected - actual) / std::max(1.0, std::abs(expected));
}

constexpr double kTolerance = 1e-6;

TEST(PortableMath, SineAndCosineMatchOverSeveralTurns) {
  double worst = 0.0;
  for (int i = -100000; i <= 100000; ++i) {
    const float x = static_cast<float>(i) * 0.0005f;  // -50 .. 50 radians
    worst = std::max(worst, error_between(std::sin(static_cast<double>(x)), portable_math::sin(x)));
    worst = std::max(worst, error_between(std::cos(static_cast<double>(x)), portable_math::cos(x)));
    const auto both = portable_math::sine_and_cosine(x);
    ASSERT_EQ(both.sine, portable_math::sin(x));
    ASSERT_EQ(both.cosine, portable_math::cos(x));
  }
  EXPECT_LT(worst, kTolerance);
}

TEST(PortableMath, TangentMatchesAwayFromItsPoles) {
  double worst = 0.0;
  for (int i = -1500; i <= 1500; ++i) {
    const float x = static_cast<float>(i) * 0.001f;  // within (-pi/2, pi/2)
    worst = std::max(worst, error_between(std::tan(static_cast<double>(x)), portable_math::tan(x)) /
                                std::max(1.0, std::abs(std::tan(static_cast<double>(x)))));
  }
  EXPECT_LT(worst, kTolerance);
}

TEST(PortableMath, ExponentialMatchesRelatively) {
  double worst = 0.0;
  for (int i = -8000; i <= 8000; ++i) {
    const float x = static_cast<float>(i) * 0.01f;  // -80 .. 80
    const double expected = std::exp(static_cast<double>(x));
    worst = std::max(worst, std::abs(expected - static_cast<double>(portable_math::exp(x))) / expected);
  }
  EXPECT_LT(worst, kTolerance);
}

TEST(PortableMath, LogarithmMatches) {
  double worst = 0.0;
  for (int i = 1; i <= 100000; ++i) {
    const float x = static_cast<float>(i) * 0.37f * (i % 2 == 0 ? 1e-4f : 1.0f);
    worst = std::max(worst, error_between(std::log(static_cast<double>(x)), portable_math::log(x)));
  }
  EXPECT_LT(worst, kTolerance);
}

TEST(PortableMath, PowerMatchesForGammaLikeExponents) {
  double worst = 0.0;
  for (int i = 0; i <= 10000; ++i) {
    const float base = static_cast<float>(i) * 0.001f;  // 0 .. 10
    for (const float exponent : {1.0f / 2.4f, 2.2f, 0.5f, 5.0f, -1.5f}) {
      if (base == 0.0f && exponent < 0.0f) continue;
      const double expected = std::pow(static_cast<double>(base), static_cast<double>(exponent));
      worst = std::max(worst, std::abs(expected - static_cast<double>(portable_math::pow(base, exponent))) / std::max(1e-30, expected));
    }
  }
  EXPECT_LT(worst, kTolerance);
}

TEST(PortableMath, SpecialValues) {
  constexpr float kInfinity = std::numeric_limits<float>::infinity();
  EXPECT_EQ(portable_math::sin(0.0f), 0.0f);
  EXPECT_EQ(portable_math::cos(0.0f), 1.0f);
  EXPECT_TRUE(std::isnan(portable_math::sin(kInfinity)));
  EXPECT_EQ(portable_math::exp(0.0f), 1.0f);
  EXPECT_EQ(portable_math::exp(200.0f), kInfinity);
  EXPECT_EQ(portable_math::exp(-200.0f), 0.0f);
  EXPECT_EQ(portable_math::log(1.0f), 0.0f);
  EXPECT_EQ(portable_math::log(0.0f), -kInfinity);
  EXPECT_TRUE(std::isnan(portable_math::log(-1.0f)));
  EXPECT_EQ(portable_math::pow(0.0f, 2.0f), 0.0f);
  EXPECT_EQ(portable_math::pow(3.0f, 0.0f), 1.0f);
  EXPECT_TRUE(std::isnan(portable_math::pow(-2.0f, 0.5f)));
}

}  // namespace
}  // namespace raytracer
