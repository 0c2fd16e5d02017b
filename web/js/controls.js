// The controls panel: scene, resolution, samples per frame, worker count (changed without a
// reload), sample limit, camera reset. Initial values may come from the URL
// (?scene=cornell_box.json&width=640&height=360&spf=1&workers=2&limit=64&compare=0,3).
import { loadScene } from './scene_loading.js';

export function readInitialSettings(search = location.search) {
  const query = new URLSearchParams(search);
  const number = (key, fallback) => (query.has(key) && Number.isFinite(+query.get(key)) ? +query.get(key) : fallback);
  return {
    scene: query.get('scene'),
    width: number('width', 640),
    height: number('height', 360),
    samplesPerFrame: number('spf', 1),
    workers: number('workers', Math.min(2, navigator.hardwareConcurrency || 1)),
    sampleLimit: number('limit', 0),
    compare: query.get('compare'),  // "A,B": two versions side by side (compare_view.js checks it)
  };
}

export async function setUpControls(program, overlay, settings) {
  const sceneSelect = document.getElementById('scene');
  const response = await fetch('scenes/index.json');
  const { scenes } = await response.json();
  for (const scene of scenes) {
    const option = document.createElement('option');
    option.value = scene.file;
    option.textContent = scene.name;
    option.title = scene.description || '';
    sceneSelect.appendChild(option);
  }
  const initialScene = settings.scene || scenes[0].file;
  sceneSelect.value = initialScene;

  const resolution = document.getElementById('resolution');
  const wanted = `${settings.width}x${settings.height}`;
  if (![...resolution.options].some((option) => option.value === wanted)) {
    resolution.add(new Option(`${settings.width} × ${settings.height}`, wanted));
  }
  resolution.value = wanted;
  const samplesPerFrame = document.getElementById('samples-per-frame');
  samplesPerFrame.value = settings.samplesPerFrame;
  const workers = document.getElementById('workers');
  const workersValue = document.getElementById('workers-value');
  workers.max = Math.max(navigator.hardwareConcurrency || 1, settings.workers);
  workers.value = settings.workers;
  workersValue.textContent = settings.workers;
  const sampleLimit = document.getElementById('sample-limit');
  sampleLimit.value = settings.sampleLimit;

  const applyScene = async (name) => {
    try {
      await loadScene(program, name);
    } catch (error) {
      overlay.show({ title: 'Scene not loaded', summary: `${name} could not be loaded; the previous scene stays.`, details: error.message });
    }
  };
  sceneSelect.addEventListener('change', () => applyScene(sceneSelect.value));
  resolution.addEventListener('change', () => {
    const [width, height] = resolution.value.split('x').map(Number);
    program.setResolution(width, height);
  });
  samplesPerFrame.addEventListener('change', () => program.setSamplesPerFrame(Math.max(1, +samplesPerFrame.value || 1)));
  workers.addEventListener('input', () => {
    workersValue.textContent = workers.value;
    program.setWorkerCount(+workers.value);
  });
  sampleLimit.addEventListener('change', () => program.setSampleLimit(Math.max(0, +sampleLimit.value || 0)));
  document.getElementById('reset').addEventListener('click', () => program.resetCamera());

  program.setResolution(settings.width, settings.height);
  program.setSamplesPerFrame(settings.samplesPerFrame);
  program.setWorkerCount(settings.workers);
  program.setSampleLimit(settings.sampleLimit);
  await applyScene(initialScene);
}
