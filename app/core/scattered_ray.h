// ScatteredRay: the result of the hot function `scatter`: the ray that continues the
// path and how much of each colour survives the bounce.
#pragma once

#include <glm/vec3.hpp>

#include "core/ray.h"

namespace raytracer {

struct ScatteredRay {
  Ray ray;                // the continuing ray (unit direction)
  glm::vec3 attenuation;  // per colour channel: the fraction of light carried on
};

}  // namespace raytracer
