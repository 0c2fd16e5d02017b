// SurfaceHit: what the integrator needs to know about the closest surface a ray hits.
#pragma once

#include <cstdint>

#include <glm/vec3.hpp>

namespace raytracer {

struct SurfaceHit {
  glm::vec3 point;          // where the ray hit
  glm::vec3 normal;         // unit shading normal, on the side the ray came from
  float t;                  // ray parameter of the hit: point = origin + t * direction
  bool front_face;          // true when the ray hit the outside (the side the geometry faces)
  std::uint32_t material;   // index into Scene's materials
  std::uint32_t light;      // index into Scene::lights() when the surface emits, else Lights::kNoLight
};

}  // namespace raytracer
