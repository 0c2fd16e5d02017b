// Scene::occluded answers "is anything in the way?" without finding the closest hit; its
// answer must be exactly whether intersect finds a hit in the same (t_min, t_max) window, for
// the BVH and for brute force, on every committed scene, including short windows that end
// just before a surface.
#include <gtest/gtest.h>

#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

struct Region {
  const char* scene;
  glm::vec3 minimum;
  glm::vec3 maximum;
};

class ShadowRays : public ::testing::TestWithParam<Region> {};

TEST_P(ShadowRays, OccludedIsTrueExactlyWhenAHitLiesInTheWindow) {
  LoadedScene loaded = load_scene_file(testing::scene_file(GetParam().scene));
  Scene& scene = loaded.scene;
  const glm::vec3 minimum = GetParam().minimum;
  const glm::vec3 maximum = GetParam().maximum;
  const glm::vec3 margin = maximum - minimum;
  Random random(99, 3);
  const auto point_in = [&](const glm::vec3& low, const glm::vec3& high) {
    const float x = random.next_float();  // one draw a statement: argument order is unspecified
    const float y = random.next_float();
    const float z = random.next_float();
    return low + (high - low) * glm::vec3(x, y, z);
  };
  int blocked = 0;
  int clear = 0;
  for (int i = 0; i < 4000; ++i) {
    const glm::vec3 origin = point_in(minimum - margin, maximum + margin);
    const glm::vec3 towards = point_in(minimum, maximum);
    const Ray ray{origin, glm::normalize(towards - origin)};
    const auto closest = scene.intersect(ray, 0.001f, 1e30f);
    // Windows that end anywhere: before the closest hit, just past it, at infinity.
    const float window_end = closest ? closest->t * (i % 2 == 0 ? 0.999f : 1.001f) : 1e30f;
    for (const IntersectionMethod method : {IntersectionMethod::Bvh, IntersectionMethod::BruteForce}) {
      scene.set_intersection_method(method);
      const bool expected = scene.intersect(ray, 0.001f, window_end).has_value();
      ASSERT_EQ(scene.occluded(ray, 0.001f, window_end), expected)
          << "ray " << i << (method == IntersectionMethod::Bvh ? " (BVH)" : " (brute force)");
      (expected ? blocked : clear) += 1;
    }
    scene.set_intersection_method(IntersectionMethod::Bvh);
  }
  EXPECT_GT(blocked, 1000);
  EXPECT_GT(clear, 1000);
}

INSTANTIATE_TEST_SUITE_P(CommittedScenes, ShadowRays,
                         ::testing::Values(Region{"mesh.json", {-2.5f, 0.0f, -2.5f}, {2.5f, 3.0f, 2.5f}},
                                           Region{"sphere_field.json", {-8.0f, 0.0f, -8.0f}, {8.0f, 2.0f, 8.0f}},
                                           Region{"cornell_box.json", {0.0f, 0.0f, 0.0f}, {555.0f, 555.0f, 555.0f}}),
                         [](const ::testing::TestParamInfo<Region>& parameter) {
                           const std::string name = parameter.param.scene;
                           return name.substr(0, name.find('.'));
                         });

}  // namespace
}  // namespace raytracer
