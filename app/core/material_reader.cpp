// read_texture and read_material: one branch per material type, each allowing exactly the
// fields that type uses.
#include "core/material_reader.h"

#include <string>

namespace raytracer {

Texture read_texture(const JsonField& field) {
  if (field.json().is_array()) return Texture{TextureKind::Solid, field.color(1.0f)};
  if (!field.json().is_object()) field.fail("expected a colour [r, g, b] or a texture object");
  const JsonField type = field.member("type");
  if (type.text() != "checker") type.fail("expected the texture type \"checker\"");
  field.expect_only_members({"type", "even", "odd", "cell_size"});
  return Texture{TextureKind::Checker, field.member("even").color(1.0f), field.member("odd").color(1.0f),
                 field.member("cell_size").positive_number()};
}

Material read_material(const JsonField& field) {
  if (!field.json().is_object()) field.fail("expected a material object");
  const JsonField type_field = field.member("type");
  const std::string type = type_field.text();
  Material material;
  if (type == "diffuse") {
    field.expect_only_members({"type", "albedo"});
    material.kind = MaterialKind::Diffuse;
    material.albedo = read_texture(field.member("albedo"));
  } else if (type == "metal") {
    field.expect_only_members({"type", "albedo", "roughness"});
    material.kind = MaterialKind::Metal;
    material.albedo = read_texture(field.member("albedo"));
    if (const auto roughness = field.optional_member("roughness")) material.roughness = roughness->number_in_range(0.0f, 1.0f);
  } else if (type == "dielectric") {
    field.expect_only_members({"type", "refractive_index", "tint"});
    material.kind = MaterialKind::Dielectric;
    material.refractive_index = field.member("refractive_index").number_in_range(1.0f, 4.0f);
    material.albedo = Texture{TextureKind::Solid, glm::vec3(1.0f)};
    if (const auto tint = field.optional_member("tint")) material.albedo = read_texture(*tint);
  } else if (type == "emissive") {
    field.expect_only_members({"type", "radiance"});
    material.kind = MaterialKind::Emissive;
    material.albedo = Texture{TextureKind::Solid, glm::vec3(0.0f)};
    material.emission = field.member("radiance").color(kMaximumRadiance);
  } else {
    type_field.fail("expected one of \"diffuse\", \"metal\", \"dielectric\", \"emissive\"");
  }
  return material;
}

}  // namespace raytracer
