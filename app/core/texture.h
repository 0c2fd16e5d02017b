// Texture: the colour of a surface at a point. A solid colour or a solid (3D) checker: the
// checker is a function of the hit point alone, so it needs no surface coordinates and no
// trigonometry, and it looks the same on any shape.
#pragma once

#include <cmath>
#include <cstdint>

#include <glm/vec3.hpp>

namespace raytracer {

enum class TextureKind : std::uint32_t {
  Solid,    // `color` everywhere
  Checker,  // cubes of side `cell_size` alternating `color` and `other_color`
};

struct Texture {
  TextureKind kind = TextureKind::Solid;  // which pattern
  glm::vec3 color{0.5f};                  // the solid colour, or the checker's even cells
  glm::vec3 other_color{0.0f};            // the checker's odd cells
  float cell_size = 1.0f;                 // the checker's cube side, in scene units

  // Cells are centred on multiples of cell_size, so a surface at coordinate 0 (the usual
  // ground plane) lies in the middle of a cell instead of on a boundary where rounding
  // noise would flip the colour from one sample to the next.
  glm::vec3 value(const glm::vec3& point) const {
    if (kind == TextureKind::Solid) return color;
    const float inverse_size = 1.0f / cell_size;
    const auto cell_x = static_cast<long long>(std::floor(point.x * inverse_size + 0.5f));
    const auto cell_y = static_cast<long long>(std::floor(point.y * inverse_size + 0.5f));
    const auto cell_z = static_cast<long long>(std::floor(point.z * inverse_size + 0.5f));
    return ((cell_x + cell_y + cell_z) & 1) == 0 ? color : other_color;
  }
};

}  // namespace raytracer
