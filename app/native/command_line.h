// The `render` tool's command line: the options it takes and their parsing, kept apart
// from main() so the tests can check that bad arguments are reported well.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace raytracer {

struct RenderOptions {
  std::string scene_path;            // --scene: the scene file (JSON)
  int width = 0;                     // --width: image width in pixels
  int height = 0;                    // --height: image height in pixels
  std::uint32_t samples_per_pixel = 0;  // --spp: camera samples per pixel
  int thread_count = 0;              // --threads: render threads
  std::string output_path;           // --out: the PNG to write
  std::uint32_t seed = 1;            // --seed: picks the random numbers (same seed, same image)
  int max_depth = 8;                 // --max-depth: most bounces a path may take
  bool brute_force = false;          // --brute-force: test every primitive (no BVH), for benchmarks
  bool light_sampling = true;        // --no-light-sampling: material sampling only (the reference integrator)
  std::string stats_json_path;       // --stats-json: where to write timing figures, if anywhere
  std::string linear_output_path;    // --linear-out: also write the linear average radiance (PFM), if anywhere
  std::vector<std::uint32_t> snapshot_samples;  // --snapshots: also write the images after these sample counts
  std::uint32_t frame_samples = 0;   // --frame-samples: render in the page's order (0: each pixel's samples at once)
  bool show_help = false;            // --help: print the usage and stop
};

std::string usage_text();

// `arguments` excludes the program name. Throws InputError (file "command line", field the
// option) naming what was wrong.
RenderOptions parse_command_line(std::span<const std::string_view> arguments);

}  // namespace raytracer
