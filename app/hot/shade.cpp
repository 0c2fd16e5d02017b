// Hot functions shade_path and shade_path_material_sampling: the path-tracing integrator for
// one camera ray. Follows the ray from surface to surface, adding emitted light weighted by
// the product of attenuations so far, until it leaves the scene (sky), is absorbed, runs out
// of depth, or is ended by Russian roulette (which keeps the estimate unbiased by boosting
// surviving paths).
//
// shade_path also samples a light at every surface: a shadow ray toward a point on a light
// (next-event estimation) finds small bright lights that material sampling would hit only
// by luck. Light reaching a surface straight from a light is then estimated twice, by the
// shadow ray and by the material-sampled ray when it happens to hit a light; each estimate is
// weighted by the power heuristic (Veach 1997): its density squared over the sum of both
// densities squared. The two weights sum to one for every direction, so no light is counted
// twice or lost, and each strategy dominates where it is the better one: light sampling for
// small lights, material sampling for narrow reflections and large dim lights (the sky).
// Mirror-like surfaces report a density of 0 (scatter_density): their light comes from
// material sampling alone, at full weight.
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
// A shadow ray stops this fraction of its length short of the point on the light it aims at,
// so it does not find the light itself in its way.
constexpr float kShadowRayShortening = 1e-4f;

// The power heuristic's weight for the strategy that picked a direction with `density`,
// against the other strategy's `other_density`: density^2 / (density^2 + other_density^2),
// written so that no ratio of densities overflows.
float power_heuristic(float density, float other_density) {
  const float ratio = other_density / density;
  return 1.0f / (1.0f + ratio * ratio);
}

// A light-sampled estimate is (reflectance * cosine) * radiance / light_density * weight,
// and reflectance * cosine = attenuation * material_density (ScatterDensity), so its factor
// besides attenuation * radiance is ratio * power_heuristic(light, material) = ratio /
// (1 + ratio^2), ratio = material_density / light_density: at most 1/2, whatever the
// densities. Written so that neither a huge nor a tiny ratio overflows.
float weighted_density_ratio(float ratio) {
  return ratio <= 1.0f ? ratio / (1.0f + ratio * ratio) : 1.0f / (ratio + 1.0f / ratio);
}

// The light arriving at `hit` straight from a light the scene's lights pick, as the surface
// sends it back along the incoming ray, weighted against material sampling. Zero when the
// light is hidden, the surface faces away from it, or the material is mirror-like.
glm::vec3 sampled_light(const Scene& scene, const Material& material, const Ray& incoming, const SurfaceHit& hit,
                        Random& random) {
  const std::optional<LightSample> light = scene.lights().sample(hit.point, random);
  if (!light) return glm::vec3(0.0f);
  const ScatterDensity scattering = scatter_density(material, incoming, hit, light->direction);
  if (!(scattering.density > 0.0f)) return glm::vec3(0.0f);
  const Ray shadow_ray{hit.point, light->direction};
  const float shadow_end =
      light->is_sun ? std::numeric_limits<float>::max() : light->distance * (1.0f - kShadowRayShortening);
  if (scene.occluded(shadow_ray, kRayStartOffset, shadow_end)) return glm::vec3(0.0f);
  const glm::vec3 arriving = light->is_sun ? sky_radiance(scene.sky(), shadow_ray) : light->emission;
  return scattering.attenuation * arriving * weighted_density_ratio(scattering.density / light->density);
}

// Russian roulette after the first bounces: a dim path ends with the probability of its
// brightest channel's throughput, and a surviving one is brightened to keep the estimate
// unbiased. Returns false when the path ends.
bool survives_roulette(int depth, glm::vec3& throughput, Random& random) {
  if (depth + 1 < kBouncesBeforeRoulette) return true;
  const float survival =
      std::clamp(std::max(throughput.x, std::max(throughput.y, throughput.z)), kMinimumSurvivalProbability, 1.0f);
  if (random.next_float() >= survival) return false;
  throughput /= survival;
  return true;
}
}  // namespace

glm::vec3 shade_path(const Scene& scene, const Ray& camera_ray, int max_depth, Random& random) {
  const Lights& lights = scene.lights();
  glm::vec3 radiance(0.0f);
  glm::vec3 throughput(1.0f);
  Ray ray = camera_ray;
  // The density with which material sampling picked `ray`; 0 for the camera's ray and after a
  // mirror-like bounce, which light sampling cannot produce: the light they find counts fully.
  float ray_density = 0.0f;
  for (int depth = 0; depth < max_depth; ++depth) {
    const std::optional<SurfaceHit> hit = scene.intersect(ray, kRayStartOffset, std::numeric_limits<float>::max());
    if (!hit) {
      if (ray_density > 0.0f) throughput *= power_heuristic(ray_density, lights.sun_density(ray.direction));
      radiance += throughput * sky_radiance(scene.sky(), ray);
      break;
    }
    const Material& material = scene.material(hit->material);
    const float emission_weight = ray_density > 0.0f && hit->light != Lights::kNoLight
                                      ? power_heuristic(ray_density, lights.density(hit->light, ray.origin, hit->point))
                                      : 1.0f;
    radiance += throughput * material.emission * emission_weight;
    // The shadow ray is one more segment of the path: only while the path may still grow.
    if (depth + 1 < max_depth) radiance += throughput * sampled_light(scene, material, ray, *hit, random);

    const std::optional<ScatteredRay> scattered = scatter(material, ray, *hit, random);
    if (!scattered) break;
    ray_density = scatter_density(material, ray, *hit, scattered->ray.direction).density;
    throughput *= scattered->attenuation;
    ray = scattered->ray;

    if (!survives_roulette(depth, throughput, random)) break;
  }
  return radiance;
}

glm::vec3 shade_path_material_sampling(const Scene& scene, const Ray& camera_ray, int max_depth, Random& random) {
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

    if (!survives_roulette(depth, throughput, random)) break;
  }
  return radiance;
}

}  // namespace raytracer
