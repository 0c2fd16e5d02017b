// Quad: a parallelogram corner + a * edge_u + b * edge_v for a, b in [0, 1] (walls, lights,
// floors, boxes). Precomputes its plane so the intersection is a dot product and two
// barycentric tests.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include <glm/geometric.hpp>
#include <glm/vec3.hpp>

#include "core/aabb.h"
#include "core/ray.h"

namespace raytracer {

struct Quad {
  glm::vec3 corner;        // one corner
  glm::vec3 edge_u;        // first edge from the corner
  glm::vec3 edge_v;        // second edge from the corner (not parallel to edge_u)
  glm::vec3 normal;        // unit normal, cross(edge_u, edge_v) normalised: the front side
  float plane_offset;      // dot(normal, corner): the plane is dot(normal, p) = plane_offset
  glm::vec3 barycentric;   // cross(edge_u, edge_v) / |cross|^2, to recover (a, b) of a point
  std::uint32_t material;  // index into Scene's materials

  // Requires non-parallel edges (the scene loader checks it for input).
  static Quad make(const glm::vec3& corner, const glm::vec3& edge_u, const glm::vec3& edge_v, std::uint32_t material) {
    const glm::vec3 perpendicular = glm::cross(edge_u, edge_v);
    const glm::vec3 normal = glm::normalize(perpendicular);
    return {corner, edge_u, edge_v, normal, glm::dot(normal, corner),
            perpendicular / glm::dot(perpendicular, perpendicular), material};
  }

  Aabb bounds() const {
    Aabb box;
    box.grow(corner);
    box.grow(corner + edge_u);
    box.grow(corner + edge_v);
    box.grow(corner + edge_u + edge_v);
    // A flat box is fine for the slab test, but give it a little thickness so its surface
    // area (the BVH's split cost) is never zero.
    box.minimum -= glm::vec3(1e-4f);
    box.maximum += glm::vec3(1e-4f);
    return box;
  }
};

// The t in (t_min, t_max) where the ray meets the quad, if any.
inline std::optional<float> intersect(const Quad& quad, const Ray& ray, float t_min, float t_max) {
  const float denominator = glm::dot(quad.normal, ray.direction);
  if (std::abs(denominator) < 1e-8f) return std::nullopt;  // parallel to the plane
  const float t = (quad.plane_offset - glm::dot(quad.normal, ray.origin)) / denominator;
  if (t <= t_min || t >= t_max) return std::nullopt;
  const glm::vec3 planar = ray.at(t) - quad.corner;
  const float a = glm::dot(quad.barycentric, glm::cross(planar, quad.edge_v));
  const float b = glm::dot(quad.barycentric, glm::cross(quad.edge_u, planar));
  if (a < 0.0f || a > 1.0f || b < 0.0f || b > 1.0f) return std::nullopt;
  return t;
}

}  // namespace raytracer
