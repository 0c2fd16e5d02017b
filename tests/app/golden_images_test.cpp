// Golden images: a small render of each committed scene must match its reference PNG in
// tests/app/golden/ byte for byte. Any change to what the renderer computes (shading,
// sampling, the BVH's tie-breaking, float operation order) shows up here.
//
// On a mismatch the actual image is written next to the test binary (golden_actual/) and the
// failure reports how many pixels differ and the PSNR. To accept a deliberate change,
// regenerate the references (and look at them before committing):
//     RAYTRACER_UPDATE_GOLDEN=1 ctest --preset native -R GoldenImages
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "native/png_file.h"
#include "raytracer.h"
#include "support/golden_render.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

bool updating_goldens() {
  const char* value = std::getenv("RAYTRACER_UPDATE_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

class GoldenImages : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenImages, RenderMatchesTheReferenceBitForBit) {
  const std::string& name = GetParam();
  const LoadedScene loaded = load_scene_file(testing::scene_file(name + ".json"));
  const std::vector<std::uint8_t> actual = testing::render_golden_image(loaded);
  const std::string golden_path = testing::golden_file(name + ".png");
  constexpr int kWidth = testing::GoldenSettings::kWidth;
  constexpr int kHeight = testing::GoldenSettings::kHeight;

  if (updating_goldens()) {
    ASSERT_TRUE(write_png(golden_path, kWidth, kHeight, actual)) << "cannot write " << golden_path;
    GTEST_SKIP() << "RAYTRACER_UPDATE_GOLDEN=1: wrote " << golden_path;
  }

  const std::optional<RgbaImage> golden = read_png(golden_path);
  ASSERT_TRUE(golden.has_value()) << golden_path << " is missing; create it with RAYTRACER_UPDATE_GOLDEN=1";
  ASSERT_EQ(golden->width, kWidth);
  ASSERT_EQ(golden->height, kHeight);

  const testing::ImageDifference difference = testing::compare_images(golden->pixels, actual);
  if (difference.differing_pixels != 0) {
    std::filesystem::create_directories(testing::output_file("golden_actual"));
    const std::string actual_path = testing::output_file("golden_actual/" + name + ".png");
    write_png(actual_path, kWidth, kHeight, actual);
    FAIL() << name << ": " << difference.differing_pixels << " of " << kWidth * kHeight
           << " pixels differ from " << golden_path << " (PSNR " << difference.psnr_db << " dB).\n"
           << "The actual image is " << actual_path << ". If the change is intended, regenerate with\n"
           << "    RAYTRACER_UPDATE_GOLDEN=1 ctest --preset native -R GoldenImages";
  }
}

INSTANTIATE_TEST_SUITE_P(CommittedScenes, GoldenImages, ::testing::ValuesIn(testing::kGoldenScenes),
                         [](const ::testing::TestParamInfo<std::string>& parameter) { return parameter.param; });

}  // namespace
}  // namespace raytracer
