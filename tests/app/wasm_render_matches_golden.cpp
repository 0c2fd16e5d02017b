// Run by Node in the wasm build: renders every golden scene with the WebAssembly build of the
// core and compares with the PNGs the native build produced. Equal bits here are the proof
// that native and browser renders agree. Also checks that bad scene input reaches the caller
// as an InputError in WebAssembly, both thrown (to a caller built with -fexceptions) and
// returned by try_parse_scene.
#include <cstdio>
#include <string>
#include <variant>

#include "native/png_file.h"
#include "raytracer.h"
#include "support/golden_render.h"
#include "support/test_files.h"

namespace {
using namespace raytracer;

bool golden_scene_matches(const std::string& name) {
  const LoadedScene loaded = load_scene_file(testing::scene_file(name + ".json"));
  const std::vector<std::uint8_t> actual = testing::render_golden_image(loaded);
  const std::string golden_path = testing::golden_file(name + ".png");
  const std::optional<RgbaImage> golden = read_png(golden_path);
  if (!golden) {
    std::printf("FAIL %s: cannot read %s\n", name.c_str(), golden_path.c_str());
    return false;
  }
  const testing::ImageDifference difference = testing::compare_images(golden->pixels, actual);
  if (difference.differing_pixels != 0) {
    const std::string actual_path = testing::output_file(name + "_wasm_actual.png");
    write_png(actual_path, testing::GoldenSettings::kWidth, testing::GoldenSettings::kHeight, actual);
    std::printf("FAIL %s: %d pixels differ from %s (PSNR %.2f dB); wasm image: %s\n", name.c_str(),
                difference.differing_pixels, golden_path.c_str(), difference.psnr_db, actual_path.c_str());
    return false;
  }
  std::printf("ok   %s: identical to %s\n", name.c_str(), golden_path.c_str());
  return true;
}

const char* const kBrokenScene =
    R"({"camera": {"position": [0, 0, 1], "target": [0, 0, 0]}, "objects": [{"type": "cone"}]})";
const FileResolver kNoFiles = [](const std::string&) { return std::optional<std::string>(); };

// This file is compiled with -fexceptions (see CMakeLists.txt), as a caller that catches must be.
bool bad_scene_throws_input_error() {
  try {
    parse_scene(kBrokenScene, "broken.json", kNoFiles);
  } catch (const InputError& error) {
    std::printf("ok   bad scene input throws a catchable InputError: %s\n", error.what());
    return error.field() == "objects[0].type";
  }
  std::printf("FAIL bad scene input did not throw\n");
  return false;
}

bool bad_scene_returns_input_error() {
  const std::variant<LoadedScene, InputError> result = try_parse_scene(kBrokenScene, "broken.json", kNoFiles);
  if (const InputError* error = std::get_if<InputError>(&result)) {
    std::printf("ok   try_parse_scene returns the InputError: %s\n", error->what());
    return error->field() == "objects[0].type";
  }
  std::printf("FAIL try_parse_scene accepted a bad scene\n");
  return false;
}
}  // namespace

int main() {
  bool all_passed = bad_scene_throws_input_error();
  all_passed = bad_scene_returns_input_error() && all_passed;
  for (const std::string& name : testing::kGoldenScenes) all_passed = golden_scene_matches(name) && all_passed;
  return all_passed ? 0 : 1;
}
