// SceneReader: builds the Scene and Camera of a parsed scene document (docs/SCENES.md),
// field by field, through JsonField so that every mistake names its field. Referenced files
// (OBJ meshes) come through the FileResolver. Used once per document by parse_scene.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <glm/mat4x4.hpp>

#include "core/camera.h"
#include "core/json_field.h"
#include "core/scene.h"
#include "core/scene_loader.h"
#include "core/sky.h"

namespace raytracer {

class SceneReader {
 public:
  explicit SceneReader(const FileResolver& resolve_file) : resolve_file_(resolve_file) {}

  // Reads the whole document; the reader is spent afterwards.
  LoadedScene read(const JsonField& root);

 private:
  Camera read_camera(const JsonField& field);
  Sky read_sky(const JsonField& field);
  void read_named_materials(const JsonField& field);
  // A material is either the name of one under "materials" or written in place.
  std::uint32_t read_material_reference(const JsonField& field);
  void read_object(const JsonField& field);
  void read_box(const JsonField& field);
  void read_mesh(const JsonField& field);
  glm::mat4 read_placement(const JsonField& field);

  const FileResolver& resolve_file_;
  Scene scene_;
  std::map<std::string, std::uint32_t> named_materials_;  // name under "materials" -> index in scene_
};

}  // namespace raytracer
