// The scene file reader: JSON text (format in docs/SCENES.md) to a ready-to-render Scene and
// its starting Camera. Files a scene refers to (OBJ meshes) are fetched through a callback,
// so the browser can serve them from memory; load_scene_file does it from disk.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "core/camera.h"
#include "core/input_error.h"
#include "core/scene.h"

namespace raytracer {

// Returns the contents of a file a scene refers to, given the path exactly as written in the
// scene file, or nothing when there is no such file.
using FileResolver = std::function<std::optional<std::string>(const std::string& path)>;

struct LoadedScene {
  Scene scene;    // shapes, materials and sky, with acceleration structures built
  Camera camera;  // where the scene file puts the viewer
};

// Throws InputError naming `source_name`, the field ("objects[3].material.roughness") and
// what was expected when the text is not a valid scene (or a referenced file is missing or bad).
LoadedScene parse_scene(std::string_view json_text, const std::string& source_name, const FileResolver& resolve_file);

// Reads the scene at `path`; referenced files are looked up relative to its folder.
LoadedScene load_scene_file(const std::string& path);

// parse_scene for callers built without exception support (Emscripten's default, where a
// catch block compiled without -fexceptions never runs): the InputError comes back as a value.
std::variant<LoadedScene, InputError> try_parse_scene(std::string_view json_text, const std::string& source_name,
                                                      const FileResolver& resolve_file);

}  // namespace raytracer
