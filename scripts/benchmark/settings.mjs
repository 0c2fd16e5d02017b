// What each measure runs, in full mode and in --quick mode (CI: every measure, minimal
// sizes and repetitions, to prove the benchmark still produces a complete result).
// Thread and worker counts follow the machine (navigator.hardwareConcurrency).
export const SCENES = ['cornell_box.json', 'sphere_field.json', 'mesh.json'];

// The fixed errors the convergence measure counts samples to: an RMSE of the tone-mapped
// picture in 8-bit steps, and of the linear radiance relative to the reference's mean.
const CONVERGENCE_TARGETS = { target_rmse_8bit: 6, target_relative_rmse_linear: 0.1 };

export function benchmarkSettings({ quick, hardwareConcurrency }) {
  const hc = hardwareConcurrency;
  const threads = [...new Set([1, 2, hc])].sort((a, b) => a - b);
  if (quick) {
    return {
      mode: 'quick',
      throughput: { scenes: SCENES, threads, width: 160, height: 90, repetitions: 1, native_samples_per_pixel_per_thread: 1,
        page_warmup_seconds: 0.2, page_window_seconds: 0.3 },
      scaling: { scene: 'mesh.json', width: 160, height: 90, workers: [...new Set([1, hc, hc + 1])], repetitions: 1,
        warmup_seconds: 0.2, window_seconds: 0.3 },
      page_load: { scenes: ['cornell_box.json'], width: 160, height: 90, workers: 2, repetitions: 1 },
      routing: { scenes: ['cornell_box.json'], workers: [1, 2], width: 160, height: 90, repetitions: 1, warmup_seconds: 0.2, window_seconds: 0.3 },
      bench_programs: { scenes: ['cornell_box.json'], width: 64, height: 36, samples_per_pixel: 1, warmup_samples_per_pixel: 1, warmup_seconds: 0,
        repetitions: 1 },
      patching: { scene: 'cornell_box.json', width: 160, height: 90,
        runs: [{ workers: 2, cpp: 2, undo: 1, other_cpp: 1, header: 1, template: 1, constant: 1, declaration: 1, every_includer: 1 }, { workers: 2, quiet: true, cpp: 2, undo: 1, header: 1 },
          { workers: 8, cpp: 1 }],
        memory_checkpoints: [1, 3], restarts: 2, settle_ms: 0, preamble_wait_seconds: 600, rate_warmup_seconds: 0.2, rate_window_seconds: 0.3,
        rate_windows: 1, quiet_timeout_seconds: 10, ab_rounds: 1, picture_samples: 2 },
      convergence: { scenes: SCENES, width: 64, height: 36, workers: 2, native_threads: hc, reference_samples_per_pixel: 256,
        sweep_samples_per_pixel: [1, 2, 4, 8, 16, 32, 64], times_seconds: [0.5, 1], repetitions: 1, warmup_seconds: 0,
        ...CONVERGENCE_TARGETS },
      compare: { scene: 'sphere_field.json', width: 160, height: 90, workers: [1, 2], repetitions: 1, warmup_seconds: 0.2,
        window_seconds: 0.3, switches: 1000 },
    };
  }
  return {
    mode: 'full',
    throughput: { scenes: SCENES, threads, width: 640, height: 360, repetitions: 5, native_samples_per_pixel_per_thread: 16,
      page_warmup_seconds: 3, page_window_seconds: 3 },
    scaling: { scene: 'mesh.json', width: 640, height: 360, workers: Array.from({ length: 2 * hc + 1 }, (_, i) => i + 1),
      repetitions: 5, warmup_seconds: 3, window_seconds: 3 },
    page_load: { scenes: SCENES, width: 640, height: 360, workers: 2, repetitions: 5 },
    routing: { scenes: SCENES, workers: [1, 2], width: 640, height: 360, repetitions: 4, warmup_seconds: 3, window_seconds: 3 },
    bench_programs: { scenes: SCENES, width: 640, height: 360, samples_per_pixel: 8, warmup_samples_per_pixel: 2, warmup_seconds: 3,
      repetitions: 7 },
    patching: { scene: 'cornell_box.json', width: 640, height: 360,
      runs: [{ workers: 2, cpp: 20, undo: 10, other_cpp: 10, header: 6, template: 4, constant: 4, declaration: 4, every_includer: 3 }, { workers: 2, quiet: true, cpp: 10, undo: 6, header: 4 },
        { workers: 8, cpp: 10 }],
      memory_checkpoints: [1, 50, 200], restarts: 6, settle_ms: 500, preamble_wait_seconds: 300, rate_warmup_seconds: 3,
      rate_window_seconds: 3, rate_windows: 3, quiet_timeout_seconds: 60, ab_rounds: 4, picture_samples: 16 },
    convergence: { scenes: SCENES, width: 640, height: 360, workers: 2, native_threads: hc, reference_samples_per_pixel: 4096,
      sweep_samples_per_pixel: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024], times_seconds: [1, 2, 5, 10], repetitions: 3,
      warmup_seconds: 3, ...CONVERGENCE_TARGETS },
    compare: { scene: 'sphere_field.json', width: 640, height: 360, workers: [1, 2], repetitions: 4, warmup_seconds: 3,
      window_seconds: 3, switches: 20000 },
  };
}
