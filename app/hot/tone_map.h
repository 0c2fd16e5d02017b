// tone_map.cpp's encoding of one channel, from tone-mapped linear value to sRGB byte: the
// direct evaluation and the table the hot function uses, declared for their test.
#pragma once

#include <cstdint>

namespace raytracer::tone_map_detail {

std::uint8_t srgb_byte_direct(float linear);  // to_byte(srgb_encode(linear))
std::uint8_t srgb_byte(float linear);         // the same byte, from a table of its steps

}  // namespace raytracer::tone_map_detail
