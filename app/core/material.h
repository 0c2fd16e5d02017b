// Material: how a surface reflects, refracts or emits light. One plain struct for every
// kind (a tagged union in spirit) so the integrator switches on `kind` instead of making a
// virtual call per bounce, and so a patched `scatter` sees exactly this layout.
#pragma once

#include <cstdint>

#include <glm/vec3.hpp>

#include "core/texture.h"

namespace raytracer {

enum class MaterialKind : std::uint32_t {
  Diffuse,     // Lambertian: scatters uniformly in cosine
  Metal,       // mirror reflection blurred by `roughness`
  Dielectric,  // glass or water: reflects or refracts (Fresnel, Schlick's approximation)
  Emissive,    // a light: emits `emission`, scatters nothing
};

struct Material {
  MaterialKind kind = MaterialKind::Diffuse;  // which of the models above
  Texture albedo;                             // reflectance (diffuse, metal) or tint (dielectric)
  float roughness = 0.0f;                     // metal: 0 a perfect mirror, 1 very blurry
  float refractive_index = 1.5f;              // dielectric: 1.0 air, 1.33 water, 1.5 glass
  glm::vec3 emission{0.0f};                   // radiance leaving the surface (emissive only)
};

}  // namespace raytracer
