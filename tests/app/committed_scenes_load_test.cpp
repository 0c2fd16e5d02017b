// The scenes in app/scenes load and contain what they promise (docs/SCENES.md).
#include <gtest/gtest.h>

#include <set>

#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

std::set<MaterialKind> material_kinds(const Scene& scene) {
  std::set<MaterialKind> kinds;
  for (std::uint32_t i = 0; i < scene.material_count(); ++i) kinds.insert(scene.material(i).kind);
  return kinds;
}

TEST(CommittedScenes, TheSphereFieldHasManySpheresOfEveryMaterialOnACheckerGround) {
  const LoadedScene loaded = load_scene_file(testing::scene_file("sphere_field.json"));
  EXPECT_GE(loaded.scene.sphere_count(), 100u);
  EXPECT_EQ(material_kinds(loaded.scene).size(), 4u);
  bool has_checker = false;
  for (std::uint32_t i = 0; i < loaded.scene.material_count(); ++i) {
    has_checker = has_checker || loaded.scene.material(i).albedo.kind == TextureKind::Checker;
  }
  EXPECT_TRUE(has_checker);
}

TEST(CommittedScenes, TheCornellBoxIsMadeOfQuadsLitByAnEmissiveOne) {
  const LoadedScene loaded = load_scene_file(testing::scene_file("cornell_box.json"));
  EXPECT_GE(loaded.scene.quad_count(), 6u);
  EXPECT_TRUE(material_kinds(loaded.scene).contains(MaterialKind::Emissive));
}

TEST(CommittedScenes, TheMeshSceneHasThousandsOfTriangles) {
  const LoadedScene loaded = load_scene_file(testing::scene_file("mesh.json"));
  EXPECT_GE(loaded.scene.triangle_count(), 5000u);
}

}  // namespace
}  // namespace raytracer
