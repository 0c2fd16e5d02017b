// Aabb: an axis-aligned bounding box, the building block of the BVH: growing boxes while
// building, their surface area for the split cost, and the ray/box slab test.
#pragma once

#include <limits>

#include <glm/common.hpp>
#include <glm/vec3.hpp>

namespace raytracer {

struct Aabb {
  glm::vec3 minimum{std::numeric_limits<float>::infinity()};   // smallest corner (empty box: +inf)
  glm::vec3 maximum{-std::numeric_limits<float>::infinity()};  // largest corner (empty box: -inf)

  void grow(const glm::vec3& point) {
    minimum = glm::min(minimum, point);
    maximum = glm::max(maximum, point);
  }
  void grow(const Aabb& other) {
    minimum = glm::min(minimum, other.minimum);
    maximum = glm::max(maximum, other.maximum);
  }
  bool empty() const { return !(minimum.x <= maximum.x); }
  glm::vec3 center() const { return 0.5f * (minimum + maximum); }
  // Half the surface area (the constant factor cancels in the split cost); 0 when empty.
  float half_area() const {
    if (empty()) return 0.0f;
    const glm::vec3 extent = maximum - minimum;
    return extent.x * extent.y + extent.y * extent.z + extent.z * extent.x;
  }
};

// The distance at which the ray enters the box within [t_min, t_max], or +infinity when it
// misses. `inverse_direction` is 1 / direction per axis. A NaN from 0 * infinity (a ray
// parallel to a slab, starting on its plane) is ignored by the comparisons below rather
// than propagated.
inline float ray_box_entry(const glm::vec3& minimum, const glm::vec3& maximum, const glm::vec3& origin,
                           const glm::vec3& inverse_direction, float t_min, float t_max) {
  float entry = t_min;
  float exit = t_max;
  for (int axis = 0; axis < 3; ++axis) {
    const float t_near_plane = (minimum[axis] - origin[axis]) * inverse_direction[axis];
    const float t_far_plane = (maximum[axis] - origin[axis]) * inverse_direction[axis];
    const float t_enter = t_near_plane < t_far_plane ? t_near_plane : t_far_plane;
    const float t_leave = t_near_plane < t_far_plane ? t_far_plane : t_near_plane;
    entry = t_enter > entry ? t_enter : entry;
    exit = t_leave < exit ? t_leave : exit;
  }
  return entry <= exit ? entry : std::numeric_limits<float>::infinity();
}

}  // namespace raytracer
