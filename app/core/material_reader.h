// Reading materials and textures from a scene document (the "Materials" section of
// docs/SCENES.md). Every mistake throws InputError naming the field.
#pragma once

#include "core/json_field.h"
#include "core/material.h"
#include "core/texture.h"

namespace raytracer {

// Largest radiance accepted for lights and the sun (a typo guard, not a physical limit).
inline constexpr float kMaximumRadiance = 1e6f;

// A colour [r, g, b] (a solid texture) or {"type": "checker", ...}.
Texture read_texture(const JsonField& field);

// {"type": "diffuse" | "metal" | "dielectric" | "emissive", ...}.
Material read_material(const JsonField& field);

}  // namespace raytracer
