// Hot function sky_radiance: what a ray sees when it leaves the scene. A gradient from the
// ground colour through the horizon to the zenith, plus the sun disk.
#include <algorithm>
#include <cmath>

#include <glm/common.hpp>
#include <glm/geometric.hpp>

#include "hot/hot_functions.h"

namespace raytracer {

glm::vec3 sky_radiance(const Sky& sky, const Ray& ray) {
  const glm::vec3 direction = glm::normalize(ray.direction);
  const float elevation = direction.y;  // sine of the angle above the horizon
  glm::vec3 radiance;
  if (elevation >= 0.0f) {
    // sqrt spends more of the gradient near the horizon, as a real sky does.
    radiance = glm::mix(sky.horizon_color, sky.zenith_color, std::sqrt(elevation));
  } else {
    // A quick fade to the ground colour just below the horizon.
    radiance = glm::mix(sky.horizon_color, sky.ground_color, std::min(1.0f, -8.0f * elevation));
  }
  if (glm::dot(direction, sky.sun_direction) >= sky.sun_cos_angular_radius) radiance += sky.sun_radiance;
  return radiance;
}

}  // namespace raytracer
