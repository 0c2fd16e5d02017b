// Lights: what next-event estimation aims at. A path that reaches a diffuse or rough surface
// also asks for a direction toward a light (sample) and traces one shadow ray there, instead
// of waiting for material sampling to stumble on a small bright light; it also needs the
// density with which a direction found by material sampling could have been picked here
// (density, sun_density), so shade_path can weigh the two estimates against each other
// (multiple importance sampling) without counting any light twice.
//
// The lights are every sphere, quad and triangle whose material emits (emission leaves both
// sides, as shade_path has always counted it) and the sky's sun disk. Scene gathers them once
// when it builds its acceleration structures. Each light is picked with a fixed chance, never
// depending on the shading point, so the density of a direction is known wherever the path
// found it. The geometry is copied, not referenced: a Scene can be moved or copied freely.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include <glm/vec3.hpp>

#include "core/random.h"
#include "core/sky.h"

namespace raytracer {

enum class LightShape : std::uint32_t { Sphere, Quad, Triangle };

// One emitting shape, in world space.
struct AreaLight {
  LightShape shape;    // which of the fields below describe it
  glm::vec3 origin;    // sphere: the centre; quad, triangle: the corner the edges start from
  glm::vec3 edge_u;    // quad, triangle: the first edge from `origin` (unused for a sphere)
  glm::vec3 edge_v;    // quad, triangle: the second edge from `origin`
  glm::vec3 normal;    // quad, triangle: unit normal (emission leaves both sides)
  float radius;        // sphere: the radius
  float area;          // the whole surface's area
  glm::vec3 emission;  // radiance leaving the surface

  static AreaLight sphere(const glm::vec3& center, float radius, const glm::vec3& emission);
  static AreaLight quad(const glm::vec3& corner, const glm::vec3& edge_u, const glm::vec3& edge_v,
                        const glm::vec3& emission);
  static AreaLight triangle(const glm::vec3& vertex0, const glm::vec3& edge1, const glm::vec3& edge2,
                            const glm::vec3& emission);
};

// A direction toward a light, picked by Lights::sample.
struct LightSample {
  glm::vec3 direction;  // unit, from the shading point toward the light
  float distance;       // to the picked point on the light; infinity toward the sun
  float density;        // per unit solid angle, the chance of picking this light included; > 0
  bool is_sun;          // true: the sun, whose light is the sky's radiance along `direction`
  glm::vec3 emission;   // an area light's radiance (unused for the sun)
};

class Lights {
 public:
  static constexpr std::uint32_t kNoLight = 0xffffffffu;
  // With both a sun and area lights, the sun is picked this often: it lights every open
  // surface, while an emitting shape usually lights only its surroundings.
  static constexpr float kSunShare = 0.5f;

  Lights() = default;
  // Area lights are picked in proportion to their power (luminance times area); the sun,
  // when `sky` has one (non-zero radiance, a disk wider than a float can tell from a point),
  // with kSunShare, or always when there are no area lights.
  Lights(std::vector<AreaLight> area_lights, const Sky& sky);

  bool empty() const { return area_lights_.empty() && sun_probability_ == 0.0f; }
  std::size_t area_light_count() const { return area_lights_.size(); }
  const AreaLight& area_light(std::uint32_t index) const { return area_lights_[index]; }
  bool has_sun() const { return sun_probability_ > 0.0f; }
  // The chance that sample() picks area light `index`, or the sun.
  float probability(std::uint32_t index) const { return probabilities_[index]; }
  float sun_probability() const { return sun_probability_; }

  // Picks a light and a direction toward it, seen from `point`. Nothing when the pick cannot
  // light the point (it is inside the sphere, or edge-on to the quad): the estimate is zero.
  // Draws at most three numbers from `random`.
  std::optional<LightSample> sample(const glm::vec3& point, Random& random) const;

  // The density (per unit solid angle, pick included) with which sample() from `from` gives
  // the direction toward `to`, a point on area light `index`; 0 when it never does.
  float density(std::uint32_t index, const glm::vec3& from, const glm::vec3& to) const;
  // The same for the sun and a unit `direction` (0 outside the sun's disk, or without a sun).
  float sun_density(const glm::vec3& direction) const;

 private:
  std::optional<LightSample> sample_sun(Random& random) const;

  std::vector<AreaLight> area_lights_;
  std::vector<float> cumulative_;     // running sums of the area lights' shares of power, the last 1
  std::vector<float> probabilities_;  // each area light's chance of being picked (its share times 1 - sun's)
  float sun_probability_ = 0.0f;      // 0: no sun
  glm::vec3 sun_direction_{0.0f, 1.0f, 0.0f};
  float sun_cos_angular_radius_ = 1.0f;
  float sun_one_minus_cos_ = 0.0f;    // 1 - cos(angular radius): the disk's solid angle / 2 pi
};

}  // namespace raytracer
