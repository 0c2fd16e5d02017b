// Hot function shade_path: the path-tracing integrator for one camera ray. Follows the ray
// from surface to surface, adding emitted light weighted by the product of attenuations so
// far, until it leaves the scene (sky), is absorbed, runs out of depth, or is ended by
// Russian roulette (which keeps the estimate unbiased by boosting surviving paths).
#include <algorithm>
#include <limits>

#include "hot/hot_functions.h"

namespace raytracer {
namespace {
// Every path survives this many bounces before Russian roulette may end it.
constexpr int kBouncesBeforeRoulette = 3;
// Even a path that carries almost nothing on survives the roulette with this probability.
constexpr float kMinimumSurvivalProbability = 0.05f;
// Rays start this far from the surface they leave, so they do not hit it again.
constexpr float kRayStartOffset = 1e-3f;
}  // namespace

glm::vec3 shade_path(const Scene& scene, const Ray& camera_ray, int max_depth, Random& random) {
  glm::vec3 radiance(0.0f);
  glm::vec3 throughput(1.0f);
  Ray ray = camera_ray;
  for (int depth = 0; depth < max_depth; ++depth) {
    const std::optional<SurfaceHit> hit = scene.intersect(ray, kRayStartOffset, std::numeric_limits<float>::max());
    if (!hit) {
      radiance += throughput * sky_radiance(scene.sky(), ray);
      break;
    }
    const Material& material = scene.material(hit->material);
    radiance += throughput * material.emission;

    const std::optional<ScatteredRay> scattered = scatter(material, ray, *hit, random);
    if (!scattered) break;
    throughput *= scattered->attenuation;
    ray = scattered->ray;

    if (depth + 1 >= kBouncesBeforeRoulette) {
      const float survival =
          std::clamp(std::max(throughput.x, std::max(throughput.y, throughput.z)), kMinimumSurvivalProbability, 1.0f);
      if (random.next_float() >= survival) break;
      throughput /= survival;
    }
  }
  return radiance;
}

}  // namespace raytracer
