// The stats panel and the worker table, refreshed a few times a second from the program.
export function startStatusPanel(program) {
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  const tbody = document.querySelector('#worker-table tbody');
  const refresh = () => {
    const stats = program.statistics();
    text('stat-frame-ms', stats.frames ? stats.lastFrameMs.toFixed(1) : '–');
    text('stat-samples-per-second', stats.frames ? Math.round(stats.samplesPerSecond).toLocaleString('en') : '–');
    text('stat-accumulated', `${stats.accumulatedSamples} per pixel` + (stats.idle ? ' (paused)' : ''));
    text('stat-frames', stats.frames);
    text('stat-version', stats.frameVersion);
    text('stat-mixed', stats.mixedVersionFrames);
    const rows = stats.workers.map((worker) => {
      const row = document.createElement('tr');
      row.innerHTML = '<td></td><td></td><td></td><td></td>';
      row.children[0].textContent = worker.id + (worker.presenter ? ' (presents)' : '');
      row.children[1].textContent = worker.status;
      row.children[1].className = 'status-' + worker.status;
      row.children[2].textContent = worker.tiles;
      row.children[3].textContent = worker.version;
      return row;
    });
    if (!rows.length) {
      const row = document.createElement('tr');
      row.innerHTML = '<td colspan="4">none: the main thread renders</td>';
      rows.push(row);
    }
    tbody.replaceChildren(...rows);
  };
  refresh();
  return setInterval(refresh, 250);
}
