// Hot function scatter: the material models. Diffuse (cosine-weighted), metal (mirror plus a
// random offset scaled by roughness), dielectric (Snell refraction, Schlick's Fresnel
// approximation, total internal reflection) and emissive (absorbs: its light is added by
// shade_path).
#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>

#include "core/sampling.h"
#include "hot/hot_functions.h"

namespace raytracer {
namespace {
glm::vec3 reflect(const glm::vec3& direction, const glm::vec3& normal) {
  return direction - 2.0f * glm::dot(direction, normal) * normal;
}

// Schlick's approximation of the Fresnel reflectance (the fifth power written out: no pow).
float schlick_reflectance(float cosine, float refraction_ratio) {
  const float root = (1.0f - refraction_ratio) / (1.0f + refraction_ratio);
  const float head_on = root * root;  // the reflectance looking straight at the surface
  const float grazing = 1.0f - cosine;
  return head_on + (1.0f - head_on) * (grazing * grazing * grazing * grazing * grazing);
}
}  // namespace

std::optional<ScatteredRay> scatter(const Material& material, const Ray& incoming, const SurfaceHit& hit,
                                    Random& random) {
  switch (material.kind) {
    case MaterialKind::Diffuse: {
      const glm::vec3 direction = random_cosine_direction(hit.normal, random);
      return ScatteredRay{{hit.point, direction}, material.albedo.value(hit.point)};
    }
    case MaterialKind::Metal: {
      const glm::vec3 mirrored = glm::normalize(reflect(incoming.direction, hit.normal));
      const glm::vec3 direction = glm::normalize(mirrored + material.roughness * random_unit_vector(random));
      if (glm::dot(direction, hit.normal) <= 0.0f) return std::nullopt;  // blurred below the surface
      return ScatteredRay{{hit.point, direction}, material.albedo.value(hit.point)};
    }
    case MaterialKind::Dielectric: {
      const float refraction_ratio = hit.front_face ? 1.0f / material.refractive_index : material.refractive_index;
      const glm::vec3 unit_direction = glm::normalize(incoming.direction);
      const float cosine = std::min(-glm::dot(unit_direction, hit.normal), 1.0f);
      const float sine = std::sqrt(std::max(0.0f, 1.0f - cosine * cosine));
      glm::vec3 direction;
      if (refraction_ratio * sine > 1.0f || schlick_reflectance(cosine, refraction_ratio) > random.next_float()) {
        direction = reflect(unit_direction, hit.normal);
      } else {
        const glm::vec3 perpendicular = refraction_ratio * (unit_direction + cosine * hit.normal);
        const glm::vec3 parallel =
            -std::sqrt(std::abs(1.0f - glm::dot(perpendicular, perpendicular))) * hit.normal;
        direction = glm::normalize(perpendicular + parallel);
      }
      return ScatteredRay{{hit.point, direction}, material.albedo.value(hit.point)};
    }
    case MaterialKind::Emissive: return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace raytracer
