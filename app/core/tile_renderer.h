// The tile API: what a render thread (or a web worker) calls. render_tile adds samples to
// the accumulation buffer; resolve_tile turns the sums into displayable RGBA8.
//
// The result is a pure function of (scene, camera, settings, sample count): each sample's
// random numbers come from (seed, pixel, sample index) alone and samples reach a pixel in
// increasing order, so any tiling, any split into frames and any thread count give the
// same bits.
#pragma once

#include <cstdint>
#include <span>

#include "core/accumulation_buffer.h"
#include "core/camera.h"
#include "core/frame_settings.h"
#include "core/scene.h"
#include "core/tile.h"

namespace raytracer {

// Adds samples first_sample_index .. first_sample_index + sample_count - 1 to every pixel of
// the tile. The buffer must have the settings' size, and each pixel of the tile must already
// hold exactly first_sample_index samples (checked): samples are added in order, never twice.
void render_tile(const Scene& scene, const Camera& camera, const FrameSettings& settings, const Tile& tile,
                 std::uint32_t first_sample_index, std::uint32_t sample_count, AccumulationBuffer& accumulation);

// Brings every pixel of the tile from the samples it holds (at least `first_sample_index`,
// possibly more: a render that was interrupted part-way) to `end_sample_index` samples,
// adding the missing ones in order. The result is the same bits as an uninterrupted
// render_tile: samples depend only on (seed, pixel, sample index). Used to finish the tiles
// of a worker that failed in the middle of them.
void complete_tile(const Scene& scene, const Camera& camera, const FrameSettings& settings, const Tile& tile,
                   std::uint32_t first_sample_index, std::uint32_t end_sample_index, AccumulationBuffer& accumulation);

// Writes the tile's pixels into `rgba` (the whole image, 4 bytes a pixel, rows top to
// bottom, width = accumulation.width()) through the hot function tone_map_tile, dividing
// the sums by `sample_count`.
void resolve_tile(const AccumulationBuffer& accumulation, const Tile& tile, std::uint32_t sample_count,
                  std::span<std::uint8_t> rgba);

}  // namespace raytracer
