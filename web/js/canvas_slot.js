// The canvas the picture appears in, and the mouse controls on it. The program asks for a
// fresh canvas whenever the thread that draws changes (an OffscreenCanvas that has a
// context cannot move again), so the handlers live on the slot, not on the canvas.
export function createCanvasSlot(slot, camera) {
  let dragging = null;
  slot.addEventListener('pointerdown', (event) => {
    dragging = { x: event.clientX, y: event.clientY };
    slot.setPointerCapture(event.pointerId);
    slot.style.cursor = 'grabbing';
  });
  slot.addEventListener('pointermove', (event) => {
    if (!dragging) return;
    const dx = event.clientX - dragging.x, dy = event.clientY - dragging.y;
    dragging = { x: event.clientX, y: event.clientY };
    if (dx || dy) camera.orbit(-dx * 0.005, dy * 0.005);
  });
  const stop = () => { dragging = null; slot.style.cursor = 'grab'; };
  slot.addEventListener('pointerup', stop);
  slot.addEventListener('pointercancel', stop);
  slot.addEventListener('wheel', (event) => {
    event.preventDefault();
    camera.zoom(Math.pow(1.1, event.deltaY / 100));
  }, { passive: false });

  return {
    // Replaces the canvas element with a new one of the given size and returns it.
    freshCanvas(width, height) {
      const canvas = document.createElement('canvas');
      canvas.width = width;
      canvas.height = height;
      canvas.id = 'picture';
      slot.replaceChildren(canvas);
      return canvas;
    },
  };
}
