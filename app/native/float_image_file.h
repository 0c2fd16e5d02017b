// PFM files (the Portable Float Map: a short text header, then raw 32-bit floats): the
// renderer's linear average radiance before tone mapping, for measures that must not be
// limited by 8 bits and a tone curve (the benchmark's error against a converged reference).
#pragma once

#include <span>
#include <string>
#include <vector>

#include <glm/vec3.hpp>

#include "raytracer.h"

namespace raytracer {

// The average radiance of every pixel (sum / samples), as RGB floats.
std::vector<glm::vec3> average_radiance(const AccumulationBuffer& accumulation);

// Writes a colour PFM ("PF"), little-endian, rows bottom to top as the format asks. Returns
// false when the file cannot be written.
bool write_pfm(const std::string& path, int width, int height, std::span<const glm::vec3> pixels);

}  // namespace raytracer
