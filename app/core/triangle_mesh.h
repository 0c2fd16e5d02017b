// TriangleMesh: a mesh as read from an OBJ file (positions, optional normals, triangles
// indexing them), before it is placed in a scene. Owns the placement transform too, so the
// scene only ever sees world-space triangles.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include <glm/mat4x4.hpp>
#include <glm/vec3.hpp>

#include "core/aabb.h"

namespace raytracer {

// One triangle of a mesh: three corners, each a position and an optional normal.
struct MeshFace {
  static constexpr std::int32_t kNoNormal = -1;
  std::array<std::uint32_t, 3> positions;  // indices into TriangleMesh::positions()
  std::array<std::int32_t, 3> normals;     // indices into TriangleMesh::normals(), or kNoNormal
};

class TriangleMesh {
 public:
  void add_position(const glm::vec3& position) { positions_.push_back(position); }
  void add_normal(const glm::vec3& normal) { normals_.push_back(normal); }
  // The indices must refer to positions and normals already added.
  void add_face(const MeshFace& face);

  // Moves every position by `placement` and turns the normals with it (by its inverse
  // transpose, so they stay perpendicular under non-uniform scale).
  void transform(const glm::mat4& placement);

  const std::vector<glm::vec3>& positions() const { return positions_; }
  const std::vector<glm::vec3>& normals() const { return normals_; }
  const std::vector<MeshFace>& faces() const { return faces_; }
  Aabb bounds() const;

 private:
  std::vector<glm::vec3> positions_;
  std::vector<glm::vec3> normals_;
  std::vector<MeshFace> faces_;
};

}  // namespace raytracer
