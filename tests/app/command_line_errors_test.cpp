// The render tool's command line: a complete one parses; each mistake names the option and
// what was expected.
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "native/command_line.h"
#include "raytracer.h"

namespace raytracer {
namespace {

const std::vector<std::string_view> kComplete = {"--scene", "a.json", "--width", "64", "--height", "32",
                                                 "--spp", "4", "--threads", "2", "--out", "a.png"};

InputError error_of(std::vector<std::string_view> arguments) {
  try {
    parse_command_line(arguments);
  } catch (const InputError& error) {
    return error;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("", "", "");
}

std::vector<std::string_view> complete_with(std::string_view option, std::string_view value) {
  std::vector<std::string_view> arguments = kComplete;
  for (std::size_t i = 0; i + 1 < arguments.size(); i += 2) {
    if (arguments[i] == option) arguments[i + 1] = value;
  }
  return arguments;
}

TEST(CommandLine, ACompleteCommandLineParses) {
  std::vector<std::string_view> arguments = kComplete;
  arguments.insert(arguments.end(), {"--seed", "9", "--max-depth", "3", "--brute-force", "--stats-json", "s.json",
                                     "--no-light-sampling", "--linear-out", "a.pfm", "--frame-samples", "2"});
  const RenderOptions options = parse_command_line(arguments);
  EXPECT_EQ(options.scene_path, "a.json");
  EXPECT_EQ(options.width, 64);
  EXPECT_EQ(options.height, 32);
  EXPECT_EQ(options.samples_per_pixel, 4u);
  EXPECT_EQ(options.thread_count, 2);
  EXPECT_EQ(options.output_path, "a.png");
  EXPECT_EQ(options.seed, 9u);
  EXPECT_EQ(options.max_depth, 3);
  EXPECT_TRUE(options.brute_force);
  EXPECT_EQ(options.stats_json_path, "s.json");
  EXPECT_FALSE(options.light_sampling);
  EXPECT_EQ(options.linear_output_path, "a.pfm");
  EXPECT_EQ(options.frame_samples, 2u);
}

TEST(CommandLine, SnapshotsAreIncreasingSampleCountsUpToTheTotal) {
  std::vector<std::string_view> arguments = kComplete;
  arguments.insert(arguments.end(), {"--snapshots", "1,2,4"});
  EXPECT_EQ(parse_command_line(arguments).snapshot_samples, (std::vector<std::uint32_t>{1, 2, 4}));
  for (const std::string_view bad : {"1,8", "2,2", "4,1", "1,,2", "0", "two"}) {
    arguments.back() = bad;
    const InputError error = error_of(arguments);
    EXPECT_EQ(error.field(), "--snapshots") << bad;
  }
}

TEST(CommandLine, LightSamplingIsOnUnlessTurnedOff) {
  EXPECT_TRUE(parse_command_line(kComplete).light_sampling);
  EXPECT_TRUE(parse_command_line(kComplete).linear_output_path.empty());
}

TEST(CommandLine, ANonNumericWidthIsNamed) {
  const InputError error = error_of(complete_with("--width", "wide"));
  EXPECT_EQ(error.field(), "--width");
  EXPECT_NE(error.expectation().find("\"wide\""), std::string::npos);
}

TEST(CommandLine, ZeroThreadsIsOutOfRange) {
  const InputError error = error_of(complete_with("--threads", "0"));
  EXPECT_EQ(error.field(), "--threads");
  EXPECT_NE(error.expectation().find("from 1"), std::string::npos);
}

TEST(CommandLine, AMissingRequiredOptionIsNamed) {
  std::vector<std::string_view> arguments(kComplete.begin(), kComplete.end() - 2);  // no --out
  EXPECT_EQ(error_of(arguments).field(), "--out");
}

TEST(CommandLine, AnUnknownOptionIsNamed) {
  std::vector<std::string_view> arguments = kComplete;
  arguments.insert(arguments.end(), {"--colour", "red"});
  EXPECT_EQ(error_of(arguments).field(), "--colour");
}

TEST(CommandLine, AnOptionWithoutItsValueIsNamed) {
  std::vector<std::string_view> arguments = kComplete;
  arguments.push_back("--seed");
  const InputError error = error_of(arguments);
  EXPECT_EQ(error.field(), "--seed");
  EXPECT_NE(error.expectation().find("value"), std::string::npos);
}

TEST(CommandLine, TheUsageShowsEveryOption) {
  for (const char* option : {"--scene", "--width", "--height", "--spp", "--threads", "--out", "--seed", "--max-depth",
                             "--brute-force", "--stats-json"}) {
    EXPECT_NE(usage_text().find(option), std::string::npos) << option;
  }
}

}  // namespace
}  // namespace raytracer
