// raytracer: the public API of the raytracer core, everything a caller (the native CLI, the
// browser's workers, the tests) needs:
//
//   LoadedScene loaded = load_scene_file("app/scenes/cornell_box.json");   // or parse_scene(...)
//   FrameSettings settings{.width = 640, .height = 360};
//   AccumulationBuffer accumulation(settings.width, settings.height);
//   for (const Tile& tile : make_tiles(settings.width, settings.height, 32))   // any thread, any order
//     render_tile(loaded.scene, loaded.camera, settings, tile, first_sample, count, accumulation);
//   for (const Tile& tile : tiles) resolve_tile(accumulation, tile, first_sample + count, rgba);
//
// The picture is a pure function of (scene, camera, settings, samples so far): the same bits
// natively and in WebAssembly, for any tiling, frame size or thread count.
#pragma once

#include "core/accumulation_buffer.h"  // AccumulationBuffer
#include "core/camera.h"               // Camera (orbit, zoom)
#include "core/frame_settings.h"       // FrameSettings
#include "core/input_error.h"          // InputError (bad scene or OBJ file)
#include "core/scene.h"                // Scene, IntersectionMethod
#include "core/scene_loader.h"         // parse_scene, try_parse_scene, load_scene_file, FileResolver, LoadedScene
#include "core/tile.h"                 // Tile, make_tiles
#include "core/tile_renderer.h"        // render_tile, resolve_tile
#include "hot/hot_functions.h"         // sky_radiance, scatter, shade_path, tone_map_tile
