// ScatteredRay: the result of the hot function `scatter`: the ray that continues the
// path and how much of each colour survives the bounce. ScatterDensity: how likely scatter
// is to pick a given direction (for light sampling).
#pragma once

#include <glm/vec3.hpp>

#include "core/ray.h"

namespace raytracer {

struct ScatteredRay {
  Ray ray;                // the continuing ray (unit direction)
  glm::vec3 attenuation;  // per colour channel: the fraction of light carried on
};

// The result of the hot function `scatter_density` for one direction: scatter would pick it
// with `density` and carry `attenuation` along it. So light arriving from that direction
// leaves towards the incoming ray multiplied by attenuation * density (the reflectance times
// the cosine), which is what light sampling needs to weigh a direction it picked itself.
struct ScatterDensity {
  glm::vec3 attenuation;  // what scatter's ScatteredRay would carry along the direction
  float density;          // per unit solid angle; 0: never picked, or a mirror-like material
};

}  // namespace raytracer
