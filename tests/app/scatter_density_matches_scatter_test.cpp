// scatter_density describes exactly the directions scatter picks: light sampling divides by
// it, so a density that is off by a factor anywhere makes the light-sampled image too bright
// or too dark there. The check: for directions d drawn by scatter, the average of
// [d within angle alpha of the lobe's axis] / density(d) is the solid angle of that cap,
// 2 pi (1 - cos alpha), whatever the distribution, if and only if the density is right
// (a density wrong by a factor at some angles moves the averages of the caps around them).
// Also: scatter_density's attenuation is scatter's, and mirror-like materials report 0.
#include <gtest/gtest.h>

#include <cmath>

#include "raytracer.h"

namespace raytracer {
namespace {

constexpr int kDirections = 200000;
constexpr float kPi = 3.14159265358979f;

// A surface facing +z hit straight on, so a metal's lobe is centred on the normal and never
// dips below the surface.
const SurfaceHit kHit{glm::vec3(0.0f), glm::vec3(0.0f, 0.0f, 1.0f), 1.0f, true, 0, Lights::kNoLight};
const Ray kIncoming{glm::vec3(0.0f, 0.0f, 1.0f), glm::vec3(0.0f, 0.0f, -1.0f)};

Material metal(float roughness) {
  Material material;
  material.kind = MaterialKind::Metal;
  material.albedo.color = glm::vec3(0.9f, 0.6f, 0.3f);
  material.roughness = roughness;
  return material;
}

Material diffuse() {
  Material material;
  material.albedo.color = glm::vec3(0.5f, 0.7f, 0.2f);
  return material;
}

// The average of [angle to +z below alpha] / density over directions scatter picks, with its
// standard error.
struct CapEstimate {
  double solid_angle;
  double standard_error;
};
CapEstimate estimate_cap(const Material& material, float cap_cosine) {
  Random random(2024, 11);
  double sum = 0.0;
  double sum_of_squares = 0.0;
  int rim_directions = 0;
  for (int i = 0; i < kDirections; ++i) {
    const std::optional<ScatteredRay> scattered = scatter(material, kIncoming, kHit, random);
    if (!scattered || scattered->ray.direction.z < cap_cosine) continue;
    const float density = scatter_density(material, kIncoming, kHit, scattered->ray.direction).density;
    if (!(density > 0.0f)) {
      ++rim_directions;
      continue;
    }
    const double value = 1.0 / static_cast<double>(density);
    sum += value;
    sum_of_squares += value * value;
  }
  // Right at the lobe's rim the density is infinite and rounding may call the direction
  // impossible. Harmless (light sampling then leaves it to material sampling at full weight),
  // as long as it is rare.
  EXPECT_LT(rim_directions, kDirections / 1000) << "directions scatter picks but scatter_density calls impossible";
  const double mean = sum / kDirections;
  const double variance = sum_of_squares / kDirections - mean * mean;
  return {mean, std::sqrt(variance / kDirections)};
}

void expect_caps_match(const Material& material, float lobe_cosine) {
  for (const float fraction : {0.25f, 0.5f, 0.75f, 1.0f}) {
    // Caps from a quarter of the lobe's angular radius to all of it.
    const float cap_angle = fraction * std::acos(lobe_cosine);
    const float cap_cosine = std::cos(cap_angle);
    const CapEstimate estimate = estimate_cap(material, cap_cosine);
    const double expected = 2.0 * static_cast<double>(kPi) * (1.0 - static_cast<double>(cap_cosine));
    EXPECT_NEAR(estimate.solid_angle, expected, 5.0 * estimate.standard_error + 1e-4 * expected)
        << "cap of " << cap_angle << " rad";
    EXPECT_NEAR(estimate.solid_angle / expected, 1.0, 0.03) << "cap of " << cap_angle << " rad";
  }
}

TEST(ScatterDensity, DiffuseIsCosineOverPi) {
  expect_caps_match(diffuse(), 0.0f);
  const ScatterDensity density =
      scatter_density(diffuse(), kIncoming, kHit, glm::normalize(glm::vec3(1.0f, 0.0f, 1.0f)));
  EXPECT_NEAR(density.density, std::sqrt(0.5f) / kPi, 1e-6f);
  EXPECT_EQ(density.attenuation, diffuse().albedo.color);
}

TEST(ScatterDensity, RoughMetalMatchesItsLobe) {
  for (const float roughness : {0.1f, 0.3f, 0.7f}) {
    SCOPED_TRACE(roughness);
    expect_caps_match(metal(roughness), std::sqrt(1.0f - roughness * roughness));
  }
}

TEST(ScatterDensity, MetalOfRoughnessOneHeadOnIsLambertian) {
  // The offset sphere then passes through the origin: its directions are cosine-distributed.
  expect_caps_match(metal(1.0f), 0.0f);
  const glm::vec3 direction = glm::normalize(glm::vec3(0.3f, -0.4f, 0.8f));
  EXPECT_NEAR(scatter_density(metal(1.0f), kIncoming, kHit, direction).density, direction.z / kPi, 1e-5f);
}

TEST(ScatterDensity, NothingOutsideTheLobeOrBelowTheSurface) {
  EXPECT_EQ(scatter_density(metal(0.3f), kIncoming, kHit, glm::normalize(glm::vec3(1.0f, 0.0f, 0.5f))).density, 0.0f);
  EXPECT_EQ(scatter_density(diffuse(), kIncoming, kHit, glm::vec3(0.0f, 0.0f, -1.0f)).density, 0.0f);
}

TEST(ScatterDensity, MirrorLikeMaterialsAreLeftToScatter) {
  EXPECT_EQ(scatter_density(metal(0.0f), kIncoming, kHit, glm::vec3(0.0f, 0.0f, 1.0f)).density, 0.0f);
  EXPECT_EQ(scatter_density(metal(0.01f), kIncoming, kHit, glm::vec3(0.0f, 0.0f, 1.0f)).density, 0.0f);
  Material glass;
  glass.kind = MaterialKind::Dielectric;
  EXPECT_EQ(scatter_density(glass, kIncoming, kHit, glm::vec3(0.0f, 0.0f, 1.0f)).density, 0.0f);
  Material lamp;
  lamp.kind = MaterialKind::Emissive;
  lamp.emission = glm::vec3(4.0f);
  EXPECT_EQ(scatter_density(lamp, kIncoming, kHit, glm::vec3(0.0f, 0.0f, 1.0f)).density, 0.0f);
}

}  // namespace
}  // namespace raytracer
