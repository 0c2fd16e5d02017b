// The page's canvas as seen from C++. A frame is shown by whichever thread owns the
// canvas: the presenting worker (it received an OffscreenCanvas) or, with no workers, the
// main thread. An OffscreenCanvas with a context cannot move again, so a new presenter gets
// a fresh canvas element from the page (web/js/canvas_slot.js).
#pragma once

#include <emscripten/val.h>

#include <cstdint>

namespace raytracer::web {

// Main thread: a fresh canvas from the page, transferred for a worker (an OffscreenCanvas).
emscripten::val take_canvas_for_worker(int width, int height);
// Main thread: a fresh canvas from the page that this thread draws on itself.
void take_canvas_for_main_thread(int width, int height);
// The thread that owns the canvas: remember it (a worker's init payload).
void adopt_canvas(const emscripten::val& canvas);
// The thread that owns the canvas: draw RGBA8 pixels (copied out of shared memory).
void present_pixels(const std::uint8_t* rgba, int width, int height);

}  // namespace raytracer::web
