// Measure 4b: what making every function patchable costs the page. The page as `scripts/run.sh`
// serves it (the hot linker routes every call to one of the program's own functions through
// that function's table slot) against the same page loading `raytracer_plain_calls` (the
// same objects linked without the routing: nothing but the hot functions' plain calls), each
// scene, 1 and 2 workers, in turns (the order swapped every round) so a drift of the
// machine's load hits both alike. The cost after many patches is measured where the patches
// are made: patch_memory's samples per second at each checkpoint (measures/patching.mjs).
import { measureFreshPage } from '../raytracer_page.mjs';
import { summarize } from '../statistics.mjs';

export const GOALS = { routed_per_plain_calls_at_least: 0.95 };
export const PLAIN_CALLS_PROGRAM = 'plain-calls/raytracer_plain_calls.js';

export function plan(settings, context) {
  const options = settings.routing;
  const rows = [];
  const steps = [];
  for (const scene of options.scenes) {
    for (const workers of options.workers) {
      steps.push({
        label: `routing, ${scene.replace('.json', '')}, ${workers} worker${workers > 1 ? 's' : ''}: routed and plain calls, ${options.repetitions}x each`,
        seconds: options.repetitions * 2 * (3 + options.warmup_seconds + options.window_seconds),
        run: async () => {
          const taken = { routed: [], plain_calls: [] };
          for (let round = 0; round < options.repetitions; ++round) {
            for (const build of round % 2 === 0 ? ['routed', 'plain_calls'] : ['plain_calls', 'routed']) {
              const view = { scene, width: options.width, height: options.height, workers,
                program: build === 'plain_calls' ? PLAIN_CALLS_PROGRAM : null };
              const measured = await measureFreshPage(context.browser, context.server.url, view,
                { warmupSeconds: options.warmup_seconds, windowSeconds: options.window_seconds });
              taken[build].push(measured.samples_per_second);
            }
          }
          rows.push({ scene, workers, routed: summarize(taken.routed), plain_calls: summarize(taken.plain_calls),
            routed_per_plain_calls: summarize(taken.routed.map((value, i) => value / taken.plain_calls[i])) });
        },
      });
    }
  }
  const finish = () => ({
    routing: { unit: 'samples/s', width: options.width, height: options.height, plain_calls_program: PLAIN_CALLS_PROGRAM, goals: GOALS, rows },
  });
  return { steps, finish };
}
