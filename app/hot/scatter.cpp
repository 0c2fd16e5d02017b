// Hot functions scatter and scatter_density: the material models. Diffuse (cosine-weighted),
// metal (mirror plus a random offset scaled by roughness), dielectric (Snell refraction,
// Schlick's Fresnel approximation, total internal reflection) and emissive (absorbs: its
// light is added by shade_path). scatter picks a continuing ray; scatter_density says how
// likely it is to pick a given one, which light sampling needs: the two must agree.
#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>

#include "core/portable_math.h"
#include "core/sampling.h"
#include "hot/hot_functions.h"

namespace raytracer {
namespace {
// A metal smoother than this is left to scatter alone, like a mirror: its reflection is so
// narrow that aiming at lights would almost never land inside it.
constexpr float kMirrorLikeRoughness = 0.05f;

glm::vec3 reflect(const glm::vec3& direction, const glm::vec3& normal) {
  return direction - 2.0f * glm::dot(direction, normal) * normal;
}

// The metal model picks normalize(mirrored + roughness * u), u uniform on the unit sphere:
// the point mirrored + roughness * u is uniform on a sphere of radius r = roughness around
// the unit vector `mirrored`. A direction's density is that sphere's area density
// 1 / (4 pi r^2) carried over to solid angle at every point t * direction where the
// direction's ray crosses the sphere: t^2 / |cos|, cos between the direction and the
// sphere's normal there. With a = dot(direction, mirrored) the crossings are
// t = a +- sqrt(a^2 - 1 + r^2) and |cos| = sqrt(a^2 - 1 + r^2) / r. a^2 - 1 is minus the
// squared sine between the two, taken from their cross product: for a narrow lobe that is
// far more accurate than 1 - a^2.
float metal_density(const glm::vec3& mirrored, float roughness, const glm::vec3& direction) {
  const float along_mirror = glm::dot(direction, mirrored);
  const glm::vec3 across_mirror = glm::cross(direction, mirrored);
  const float discriminant = roughness * roughness - glm::dot(across_mirror, across_mirror);
  if (!(discriminant > 0.0f)) return 0.0f;  // outside the cone the sphere fills
  const float root = std::sqrt(discriminant);
  const float far = along_mirror + root;
  const float near = along_mirror - root;
  const float squared_distances = (far > 0.0f ? far * far : 0.0f) + (near > 0.0f ? near * near : 0.0f);
  return squared_distances / (4.0f * portable_math::kPi * roughness * root);
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

ScatterDensity scatter_density(const Material& material, const Ray& incoming, const SurfaceHit& hit,
                               const glm::vec3& direction) {
  const float cosine = glm::dot(direction, hit.normal);
  switch (material.kind) {
    case MaterialKind::Diffuse: {
      if (!(cosine > 0.0f)) return {glm::vec3(0.0f), 0.0f};
      return {material.albedo.value(hit.point), cosine / portable_math::kPi};
    }
    case MaterialKind::Metal: {
      if (material.roughness < kMirrorLikeRoughness || !(cosine > 0.0f)) return {glm::vec3(0.0f), 0.0f};
      const glm::vec3 mirrored = glm::normalize(reflect(incoming.direction, hit.normal));
      return {material.albedo.value(hit.point), metal_density(mirrored, material.roughness, direction)};
    }
    case MaterialKind::Dielectric:
    case MaterialKind::Emissive: return {glm::vec3(0.0f), 0.0f};
  }
  return {glm::vec3(0.0f), 0.0f};
}

}  // namespace raytracer
