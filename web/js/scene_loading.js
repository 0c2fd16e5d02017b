// Loading a scene into the program: fetch its JSON, give the program the files it asks
// for (OBJ meshes; the C++ loader says which), report a bad scene with the loader's message.
// A scene file saved while the page runs (the dev loop's scene-saved event) reloads the
// scene the page shows, keeping the user's camera unless the file's own camera changed.
const loadedTexts = new Map();  // scene name -> the JSON text it was last loaded from

// Never the browser's cached copy: the dev loop replaces scene files while the page runs.
const fetchFresh = (url) => fetch(url, { cache: 'no-store' });

export async function loadScene(program, name) {
  const url = `scenes/${name}`;
  const response = await fetchFresh(url);
  if (!response.ok) throw new Error(`${url}: the server answered ${response.status}`);
  const text = await response.text();
  for (let attempt = 0; attempt < 8; ++attempt) {
    const outcome = program.loadScene(name, text);
    if (outcome === '') {
      loadedTexts.set(name, text);
      return;
    }
    if (outcome.startsWith('error:')) throw new Error(outcome.slice('error:'.length));
    for (const path of outcome.slice('missing:'.length).split('\n').filter(Boolean)) {
      const file = await fetchFresh(`scenes/${path}`);
      if (!file.ok) throw new Error(`${name}: the file ${path} it refers to is missing (the server answered ${file.status})`);
      program.provideFile(path, await file.text());
    }
  }
  throw new Error(`${name}: still missing files after several attempts`);
}

const cameraOf = (text) => {
  try {
    return JSON.stringify(JSON.parse(text).camera);
  } catch {
    return null;  // not JSON (yet): the loader says what is wrong
  }
};

// `file` (relative to the scenes folder) was saved. Reloads the scene on screen if it is that
// file, or if the file is a mesh (the program keeps meshes it was given: it gets the new one).
// Resolves with what to tell the terminal: {shown: false} for another scene, else
// {camera_kept, shown_at_epoch_ms} once the reloaded scene's first frame is on screen; throws
// the loader's message if the saved scene is wrong (the scene on screen stays).
export async function reloadSavedScene(program, file) {
  const scene = program.statistics().scene;
  if (file.endsWith('.obj')) {
    const response = await fetchFresh(`scenes/${file}`);
    if (!response.ok) throw new Error(`scenes/${file}: the server answered ${response.status}`);
    program.provideFile(file, await response.text());
  } else if (file !== scene) {
    return { shown: false, scene };  // it is fetched afresh when picked
  }
  const before = program.statistics();
  const oldCamera = cameraOf(loadedTexts.get(scene) || '');
  await loadScene(program, scene);
  const cameraKept = oldCamera !== null && oldCamera === cameraOf(loadedTexts.get(scene));
  // The camera as it is now, not before the fetch: the user may have moved or reset it since.
  if (cameraKept) program.setCamera(program.statistics().camera);
  const shownAt = await new Promise((resolve) => {
    const look = () => (program.statistics().presentedFrame > before.presentedFrame + 1
      ? resolve(performance.timeOrigin + performance.now()) : setTimeout(look, 5));
    look();
  });
  return { shown: true, scene, camera_kept: cameraKept, shown_at_epoch_ms: shownAt };
}
