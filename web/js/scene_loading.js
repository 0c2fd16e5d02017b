// Loading a scene into the program: fetch its JSON, give the program the files it asks
// for (OBJ meshes; the C++ loader says which), report a bad scene with the loader's message.
export async function loadScene(program, name) {
  const url = `scenes/${name}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: the server answered ${response.status}`);
  const text = await response.text();
  for (let attempt = 0; attempt < 8; ++attempt) {
    const outcome = program.loadScene(name, text);
    if (outcome === '') return;
    if (outcome.startsWith('error:')) throw new Error(outcome.slice('error:'.length));
    for (const path of outcome.slice('missing:'.length).split('\n').filter(Boolean)) {
      const file = await fetch(`scenes/${path}`);
      if (!file.ok) throw new Error(`${name}: the file ${path} it refers to is missing (the server answered ${file.status})`);
      program.provideFile(path, await file.text());
    }
  }
  throw new Error(`${name}: still missing files after several attempts`);
}
