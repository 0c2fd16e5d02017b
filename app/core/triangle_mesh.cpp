// TriangleMesh: face validation, placement and bounds.
#include "core/triangle_mesh.h"

#include <glm/geometric.hpp>
#include <glm/mat3x3.hpp>
#include <glm/matrix.hpp>

#include "core/check.h"

namespace raytracer {

void TriangleMesh::add_face(const MeshFace& face) {
  for (int corner = 0; corner < 3; ++corner) {
    RT_CHECK(face.positions[corner] < positions_.size());
    RT_CHECK(face.normals[corner] < static_cast<std::int64_t>(normals_.size()));
  }
  faces_.push_back(face);
}

void TriangleMesh::transform(const glm::mat4& placement) {
  for (glm::vec3& position : positions_) position = glm::vec3(placement * glm::vec4(position, 1.0f));
  const glm::mat3 normal_matrix = glm::transpose(glm::inverse(glm::mat3(placement)));
  for (glm::vec3& normal : normals_) normal = glm::normalize(normal_matrix * normal);
}

Aabb TriangleMesh::bounds() const {
  Aabb box;
  for (const glm::vec3& position : positions_) box.grow(position);
  return box;
}

}  // namespace raytracer
