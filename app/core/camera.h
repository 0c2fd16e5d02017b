// Camera: where the viewer stands and what the lens does (position, target, up, vertical
// field of view, aperture, focus distance), plus the two moves the page maps to the mouse:
// orbit (drag) and zoom (wheel). Turning it into rays for an image size is CameraView's job.
#pragma once

#include <glm/vec3.hpp>

namespace raytracer {

class Camera {
 public:
  Camera() = default;
  // `up` need not be perpendicular to the view direction, only not parallel to it.
  // `focus_distance` <= 0 means "focus on the target".
  Camera(const glm::vec3& position, const glm::vec3& target, const glm::vec3& up, float vertical_fov_degrees,
         float aperture, float focus_distance);

  // Turns the camera around its target: `yaw` about the up axis, `pitch` about the camera's
  // right axis (radians; positive yaw turns counter-clockwise seen from above, positive
  // pitch lifts the camera so it looks down on the target). The distance to the
  // target is kept; pitch stops short of looking straight along the up axis.
  void orbit(float yaw_radians, float pitch_radians);
  // Moves the camera along its line of sight: the distance to the target is multiplied by
  // `factor` (< 1 comes closer). The focus distance scales with it, so what was sharp stays sharp.
  void zoom(float factor);

  const glm::vec3& position() const { return position_; }
  const glm::vec3& target() const { return target_; }
  const glm::vec3& up() const { return up_; }
  float vertical_fov_degrees() const { return vertical_fov_degrees_; }
  float aperture() const { return aperture_; }
  float focus_distance() const { return focus_distance_; }

 private:
  glm::vec3 position_{0.0f, 0.0f, 1.0f};
  glm::vec3 target_{0.0f};
  glm::vec3 up_{0.0f, 1.0f, 0.0f};
  float vertical_fov_degrees_ = 40.0f;  // top-to-bottom opening angle of the view
  float aperture_ = 0.0f;               // lens diameter; 0 is a pinhole (everything sharp)
  float focus_distance_ = 1.0f;         // distance from the lens to the plane in focus
};

}  // namespace raytracer
