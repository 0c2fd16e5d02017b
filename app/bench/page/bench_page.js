// The benchmark page's script: loads the build named by ?program=, then exposes
// globalThis.benchPage = {ready, program, render(scene, width, height, samples)}
// where render fetches the scene (and the meshes it names) from ../scenes/ and returns
// what bench_render reports ({samples_per_second, seconds, checksum, ...}).
(function () {
  // The builds of app/bench/CMakeLists.txt, and any other build named bench_* put beside them
  // by hand for a comparison (scripts/benchmark/program_builds_ab.mjs).
  const PROGRAMS = ['bench_main_module', 'bench_main_module_plain_calls', 'bench_plain'];
  const status = document.getElementById('status');
  const program = new URLSearchParams(location.search).get('program');
  if (!/^bench_[A-Za-z0-9_]+$/.test(program || '')) {
    status.textContent = `unknown program ${program}: expected one of ${PROGRAMS.join(', ')} (or another bench_* build in this folder)`;
    globalThis.benchPage = { error: status.textContent };
    return;
  }

  function withString(module, text, use) {
    const length = module.lengthBytesUTF8(text) + 1;
    const pointer = module._malloc(length);
    module.stringToUTF8(text, pointer, length);
    try { return use(pointer); } finally { module._free(pointer); }
  }

  async function fetchText(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: the server answered ${response.status}`);
    return response.text();
  }

  async function render(module, scene, width, height, samples) {
    const text = await fetchText(`../scenes/${scene}`);
    for (const object of JSON.parse(text).objects || []) {
      if (object.type === 'mesh' && object.file) {
        const contents = await fetchText(`../scenes/${object.file}`);
        withString(module, object.file, (path) => withString(module, contents, (data) => module._bench_provide_file(path, data)));
      }
    }
    const report = withString(module, scene, (name) => withString(module, text, (json) =>
      module.UTF8ToString(module._bench_render(name, json, width, height, samples))));
    const result = JSON.parse(report);
    if (result.error) throw new Error(result.error);
    return result;
  }

  globalThis.Module = {
    onRuntimeInitialized() {
      const module = globalThis.Module;
      globalThis.benchPage = {
        ready: true,
        program,
        render: (scene, width, height, samples) => render(module, scene, width, height, samples),
      };
      status.textContent = `${program} ready`;
    },
    printErr: (text) => console.error(text),
  };
  const script = document.createElement('script');
  script.src = `${program}.js`;
  script.onerror = () => {
    status.textContent = `${program}.js could not be loaded (build the bench_programs target)`;
    globalThis.benchPage = { error: status.textContent };
  };
  document.body.appendChild(script);
})();
