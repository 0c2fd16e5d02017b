// CameraView: the camera's image plane for one aspect ratio, and primary rays with a thin lens.
#include "core/camera_view.h"

#include <glm/geometric.hpp>

#include "core/check.h"
#include "core/portable_math.h"
#include "core/sampling.h"

namespace raytracer {

CameraView::CameraView(const Camera& camera, float aspect_ratio) {
  RT_CHECK(aspect_ratio > 0.0f);
  const float half_height = portable_math::tan(portable_math::radians(camera.vertical_fov_degrees()) * 0.5f);
  const float half_width = aspect_ratio * half_height;
  const glm::vec3 backward = glm::normalize(camera.position() - camera.target());
  right_ = glm::normalize(glm::cross(camera.up(), backward));
  camera_up_ = glm::cross(backward, right_);

  const float focus = camera.focus_distance();
  origin_ = camera.position();
  horizontal_ = (2.0f * half_width * focus) * right_;
  vertical_ = (-2.0f * half_height * focus) * camera_up_;
  top_left_ = origin_ - focus * backward - 0.5f * horizontal_ - 0.5f * vertical_;
  lens_radius_ = 0.5f * camera.aperture();
}

Ray CameraView::ray(float s, float t, Random& random) const {
  glm::vec3 lens_point = origin_;
  if (lens_radius_ > 0.0f) {
    const glm::vec2 disk = lens_radius_ * random_in_unit_disk(random);
    lens_point += disk.x * right_ + disk.y * camera_up_;
  }
  const glm::vec3 image_point = top_left_ + s * horizontal_ + t * vertical_;
  return {lens_point, glm::normalize(image_point - lens_point)};
}

}  // namespace raytracer
