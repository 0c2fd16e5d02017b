// Sky: the light arriving from infinity, seen by rays that leave the scene. A vertical
// gradient (ground, horizon, zenith) and an optional sun disk. Its look is computed by the
// hot function `sky_radiance`, so it can be edited while the picture is on screen.
#pragma once

#include <glm/vec3.hpp>

namespace raytracer {

struct Sky {
  glm::vec3 zenith_color{0.5f, 0.7f, 1.0f};       // radiance straight up
  glm::vec3 horizon_color{1.0f, 1.0f, 1.0f};      // radiance at the horizon
  glm::vec3 ground_color{0.5f, 0.45f, 0.4f};      // radiance below the horizon
  glm::vec3 sun_direction{0.0f, 1.0f, 0.0f};      // unit vector towards the sun
  glm::vec3 sun_radiance{0.0f};                   // radiance of the sun disk (zero: no sun)
  float sun_cos_angular_radius = 1.0f;            // cosine of the disk's angular radius
};

}  // namespace raytracer
