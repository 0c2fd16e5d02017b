// render: the native command-line renderer. Loads a scene, renders it with std::threads,
// writes a PNG (and, if asked, the linear radiance as a PFM) and reports samples per second
// (optionally as JSON, for the benchmark script).
// Exit codes: 0 done, 1 bad scene or unwritable output, 2 bad command line.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "native/command_line.h"
#include "native/float_image_file.h"
#include "native/parallel_renderer.h"
#include "native/png_file.h"
#include "native/progress_bar.h"
#include "raytracer.h"

namespace {
using raytracer::InputError;
using raytracer::RenderOptions;

// "app/scenes/cornell_box.json" -> "cornell_box".
std::string scene_name(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  const std::size_t dot = name.find_last_of('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

// "out.png", 16 -> "out-16spp.png": where the snapshot after 16 samples per pixel goes.
std::string snapshot_path(const std::string& path, std::uint32_t samples) {
  const std::size_t dot = path.find_last_of('.');
  const std::size_t slash = path.find_last_of('/');
  const bool has_extension = dot != std::string::npos && (slash == std::string::npos || dot > slash);
  // Appended piece by piece: g++ 12 warns wrongly (-Wrestrict) about chained string +.
  std::string snapshot = has_extension ? path.substr(0, dot) : path;
  snapshot += '-';
  snapshot += std::to_string(samples);
  snapshot += "spp";
  if (has_extension) snapshot += path.substr(dot);
  return snapshot;
}

// Writes the PNG (and the PFM, when `linear_path` is not empty) of what the accumulation
// holds after `samples` samples per pixel. False, with a message, when a file cannot be written.
bool write_images(const raytracer::AccumulationBuffer& accumulation, std::uint32_t samples, const std::string& png_path,
                  const std::string& linear_path) {
  const std::vector<std::uint8_t> rgba = raytracer::resolve_image(accumulation, samples);
  if (!raytracer::write_png(png_path, accumulation.width(), accumulation.height(), rgba)) {
    std::fprintf(stderr, "render: %s: cannot write the image\n", png_path.c_str());
    return false;
  }
  if (!linear_path.empty() && !raytracer::write_pfm(linear_path, accumulation.width(), accumulation.height(),
                                                    raytracer::average_radiance(accumulation))) {
    std::fprintf(stderr, "render: %s: cannot write the linear image\n", linear_path.c_str());
    return false;
  }
  return true;
}

int render(const RenderOptions& options) {
  raytracer::LoadedScene loaded = raytracer::load_scene_file(options.scene_path);
  if (options.brute_force) loaded.scene.set_intersection_method(raytracer::IntersectionMethod::BruteForce);

  raytracer::FrameSettings settings;
  settings.width = options.width;
  settings.height = options.height;
  settings.samples_per_frame = options.samples_per_pixel;
  settings.max_depth = options.max_depth;
  settings.seed = options.seed;
  settings.light_sampling = options.light_sampling;
  raytracer::AccumulationBuffer accumulation(settings.width, settings.height);
  raytracer::ProgressBar progress_bar;
  const raytracer::ParallelRenderSettings parallel{options.thread_count, 32};

  // One pass, stopping at each snapshot to write it: samples depend only on their index, so
  // the image after N samples is the same whether the render stops there or goes on.
  std::vector<std::uint32_t> stops = options.snapshot_samples;
  if (stops.empty() || stops.back() != options.samples_per_pixel) stops.push_back(options.samples_per_pixel);
  // --frame-samples: frames as the page renders them, each resolved whole (timed apart).
  std::vector<std::uint8_t> frame_rgba(static_cast<std::size_t>(settings.width) * settings.height * 4);
  const std::vector<raytracer::Tile> frame_tiles = raytracer::make_tiles(settings.width, settings.height, parallel.tile_size);
  double seconds = 0.0;
  double resolve_seconds = 0.0;
  std::uint32_t frames = 0;
  std::uint32_t samples_done = 0;
  for (const std::uint32_t stop : stops) {
    while (samples_done < stop) {
      const std::uint32_t count = options.frame_samples > 0 ? std::min(options.frame_samples, stop - samples_done)
                                                            : stop - samples_done;
      const auto start = std::chrono::steady_clock::now();
      raytracer::render_parallel(loaded.scene, loaded.camera, settings, parallel, samples_done, count, accumulation,
                                 [&](int done, int total) {
                                   const double fraction = (samples_done + static_cast<double>(count) * done / total) /
                                                           options.samples_per_pixel;
                                   progress_bar.update(static_cast<int>(1000.0 * fraction), 1000);
                                 });
      const auto rendered = std::chrono::steady_clock::now();
      samples_done += count;
      if (options.frame_samples > 0) {
        for (const raytracer::Tile& tile : frame_tiles) raytracer::resolve_tile(accumulation, tile, samples_done, frame_rgba);
        ++frames;
        resolve_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - rendered).count();
      }
      seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    const bool is_snapshot = std::find(options.snapshot_samples.begin(), options.snapshot_samples.end(), stop) !=
                             options.snapshot_samples.end();
    if (is_snapshot &&
        !write_images(accumulation, stop, snapshot_path(options.output_path, stop),
                      options.linear_output_path.empty() ? "" : snapshot_path(options.linear_output_path, stop))) {
      return 1;
    }
  }
  progress_bar.finish();
  if (!write_images(accumulation, options.samples_per_pixel, options.output_path, options.linear_output_path)) return 1;

  const double samples = static_cast<double>(settings.width) * settings.height * options.samples_per_pixel;
  const double samples_per_second = samples / seconds;
  std::printf("%s: %dx%d, %u spp, %d threads%s%s: %.3f s, %.0f samples/s -> %s\n", options.scene_path.c_str(),
              settings.width, settings.height, options.samples_per_pixel, options.thread_count,
              options.brute_force ? ", brute force" : "", options.light_sampling ? "" : ", no light sampling", seconds,
              samples_per_second, options.output_path.c_str());

  if (!options.stats_json_path.empty()) {
    const nlohmann::json stats = {
        {"scene", scene_name(options.scene_path)},
        {"width", settings.width},
        {"height", settings.height},
        {"spp", options.samples_per_pixel},
        {"threads", options.thread_count},
        {"max_depth", settings.max_depth},
        {"seed", settings.seed},
        {"intersection", options.brute_force ? "brute_force" : "bvh"},
        {"light_sampling", options.light_sampling},
        {"frame_samples", options.frame_samples},
        {"frames", frames},
        {"resolve_seconds", resolve_seconds},
        {"spheres", loaded.scene.sphere_count()},
        {"quads", loaded.scene.quad_count()},
        {"triangles", loaded.scene.triangle_count()},
        {"seconds", seconds},  // rendering, and with --frame-samples resolving each frame
        {"samples_per_second", samples_per_second},
    };
    std::ofstream stream(options.stats_json_path);
    stream << stats.dump(2) << "\n";
    if (!stream) {
      std::fprintf(stderr, "render: %s: cannot write the statistics\n", options.stats_json_path.c_str());
      return 1;
    }
  }
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> arguments(argv + 1, argv + argc);
  RenderOptions options;
  try {
    options = raytracer::parse_command_line(arguments);
  } catch (const InputError& error) {
    std::fprintf(stderr, "render: %s\n%s\n", error.what(), raytracer::usage_text().c_str());
    return 2;
  }
  if (options.show_help) {
    std::printf("%s\n", raytracer::usage_text().c_str());
    return 0;
  }
  try {
    return render(options);
  } catch (const InputError& error) {
    std::fprintf(stderr, "render: %s\n", error.what());
    return 1;
  }
}
