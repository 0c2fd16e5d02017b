// Triangle intersection: hits with barycentric weights, misses past each edge, the t
// window, both sides, and the interpolated normal and front face the scene reports.
#include <gtest/gtest.h>

#include "raytracer.h"

namespace raytracer {
namespace {

// In the plane z = 1, counter-clockwise seen from +z, so it faces +z.
const Triangle kTriangle = Triangle::make({0, 0, 1}, {1, 0, 1}, {0, 1, 1});

TEST(TriangleIntersection, ARayThroughTheInsideHitsWithBarycentricWeights) {
  const auto hit = intersect(kTriangle, Ray{{0.25f, 0.5f, 0}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(hit.has_value());
  EXPECT_FLOAT_EQ(hit->t, 1.0f);
  EXPECT_FLOAT_EQ(hit->u, 0.25f);  // weight of vertex1 (1, 0, 1)
  EXPECT_FLOAT_EQ(hit->v, 0.5f);   // weight of vertex2 (0, 1, 1)
}

TEST(TriangleIntersection, RaysPastEachEdgeMiss) {
  EXPECT_FALSE(intersect(kTriangle, Ray{{-0.1f, 0.5f, 0}, {0, 0, 1}}, 0.001f, 100.0f).has_value());
  EXPECT_FALSE(intersect(kTriangle, Ray{{0.5f, -0.1f, 0}, {0, 0, 1}}, 0.001f, 100.0f).has_value());
  EXPECT_FALSE(intersect(kTriangle, Ray{{0.6f, 0.6f, 0}, {0, 0, 1}}, 0.001f, 100.0f).has_value());
}

TEST(TriangleIntersection, ARayParallelToThePlaneMisses) {
  EXPECT_FALSE(intersect(kTriangle, Ray{{0.2f, 0.2f, 1}, {1, 0, 0}}, 0.001f, 100.0f).has_value());
}

TEST(TriangleIntersection, HitsOutsideTheTWindowAreIgnored) {
  const Ray ray{{0.2f, 0.2f, 0}, {0, 0, 1}};
  EXPECT_FALSE(intersect(kTriangle, ray, 0.001f, 0.5f).has_value());
  EXPECT_FALSE(intersect(kTriangle, ray, 1.5f, 100.0f).has_value());
}

TEST(TriangleIntersection, TheBackSideIsHitToo) {
  EXPECT_TRUE(intersect(kTriangle, Ray{{0.2f, 0.2f, 3}, {0, 0, -1}}, 0.001f, 100.0f).has_value());
}

class TriangleInSceneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    TriangleMesh mesh;
    mesh.add_position({0, 0, 1});
    mesh.add_position({1, 0, 1});
    mesh.add_position({0, 1, 1});
    mesh.add_normal(glm::normalize(glm::vec3(-1, 0, 1)));
    mesh.add_normal(glm::normalize(glm::vec3(1, 0, 1)));
    mesh.add_face({{0, 1, 2}, {0, 1, 1}});
    scene_.add_mesh(mesh, scene_.add_material(Material{}));
    scene_.build_acceleration_structures();
  }
  Scene scene_;
};

TEST_F(TriangleInSceneTest, TheWindingDecidesTheFrontFace) {
  const auto from_front = scene_.intersect(Ray{{0.2f, 0.2f, 3}, {0, 0, -1}}, 0.001f, 100.0f);
  ASSERT_TRUE(from_front.has_value());
  EXPECT_TRUE(from_front->front_face);
  EXPECT_GT(from_front->normal.z, 0.0f);

  const auto from_back = scene_.intersect(Ray{{0.2f, 0.2f, 0}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(from_back.has_value());
  EXPECT_FALSE(from_back->front_face);
  EXPECT_LT(from_back->normal.z, 0.0f);
}

TEST_F(TriangleInSceneTest, TheShadingNormalIsInterpolatedFromTheVertexNormals) {
  // Weight 1 on vertex0 (normal tilted to -x), then on vertex1 (tilted to +x).
  const auto near_vertex0 = scene_.intersect(Ray{{0.001f, 0.001f, 3}, {0, 0, -1}}, 0.001f, 100.0f);
  const auto near_vertex1 = scene_.intersect(Ray{{0.998f, 0.001f, 3}, {0, 0, -1}}, 0.001f, 100.0f);
  ASSERT_TRUE(near_vertex0.has_value());
  ASSERT_TRUE(near_vertex1.has_value());
  EXPECT_NEAR(near_vertex0->normal.x, -0.7071f, 0.01f);
  EXPECT_NEAR(near_vertex1->normal.x, 0.7071f, 0.01f);
}

}  // namespace
}  // namespace raytracer
