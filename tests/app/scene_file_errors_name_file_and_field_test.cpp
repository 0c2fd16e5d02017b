// Bad scene files: each mistake throws an InputError whose message names the file, the JSON
// field path and what was expected.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "raytracer.h"
#include "support/test_files.h"

namespace raytracer {
namespace {

const std::string kSource = "scenes/broken.json";
const std::string kCamera = R"("camera": {"position": [0, 0, 5], "target": [0, 0, 0]})";
const std::string kCube = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n";

// Parses `json` (with the other files `files` available to the resolver) and returns the
// InputError it must throw.
InputError error_of(const std::string& json, const std::map<std::string, std::string>& files = {}) {
  const FileResolver resolver = [&](const std::string& path) -> std::optional<std::string> {
    const auto found = files.find(path);
    if (found == files.end()) return std::nullopt;
    return found->second;
  };
  try {
    parse_scene(json, kSource, resolver);
  } catch (const InputError& error) {
    return error;
  }
  ADD_FAILURE() << "no InputError for: " << json;
  return InputError("", "", "");
}

std::string scene_with_objects(const std::string& objects) {
  return "{" + kCamera + R"(, "objects": [)" + objects + "]}";
}

TEST(SceneFileErrors, AMissingFieldIsNamedWithItsPath) {
  const InputError error = error_of(scene_with_objects(R"({"type": "sphere", "center": [0, 0, 0], "material": {"type": "diffuse", "albedo": [1, 1, 1]}})"));
  EXPECT_EQ(error.file(), kSource);
  EXPECT_EQ(error.field(), "objects[0].radius");
  EXPECT_NE(std::string(error.what()).find("scenes/broken.json: objects[0].radius:"), std::string::npos) << error.what();
  EXPECT_NE(error.expectation().find("missing"), std::string::npos);
}

TEST(SceneFileErrors, AWrongTypeSaysWhatWasExpectedAndWhatWasFound) {
  const InputError error = error_of(scene_with_objects(
      R"({"type": "sphere", "center": [0, 0, 0], "radius": 1,
          "material": {"type": "metal", "albedo": [1, 1, 1], "roughness": "shiny"}})"));
  EXPECT_EQ(error.field(), "objects[0].material.roughness");
  EXPECT_NE(error.expectation().find("expected a number"), std::string::npos) << error.what();
  EXPECT_NE(error.expectation().find("\"shiny\""), std::string::npos) << error.what();
}

TEST(SceneFileErrors, ANumberOutOfRangeGivesTheRange) {
  const InputError error = error_of(scene_with_objects(
      R"({"type": "sphere", "center": [0, 0, 0], "radius": 1,
          "material": {"type": "metal", "albedo": [1, 1, 1], "roughness": 3}})"));
  EXPECT_EQ(error.field(), "objects[0].material.roughness");
  EXPECT_NE(error.expectation().find("from 0 to 1"), std::string::npos) << error.what();
}

TEST(SceneFileErrors, AnUnknownMaterialTypeListsTheKnownOnes) {
  const InputError error = error_of(scene_with_objects(
      R"({"type": "sphere", "center": [0, 0, 0], "radius": 1, "material": {"type": "plastic"}})"));
  EXPECT_EQ(error.field(), "objects[0].material.type");
  EXPECT_NE(error.expectation().find("\"diffuse\", \"metal\", \"dielectric\", \"emissive\""), std::string::npos);
  EXPECT_NE(error.expectation().find("\"plastic\""), std::string::npos);
}

TEST(SceneFileErrors, AnUndefinedMaterialNameListsTheDefinedOnes) {
  const std::string json = "{" + kCamera + R"(, "materials": {"red": {"type": "diffuse", "albedo": [1, 0, 0]}},
      "objects": [{"type": "sphere", "center": [0, 0, 0], "radius": 1, "material": "blue"}]})";
  const InputError error = error_of(json);
  EXPECT_EQ(error.field(), "objects[0].material");
  EXPECT_NE(error.expectation().find("defined: red"), std::string::npos) << error.what();
  EXPECT_NE(error.expectation().find("\"blue\""), std::string::npos) << error.what();
}

TEST(SceneFileErrors, AMisspelledFieldIsReportedAsUnknown) {
  const InputError error = error_of(scene_with_objects(
      R"({"type": "sphere", "center": [0, 0, 0], "radus": 1, "material": {"type": "diffuse", "albedo": [1, 1, 1]}})"));
  EXPECT_EQ(error.field(), "objects[0].radus");
  EXPECT_NE(error.expectation().find("unknown field"), std::string::npos);
}

TEST(SceneFileErrors, AMissingObjFileNamesTheFileField) {
  const InputError error = error_of(scene_with_objects(
      R"({"type": "mesh", "file": "missing.obj", "material": {"type": "diffuse", "albedo": [1, 1, 1]}})"));
  EXPECT_EQ(error.file(), kSource);
  EXPECT_EQ(error.field(), "objects[0].file");
  EXPECT_NE(error.expectation().find("missing.obj"), std::string::npos);
}

TEST(SceneFileErrors, ABadObjFileNamesTheObjFileAndLine) {
  const InputError error = error_of(
      scene_with_objects(R"({"type": "mesh", "file": "bad.obj", "material": {"type": "diffuse", "albedo": [1, 1, 1]}})"),
      {{"bad.obj", "v 0 0 0\nv 1 0 0\nv 0 one 0\nf 1 2 3\n"}});
  EXPECT_EQ(error.file(), "bad.obj");
  EXPECT_EQ(error.field(), "line 3");
  EXPECT_NE(error.expectation().find("\"one\""), std::string::npos);
}

TEST(SceneFileErrors, AFaceIndexBeyondTheVerticesIsReported) {
  const InputError error = error_of(
      scene_with_objects(R"({"type": "mesh", "file": "bad.obj", "material": {"type": "diffuse", "albedo": [1, 1, 1]}})"),
      {{"bad.obj", kCube + "f 1 2 9\n"}});
  EXPECT_EQ(error.field(), "line 5");
  EXPECT_NE(error.expectation().find("between 1 and 3"), std::string::npos) << error.what();
}

TEST(SceneFileErrors, MalformedJsonGivesLineAndColumn) {
  const InputError error = error_of("{\n  \"camera\": {\"position\": [0, 0, 5],,\n}");
  EXPECT_EQ(error.file(), kSource);
  EXPECT_EQ(error.field().rfind("line 2, column", 0), 0u) << error.what();
  EXPECT_NE(error.expectation().find("valid JSON"), std::string::npos);
}

TEST(SceneFileErrors, AnObjectOfUnknownTypeListsTheKnownTypes) {
  const InputError error = error_of(scene_with_objects(R"({"type": "cone"})"));
  EXPECT_EQ(error.field(), "objects[0].type");
  EXPECT_NE(error.expectation().find("\"sphere\", \"quad\", \"box\", \"mesh\""), std::string::npos);
}

TEST(SceneFileErrors, ParallelQuadEdgesAreRejected) {
  const InputError error = error_of(scene_with_objects(
      R"({"type": "quad", "corner": [0, 0, 0], "edge_u": [1, 0, 0], "edge_v": [2, 0, 0], "material": {"type": "diffuse", "albedo": [1, 1, 1]}})"));
  EXPECT_EQ(error.field(), "objects[0].edge_v");
}

TEST(SceneFileErrors, AMissingCameraIsNamed) {
  const InputError error = error_of(R"({"objects": []})");
  EXPECT_EQ(error.field(), "camera");
}

TEST(SceneFileErrors, AnUnreadableSceneFileNamesThePath) {
  try {
    load_scene_file(testing::scene_file("does_not_exist.json"));
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), testing::scene_file("does_not_exist.json"));
  }
}

TEST(SceneFileErrors, AValidSceneWithAMeshLoads) {
  const std::string json = scene_with_objects(
      R"({"type": "mesh", "file": "cube.obj", "scale": 2, "material": {"type": "diffuse", "albedo": [1, 1, 1]}})");
  const FileResolver resolver = [&](const std::string& path) -> std::optional<std::string> {
    if (path == "cube.obj") return kCube;
    return std::nullopt;
  };
  const LoadedScene loaded = parse_scene(json, kSource, resolver);
  EXPECT_EQ(loaded.scene.triangle_count(), 1u);
}

}  // namespace
}  // namespace raytracer
