// Progressive rendering gives the same bits however the work is cut: N samples in one
// frame equal N frames of one sample, for any tile size; and render_tile refuses samples
// out of order.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

constexpr std::uint32_t kSampleCount = 6;

FrameSettings small_settings() {
  FrameSettings settings;
  settings.width = 70;
  settings.height = 38;
  return settings;
}

// Renders kSampleCount samples as frames of `samples_per_frame`, with square tiles of `tile_size`.
AccumulationBuffer render_in_frames(const LoadedScene& loaded, std::uint32_t samples_per_frame, int tile_size) {
  const FrameSettings settings = small_settings();
  AccumulationBuffer accumulation(settings.width, settings.height);
  const std::vector<Tile> tiles = make_tiles(settings.width, settings.height, tile_size);
  for (std::uint32_t first = 0; first < kSampleCount; first += samples_per_frame) {
    // Visit the tiles back to front: order between tiles must not matter either.
    for (auto tile = tiles.rbegin(); tile != tiles.rend(); ++tile) {
      render_tile(loaded.scene, loaded.camera, settings, *tile, first, samples_per_frame, accumulation);
    }
  }
  return accumulation;
}

bool bitwise_equal(const AccumulationBuffer& a, const AccumulationBuffer& b) {
  return a.pixels().size() == b.pixels().size() &&
         std::memcmp(a.pixels().data(), b.pixels().data(), a.pixels().size_bytes()) == 0;
}

class FrameSplitting : public ::testing::TestWithParam<std::string> {};

TEST_P(FrameSplitting, AllSamplesAtOnceEqualOneSampleAFrame) {
  const LoadedScene loaded = load_scene_file(testing::scene_file(GetParam()));
  EXPECT_TRUE(bitwise_equal(render_in_frames(loaded, kSampleCount, 16), render_in_frames(loaded, 1, 16)));
}

TEST_P(FrameSplitting, TileSizeDoesNotMatter) {
  const LoadedScene loaded = load_scene_file(testing::scene_file(GetParam()));
  const AccumulationBuffer reference = render_in_frames(loaded, 2, 16);
  EXPECT_TRUE(bitwise_equal(reference, render_in_frames(loaded, 2, 1)));
  EXPECT_TRUE(bitwise_equal(reference, render_in_frames(loaded, 3, 7)));
  EXPECT_TRUE(bitwise_equal(reference, render_in_frames(loaded, 6, 100)));
}

TEST_P(FrameSplitting, TheImageStillChangesWithTheSampleCount) {
  // Guards the two tests above against comparing images that cannot differ.
  const LoadedScene loaded = load_scene_file(testing::scene_file(GetParam()));
  const FrameSettings settings = small_settings();
  AccumulationBuffer one_sample(settings.width, settings.height);
  for (const Tile& tile : make_tiles(settings.width, settings.height, 16)) {
    render_tile(loaded.scene, loaded.camera, settings, tile, 0, 1, one_sample);
  }
  const AccumulationBuffer six_samples = render_in_frames(loaded, 6, 16);
  EXPECT_FALSE(bitwise_equal(one_sample, six_samples));
}

INSTANTIATE_TEST_SUITE_P(CommittedScenes, FrameSplitting,
                         ::testing::Values("sphere_field.json", "cornell_box.json", "mesh.json"),
                         [](const ::testing::TestParamInfo<std::string>& parameter) {
                           return parameter.param.substr(0, parameter.param.find('.'));
                         });

TEST(FrameSplittingDeathTest, RenderTileRefusesToSkipOrRepeatSamples) {
  const LoadedScene loaded = load_scene_file(testing::scene_file("cornell_box.json"));
  const FrameSettings settings = small_settings();
  AccumulationBuffer accumulation(settings.width, settings.height);
  const Tile tile{0, 0, 4, 4};
  render_tile(loaded.scene, loaded.camera, settings, tile, 0, 2, accumulation);
  EXPECT_DEATH(render_tile(loaded.scene, loaded.camera, settings, tile, 0, 1, accumulation),
               "check failed: .*first_sample_index.*with 2 == 0");
  EXPECT_DEATH(render_tile(loaded.scene, loaded.camera, settings, tile, 3, 1, accumulation),
               "check failed: .*first_sample_index.*with 2 == 3");
}

}  // namespace
}  // namespace raytracer
