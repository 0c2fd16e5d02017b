// SceneReader: the camera, sky, named materials and objects of a scene document.
#include "core/scene_reader.h"

#include <optional>
#include <utility>

#include <glm/geometric.hpp>

#include "core/material_reader.h"
#include "core/obj_loader.h"
#include "core/portable_math.h"

namespace raytracer {
namespace {
// Right-handed rotation about axis 0 (x), 1 (y) or 2 (z), with portable trigonometry so a
// placed mesh has the same vertices natively and in the browser.
glm::mat4 rotation_about_axis(int axis, float degrees) {
  const auto [sine, cosine] = portable_math::sine_and_cosine(portable_math::radians(degrees));
  // The two axes that turn, in right-handed order (y then z about x, and so on).
  const int first = (axis + 1) % 3;
  const int second = (axis + 2) % 3;
  glm::mat4 rotation(1.0f);  // indexed rotation[column][row]
  rotation[first][first] = cosine;
  rotation[first][second] = sine;
  rotation[second][first] = -sine;
  rotation[second][second] = cosine;
  return rotation;
}

glm::vec3 rotate_about_y(const glm::vec3& vector, float degrees) {
  return glm::vec3(rotation_about_axis(1, degrees) * glm::vec4(vector, 0.0f));
}
}  // namespace

LoadedScene SceneReader::read(const JsonField& root) {
  root.expect_only_members({"description", "camera", "sky", "materials", "objects"});
  if (const auto description = root.optional_member("description")) description->text();
  const Camera camera = read_camera(root.member("camera"));
  if (const auto sky = root.optional_member("sky")) scene_.set_sky(read_sky(*sky));
  if (const auto materials = root.optional_member("materials")) read_named_materials(*materials);
  const JsonField objects = root.member("objects");
  for (std::size_t i = 0; i < objects.array_size(); ++i) read_object(objects.element(i));
  scene_.build_acceleration_structures();
  return {std::move(scene_), camera};
}

Camera SceneReader::read_camera(const JsonField& field) {
  field.expect_only_members({"position", "target", "up", "vertical_fov_degrees", "aperture", "focus_distance"});
  const glm::vec3 position = field.member("position").vec3();
  const JsonField target_field = field.member("target");
  const glm::vec3 target = target_field.vec3();
  if (target == position) target_field.fail_with_message("expected a target away from the camera position");
  glm::vec3 up(0.0f, 1.0f, 0.0f);
  if (const auto up_field = field.optional_member("up")) {
    up = up_field->vec3();
    const glm::vec3 side = glm::cross(up, target - position);
    if (!(glm::dot(side, side) > 0.0f)) up_field->fail("expected an up vector not parallel to the view direction");
  }
  float vertical_fov_degrees = 40.0f;
  if (const auto fov = field.optional_member("vertical_fov_degrees")) {
    vertical_fov_degrees = fov->number_in_range(1.0f, 179.0f);
  }
  float aperture = 0.0f;
  if (const auto aperture_field = field.optional_member("aperture")) {
    aperture = aperture_field->number_in_range(0.0f, 1e6f);
  }
  float focus_distance = 0.0f;  // 0: on the target
  if (const auto focus = field.optional_member("focus_distance")) focus_distance = focus->positive_number();
  return Camera(position, target, up, vertical_fov_degrees, aperture, focus_distance);
}

Sky SceneReader::read_sky(const JsonField& field) {
  field.expect_only_members({"zenith", "horizon", "ground", "sun"});
  Sky sky;
  if (const auto zenith = field.optional_member("zenith")) sky.zenith_color = zenith->color(kMaximumRadiance);
  if (const auto horizon = field.optional_member("horizon")) sky.horizon_color = horizon->color(kMaximumRadiance);
  if (const auto ground = field.optional_member("ground")) sky.ground_color = ground->color(kMaximumRadiance);
  if (const auto sun = field.optional_member("sun")) {
    sun->expect_only_members({"direction", "radiance", "angular_radius_degrees"});
    const JsonField direction = sun->member("direction");
    sky.sun_direction = direction.vec3();
    if (!(glm::dot(sky.sun_direction, sky.sun_direction) > 0.0f)) direction.fail("expected a non-zero direction");
    sky.sun_direction = glm::normalize(sky.sun_direction);
    sky.sun_radiance = sun->member("radiance").color(kMaximumRadiance);
    float angular_radius_degrees = 2.0f;
    if (const auto radius = sun->optional_member("angular_radius_degrees")) {
      angular_radius_degrees = radius->number_in_range(0.01f, 90.0f);
    }
    sky.sun_cos_angular_radius = portable_math::cos(portable_math::radians(angular_radius_degrees));
  }
  return sky;
}

void SceneReader::read_named_materials(const JsonField& field) {
  if (!field.json().is_object()) field.fail("expected an object of named materials");
  for (const auto& [name, value] : field.json().items()) {
    named_materials_[name] = scene_.add_material(read_material(field.member(name)));
  }
}

std::uint32_t SceneReader::read_material_reference(const JsonField& field) {
  if (!field.json().is_string()) return scene_.add_material(read_material(field));
  const std::string name = field.text();
  const auto found = named_materials_.find(name);
  if (found != named_materials_.end()) return found->second;
  std::string known;
  for (const auto& [known_name, index] : named_materials_) known += (known.empty() ? "" : ", ") + known_name;
  field.fail("expected the name of a material defined under \"materials\" (" +
             (known.empty() ? std::string("none are defined") : "defined: " + known) + ")");
}

void SceneReader::read_object(const JsonField& field) {
  if (!field.json().is_object()) field.fail("expected an object (a sphere, quad, box or mesh)");
  const JsonField type_field = field.member("type");
  const std::string type = type_field.text();
  if (type == "sphere") {
    field.expect_only_members({"type", "center", "radius", "material"});
    const glm::vec3 center = field.member("center").vec3();
    const float radius = field.member("radius").positive_number();
    scene_.add_sphere({center, radius, read_material_reference(field.member("material"))});
  } else if (type == "quad") {
    field.expect_only_members({"type", "corner", "edge_u", "edge_v", "material"});
    const glm::vec3 corner = field.member("corner").vec3();
    const glm::vec3 edge_u = field.member("edge_u").vec3();
    const JsonField edge_v_field = field.member("edge_v");
    const glm::vec3 edge_v = edge_v_field.vec3();
    const glm::vec3 perpendicular = glm::cross(edge_u, edge_v);
    if (!(glm::dot(perpendicular, perpendicular) > 0.0f)) {
      edge_v_field.fail("expected an edge that is not parallel to edge_u (and neither of zero length)");
    }
    scene_.add_quad(Quad::make(corner, edge_u, edge_v, read_material_reference(field.member("material"))));
  } else if (type == "box") {
    read_box(field);
  } else if (type == "mesh") {
    read_mesh(field);
  } else {
    type_field.fail("expected one of \"sphere\", \"quad\", \"box\", \"mesh\"");
  }
}

// Six quads, facing out, turned about the vertical axis through the box's centre.
void SceneReader::read_box(const JsonField& field) {
  field.expect_only_members({"type", "minimum", "maximum", "rotate_y_degrees", "material"});
  const glm::vec3 minimum = field.member("minimum").vec3();
  const JsonField maximum_field = field.member("maximum");
  const glm::vec3 maximum = maximum_field.vec3();
  if (!(maximum.x > minimum.x && maximum.y > minimum.y && maximum.z > minimum.z)) {
    maximum_field.fail_with_message("expected every coordinate larger than in \"minimum\"");
  }
  float degrees = 0.0f;
  if (const auto rotation = field.optional_member("rotate_y_degrees")) degrees = rotation->number();
  const std::uint32_t material = read_material_reference(field.member("material"));

  const glm::vec3 size = maximum - minimum;
  const glm::vec3 along_x(size.x, 0.0f, 0.0f);
  const glm::vec3 along_y(0.0f, size.y, 0.0f);
  const glm::vec3 along_z(0.0f, 0.0f, size.z);
  const glm::vec3 center = 0.5f * (minimum + maximum);
  struct Face {
    glm::vec3 corner, edge_u, edge_v;
  };
  const Face faces[] = {
      {{minimum.x, minimum.y, maximum.z}, along_x, along_y},   // facing +z
      {{maximum.x, minimum.y, maximum.z}, -along_z, along_y},  // facing +x
      {{maximum.x, minimum.y, minimum.z}, -along_x, along_y},  // facing -z
      {{minimum.x, minimum.y, minimum.z}, along_z, along_y},   // facing -x
      {{minimum.x, maximum.y, maximum.z}, along_x, -along_z},  // facing +y
      {{minimum.x, minimum.y, minimum.z}, along_x, along_z},   // facing -y
  };
  for (const Face& face : faces) {
    const glm::vec3 corner = center + rotate_about_y(face.corner - center, degrees);
    scene_.add_quad(Quad::make(corner, rotate_about_y(face.edge_u, degrees), rotate_about_y(face.edge_v, degrees),
                               material));
  }
}

// translate * rotate_z * rotate_y * rotate_x * scale: scaled first, then turned about x,
// y and z in that order, then moved.
glm::mat4 SceneReader::read_placement(const JsonField& field) {
  glm::vec3 scale(1.0f);
  if (const auto scale_field = field.optional_member("scale")) {
    if (scale_field->json().is_number()) {
      scale = glm::vec3(scale_field->positive_number());
    } else {
      scale = scale_field->vec3();
      if (!(scale.x > 0.0f && scale.y > 0.0f && scale.z > 0.0f)) {
        scale_field->fail("expected a positive number or three positive numbers");
      }
    }
  }
  glm::vec3 rotation(0.0f);
  if (const auto rotation_field = field.optional_member("rotate_degrees")) rotation = rotation_field->vec3();
  glm::vec3 translation(0.0f);
  if (const auto translation_field = field.optional_member("translate")) translation = translation_field->vec3();

  glm::mat4 placement(1.0f);
  placement[3] = glm::vec4(translation, 1.0f);
  placement = placement * rotation_about_axis(2, rotation.z) * rotation_about_axis(1, rotation.y) *
              rotation_about_axis(0, rotation.x);
  glm::mat4 scaling(1.0f);
  scaling[0][0] = scale.x;
  scaling[1][1] = scale.y;
  scaling[2][2] = scale.z;
  return placement * scaling;
}

void SceneReader::read_mesh(const JsonField& field) {
  field.expect_only_members({"type", "file", "material", "scale", "rotate_degrees", "translate"});
  const JsonField file_field = field.member("file");
  const std::string path = file_field.text();
  const std::optional<std::string> contents = resolve_file_(path);
  if (!contents) file_field.fail_with_message("expected a readable OBJ file, could not read \"" + path + "\"");
  TriangleMesh mesh = parse_obj(*contents, path);
  mesh.transform(read_placement(field));
  scene_.add_mesh(mesh, read_material_reference(field.member("material")));
}

}  // namespace raytracer
