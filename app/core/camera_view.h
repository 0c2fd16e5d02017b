// CameraView: a Camera fixed for one image shape, ready to make primary rays. Computed once
// per tile (cheap) rather than stored, so the page can move the camera or resize freely.
#pragma once

#include <glm/vec3.hpp>

#include "core/camera.h"
#include "core/random.h"
#include "core/ray.h"

namespace raytracer {

class CameraView {
 public:
  CameraView(const Camera& camera, float aspect_ratio);

  // The ray through the image point (s, t): s from 0 (left edge) to 1 (right edge), t from 0
  // (top) to 1 (bottom). Draws from `random` only when the lens has an aperture.
  Ray ray(float s, float t, Random& random) const;

 private:
  glm::vec3 origin_;
  glm::vec3 top_left_;    // the top left corner of the image on the plane of focus
  glm::vec3 horizontal_;  // from the left edge to the right edge of that image
  glm::vec3 vertical_;    // from the top edge to the bottom edge
  glm::vec3 right_;       // unit camera axes, for the lens offset
  glm::vec3 camera_up_;
  float lens_radius_;
};

}  // namespace raytracer
