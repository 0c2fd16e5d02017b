// Where the tests find the committed scenes and golden images, and where they may write.
// The folders are compile definitions set by tests/app/CMakeLists.txt.
#pragma once

#include <string>

namespace raytracer::testing {

inline std::string scene_file(const std::string& name) { return std::string(RAYTRACER_SCENES_DIR) + "/" + name; }
inline std::string golden_file(const std::string& name) { return std::string(RAYTRACER_GOLDEN_DIR) + "/" + name; }
inline std::string output_file(const std::string& name) { return std::string(RAYTRACER_TEST_OUTPUT_DIR) + "/" + name; }

}  // namespace raytracer::testing
