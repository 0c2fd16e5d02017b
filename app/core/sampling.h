// Sampling: turns uniform random numbers into the directions and points the renderer needs
// (unit sphere, cosine-weighted hemisphere, lens disk). Trigonometry comes from
// portable_math so every platform picks the same directions.
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

// A direction around the unit `normal` with density cos(theta) / pi (Lambertian).
// The tangent frame is Duff et al.'s branchless orthonormal basis (JCGT 2017).
inline glm::vec3 random_cosine_direction(const glm::vec3& normal, Random& random) {
  const float sign = normal.z >= 0.0f ? 1.0f : -1.0f;
  const float factor = -1.0f / (sign + normal.z);
  const float cross_term = normal.x * normal.y * factor;
  const glm::vec3 tangent(1.0f + sign * normal.x * normal.x * factor, sign * cross_term, -sign * normal.x);
  const glm::vec3 bitangent(cross_term, sign + normal.y * normal.y * factor, -normal.y);

  // A uniform point of the unit disk, lifted onto the hemisphere (Malley's method).
  const float radius_squared = random.next_float();
  const float radius = std::sqrt(radius_squared);
  const auto [sine, cosine] = portable_math::sine_and_cosine(2.0f * portable_math::kPi * random.next_float());
  const float x = radius * cosine;
  const float y = radius * sine;
  const float z = std::sqrt(std::max(0.0f, 1.0f - radius_squared));
  return glm::normalize(x * tangent + y * bitangent + z * normal);
}

}  // namespace raytracer
