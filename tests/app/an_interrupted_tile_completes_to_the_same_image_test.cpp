// complete_tile finishes a tile whose render stopped part-way (a worker that trapped in the
// middle of it): each pixel continues from the samples it holds, and the result is the
// same bits as a tile rendered without interruption.
#include <gtest/gtest.h>

#include <cstring>

#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

TEST(CompleteTile, AnInterruptedTileCompletesToTheSameBitsAsAnUninterruptedOne) {
  const LoadedScene loaded = load_scene_file(testing::scene_file("sphere_field.json"));
  FrameSettings settings;
  settings.width = 40;
  settings.height = 24;
  const Tile tile{0, 0, 40, 24};
  constexpr std::uint32_t kFirst = 3, kEnd = 7;

  AccumulationBuffer uninterrupted(settings.width, settings.height);
  render_tile(loaded.scene, loaded.camera, settings, tile, 0, kFirst, uninterrupted);
  AccumulationBuffer interrupted = uninterrupted;
  render_tile(loaded.scene, loaded.camera, settings, tile, kFirst, kEnd - kFirst, uninterrupted);

  // The interruption: the top rows got every sample, one row got some, the rest none.
  render_tile(loaded.scene, loaded.camera, settings, Tile{0, 0, 40, 10}, kFirst, kEnd - kFirst, interrupted);
  render_tile(loaded.scene, loaded.camera, settings, Tile{0, 10, 40, 11}, kFirst, 2, interrupted);
  complete_tile(loaded.scene, loaded.camera, settings, tile, kFirst, kEnd, interrupted);

  ASSERT_EQ(std::memcmp(uninterrupted.pixels().data(), interrupted.pixels().data(), uninterrupted.pixels().size_bytes()), 0);
}

TEST(CompleteTile, ACompleteTileIsLeftAlone) {
  const LoadedScene loaded = load_scene_file(testing::scene_file("cornell_box.json"));
  FrameSettings settings;
  settings.width = 16;
  settings.height = 16;
  const Tile tile{0, 0, 16, 16};
  AccumulationBuffer accumulation(settings.width, settings.height);
  render_tile(loaded.scene, loaded.camera, settings, tile, 0, 2, accumulation);
  const AccumulationBuffer before = accumulation;
  complete_tile(loaded.scene, loaded.camera, settings, tile, 0, 2, accumulation);
  EXPECT_EQ(std::memcmp(before.pixels().data(), accumulation.pixels().data(), before.pixels().size_bytes()), 0);
}

}  // namespace
}  // namespace raytracer
