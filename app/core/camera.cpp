// Camera: construction defaults and the orbit and zoom moves. Rotations use portable_math,
// so a camera moved by the same mouse deltas ends at the same bits natively and in the browser.
#include "core/camera.h"

#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>

#include "core/check.h"
#include "core/portable_math.h"

namespace raytracer {
namespace {
// The closest the view direction may come to the up axis: cos(2 degrees).
constexpr float kMaximumCosineToUp = 0.99939083f;
constexpr float kMinimumDistance = 1e-3f;

// Rodrigues' rotation of `vector` about the unit `axis`.
glm::vec3 rotate(const glm::vec3& vector, const glm::vec3& axis, float angle_radians) {
  const auto [sine, cosine] = portable_math::sine_and_cosine(angle_radians);
  return vector * cosine + glm::cross(axis, vector) * sine + axis * (glm::dot(axis, vector) * (1.0f - cosine));
}
}  // namespace

Camera::Camera(const glm::vec3& position, const glm::vec3& target, const glm::vec3& up, float vertical_fov_degrees,
               float aperture, float focus_distance)
    : position_(position),
      target_(target),
      up_(glm::normalize(up)),
      vertical_fov_degrees_(vertical_fov_degrees),
      aperture_(aperture),
      focus_distance_(focus_distance > 0.0f ? focus_distance : glm::length(target - position)) {}

void Camera::orbit(float yaw_radians, float pitch_radians) {
  const glm::vec3 offset = position_ - target_;
  const float distance = glm::length(offset);
  RT_CHECK(distance > 0.0f);
  glm::vec3 turned = rotate(offset, up_, yaw_radians);

  // Rotating about cross(offset, up) by a positive angle lifts the camera towards up.
  const glm::vec3 pitch_axis = glm::cross(turned, up_);
  if (glm::dot(pitch_axis, pitch_axis) > 0.0f) {
    const glm::vec3 pitched = rotate(turned, glm::normalize(pitch_axis), pitch_radians);
    const glm::vec3 horizontal = turned - up_ * glm::dot(turned, up_);
    const float height = glm::dot(pitched, up_);
    const bool crossed_pole = glm::dot(pitched - up_ * height, horizontal) <= 0.0f;
    if (!crossed_pole && std::abs(height) <= kMaximumCosineToUp * distance) {
      turned = pitched;
    } else {
      // Past the limit the picture would flip over: stop at the limit on the side the pitch went.
      const float side = pitch_radians > 0.0f ? 1.0f : -1.0f;
      const float limit_sine = std::sqrt(1.0f - kMaximumCosineToUp * kMaximumCosineToUp);
      turned = glm::normalize(horizontal) * (distance * limit_sine) + up_ * (side * kMaximumCosineToUp * distance);
    }
  }
  position_ = target_ + turned;
}

void Camera::zoom(float factor) {
  RT_CHECK(factor > 0.0f);
  const glm::vec3 offset = position_ - target_;
  const float distance = glm::length(offset);
  const float new_distance = std::max(distance * factor, kMinimumDistance);
  const float applied_factor = new_distance / distance;
  position_ = target_ + offset * applied_factor;
  focus_distance_ *= applied_factor;
}

}  // namespace raytracer
