// Ray: a half-line origin + t * direction. Directions made by the renderer are unit length;
// intersection code does not rely on it.
#pragma once

#include <glm/vec3.hpp>

namespace raytracer {

struct Ray {
  glm::vec3 origin;     // where the ray starts
  glm::vec3 direction;  // where it goes (unit length when made by the camera or by scatter)

  glm::vec3 at(float t) const { return origin + t * direction; }
};

}  // namespace raytracer
