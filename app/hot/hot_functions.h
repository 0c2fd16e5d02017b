// The shading functions: the code a developer is most likely to edit while the picture is on
// screen. Each lives alone in a small file of this folder, so a save rebuilds just that file
// and its patch is ready sooner. They are plain functions: every function of the program can
// be patched (docs/ARCHITECTURE.md, "hotswap"), these are only the likeliest.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include <glm/vec3.hpp>

#include "core/accumulation_buffer.h"
#include "core/material.h"
#include "core/random.h"
#include "core/ray.h"
#include "core/scattered_ray.h"
#include "core/scene.h"
#include "core/sky.h"
#include "core/surface_hit.h"
#include "core/tile.h"

namespace raytracer {

// sky.cpp: the radiance arriving along a ray that left the scene.
glm::vec3 sky_radiance(const Sky& sky, const Ray& ray);

// scatter.cpp: how a surface of `material` turns an incoming ray at `hit` into a continuing
// ray and its attenuation; nothing when the light is absorbed (or the surface only emits).
std::optional<ScatteredRay> scatter(const Material& material, const Ray& incoming, const SurfaceHit& hit,
                                    Random& random);

// scatter.cpp: the density with which `scatter` picks the unit `direction` at `hit`, and the
// attenuation it would then apply. Mirror-like materials (glass, nearly smooth metal) report
// density 0 everywhere: light sampling leaves them to `scatter`. It must describe exactly
// what `scatter` does: edit the two together (the light-sampling test checks they agree).
ScatterDensity scatter_density(const Material& material, const Ray& incoming, const SurfaceHit& hit,
                               const glm::vec3& direction);

// shade.cpp: the path-tracing integrator: the radiance carried back along one camera ray,
// following at most `max_depth` bounces. Called once per camera sample. At each diffuse or
// rough surface it also samples a light (next-event estimation) and weighs that against the
// material's own sampling (multiple importance sampling, power heuristic).
glm::vec3 shade_path(const Scene& scene, const Ray& camera_ray, int max_depth, Random& random);

// shade.cpp: the same estimate by material sampling alone (FrameSettings::light_sampling
// false): light is found only by paths that happen to hit it. It converges to the same image,
// much more slowly; kept as the reference shade_path must agree with.
glm::vec3 shade_path_material_sampling(const Scene& scene, const Ray& camera_ray, int max_depth, Random& random);

// tone_map.cpp: turns the tile's accumulated sums (divided by `sample_count`) into RGBA8
// pixels of `rgba` (the whole image, accumulation.width() pixels a row, 4 bytes a pixel).
void tone_map_tile(const AccumulationBuffer& accumulation, const Tile& tile, std::uint32_t sample_count,
                   std::span<std::uint8_t> rgba);

}  // namespace raytracer
