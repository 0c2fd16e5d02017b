// Sphere: the simplest shape, and its ray intersection.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include <glm/geometric.hpp>
#include <glm/vec3.hpp>

#include "core/aabb.h"
#include "core/ray.h"

namespace raytracer {

struct Sphere {
  glm::vec3 center;        // centre, in scene units
  float radius;            // radius, > 0
  std::uint32_t material;  // index into Scene's materials

  Aabb bounds() const {
    Aabb box;
    box.grow(center - glm::vec3(radius));
    box.grow(center + glm::vec3(radius));
    return box;
  }
  glm::vec3 outward_normal(const glm::vec3& point) const { return (point - center) / radius; }
};

// The nearest t in (t_min, t_max) where the ray meets the sphere, if any: the roots of
// a t^2 - 2 half_b t + c = 0, the distance from the centre squared minus the radius squared.
inline std::optional<float> intersect(const Sphere& sphere, const Ray& ray, float t_min, float t_max) {
  const glm::vec3 to_center = sphere.center - ray.origin;
  const float a = glm::dot(ray.direction, ray.direction);
  const float half_b = glm::dot(ray.direction, to_center);
  const float c = glm::dot(to_center, to_center) - sphere.radius * sphere.radius;
  const float discriminant = half_b * half_b - a * c;
  if (discriminant < 0.0f) return std::nullopt;
  const float root_of_discriminant = std::sqrt(discriminant);
  float t = (half_b - root_of_discriminant) / a;
  if (t <= t_min || t >= t_max) {
    t = (half_b + root_of_discriminant) / a;
    if (t <= t_min || t >= t_max) return std::nullopt;
  }
  return t;
}

}  // namespace raytracer
