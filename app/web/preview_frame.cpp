// The preview frame's settings and its enlargement (see preview_frame.h).
#include "preview_frame.h"

#include <algorithm>
#include <cstring>

namespace raytracer::web {

bool worth_a_preview(const FrameSettings& picture) {
  return std::min(picture.width, picture.height) >= kSmallestPreviewedSide;
}

FrameSettings preview_settings(const FrameSettings& picture) {
  FrameSettings preview = picture;
  preview.width = (picture.width + kPreviewScale - 1) / kPreviewScale;
  preview.height = (picture.height + kPreviewScale - 1) / kPreviewScale;
  preview.samples_per_frame = 1;
  return preview;
}

void enlarge_preview(std::span<const std::uint8_t> preview, int preview_width, int preview_height,
                     std::span<std::uint8_t> picture, int width, int height) {
  for (int y = 0; y < height; ++y) {
    const int preview_y = std::min(y * preview_height / height, preview_height - 1);
    const std::uint8_t* row = preview.data() + static_cast<std::size_t>(preview_y) * preview_width * 4;
    std::uint8_t* out = picture.data() + static_cast<std::size_t>(y) * width * 4;
    for (int x = 0; x < width; ++x) {
      const int preview_x = std::min(x * preview_width / width, preview_width - 1);
      std::memcpy(out + static_cast<std::size_t>(x) * 4, row + static_cast<std::size_t>(preview_x) * 4, 4);
    }
  }
}

}  // namespace raytracer::web
