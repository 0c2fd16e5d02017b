// What the raytracer needs from the browser, and how to get it when it is missing.
export function missingFeatures() {
  const missing = [];
  if (!globalThis.crossOriginIsolated) {
    missing.push({ what: 'The page is not cross-origin isolated, so shared memory is disabled.',
      fix: 'Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp, ' +
           'for example with the project\'s own server: scripts/run.sh (or python3 scripts/serve.py --root build/wasm/site).' });
  }
  if (typeof SharedArrayBuffer === 'undefined') {
    missing.push({ what: 'SharedArrayBuffer is not available.', fix: 'Use a current Chromium, Firefox or Safari, on a cross-origin isolated page (see above).' });
  }
  if (typeof OffscreenCanvas === 'undefined' || !HTMLCanvasElement.prototype.transferControlToOffscreen) {
    missing.push({ what: 'OffscreenCanvas is not available, so a worker cannot draw the picture.', fix: 'Use a browser with OffscreenCanvas (Chromium 69+, Firefox 105+, Safari 16.4+).' });
  }
  if (typeof WebAssembly === 'undefined') {
    missing.push({ what: 'WebAssembly is not available.', fix: 'Use a browser with WebAssembly enabled.' });
  }
  return missing;
}

export function showUnsupported(missing) {
  const section = document.getElementById('unsupported');
  const list = document.getElementById('unsupported-list');
  for (const { what, fix } of missing) {
    const item = document.createElement('li');
    item.innerHTML = `<strong></strong><br><span></span>`;
    item.querySelector('strong').textContent = what;
    item.querySelector('span').textContent = 'How to fix: ' + fix;
    list.appendChild(item);
  }
  section.hidden = false;
  document.querySelector('main').hidden = true;
}
