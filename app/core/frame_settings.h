// FrameSettings: what every tile of an image needs to know besides the scene and camera.
#pragma once

#include <cstdint>

namespace raytracer {

struct FrameSettings {
  int width = 640;                       // image width in pixels
  int height = 360;                      // image height in pixels
  std::uint32_t samples_per_frame = 1;   // camera samples each pixel gets per frame (the page's step)
  int max_depth = 8;                     // most surface bounces a path may take
  std::uint32_t seed = 1;                // picks the image's random numbers; same seed, same image
  bool light_sampling = true;            // aim rays at lights too (shade_path); false: material sampling only
                                         // (shade_path_material_sampling), the slower reference
};

}  // namespace raytracer
