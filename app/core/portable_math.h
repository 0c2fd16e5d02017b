// portable_math: the transcendental functions the renderer needs, written with + - * /,
// sqrt and floor only. The C libraries of g++ (glibc) and of Emscripten (musl) round sin,
// exp, pow... differently in the last bit, which would make a native render and a browser
// render differ; these functions give the same bits on both because IEEE 754 fixes the
// result of every operation they use. Accuracy: relative error below 1e-6 (each is
// evaluated in double and rounded to float once).
//
// Use these, never std::sin/std::exp/std::pow/..., anywhere a pixel depends on the result.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

namespace raytracer::portable_math {

inline constexpr float kPi = 3.14159265358979323846f;

namespace detail {
inline constexpr double kPi = 3.14159265358979323846;
inline constexpr double kTwoOverPi = 0.63661977236758134308;
// pi/2 split in a short head (exact when multiplied by a quadrant number below 2^20) and
// a tail, so that x - quadrant * pi/2 keeps its accuracy (Cody and Waite's reduction).
inline constexpr double kHalfPiHead = 1.5707963267341256141662597656250;
inline constexpr double kHalfPiTail = 6.0771005065061922e-11;
inline constexpr double kLog2OfE = 1.44269504088896340736;
inline constexpr double kLn2Head = 0.693147180369123816490;  // ln 2 with its last bits cleared
inline constexpr double kLn2Tail = 1.90821492927058770002e-10;
inline constexpr double kLn2 = 0.69314718055994530942;
inline constexpr double kSqrt2 = 1.41421356237309504880;

inline double bits_to_double(std::uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
inline std::uint64_t double_to_bits(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

// sin and cos of r for |r| <= pi/4: Taylor series, truncation error below 1e-14.
inline double sin_near_zero(double r) {
  const double r2 = r * r;
  return r * (1.0 + r2 * (-1.0 / 6.0 + r2 * (1.0 / 120.0 + r2 * (-1.0 / 5040.0 + r2 * (1.0 / 362880.0 +
              r2 * (-1.0 / 39916800.0 + r2 * (1.0 / 6227020800.0)))))));
}
inline double cos_near_zero(double r) {
  const double r2 = r * r;
  return 1.0 + r2 * (-1.0 / 2.0 + r2 * (1.0 / 24.0 + r2 * (-1.0 / 720.0 + r2 * (1.0 / 40320.0 +
               r2 * (-1.0 / 3628800.0 + r2 * (1.0 / 479001600.0 + r2 * (-1.0 / 87178291200.0)))))));
}

struct SineAndCosineInDouble {
  double sine;
  double cosine;
};

// Both at once, sharing the range reduction. Expects a finite x of moderate size (|x| < 1e5).
inline SineAndCosineInDouble sine_and_cosine(double x) {
  const double quadrant = std::floor(x * kTwoOverPi + 0.5);
  const double r = (x - quadrant * kHalfPiHead) - quadrant * kHalfPiTail;
  const double s = sin_near_zero(r);
  const double c = cos_near_zero(r);
  switch (static_cast<std::int64_t>(quadrant) & 3) {
    case 0: return {s, c};
    case 1: return {c, -s};
    case 2: return {-s, -c};
    default: return {-c, s};
  }
}

// e^x for |x| < 700: x = k ln2 + r with |r| <= ln2/2, e^r by Taylor series, 2^k by building
// the exponent bits.
inline double exp_double(double x) {
  const double k = std::floor(x * kLog2OfE + 0.5);
  const double r = (x - k * kLn2Head) - k * kLn2Tail;
  double series = 1.0;
  for (int n = 13; n >= 1; --n) series = 1.0 + series * r / n;
  const auto biased_exponent = static_cast<std::uint64_t>(static_cast<std::int64_t>(k) + 1023);
  return series * bits_to_double(biased_exponent << 52);
}

// ln x for a finite x > 0 that is a normal double: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
// ln m = 2 atanh(s) with s = (m - 1) / (m + 1), |s| <= 0.172.
inline double log_double(double x) {
  const std::uint64_t bits = double_to_bits(x);
  int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  double mantissa = bits_to_double((bits & 0x000fffffffffffffULL) | (1023ULL << 52));
  if (mantissa > kSqrt2) {
    mantissa *= 0.5;
    exponent += 1;
  }
  const double s = (mantissa - 1.0) / (mantissa + 1.0);
  const double s2 = s * s;
  double series = 0.0;
  for (int n = 19; n >= 3; n -= 2) series = (series + 1.0 / n) * s2;
  return exponent * kLn2 + 2.0 * s * (1.0 + series);
}
}  // namespace detail

inline float radians(float degrees) { return degrees * (kPi / 180.0f); }

inline float sin(float x) {
  if (!(x - x == 0.0f)) return std::numeric_limits<float>::quiet_NaN();  // infinite or NaN
  return static_cast<float>(detail::sine_and_cosine(static_cast<double>(x)).sine);
}

inline float cos(float x) {
  if (!(x - x == 0.0f)) return std::numeric_limits<float>::quiet_NaN();
  return static_cast<float>(detail::sine_and_cosine(static_cast<double>(x)).cosine);
}

struct SineAndCosine {
  float sine;
  float cosine;
};

// sin(x) and cos(x) for the price of one range reduction.
inline SineAndCosine sine_and_cosine(float x) {
  if (!(x - x == 0.0f)) return {std::numeric_limits<float>::quiet_NaN(), std::numeric_limits<float>::quiet_NaN()};
  const detail::SineAndCosineInDouble both = detail::sine_and_cosine(static_cast<double>(x));
  return {static_cast<float>(both.sine), static_cast<float>(both.cosine)};
}

inline float tan(float x) {
  if (!(x - x == 0.0f)) return std::numeric_limits<float>::quiet_NaN();
  const detail::SineAndCosineInDouble both = detail::sine_and_cosine(static_cast<double>(x));
  return static_cast<float>(both.sine / both.cosine);
}

inline float exp(float x) {
  if (x != x) return x;
  if (x > 88.8f) return std::numeric_limits<float>::infinity();
  if (x < -104.0f) return 0.0f;
  return static_cast<float>(detail::exp_double(static_cast<double>(x)));
}

// Natural logarithm; NaN for x < 0, -infinity for 0.
inline float log(float x) {
  if (x != x || x < 0.0f) return std::numeric_limits<float>::quiet_NaN();
  if (x == 0.0f) return -std::numeric_limits<float>::infinity();
  if (x == std::numeric_limits<float>::infinity()) return x;
  return static_cast<float>(detail::log_double(static_cast<double>(x)));  // every positive float is a normal double
}

// base^exponent for base >= 0 (a negative base gives NaN: the renderer never needs it).
inline float pow(float base, float exponent) {
  if (base != base || exponent != exponent || base < 0.0f) return std::numeric_limits<float>::quiet_NaN();
  if (exponent == 0.0f) return 1.0f;
  if (base == 0.0f) return exponent > 0.0f ? 0.0f : std::numeric_limits<float>::infinity();
  if (base == std::numeric_limits<float>::infinity()) return exponent > 0.0f ? base : 0.0f;
  const double power = static_cast<double>(exponent) * detail::log_double(static_cast<double>(base));
  if (power > 88.8) return std::numeric_limits<float>::infinity();
  if (power < -104.0) return 0.0f;
  return static_cast<float>(detail::exp_double(power));
}

}  // namespace raytracer::portable_math
