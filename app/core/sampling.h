// Sampling: turns uniform random numbers into the directions and points the renderer needs
// (unit sphere, cosine-weighted hemisphere, cones toward lights, lens disk). Trigonometry
// comes from portable_math so every platform picks the same directions.
#pragma once

#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>
#include <glm/vec2.hpp>
#include <glm/vec3.hpp>

#include "core/portable_math.h"
#include "core/random.h"

namespace raytracer {

// Uniform on the unit sphere.
inline glm::vec3 random_unit_vector(Random& random) {
  const float z = 1.0f - 2.0f * random.next_float();
  const float radius = std::sqrt(std::max(0.0f, 1.0f - z * z));
  const auto [sine, cosine] = portable_math::sine_and_cosine(2.0f * portable_math::kPi * random.next_float());
  return {radius * cosine, radius * sine, z};
}

// Uniform in the unit disk (for the lens of a camera with an aperture).
inline glm::vec2 random_in_unit_disk(Random& random) {
  const float radius = std::sqrt(random.next_float());
  const auto [sine, cosine] = portable_math::sine_and_cosine(2.0f * portable_math::kPi * random.next_float());
  return {radius * cosine, radius * sine};
}

// Two unit vectors that make a right-handed orthonormal basis with the unit `axis`: Duff et
// al.'s branchless construction (JCGT 2017).
struct TangentFrame {
  glm::vec3 tangent;
  glm::vec3 bitangent;
};
inline TangentFrame tangent_frame(const glm::vec3& axis) {
  const float sign = axis.z >= 0.0f ? 1.0f : -1.0f;
  const float factor = -1.0f / (sign + axis.z);
  const float cross_term = axis.x * axis.y * factor;
  return {glm::vec3(1.0f + sign * axis.x * axis.x * factor, sign * cross_term, -sign * axis.x),
          glm::vec3(cross_term, sign + axis.y * axis.y * factor, -axis.y)};
}

// A direction around the unit `normal` with density cos(theta) / pi (Lambertian).
inline glm::vec3 random_cosine_direction(const glm::vec3& normal, Random& random) {
  const auto [tangent, bitangent] = tangent_frame(normal);

  // A uniform point of the unit disk, lifted onto the hemisphere (Malley's method).
  const float radius_squared = random.next_float();
  const float radius = std::sqrt(radius_squared);
  const auto [sine, cosine] = portable_math::sine_and_cosine(2.0f * portable_math::kPi * random.next_float());
  const float x = radius * cosine;
  const float y = radius * sine;
  const float z = std::sqrt(std::max(0.0f, 1.0f - radius_squared));
  return glm::normalize(x * tangent + y * bitangent + z * normal);
}

// A direction uniform over the cone of directions within angle theta_max of the unit `axis`
// (density 1 / (2 pi one_minus_cos_max)), given one_minus_cos_max = 1 - cos(theta_max) > 0.
// Taking 1 - cos rather than cos keeps narrow cones (a small far sphere, the sun) accurate.
inline glm::vec3 random_direction_in_cone(const glm::vec3& axis, float one_minus_cos_max, Random& random) {
  const float one_minus_cos = one_minus_cos_max * random.next_float();
  const float cosine = 1.0f - one_minus_cos;
  const float sine = std::sqrt(std::max(0.0f, one_minus_cos * (2.0f - one_minus_cos)));  // sin^2 = (1-cos)(1+cos)
  const auto [sine_phi, cosine_phi] = portable_math::sine_and_cosine(2.0f * portable_math::kPi * random.next_float());
  const auto [tangent, bitangent] = tangent_frame(axis);
  return glm::normalize((sine * cosine_phi) * tangent + (sine * sine_phi) * bitangent + cosine * axis);
}

}  // namespace raytracer
