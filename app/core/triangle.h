// Triangle: the intersection-only part of a mesh triangle (a vertex and two edges, 36 bytes,
// what the BVH leaves touch on every test) and the Moller-Trumbore ray intersection.
// Normals and material live apart in TriangleShading, read once per closest hit.
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>

#include <glm/geometric.hpp>
#include <glm/vec3.hpp>

#include "core/aabb.h"
#include "core/ray.h"

namespace raytracer {

struct Triangle {
  glm::vec3 vertex0;  // first vertex
  glm::vec3 edge1;    // vertex1 - vertex0
  glm::vec3 edge2;    // vertex2 - vertex0

  static Triangle make(const glm::vec3& vertex0, const glm::vec3& vertex1, const glm::vec3& vertex2) {
    return {vertex0, vertex1 - vertex0, vertex2 - vertex0};
  }
  Aabb bounds() const {
    Aabb box;
    box.grow(vertex0);
    box.grow(vertex0 + edge1);
    box.grow(vertex0 + edge2);
    return box;
  }
  // Unit normal on the side where the vertices turn counter-clockwise.
  glm::vec3 geometric_normal() const { return glm::normalize(glm::cross(edge1, edge2)); }
};

// What shading needs besides the position: per-vertex normals and the material.
struct TriangleShading {
  glm::vec3 normal0;       // unit normal at vertex0 (the geometric normal if the mesh has none)
  glm::vec3 normal1;       // at vertex1
  glm::vec3 normal2;       // at vertex2
  std::uint32_t material;  // index into Scene's materials
};

// Where a ray meets a triangle: t and the barycentric weights of vertex1 and vertex2.
struct TriangleHit {
  float t;  // ray parameter
  float u;  // weight of vertex1
  float v;  // weight of vertex2 (vertex0 weighs 1 - u - v)
};

// Moller and Trumbore (1997): solves origin + t direction = vertex0 + u edge1 + v edge2 by
// Cramer's rule, leaving as early as a coordinate falls outside the triangle.
inline std::optional<TriangleHit> intersect(const Triangle& triangle, const Ray& ray, float t_min, float t_max) {
  const glm::vec3 direction_cross_edge2 = glm::cross(ray.direction, triangle.edge2);
  const float determinant = glm::dot(triangle.edge1, direction_cross_edge2);
  if (std::abs(determinant) < 1e-12f) return std::nullopt;  // parallel to the triangle
  const float inverse_determinant = 1.0f / determinant;
  const glm::vec3 from_vertex0 = ray.origin - triangle.vertex0;
  const float u = glm::dot(from_vertex0, direction_cross_edge2) * inverse_determinant;
  if (u < 0.0f || u > 1.0f) return std::nullopt;
  const glm::vec3 from_vertex0_cross_edge1 = glm::cross(from_vertex0, triangle.edge1);
  const float v = glm::dot(ray.direction, from_vertex0_cross_edge1) * inverse_determinant;
  if (v < 0.0f || u + v > 1.0f) return std::nullopt;
  const float t = glm::dot(triangle.edge2, from_vertex0_cross_edge1) * inverse_determinant;
  if (t <= t_min || t >= t_max) return std::nullopt;
  return TriangleHit{t, u, v};
}

}  // namespace raytracer
