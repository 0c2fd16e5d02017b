// The canvas bridge (see canvas_bridge.h): small JS snippets, each on the thread that runs it.
#include "canvas_bridge.h"

#include <emscripten/emscripten.h>

namespace raytracer::web {
namespace {

EM_JS(emscripten::EM_VAL, js_take_canvas, (int width, int height, int for_worker), {
  var canvas = RaytracerPage.freshCanvas(width, height);
  return Emval.toHandle(for_worker ? canvas.transferControlToOffscreen() : canvas);
});

EM_JS(void, js_adopt_canvas, (emscripten::EM_VAL handle), {
  var canvas = Emval.toValue(handle);
  globalThis.raytracerCanvas = canvas;
  globalThis.raytracerCanvasContext = canvas.getContext('2d');
});

EM_JS(void, js_present_pixels, (const std::uint8_t* rgba, int width, int height), {
  var canvas = globalThis.raytracerCanvas;
  if (!canvas) return;
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    globalThis.raytracerCanvasContext = canvas.getContext('2d');
  }
  // ImageData needs memory of its own: shared memory cannot back it.
  var pixels = new Uint8ClampedArray(HEAPU8.subarray(rgba, rgba + width * height * 4));
  globalThis.raytracerCanvasContext.putImageData(new ImageData(pixels, width, height), 0, 0);
});

}  // namespace

emscripten::val take_canvas_for_worker(int width, int height) {
  return emscripten::val::take_ownership(js_take_canvas(width, height, 1));
}

void take_canvas_for_main_thread(int width, int height) {
  emscripten::val canvas = emscripten::val::take_ownership(js_take_canvas(width, height, 0));
  adopt_canvas(canvas);
}

void adopt_canvas(const emscripten::val& canvas) { js_adopt_canvas(canvas.as_handle()); }

void present_pixels(const std::uint8_t* rgba, int width, int height) { js_present_pixels(rgba, width, height); }

}  // namespace raytracer::web
