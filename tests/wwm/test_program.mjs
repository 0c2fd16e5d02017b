// Helpers shared by wwm's browser tests: open the wwm test program and call into it.
import { launchBrowser, openPage, startServer, waitUntil } from '../browser/harness.mjs';

export const STATUS = { Initializing: 0, Normal: 1, DynamicLinking: 2, Finalizing: 3, Failed: 4, Gone: -1 };

export async function openTestProgram() {
  const server = await startServer();
  const browser = await launchBrowser();
  const { page } = await openPage(browser, server.url + 'tests/wwm/index.html', { waitFor: () => globalThis.wwmTestReady });
  return {
    page,
    close: async () => { await browser.close(); server.stop(); },
    state: () => page.evaluate(() => JSON.parse(UTF8ToString(Module._test_state_json()))),
    errors: () => page.evaluate(() => WwmMain.errorLog.map((entry) => entry.text)),
    spawn: () => page.evaluate(() => Module._test_spawn()),
    status: (id) => page.evaluate((worker) => Module._test_status(worker), id),
    post: (id, tag) => page.evaluate(([worker, value]) => Module._test_post(worker, value), [id, tag]),
    waitForStatus: (id, status) => waitUntil(page, ([worker, wanted]) => Module._test_status(worker) === wanted, [id, status]),
    waitForLog: (line) => waitUntil(page, (wanted) => JSON.parse(UTF8ToString(Module._test_state_json())).log.includes(wanted), line),
    // Waits until every task ever constructed has been destroyed and none is in flight.
    waitForNoTasksLeft: () => waitUntil(page, () => {
      const s = JSON.parse(UTF8ToString(Module._test_state_json()));
      return s.constructions === s.destructions && s.tasksInFlight === 0 ? s : false;
    }),
  };
}
