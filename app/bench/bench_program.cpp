// The benchmark program: renders N samples per pixel of a scene with raytracer_core on one
// thread, the way the page's frame loop does (one sample a frame over 32-pixel tiles, then
// every tile resolved), and reports samples per second. scripts/benchmark/ runs it in
// headless Chromium in three builds of the same code (app/bench/CMakeLists.txt):
//   - a relocatable main module whose calls go through the function table (as the page's),
//   - the same linked with plain calls (HOTSWAP_ROUTE_CALLS off): the table routing's cost,
//   - a plain, non-relocatable executable: the cost of being a main module patches link to.
// The page (app/bench/page/) gives it the scene files and calls bench_render.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "raytracer.h"

namespace {

constexpr int kTileSize = 32;  // the page's tile size (app/web/frame_loop.cpp)

// Files the page fetched for scenes (OBJ meshes), by the path the scene file names.
std::map<std::string, std::string>& provided_files() {
  static std::map<std::string, std::string> files;
  return files;
}

const char* keep(std::string text) {
  static std::string kept;
  kept = std::move(text);
  return kept.c_str();
}

std::string json_string(const std::string& text) {
  std::string quoted = "\"";
  for (const char character : text) {
    if (character == '"' || character == '\\') quoted += '\\';
    if (character == '\n') {
      quoted += "\\n";
      continue;
    }
    quoted += character;
  }
  return quoted + "\"";
}

// FNV-1a of the pixels: the builds must draw the same picture for their timings to compare.
std::uint32_t checksum(std::span<const std::uint8_t> bytes) {
  std::uint32_t hash = 2166136261u;
  for (const std::uint8_t byte : bytes) hash = (hash ^ byte) * 16777619u;
  return hash;
}

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void bench_provide_file(const char* path, const char* contents) { provided_files()[path] = contents; }

// Renders `samples` samples per pixel of the scene at width x height on this thread. Returns JSON:
// {"samples_per_second", "seconds", "checksum", ...} or {"error": message}.
EMSCRIPTEN_KEEPALIVE const char* bench_render(const char* scene_name, const char* scene_json, int width, int height,
                                              int samples) {
  auto resolve = [](const std::string& path) -> std::optional<std::string> {
    auto found = provided_files().find(path);
    if (found == provided_files().end()) return std::nullopt;
    return found->second;
  };
  auto parsed = raytracer::try_parse_scene(scene_json, scene_name, resolve);
  if (auto* error = std::get_if<raytracer::InputError>(&parsed)) return keep("{\"error\":" + json_string(error->what()) + "}");
  const raytracer::LoadedScene& loaded = std::get<raytracer::LoadedScene>(parsed);

  raytracer::FrameSettings settings;
  settings.width = width;
  settings.height = height;
  settings.samples_per_frame = 1;
  raytracer::AccumulationBuffer accumulation(width, height);
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(width) * height * 4);
  const std::vector<raytracer::Tile> tiles = raytracer::make_tiles(width, height, kTileSize);

  const double started_ms = emscripten_get_now();
  for (int sample = 0; sample < samples; ++sample) {
    for (const raytracer::Tile& tile : tiles) {
      raytracer::render_tile(loaded.scene, loaded.camera, settings, tile, static_cast<std::uint32_t>(sample), 1, accumulation);
    }
    for (const raytracer::Tile& tile : tiles) raytracer::resolve_tile(accumulation, tile, static_cast<std::uint32_t>(sample + 1), rgba);
  }
  const double seconds = (emscripten_get_now() - started_ms) / 1000.0;

  const double samples_done = static_cast<double>(width) * height * samples;
  return keep("{\"scene\":" + json_string(scene_name) + ",\"width\":" + std::to_string(width) +
              ",\"height\":" + std::to_string(height) + ",\"samples_per_pixel\":" + std::to_string(samples) +
              ",\"seconds\":" + std::to_string(seconds) + ",\"samples_per_second\":" + std::to_string(samples_done / seconds) +
              ",\"checksum\":" + std::to_string(checksum(rgba)) + "}");
}

}  // extern "C"

int main() { return 0; }  // the page drives everything through bench_render
