// The preview frame: the first frame after a patch commits (and the first after the page
// loads, a hot restart's included) is rendered at a quarter of the picture's width and
// height (a sixteenth of the work, one sample a pixel) and shown enlarged, so the new code's
// pixels are on screen within a short frame instead of a whole one; the full-resolution
// frames follow at once, from sample 0. A preview adds nothing to the picture's samples, and
// a still picture never shows one.
#pragma once

#include <cstdint>
#include <span>

#include "raytracer.h"

namespace raytracer::web {

inline constexpr int kPreviewScale = 4;  // each way
// A picture smaller than this (either way) gains nothing from a preview.
inline constexpr int kSmallestPreviewedSide = 64;

bool worth_a_preview(const FrameSettings& picture);

// The preview's settings: the picture's, at 1 / kPreviewScale of each side, one sample a pixel.
FrameSettings preview_settings(const FrameSettings& picture);

// Writes the preview's RGBA8 pixels into the picture's, each preview pixel covering the
// block of picture pixels it stands for.
void enlarge_preview(std::span<const std::uint8_t> preview, int preview_width, int preview_height,
                     std::span<std::uint8_t> picture, int width, int height);

}  // namespace raytracer::web
