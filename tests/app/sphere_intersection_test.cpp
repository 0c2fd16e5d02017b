// Sphere intersection: hits, misses, the (t_min, t_max) window, and the normal and front
// face the scene reports.
#include <gtest/gtest.h>

#include "raytracer.h"

namespace raytracer {
namespace {

const Sphere kUnitSphere{glm::vec3(0.0f), 1.0f, 0};

TEST(SphereIntersection, ARayTowardsTheCentreHitsTheNearSide) {
  const auto t = intersect(kUnitSphere, Ray{{0, 0, -5}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(t.has_value());
  EXPECT_FLOAT_EQ(*t, 4.0f);
}

TEST(SphereIntersection, ARayPassingBesideMisses) {
  EXPECT_FALSE(intersect(kUnitSphere, Ray{{0, 1.01f, -5}, {0, 0, 1}}, 0.001f, 100.0f).has_value());
}

TEST(SphereIntersection, ARayPointingAwayMisses) {
  EXPECT_FALSE(intersect(kUnitSphere, Ray{{0, 0, -5}, {0, 0, -1}}, 0.001f, 100.0f).has_value());
}

TEST(SphereIntersection, ARayFromInsideHitsTheFarSide) {
  const auto t = intersect(kUnitSphere, Ray{{0, 0, 0}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(t.has_value());
  EXPECT_FLOAT_EQ(*t, 1.0f);
}

TEST(SphereIntersection, AHitBeyondTMaxIsIgnored) {
  EXPECT_FALSE(intersect(kUnitSphere, Ray{{0, 0, -5}, {0, 0, 1}}, 0.001f, 3.9f).has_value());
}

TEST(SphereIntersection, AHitBeforeTMinFallsThroughToTheFarSide) {
  const auto t = intersect(kUnitSphere, Ray{{0, 0, -5}, {0, 0, 1}}, 4.5f, 100.0f);
  ASSERT_TRUE(t.has_value());
  EXPECT_FLOAT_EQ(*t, 6.0f);
}

TEST(SphereIntersection, UnnormalisedDirectionsGiveTheSameHitPoint) {
  const Ray ray{{0, 0, -5}, {0, 0, 2}};
  const auto t = intersect(kUnitSphere, ray, 0.001f, 100.0f);
  ASSERT_TRUE(t.has_value());
  EXPECT_FLOAT_EQ(ray.at(*t).z, -1.0f);
}

class SphereInSceneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::uint32_t material = scene_.add_material(Material{});
    scene_.add_sphere({glm::vec3(0.0f), 1.0f, material});
    scene_.build_acceleration_structures();
  }
  Scene scene_;
};

TEST_F(SphereInSceneTest, FromOutsideTheNormalPointsOutAndTheFrontFaceIsHit) {
  const auto hit = scene_.intersect(Ray{{0, 0, -5}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(hit.has_value());
  EXPECT_TRUE(hit->front_face);
  EXPECT_FLOAT_EQ(hit->normal.z, -1.0f);
  EXPECT_FLOAT_EQ(hit->point.z, -1.0f);
}

TEST_F(SphereInSceneTest, FromInsideTheNormalPointsInAndTheBackFaceIsHit) {
  const auto hit = scene_.intersect(Ray{{0, 0, 0}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(hit.has_value());
  EXPECT_FALSE(hit->front_face);
  EXPECT_FLOAT_EQ(hit->normal.z, -1.0f);  // towards the ray's origin
}

}  // namespace
}  // namespace raytracer
