// The raytracer program (raytracer.js, the Emscripten output) as seen from the page:
// loading it, and its entry points (app/web/page_api.cpp) with JS strings and numbers.
// ?program=PATH loads another build of it (the benchmark's plain-call build).
export function loadProgram(path = new URLSearchParams(location.search).get('program') || 'raytracer.js') {
  return new Promise((resolve, reject) => {
    if (!/^[\w-]+(\/[\w-]+)*\.js$/.test(path)) {
      reject(new Error(`?program=${path}: expected a .js file inside this site (letters, digits, - and _ in folder names)`));
      return;
    }
    globalThis.Module = {
      onRuntimeInitialized: () => resolve(wrap(globalThis.Module)),
      printErr: (text) => console.error(text),
    };
    const script = document.createElement('script');
    script.src = path;
    script.onerror = () => reject(new Error(`${path} could not be loaded (was the wasm build run?)`));
    document.body.appendChild(script);
  });
}

function wrap(module) {
  // Strings go through the heap (malloc), not the stack: a mesh file can be megabytes.
  const withString = (text, use) => {
    const length = module.lengthBytesUTF8(text) + 1;
    const pointer = module._malloc(length);
    module.stringToUTF8(text, pointer, length);
    try { return use(pointer); } finally { module._free(pointer); }
  };
  return {
    module,
    loadScene: (name, text) => withString(name, (namePointer) => withString(text, (textPointer) =>
      module.UTF8ToString(module._raytracer_load_scene(namePointer, textPointer)))),
    provideFile: (path, text) => withString(path, (pathPointer) => withString(text, (textPointer) =>
      module._raytracer_provide_file(pathPointer, textPointer))),
    start: () => module._raytracer_start(),
    setResolution: (width, height) => module._raytracer_set_resolution(width, height),
    setSamplesPerFrame: (samples) => module._raytracer_set_samples_per_frame(samples),
    setWorkerCount: (count) => module._raytracer_set_worker_count(count),
    setSampleLimit: (samples) => module._raytracer_set_sample_limit(samples),
    pauseForBuild: (paused) => module._raytracer_pause_for_build(paused ? 1 : 0),
    orbit: (yaw, pitch) => module._raytracer_orbit(yaw, pitch),
    zoom: (factor) => module._raytracer_zoom(factor),
    resetCamera: () => module._raytracer_reset_camera(),
    // {position: [x, y, z], target: [x, y, z], focusDistance} as statistics().camera gives it.
    setCamera: ({ position, target, focusDistance }) => module._raytracer_set_camera(...position, ...target, focusDistance),
    // Two versions of the code on one picture (app/web/comparison.cpp): "" or "error:" + why not.
    compare: (left, right, split, view) => withString(view, (viewPointer) =>
      module.UTF8ToString(module._raytracer_compare(left, right, split, viewPointer))),
    endComparison: () => module._raytracer_end_comparison(),
    statistics: () => JSON.parse(module.UTF8ToString(module._raytracer_statistics())),
    // A copy of the last completed frame's RGBA8 pixels (width x height x 4), or null.
    displayedPixels: () => {
      const pointer = module._raytracer_displayed_pixels();
      if (!pointer) return null;
      const { width, height } = JSON.parse(module.UTF8ToString(module._raytracer_statistics()));
      return { width, height, rgba: module.HEAPU8.slice(pointer, pointer + width * height * 4) };
    },
  };
}
