// Camera moves for the page's mouse controls: orbit keeps the target and distance, stops
// short of the poles; zoom scales the distance and the focus with it; the view's primary
// rays point where the camera looks.
#include <gtest/gtest.h>

#include "core/camera_view.h"
#include "core/portable_math.h"
#include "raytracer.h"

namespace raytracer {
namespace {

Camera front_camera() { return Camera({0, 0, 10}, {0, 0, 0}, {0, 1, 0}, 40.0f, 0.0f, 0.0f); }

TEST(CameraControls, OrbitKeepsTheTargetAndTheDistance) {
  Camera camera = front_camera();
  camera.orbit(0.7f, 0.3f);
  EXPECT_NEAR(glm::length(camera.position() - camera.target()), 10.0f, 1e-4f);
  EXPECT_EQ(camera.target(), glm::vec3(0.0f));
}

TEST(CameraControls, YawTurnsAboutTheUpAxis) {
  Camera camera = front_camera();
  camera.orbit(portable_math::kPi / 2.0f, 0.0f);  // a quarter turn counter-clockwise seen from above
  EXPECT_NEAR(camera.position().x, 10.0f, 1e-4f);
  EXPECT_NEAR(camera.position().y, 0.0f, 1e-4f);
  EXPECT_NEAR(camera.position().z, 0.0f, 1e-4f);
}

TEST(CameraControls, PositivePitchLiftsTheCamera) {
  Camera camera = front_camera();
  camera.orbit(0.0f, 0.5f);
  EXPECT_GT(camera.position().y, 4.0f);
}

TEST(CameraControls, PitchStopsShortOfThePole) {
  Camera camera = front_camera();
  for (int i = 0; i < 20; ++i) camera.orbit(0.0f, 0.3f);
  const glm::vec3 direction = glm::normalize(camera.position() - camera.target());
  EXPECT_LT(direction.y, 0.9999f);
  EXPECT_GT(direction.y, 0.99f);
}

TEST(CameraControls, ZoomScalesTheDistanceAndTheFocus) {
  Camera camera = front_camera();
  camera.zoom(0.5f);
  EXPECT_NEAR(camera.position().z, 5.0f, 1e-5f);
  EXPECT_NEAR(camera.focus_distance(), 5.0f, 1e-5f);
  camera.zoom(3.0f);
  EXPECT_NEAR(camera.position().z, 15.0f, 1e-5f);
}

TEST(CameraControls, TheViewsCentreRayPointsAtTheTarget) {
  Camera camera = front_camera();
  camera.orbit(1.0f, 0.4f);
  const CameraView view(camera, 16.0f / 9.0f);
  Random random(1, 1);
  const Ray ray = view.ray(0.5f, 0.5f, random);
  const glm::vec3 to_target = glm::normalize(camera.target() - camera.position());
  EXPECT_NEAR(glm::dot(ray.direction, to_target), 1.0f, 1e-5f);
}

TEST(CameraControls, TheTopLeftOfTheImageIsUpAndLeft) {
  const CameraView view(front_camera(), 1.0f);
  Random random(1, 1);
  const Ray ray = view.ray(0.0f, 0.0f, random);  // looking down -z: left is -x, up is +y
  EXPECT_LT(ray.direction.x, 0.0f);
  EXPECT_GT(ray.direction.y, 0.0f);
}

}  // namespace
}  // namespace raytracer
