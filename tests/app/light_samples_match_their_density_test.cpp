// Lights::sample picks directions with exactly the density Lights::density reports: over
// many samples from one point, the average of 1 / density is the solid angle the light fills
// seen from there (for one light; the pick's chance is part of the density). Also: lights
// are picked in proportion to their power, the sun with its fixed share, and a ray that
// hits an emitting shape learns which light it is.
#include <gtest/gtest.h>

#include <cmath>

#include "raytracer.h"

namespace raytracer {
namespace {

constexpr int kSamples = 200000;
constexpr double kPi = 3.14159265358979323846;

Sky dark_sky() {
  Sky sky;
  sky.zenith_color = sky.horizon_color = sky.ground_color = glm::vec3(0.0f);
  return sky;
}

Material lamp(float radiance) {
  Material material;
  material.kind = MaterialKind::Emissive;
  material.emission = glm::vec3(radiance);
  return material;
}

// The average of 1 / density over samples from `point`, and its standard error.
struct SolidAngleEstimate {
  double solid_angle;
  double standard_error;
};
SolidAngleEstimate estimate_solid_angle(const Scene& scene, const glm::vec3& point) {
  Random random(77, 5);
  double sum = 0.0;
  double sum_of_squares = 0.0;
  for (int i = 0; i < kSamples; ++i) {
    const std::optional<LightSample> sample = scene.lights().sample(point, random);
    if (!sample) continue;
    EXPECT_NEAR(glm::length(sample->direction), 1.0f, 1e-5f);
    const double value = 1.0 / static_cast<double>(sample->density);
    sum += value;
    sum_of_squares += value * value;
  }
  const double mean = sum / kSamples;
  return {mean, std::sqrt(std::max(0.0, sum_of_squares / kSamples - mean * mean) / kSamples)};
}

void expect_solid_angle(const Scene& scene, const glm::vec3& point, double expected) {
  const SolidAngleEstimate estimate = estimate_solid_angle(scene, point);
  EXPECT_NEAR(estimate.solid_angle, expected, 5.0 * estimate.standard_error + 1e-5 * expected);
  EXPECT_NEAR(estimate.solid_angle / expected, 1.0, 0.01);
}

// The solid angle of an a x b rectangle seen from a point on its central axis, distance d.
double rectangle_solid_angle(double a, double b, double d) {
  return 4.0 * std::asin(a * b / std::sqrt((a * a + 4.0 * d * d) * (b * b + 4.0 * d * d)));
}

TEST(Lights, ASphereIsSampledOverTheConeItFills) {
  Scene scene;
  scene.set_sky(dark_sky());
  scene.add_sphere({glm::vec3(0.0f, 0.0f, 5.0f), 1.5f, scene.add_material(lamp(3.0f))});
  scene.build_acceleration_structures();
  ASSERT_EQ(scene.lights().area_light_count(), 1u);
  expect_solid_angle(scene, glm::vec3(0.0f), 2.0 * kPi * (1.0 - std::sqrt(1.0 - 1.5 * 1.5 / 25.0)));
}

TEST(Lights, AFarSmallSphereKeepsItsCone) {
  // 1 - cos of this cone is 2e-8: computed as 1 - sqrt(1 - sin^2) it would round to 0.
  Scene scene;
  scene.set_sky(dark_sky());
  scene.add_sphere({glm::vec3(0.0f, 0.0f, 1000.0f), 0.2f, scene.add_material(lamp(3.0f))});
  scene.build_acceleration_structures();
  const double sine_squared = 0.2 * 0.2 / (1000.0 * 1000.0);
  expect_solid_angle(scene, glm::vec3(0.0f), 2.0 * kPi * sine_squared / (1.0 + std::sqrt(1.0 - sine_squared)));
}

TEST(Lights, AQuadIsSampledUniformlyOverItsArea) {
  Scene scene;
  scene.set_sky(dark_sky());
  // 2 x 3, centred on the z axis at z = 4, facing away from the point (emission is two-sided).
  scene.add_quad(Quad::make({-1.0f, -1.5f, 4.0f}, {2.0f, 0.0f, 0.0f}, {0.0f, 3.0f, 0.0f}, scene.add_material(lamp(3.0f))));
  scene.build_acceleration_structures();
  expect_solid_angle(scene, glm::vec3(0.0f), rectangle_solid_angle(2.0, 3.0, 4.0));
}

TEST(Lights, ATriangleIsSampledUniformlyOverItsArea) {
  // Half of the rectangle above, cut along its diagonal: half its solid angle, by symmetry.
  TriangleMesh mesh;
  mesh.add_position({-1.0f, -1.5f, 4.0f});
  mesh.add_position({1.0f, -1.5f, 4.0f});
  mesh.add_position({1.0f, 1.5f, 4.0f});
  mesh.add_face({{0, 1, 2}, {MeshFace::kNoNormal, MeshFace::kNoNormal, MeshFace::kNoNormal}});
  Scene scene;
  scene.set_sky(dark_sky());
  scene.add_mesh(mesh, scene.add_material(lamp(3.0f)));
  scene.build_acceleration_structures();
  ASSERT_EQ(scene.lights().area_light_count(), 1u);
  expect_solid_angle(scene, glm::vec3(0.0f), 0.5 * rectangle_solid_angle(2.0, 3.0, 4.0));
}

TEST(Lights, TheSunIsSampledOverItsDisk) {
  Sky sky = dark_sky();
  sky.sun_direction = glm::normalize(glm::vec3(0.3f, 1.0f, 0.2f));
  sky.sun_radiance = glm::vec3(10.0f);
  sky.sun_cos_angular_radius = std::cos(0.1f);
  Scene scene;
  scene.set_sky(sky);
  scene.build_acceleration_structures();
  ASSERT_TRUE(scene.lights().has_sun());
  EXPECT_EQ(scene.lights().sun_probability(), 1.0f);
  expect_solid_angle(scene, glm::vec3(0.0f), 2.0 * kPi * (1.0 - static_cast<double>(sky.sun_cos_angular_radius)));
  EXPECT_EQ(scene.lights().sun_density(-sky.sun_direction), 0.0f);
}

TEST(Lights, ADensityMatchesTheSampleThatReachesThePoint) {
  Scene scene;
  scene.set_sky(dark_sky());
  scene.add_quad(Quad::make({-1.0f, -1.5f, 4.0f}, {2.0f, 0.0f, 0.0f}, {0.0f, 3.0f, 0.0f}, scene.add_material(lamp(3.0f))));
  scene.build_acceleration_structures();
  Random random(1, 2);
  const glm::vec3 from(0.3f, -0.2f, 0.5f);
  for (int i = 0; i < 100; ++i) {
    const std::optional<LightSample> sample = scene.lights().sample(from, random);
    ASSERT_TRUE(sample.has_value());
    const glm::vec3 on_light = from + sample->distance * sample->direction;
    EXPECT_NEAR(on_light.z, 4.0f, 1e-4f);
    EXPECT_NEAR(scene.lights().density(0, from, on_light) / sample->density, 1.0f, 1e-4f);
  }
}

TEST(Lights, LightsArePickedInProportionToPowerAndTheSunHasItsShare) {
  Sky sky = dark_sky();
  sky.sun_radiance = glm::vec3(5.0f);
  sky.sun_cos_angular_radius = 0.99f;
  Scene scene;
  scene.set_sky(sky);
  scene.add_material(Material{});  // not a light
  scene.add_sphere({glm::vec3(0.0f, 0.0f, 10.0f), 1.0f, scene.add_material(lamp(1.0f))});
  scene.add_sphere({glm::vec3(0.0f, 10.0f, 0.0f), 1.0f, scene.add_material(lamp(3.0f))});
  scene.add_sphere({glm::vec3(10.0f, 0.0f, 0.0f), 1.0f, 0});
  scene.build_acceleration_structures();
  const Lights& lights = scene.lights();
  ASSERT_EQ(lights.area_light_count(), 2u);
  EXPECT_FLOAT_EQ(lights.sun_probability(), Lights::kSunShare);
  const float dim = lights.area_light(0).emission.x < lights.area_light(1).emission.x ? lights.probability(0) : lights.probability(1);
  const float bright = lights.probability(0) + lights.probability(1) - dim;
  EXPECT_NEAR(dim, 0.125f, 1e-6f);
  EXPECT_NEAR(bright, 0.375f, 1e-6f);

  // The picks follow those chances: count them by where the directions point.
  Random random(3, 4);
  int toward_bright = 0;
  const int picks = 100000;
  for (int i = 0; i < picks; ++i) {
    const std::optional<LightSample> sample = lights.sample(glm::vec3(0.0f), random);
    if (sample && !sample->is_sun && sample->direction.y > 0.5f) ++toward_bright;
  }
  EXPECT_NEAR(static_cast<double>(toward_bright) / picks, 0.375, 0.005);
}

TEST(Lights, AHitOnAnEmittingShapeNamesItsLight) {
  Scene scene;
  scene.set_sky(dark_sky());
  const std::uint32_t wall = scene.add_material(Material{});
  scene.add_sphere({glm::vec3(0.0f, 0.0f, 5.0f), 1.0f, scene.add_material(lamp(2.0f))});
  scene.add_quad(Quad::make({-10.0f, -10.0f, -5.0f}, {20.0f, 0.0f, 0.0f}, {0.0f, 20.0f, 0.0f}, wall));
  scene.build_acceleration_structures();
  const auto lamp_hit = scene.intersect(Ray{glm::vec3(0.0f), glm::vec3(0.0f, 0.0f, 1.0f)}, 0.001f, 100.0f);
  ASSERT_TRUE(lamp_hit.has_value());
  ASSERT_NE(lamp_hit->light, Lights::kNoLight);
  EXPECT_EQ(scene.lights().area_light(lamp_hit->light).shape, LightShape::Sphere);
  const auto wall_hit = scene.intersect(Ray{glm::vec3(0.0f), glm::vec3(0.0f, 0.0f, -1.0f)}, 0.001f, 100.0f);
  ASSERT_TRUE(wall_hit.has_value());
  EXPECT_EQ(wall_hit->light, Lights::kNoLight);
}

TEST(Lights, ASceneWithoutEmittersOrSunHasNoLights) {
  Scene scene;
  scene.set_sky(dark_sky());
  scene.add_sphere({glm::vec3(0.0f), 1.0f, scene.add_material(Material{})});
  scene.build_acceleration_structures();
  EXPECT_TRUE(scene.lights().empty());
  Random random(1, 1);
  EXPECT_FALSE(scene.lights().sample(glm::vec3(0.0f, 0.0f, 5.0f), random).has_value());
}

}  // namespace
}  // namespace raytracer
