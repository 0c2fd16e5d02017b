// The raytracer page's entry points: what web/js calls (Module._raytracer_*). Plain C
// functions of numbers and strings; everything they do happens in FrameLoop between frames.
#include <emscripten/emscripten.h>

#include <map>
#include <string>
#include <vector>

#include "frame_loop.h"

namespace {

using raytracer::web::FrameLoop;

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

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE void raytracer_provide_file(const char* path, const char* contents) {
  provided_files()[path] = contents;
}

// Loads a scene. Returns "" on success, "missing:" + one path a line when the scene needs
// files the page has not provided yet (fetch them, provide them, call again), or
// "error:" + the loader's message (file, field, what was expected).
EMSCRIPTEN_KEEPALIVE const char* raytracer_load_scene(const char* name, const char* json_text) {
  std::vector<std::string> missing;
  auto resolve = [&missing](const std::string& path) -> std::optional<std::string> {
    auto found = provided_files().find(path);
    if (found != provided_files().end()) return found->second;
    missing.push_back(path);
    return std::nullopt;
  };
  auto error = FrameLoop::instance().load_scene(name, json_text, resolve);
  if (!error) return keep("");
  if (!missing.empty()) {
    std::string text = "missing:";
    for (const std::string& path : missing) text += path + "\n";
    return keep(text);
  }
  return keep("error:" + *error);
}

EMSCRIPTEN_KEEPALIVE void raytracer_start() { FrameLoop::instance().start(); }
EMSCRIPTEN_KEEPALIVE void raytracer_set_resolution(int width, int height) { FrameLoop::instance().set_resolution(width, height); }
EMSCRIPTEN_KEEPALIVE void raytracer_set_samples_per_frame(int samples) {
  FrameLoop::instance().set_samples_per_frame(static_cast<std::uint32_t>(samples));
}
EMSCRIPTEN_KEEPALIVE void raytracer_set_worker_count(int count) { FrameLoop::instance().set_worker_count(count); }
EMSCRIPTEN_KEEPALIVE void raytracer_set_sample_limit(int samples) {
  FrameLoop::instance().set_sample_limit(static_cast<std::uint32_t>(samples));
}
EMSCRIPTEN_KEEPALIVE void raytracer_pause_for_build(int paused) { FrameLoop::instance().pause_for_build(paused != 0); }
// For the benchmark's comparison (no control on the page): 0 renders by material sampling only.
EMSCRIPTEN_KEEPALIVE void raytracer_set_light_sampling(int enabled) { FrameLoop::instance().set_light_sampling(enabled != 0); }
EMSCRIPTEN_KEEPALIVE void raytracer_orbit(float yaw_radians, float pitch_radians) { FrameLoop::instance().orbit(yaw_radians, pitch_radians); }
EMSCRIPTEN_KEEPALIVE void raytracer_zoom(float factor) { FrameLoop::instance().zoom(factor); }
EMSCRIPTEN_KEEPALIVE void raytracer_reset_camera() { FrameLoop::instance().reset_camera(); }
EMSCRIPTEN_KEEPALIVE void raytracer_set_camera(float x, float y, float z, float target_x, float target_y, float target_z,
                                               float focus_distance) {
  FrameLoop::instance().set_camera({x, y, z}, {target_x, target_y, target_z}, focus_distance);
}
// Two versions of the code on one picture: `left` and `right` are versions, `split` the line's
// place (a fraction of the width), `view` "split", "difference", "left" or "right". Returns ""
// or "error:" + why not (a version that cannot be run, a split out of range, an unknown view).
EMSCRIPTEN_KEEPALIVE const char* raytracer_compare(int left, int right, double split, const char* view) {
  const auto shown = raytracer::web::compare_view_named(view);
  if (!shown) return keep(std::string("error:the view must be split, difference, left or right, not \"") + view + "\"");
  if (left < 0 || right < 0) return keep("error:versions are numbers from 0 (the program as built)");
  const raytracer::web::Comparison comparison{static_cast<std::uint32_t>(left), static_cast<std::uint32_t>(right), split, *shown};
  auto error = FrameLoop::instance().compare(comparison);
  return keep(error ? "error:" + *error : "");
}
EMSCRIPTEN_KEEPALIVE void raytracer_end_comparison() { FrameLoop::instance().compare(std::nullopt); }
EMSCRIPTEN_KEEPALIVE const char* raytracer_statistics() { return keep(FrameLoop::instance().statistics_json()); }
EMSCRIPTEN_KEEPALIVE const std::uint8_t* raytracer_displayed_pixels() { return FrameLoop::instance().displayed_pixels(); }

}  // extern "C"

int main() { return 0; }  // the page drives everything through the functions above
