// Lights: picking a light, sampling a direction toward it, and the density of a direction.
// Spheres are sampled over the cone they fill as seen from the shading point (every
// direction in it reaches the sphere's near side, so no sample is wasted on its far side);
// quads and triangles uniformly over their area; the sun over its disk.
#include "core/lights.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <glm/geometric.hpp>

#include "core/check.h"
#include "core/portable_math.h"
#include "core/sampling.h"

namespace raytracer {
namespace {
// Rec. 709 luminance: how bright a colour looks, to share the light samples by power.
float luminance(const glm::vec3& color) { return 0.2126f * color.x + 0.7152f * color.y + 0.0722f * color.z; }

// 1 - cos of the half-angle of the cone a sphere fills, seen from a point distance_squared
// away from its centre (outside it). Written as sin^2 / (1 + cos) so a small far sphere does
// not lose its cone to rounding.
float sphere_cone_one_minus_cos(float distance_squared, float radius_squared) {
  const float sine_squared = radius_squared / distance_squared;
  const float cosine = std::sqrt(std::max(0.0f, 1.0f - sine_squared));
  return sine_squared / (1.0f + cosine);
}

// The density of a uniform direction in a cone with this 1 - cos(half-angle).
float cone_density(float one_minus_cos) { return 1.0f / (2.0f * portable_math::kPi * one_minus_cos); }
}  // namespace

AreaLight AreaLight::sphere(const glm::vec3& center, float radius, const glm::vec3& emission) {
  return {LightShape::Sphere, center, glm::vec3(0.0f), glm::vec3(0.0f), glm::vec3(0.0f), radius,
          4.0f * portable_math::kPi * radius * radius, emission};
}

AreaLight AreaLight::quad(const glm::vec3& corner, const glm::vec3& edge_u, const glm::vec3& edge_v,
                          const glm::vec3& emission) {
  const glm::vec3 perpendicular = glm::cross(edge_u, edge_v);
  const float area = glm::length(perpendicular);
  return {LightShape::Quad, corner, edge_u, edge_v, perpendicular / area, 0.0f, area, emission};
}

AreaLight AreaLight::triangle(const glm::vec3& vertex0, const glm::vec3& edge1, const glm::vec3& edge2,
                              const glm::vec3& emission) {
  const glm::vec3 perpendicular = glm::cross(edge1, edge2);
  const float twice_area = glm::length(perpendicular);
  return {LightShape::Triangle, vertex0, edge1, edge2, perpendicular / twice_area, 0.0f, 0.5f * twice_area, emission};
}

Lights::Lights(std::vector<AreaLight> area_lights, const Sky& sky) : area_lights_(std::move(area_lights)) {
  const float brightest_sun_channel = std::max(sky.sun_radiance.x, std::max(sky.sun_radiance.y, sky.sun_radiance.z));
  const float sun_one_minus_cos = 1.0f - sky.sun_cos_angular_radius;
  if (brightest_sun_channel > 0.0f && sun_one_minus_cos > 0.0f) {
    sun_direction_ = sky.sun_direction;
    sun_cos_angular_radius_ = sky.sun_cos_angular_radius;
    sun_one_minus_cos_ = sun_one_minus_cos;
    sun_probability_ = area_lights_.empty() ? 1.0f : kSunShare;
  }

  // Shares of power, summed in double in a fixed order: the same chances on every platform.
  double total_power = 0.0;
  for (const AreaLight& light : area_lights_) {
    RT_CHECK(light.area > 0.0f);
    RT_CHECK(luminance(light.emission) > 0.0f);
    total_power += static_cast<double>(luminance(light.emission)) * static_cast<double>(light.area);
  }
  double running_power = 0.0;
  float previous = 0.0f;
  for (const AreaLight& light : area_lights_) {
    running_power += static_cast<double>(luminance(light.emission)) * static_cast<double>(light.area);
    const float cumulative = static_cast<float>(running_power / total_power);
    cumulative_.push_back(cumulative);
    // A light whose share rounds to nothing is never picked, and its density says so.
    probabilities_.push_back((1.0f - sun_probability_) * (cumulative - previous));
    previous = cumulative;
  }
  if (!cumulative_.empty()) {
    probabilities_.back() += (1.0f - sun_probability_) * (1.0f - cumulative_.back());
    cumulative_.back() = 1.0f;
  }
}

std::optional<LightSample> Lights::sample(const glm::vec3& point, Random& random) const {
  if (empty()) return std::nullopt;
  const float choice = random.next_float();
  if (choice < sun_probability_) return sample_sun(random);

  const float area_choice = (choice - sun_probability_) / (1.0f - sun_probability_);
  const auto first_above = std::upper_bound(cumulative_.begin(), cumulative_.end(), area_choice);
  const auto index = static_cast<std::uint32_t>(
      std::min<std::ptrdiff_t>(first_above - cumulative_.begin(), static_cast<std::ptrdiff_t>(cumulative_.size()) - 1));
  const AreaLight& light = area_lights_[index];

  if (light.shape == LightShape::Sphere) {
    const glm::vec3 to_center = light.origin - point;
    const float distance_squared = glm::dot(to_center, to_center);
    const float radius_squared = light.radius * light.radius;
    if (!(distance_squared > radius_squared)) return std::nullopt;  // inside: its cone is everything
    // Uniform over the cone: the same density toward every point of the sphere (its centre too).
    const float density = this->density(index, point, light.origin);
    if (!(density > 0.0f && density < std::numeric_limits<float>::infinity())) return std::nullopt;
    const glm::vec3 axis = to_center / std::sqrt(distance_squared);
    const glm::vec3 direction =
        random_direction_in_cone(axis, sphere_cone_one_minus_cos(distance_squared, radius_squared), random);
    // The near root of |point + t direction - centre| = radius; at the cone's rim the two
    // roots meet, and rounding must not make the root imaginary there.
    const float along = glm::dot(direction, to_center);
    const float distance = along - std::sqrt(std::max(0.0f, along * along - (distance_squared - radius_squared)));
    return LightSample{direction, distance, density, false, light.emission};
  }

  const float u = random.next_float();
  const float v = random.next_float();
  glm::vec3 on_light;
  if (light.shape == LightShape::Quad) {
    on_light = light.origin + u * light.edge_u + v * light.edge_v;
  } else {
    // Uniform on the triangle: the square root keeps the density even towards vertex0.
    const float root_u = std::sqrt(u);
    on_light = light.origin + (root_u * (1.0f - v)) * light.edge_u + (root_u * v) * light.edge_v;
  }
  const float density = this->density(index, point, on_light);
  if (!(density > 0.0f && density < std::numeric_limits<float>::infinity())) return std::nullopt;
  const glm::vec3 offset = on_light - point;
  const float distance = std::sqrt(glm::dot(offset, offset));
  return LightSample{offset / distance, distance, density, false, light.emission};
}

std::optional<LightSample> Lights::sample_sun(Random& random) const {
  const glm::vec3 direction = random_direction_in_cone(sun_direction_, sun_one_minus_cos_, random);
  const float density = sun_density(direction);  // 0 when rounding put it just outside the disk
  if (!(density > 0.0f)) return std::nullopt;
  return LightSample{direction, std::numeric_limits<float>::infinity(), density, true, glm::vec3(0.0f)};
}

float Lights::density(std::uint32_t index, const glm::vec3& from, const glm::vec3& to) const {
  const AreaLight& light = area_lights_[index];
  const float probability = probabilities_[index];
  if (light.shape == LightShape::Sphere) {
    const glm::vec3 to_center = light.origin - from;
    const float distance_squared = glm::dot(to_center, to_center);
    const float radius_squared = light.radius * light.radius;
    if (!(distance_squared > radius_squared)) return 0.0f;  // from inside: never sampled
    const float one_minus_cos = sphere_cone_one_minus_cos(distance_squared, radius_squared);
    if (!(one_minus_cos > 0.0f)) return 0.0f;
    return probability * cone_density(one_minus_cos);
  }
  // Uniform over the area: per unit area 1 / area, per unit solid angle distance^2 / (cos area).
  const glm::vec3 offset = to - from;
  const float distance_squared = glm::dot(offset, offset);
  const float cosine = std::abs(glm::dot(light.normal, offset)) / std::sqrt(distance_squared);
  if (!(cosine > 0.0f)) return 0.0f;
  return probability * distance_squared / (cosine * light.area);
}

float Lights::sun_density(const glm::vec3& direction) const {
  if (sun_probability_ == 0.0f || glm::dot(direction, sun_direction_) < sun_cos_angular_radius_) return 0.0f;
  return sun_probability_ * cone_density(sun_one_minus_cos_);
}

}  // namespace raytracer
