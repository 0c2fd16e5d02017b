// render: the native command-line renderer. Loads a scene, renders it with std::threads,
// writes a PNG and reports samples per second (optionally as JSON, for the benchmark script).
// Exit codes: 0 done, 1 bad scene or unwritable output, 2 bad command line.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "native/command_line.h"
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

int render(const RenderOptions& options) {
  raytracer::LoadedScene loaded = raytracer::load_scene_file(options.scene_path);
  if (options.brute_force) loaded.scene.set_intersection_method(raytracer::IntersectionMethod::BruteForce);

  raytracer::FrameSettings settings;
  settings.width = options.width;
  settings.height = options.height;
  settings.samples_per_frame = options.samples_per_pixel;
  settings.max_depth = options.max_depth;
  settings.seed = options.seed;
  raytracer::AccumulationBuffer accumulation(settings.width, settings.height);
  raytracer::ProgressBar progress_bar;
  const raytracer::ParallelRenderSettings parallel{options.thread_count, 32};

  const auto start = std::chrono::steady_clock::now();
  raytracer::render_parallel(loaded.scene, loaded.camera, settings, parallel, 0, options.samples_per_pixel,
                             accumulation, [&](int done, int total) { progress_bar.update(done, total); });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  progress_bar.finish();

  const std::vector<std::uint8_t> rgba = raytracer::resolve_image(accumulation, options.samples_per_pixel);
  if (!raytracer::write_png(options.output_path, settings.width, settings.height, rgba)) {
    std::fprintf(stderr, "render: %s: cannot write the image\n", options.output_path.c_str());
    return 1;
  }
  const double samples = static_cast<double>(settings.width) * settings.height * options.samples_per_pixel;
  const double samples_per_second = samples / seconds;
  std::printf("%s: %dx%d, %u spp, %d threads%s: %.3f s, %.0f samples/s -> %s\n", options.scene_path.c_str(),
              settings.width, settings.height, options.samples_per_pixel, options.thread_count,
              options.brute_force ? ", brute force" : "", seconds, samples_per_second, options.output_path.c_str());

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
        {"spheres", loaded.scene.sphere_count()},
        {"quads", loaded.scene.quad_count()},
        {"triangles", loaded.scene.triangle_count()},
        {"seconds", seconds},
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
