// The BVH finds exactly the hits that testing every primitive finds: same hit or miss, same
// distance, same normal, for thousands of random rays through the committed scenes.
#include <gtest/gtest.h>

#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

struct Agreement {
  int rays = 0;
  int hits = 0;
  int disagreements = 0;
};

// Rays from random points around the scene's interesting region towards random points in it.
Agreement compare_methods(Scene& scene, const glm::vec3& region_minimum, const glm::vec3& region_maximum, int ray_count) {
  Random random(12345, 678);
  const auto point_in = [&](const glm::vec3& minimum, const glm::vec3& maximum) {
    // One draw a statement: the order of evaluation of function arguments is unspecified.
    const float x = random.next_float();
    const float y = random.next_float();
    const float z = random.next_float();
    return minimum + (maximum - minimum) * glm::vec3(x, y, z);
  };
  const glm::vec3 margin = region_maximum - region_minimum;
  Agreement agreement;
  for (int i = 0; i < ray_count; ++i) {
    const glm::vec3 origin = point_in(region_minimum - margin, region_maximum + margin);
    const glm::vec3 towards = point_in(region_minimum, region_maximum);
    const Ray ray{origin, glm::normalize(towards - origin)};

    scene.set_intersection_method(IntersectionMethod::Bvh);
    const auto with_bvh = scene.intersect(ray, 0.001f, 1e30f);
    scene.set_intersection_method(IntersectionMethod::BruteForce);
    const auto brute_force = scene.intersect(ray, 0.001f, 1e30f);

    ++agreement.rays;
    agreement.hits += brute_force.has_value() ? 1 : 0;
    if (with_bvh.has_value() != brute_force.has_value()) {
      ++agreement.disagreements;
    } else if (with_bvh && (with_bvh->t != brute_force->t || with_bvh->material != brute_force->material ||
                            glm::distance(with_bvh->normal, brute_force->normal) > 1e-4f)) {
      ++agreement.disagreements;
    }
  }
  scene.set_intersection_method(IntersectionMethod::Bvh);
  return agreement;
}

TEST(BvhMatchesBruteForce, OnTheTorusKnotMesh) {
  LoadedScene loaded = load_scene_file(testing::scene_file("mesh.json"));
  ASSERT_GE(loaded.scene.triangle_count(), 10000u);
  const Agreement agreement = compare_methods(loaded.scene, {-2.5f, 0.0f, -2.5f}, {2.5f, 3.0f, 2.5f}, 5000);
  EXPECT_EQ(agreement.disagreements, 0) << "of " << agreement.rays << " rays";
  EXPECT_GT(agreement.hits, 2500) << "too few rays hit anything for the comparison to mean much";
}

TEST(BvhMatchesBruteForce, OnTheSphereField) {
  LoadedScene loaded = load_scene_file(testing::scene_file("sphere_field.json"));
  ASSERT_GE(loaded.scene.sphere_count(), 100u);
  const Agreement agreement = compare_methods(loaded.scene, {-8.0f, 0.0f, -8.0f}, {8.0f, 2.0f, 8.0f}, 5000);
  EXPECT_EQ(agreement.disagreements, 0) << "of " << agreement.rays << " rays";
  EXPECT_GT(agreement.hits, 2500);
}

TEST(BvhMatchesBruteForce, WithRaysAlongTheAxes) {
  // Directions with zero components make 1/direction infinite: the slab test must cope.
  LoadedScene loaded = load_scene_file(testing::scene_file("mesh.json"));
  Scene& scene = loaded.scene;
  int hits = 0;
  for (int i = -20; i <= 20; ++i) {
    for (int j = -20; j <= 20; ++j) {
      const float a = static_cast<float>(i) * 0.1f;
      const float b = static_cast<float>(j) * 0.1f;
      for (const Ray& ray : {Ray{{a, 1.45f + b, 10}, {0, 0, -1}}, Ray{{10, 1.45f + a, b}, {-1, 0, 0}},
                             Ray{{a, 10, b}, {0, -1, 0}}}) {
        scene.set_intersection_method(IntersectionMethod::Bvh);
        const auto with_bvh = scene.intersect(ray, 0.001f, 1e30f);
        scene.set_intersection_method(IntersectionMethod::BruteForce);
        const auto brute_force = scene.intersect(ray, 0.001f, 1e30f);
        ASSERT_EQ(with_bvh.has_value(), brute_force.has_value());
        if (with_bvh) {
          ++hits;
          EXPECT_EQ(with_bvh->t, brute_force->t);
        }
      }
    }
  }
  EXPECT_GT(hits, 1000);
}

}  // namespace
}  // namespace raytracer
