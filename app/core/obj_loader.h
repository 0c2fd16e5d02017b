// The OBJ reader: turns the text of a Wavefront OBJ file into a TriangleMesh. Reads what
// meshes need (v, vn, f with any of the v, v/vt, v//vn, v/vt/vn forms, negative indices,
// polygons fanned into triangles) and skips the rest (texture coordinates, groups,
// materials, smoothing). Takes text, not a path, so the browser can hand in preloaded files.
#pragma once

#include <string>
#include <string_view>

#include "core/triangle_mesh.h"

namespace raytracer {

// Throws InputError naming `source_name` and the line when the text is not a usable OBJ.
TriangleMesh parse_obj(std::string_view text, const std::string& source_name);

}  // namespace raytracer
