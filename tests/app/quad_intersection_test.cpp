// Quad intersection: inside and outside the parallelogram, parallel rays, the t window, and
// the normal and front face the scene reports.
#include <gtest/gtest.h>

#include "raytracer.h"

namespace raytracer {
namespace {

// The unit square in the plane z = 2, facing +z (cross(edge_u, edge_v) = +z).
const Quad kSquare = Quad::make({0, 0, 2}, {1, 0, 0}, {0, 1, 0}, 0);

TEST(QuadIntersection, ARayThroughTheInsideHits) {
  const auto t = intersect(kSquare, Ray{{0.5f, 0.5f, 0}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(t.has_value());
  EXPECT_FLOAT_EQ(*t, 2.0f);
}

TEST(QuadIntersection, ARayOutsideTheEdgesMissesThePlane) {
  EXPECT_FALSE(intersect(kSquare, Ray{{1.5f, 0.5f, 0}, {0, 0, 1}}, 0.001f, 100.0f).has_value());
  EXPECT_FALSE(intersect(kSquare, Ray{{0.5f, -0.1f, 0}, {0, 0, 1}}, 0.001f, 100.0f).has_value());
}

TEST(QuadIntersection, ASlantedParallelogramUsesItsOwnEdges) {
  const Quad slanted = Quad::make({0, 0, 0}, {2, 0, 0}, {1, 1, 0}, 0);
  EXPECT_TRUE(intersect(slanted, Ray{{2.9f, 0.95f, 1}, {0, 0, -1}}, 0.001f, 100.0f).has_value());
  EXPECT_FALSE(intersect(slanted, Ray{{0.1f, 0.95f, 1}, {0, 0, -1}}, 0.001f, 100.0f).has_value());
}

TEST(QuadIntersection, ARayParallelToThePlaneMisses) {
  EXPECT_FALSE(intersect(kSquare, Ray{{0.5f, 0.5f, 2}, {1, 0, 0}}, 0.001f, 100.0f).has_value());
}

TEST(QuadIntersection, HitsOutsideTheTWindowAreIgnored) {
  const Ray ray{{0.5f, 0.5f, 0}, {0, 0, 1}};
  EXPECT_FALSE(intersect(kSquare, ray, 0.001f, 1.5f).has_value());
  EXPECT_FALSE(intersect(kSquare, ray, 2.5f, 100.0f).has_value());
}

TEST(QuadIntersection, TheSceneReportsFrontAndBackFaces) {
  Scene scene;
  scene.add_quad(Quad::make({0, 0, 2}, {1, 0, 0}, {0, 1, 0}, scene.add_material(Material{})));
  scene.build_acceleration_structures();

  const auto from_front = scene.intersect(Ray{{0.5f, 0.5f, 5}, {0, 0, -1}}, 0.001f, 100.0f);
  ASSERT_TRUE(from_front.has_value());
  EXPECT_TRUE(from_front->front_face);
  EXPECT_FLOAT_EQ(from_front->normal.z, 1.0f);

  const auto from_back = scene.intersect(Ray{{0.5f, 0.5f, 0}, {0, 0, 1}}, 0.001f, 100.0f);
  ASSERT_TRUE(from_back.has_value());
  EXPECT_FALSE(from_back->front_face);
  EXPECT_FLOAT_EQ(from_back->normal.z, -1.0f);
}

}  // namespace
}  // namespace raytracer
