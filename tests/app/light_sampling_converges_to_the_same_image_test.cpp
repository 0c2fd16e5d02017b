// Light sampling changes how fast the image converges, never what it converges to: on every
// committed scene a long small render with light sampling (shade_path) and one with material
// sampling alone (shade_path_material_sampling, the integrator the renderer always had)
// agree within their noise, region by region and channel by channel. A light counted twice
// or missed (a wrong MIS weight, a density that does not match its sampler, a shadow ray that
// hits the light itself) moves whole regions by many standard errors.
//
// The noise of each render is measured, not assumed: the samples are rendered in batches
// and the spread of the batch averages gives each region's standard error. The renders are
// deterministic (fixed seed), so the outcome never changes from run to run.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "native/parallel_renderer.h"
#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

constexpr int kWidth = 32;
constexpr int kHeight = 18;
constexpr int kRegionColumns = 4;  // the image is cut into 4 x 2 regions of 8 x 9 pixels
constexpr int kRegionRows = 2;
constexpr int kBatches = 32;
constexpr std::uint32_t kSamplesPerBatch = 64;  // 2048 samples per pixel in all
// More than this many standard errors apart is a real difference, not noise: for normal
// noise the chance is 6e-7 per comparison, and there are 72 comparisons.
constexpr double kAllowedStandardErrors = 5.0;

// Mean and standard error of each region's average radiance, per channel.
struct RegionEstimates {
  std::vector<double> mean;            // [region * 3 + channel]
  std::vector<double> standard_error;  // same layout
};

RegionEstimates estimate_regions(const LoadedScene& loaded, bool light_sampling) {
  FrameSettings settings;
  settings.width = kWidth;
  settings.height = kHeight;
  settings.light_sampling = light_sampling;
  constexpr int kRegions = kRegionColumns * kRegionRows;
  std::vector<std::vector<double>> batch_averages(kRegions * 3);

  AccumulationBuffer accumulation(kWidth, kHeight);
  std::vector<glm::vec4> previous(accumulation.pixels().begin(), accumulation.pixels().end());
  for (int batch = 0; batch < kBatches; ++batch) {
    render_parallel(loaded.scene, loaded.camera, settings, {2, 8}, batch * kSamplesPerBatch, kSamplesPerBatch,
                    accumulation);
    std::vector<double> sums(kRegions * 3, 0.0);
    for (int y = 0; y < kHeight; ++y) {
      for (int x = 0; x < kWidth; ++x) {
        const int region = (y * kRegionRows / kHeight) * kRegionColumns + x * kRegionColumns / kWidth;
        const std::size_t index = static_cast<std::size_t>(y) * kWidth + x;
        const glm::vec4 added = accumulation.pixels()[index] - previous[index];
        for (int channel = 0; channel < 3; ++channel) sums[region * 3 + channel] += static_cast<double>(added[channel]);
      }
    }
    previous.assign(accumulation.pixels().begin(), accumulation.pixels().end());
    const double samples_per_region = static_cast<double>(kWidth / kRegionColumns) * (kHeight / kRegionRows) * kSamplesPerBatch;
    for (std::size_t i = 0; i < sums.size(); ++i) batch_averages[i].push_back(sums[i] / samples_per_region);
  }

  RegionEstimates estimates;
  for (const std::vector<double>& averages : batch_averages) {
    double mean = 0.0;
    for (const double average : averages) mean += average;
    mean /= kBatches;
    double squared_deviations = 0.0;
    for (const double average : averages) squared_deviations += (average - mean) * (average - mean);
    estimates.mean.push_back(mean);
    estimates.standard_error.push_back(std::sqrt(squared_deviations / (kBatches - 1) / kBatches));
  }
  return estimates;
}

class LightSampling : public ::testing::TestWithParam<std::string> {};

TEST_P(LightSampling, ConvergesToTheImageMaterialSamplingConvergesTo) {
  const LoadedScene loaded = load_scene_file(testing::scene_file(GetParam() + ".json"));
  ASSERT_FALSE(loaded.scene.lights().empty()) << "every committed scene has a light to sample";
  const RegionEstimates with_lights = estimate_regions(loaded, true);
  const RegionEstimates reference = estimate_regions(loaded, false);

  double largest_difference = 0.0;
  double noise_ratio_sum = 0.0;
  for (std::size_t i = 0; i < reference.mean.size(); ++i) {
    const double standard_error = std::sqrt(with_lights.standard_error[i] * with_lights.standard_error[i] +
                                            reference.standard_error[i] * reference.standard_error[i]);
    const double difference = std::abs(with_lights.mean[i] - reference.mean[i]);
    if (standard_error == 0.0) {
      EXPECT_EQ(difference, 0.0) << "region " << i / 3 << ", channel " << i % 3 << " (both noiseless)";
      continue;
    }
    const double standard_errors_apart = difference / standard_error;
    largest_difference = std::max(largest_difference, standard_errors_apart);
    EXPECT_LT(standard_errors_apart, kAllowedStandardErrors)
        << "region " << i / 3 << ", channel " << i % 3 << ": light sampling " << with_lights.mean[i] << " +- "
        << with_lights.standard_error[i] << ", material sampling " << reference.mean[i] << " +- "
        << reference.standard_error[i];
    if (with_lights.standard_error[i] > 0.0) noise_ratio_sum += reference.standard_error[i] / with_lights.standard_error[i];
  }
  std::printf("%s: largest difference %.2f standard errors; material sampling's noise / light sampling's, mean over "
              "regions: %.2f\n",
              GetParam().c_str(), largest_difference, noise_ratio_sum / static_cast<double>(reference.mean.size()));
}

INSTANTIATE_TEST_SUITE_P(CommittedScenes, LightSampling, ::testing::Values("cornell_box", "sphere_field", "mesh"),
                         [](const ::testing::TestParamInfo<std::string>& parameter) { return parameter.param; });

}  // namespace
}  // namespace raytracer
