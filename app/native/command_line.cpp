// parse_command_line: strict parsing of the `render` options (every value checked, unknown
// options and missing required ones reported by name).
#include "native/command_line.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include "core/input_error.h"

namespace raytracer {
namespace {
const std::string kSource = "command line";

[[noreturn]] void fail(const std::string& option, const std::string& expectation) {
  throw InputError(kSource, option, expectation);
}

long long parse_integer(std::string_view option, std::string_view text, long long minimum, long long maximum) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < minimum || value > maximum) {
    fail(std::string(option), "expected a whole number from " + std::to_string(minimum) + " to " +
                                  std::to_string(maximum) + ", got \"" + std::string(text) + "\"");
  }
  return value;
}
}  // namespace

std::string usage_text() {
  return "usage: render --scene FILE --width W --height H --spp N --threads T --out FILE.png\n"
         "              [--seed S] [--max-depth D] [--brute-force] [--no-light-sampling]\n"
         "              [--stats-json FILE] [--linear-out FILE.pfm] [--snapshots N,N,...]\n"
         "              [--frame-samples N]\n"
         "--snapshots: also write the images after N samples per pixel, as OUT-Nspp.png (and\n"
         "             LINEAR-Nspp.pfm), one render: each is exactly what --spp N would give\n"
         "--frame-samples: render in the page's order, for timing: frames of N samples per pixel\n"
         "             over every tile, each frame resolved (tone-mapped) whole; same image";
}

RenderOptions parse_command_line(std::span<const std::string_view> arguments) {
  RenderOptions options;
  bool has_width = false;
  bool has_height = false;
  bool has_samples = false;
  bool has_threads = false;
  std::string_view snapshots_text;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string_view option = arguments[i];
    if (option == "--help" || option == "-h") {
      options.show_help = true;
      return options;
    }
    if (option == "--brute-force") {
      options.brute_force = true;
      continue;
    }
    if (option == "--no-light-sampling") {
      options.light_sampling = false;
      continue;
    }
    if (i + 1 >= arguments.size()) {
      if (option.starts_with("--")) fail(std::string(option), "expected a value after it");
      fail(std::string(option), "unexpected argument");
    }
    const std::string_view value = arguments[++i];
    if (option == "--scene") {
      options.scene_path = value;
    } else if (option == "--out") {
      options.output_path = value;
    } else if (option == "--stats-json") {
      options.stats_json_path = value;
    } else if (option == "--linear-out") {
      options.linear_output_path = value;
    } else if (option == "--snapshots") {
      snapshots_text = value;
    } else if (option == "--frame-samples") {
      options.frame_samples = static_cast<std::uint32_t>(parse_integer(option, value, 1, 1 << 20));
    } else if (option == "--width") {
      options.width = static_cast<int>(parse_integer(option, value, 1, 16384));
      has_width = true;
    } else if (option == "--height") {
      options.height = static_cast<int>(parse_integer(option, value, 1, 16384));
      has_height = true;
    } else if (option == "--spp") {
      options.samples_per_pixel = static_cast<std::uint32_t>(parse_integer(option, value, 1, 1 << 20));
      has_samples = true;
    } else if (option == "--threads") {
      options.thread_count = static_cast<int>(parse_integer(option, value, 1, 1024));
      has_threads = true;
    } else if (option == "--seed") {
      options.seed = static_cast<std::uint32_t>(parse_integer(option, value, 0, std::numeric_limits<std::uint32_t>::max()));
    } else if (option == "--max-depth") {
      options.max_depth = static_cast<int>(parse_integer(option, value, 1, 1024));
    } else {
      fail(std::string(option), "unknown option");
    }
  }
  if (options.scene_path.empty()) fail("--scene", "expected this required option");
  if (!has_width) fail("--width", "expected this required option");
  if (!has_height) fail("--height", "expected this required option");
  if (!has_samples) fail("--spp", "expected this required option");
  if (!has_threads) fail("--threads", "expected this required option");
  if (options.output_path.empty()) fail("--out", "expected this required option");
  // Parsed last: the counts are checked against --spp, wherever it stood.
  for (std::size_t start = 0; !snapshots_text.empty() && start <= snapshots_text.size();) {
    const std::size_t comma = std::min(snapshots_text.find(',', start), snapshots_text.size());
    const auto count = static_cast<std::uint32_t>(
        parse_integer("--snapshots", snapshots_text.substr(start, comma - start), 1, options.samples_per_pixel));
    if (!options.snapshot_samples.empty() && count <= options.snapshot_samples.back()) {
      fail("--snapshots", "expected increasing sample counts, got \"" + std::string(snapshots_text) + "\"");
    }
    options.snapshot_samples.push_back(count);
    start = comma + 1;
  }
  return options;
}

}  // namespace raytracer
