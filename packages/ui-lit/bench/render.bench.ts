// First render of 200 credentials in the browser, in Debian's Chromium. Budget: 100 ms.
// Each repeat is a fresh page: the whole dashboard is mounted and paints its loading state while
// `status` is held back (as on a real page, where the answer comes over the network); then
// `status` answers, and the time runs from the moment its data is handed to the element until the
// token panel's 200 rows are painted: the first animation frame that starts with all of them in
// the DOM has run its rendering steps (a user-blocking task posted from its rAF callback). That
// frame may come before or after the element's own tasks end, whichever the browser schedules
// first; both count. The time until the rows are rendered (Lit's `updateComplete`) and laid out
// (a forced layout) is printed too. The usage charts below the table follow a frame later (the
// credentials first); the time until they are drawn is printed, not budgeted. Median of the repeats with
// their spread (scripts/bench-summary.mjs: "within noise" when the budget lies inside the
// interquartile range).
// Also prints the page bundle's gzipped size (budget: 80 KB with Lit). Prints numbers; the exit
// code says whether the budgets hold.
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { recordGoal } from '../../../scripts/bench-summary.mjs';
import { bundle, closeSharedBrowser, servePage, sharedBrowser } from '../src/testing/browser.ts';

const COUNT = 200;
const RUNS = 9;
const BUDGET_MS = 100;
const say = (line: string) => process.stdout.write(`${line}\n`);
say(
  `machine load (1 min): ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} cores: timings grow with it`,
);

const entry = fileURLToPath(new URL('../src/testing/page-entry.ts', import.meta.url));
const define = fileURLToPath(new URL('../src/define.ts', import.meta.url));
const gz = gzipSync(await bundle(define, true)).length;
say(`bundle (all elements + Lit, minified): ${(gz / 1024).toFixed(1)} KB gzipped (budget 80 KB)`);

interface Sample {
  /** Rows rendered and laid out (by a frame or by the forced layout, whichever came first). */
  readonly laidOut: number;
  /** Rows painted by the first frame that had them all. */
  readonly painted: number;
  /** The usage charts below the table (drawn a frame after it) rendered too: for information. */
  readonly charts: number;
}

const served = await servePage(await bundle(entry, true));
const browser = await sharedBrowser();
const times: number[] = [];
const laidOut: number[] = [];
const charts: number[] = [];
try {
  for (let run = 0; run < RUNS; run++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(served.url);
    await page.waitForFunction(() => 'ctdTest' in window);
    // Mount the page with `status` held back, and let it paint its loading state.
    await page.evaluate((count) => {
      const t = window.ctdTest;
      const { client } = t.createFakeClient({ credentials: t.makeCredentials(count) });
      const w = window as unknown as { release: () => void; arrived: Promise<number> };
      const gate = new Promise<void>((r) => (w.release = r));
      let resolveArrived!: (at: number) => void;
      w.arrived = new Promise<number>((r) => (resolveArrived = r));
      const timed = {
        ...client,
        async status(input?: Record<string, never>) {
          const out = await client.status(input);
          await gate;
          resolveArrived(performance.now());
          return out;
        },
      };
      const el = document.createElement('ctd-token-discovery');
      el.client = timed;
      document.body.append(el);
    }, COUNT);
    await page.evaluate(
      () =>
        new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 50)))),
    );
    const sample: Sample = await page.evaluate(async (count) => {
      const w = window as unknown as { release: () => void; arrived: Promise<number> };
      const el = document.querySelector('ctd-token-discovery')!;
      const afterTask = () =>
        new Promise<void>((r) => {
          const ch = new MessageChannel();
          ch.port1.onmessage = () => r();
          ch.port2.postMessage(0);
        });
      const rowsShown = () =>
        el.shadowRoot?.querySelector('ctd-token-panel')?.shadowRoot?.querySelectorAll('.body [role="row"]')
          .length ?? 0;
      // A frame's rendering steps (style, layout, paint) run right after its rAF callbacks, in the
      // same task: a user-blocking task posted from one runs once that frame is painted, ahead of
      // ordinary tasks (the charts' own timer among them) that a busy machine could otherwise let
      // in first. Checked from every frame, so the first one that paints the rows is the one timed.
      const paintedAt = new Promise<number>((resolve) => {
        const frame = () => {
          if (rowsShown() !== count) return void requestAnimationFrame(frame);
          const s = (globalThis as { scheduler?: { postTask(f: () => void, o: object): unknown } }).scheduler;
          if (s) void s.postTask(() => resolve(performance.now()), { priority: 'user-blocking' });
          else void afterTask().then(() => resolve(performance.now()));
        };
        requestAnimationFrame(frame);
      });
      w.release();
      const arrived = await w.arrived;
      for (;;) {
        await el.updateComplete;
        const panel = el.shadowRoot?.querySelector('ctd-token-panel');
        if (panel) await panel.updateComplete;
        if (rowsShown() === count) break;
        await afterTask();
      }
      void document.body.offsetHeight; // style and layout now (if no frame has done it yet)
      const laidOut = performance.now() - arrived;
      const painted = (await paintedAt) - arrived;
      for (;;) {
        const chart = el.shadowRoot?.querySelector('ctd-usage-chart');
        if (chart) {
          await chart.updateComplete;
          break;
        }
        await afterTask();
      }
      return { laidOut, painted, charts: performance.now() - arrived };
    }, COUNT);
    times.push(sample.painted);
    laidOut.push(sample.laidOut);
    charts.push(sample.charts);
    await page.close();
  }
} finally {
  await served.close();
  await closeSharedBrowser();
}
say(`rendered and laid out (ms): ${laidOut.map((t) => t.toFixed(1)).join(', ')}`);
say(`painted (ms): ${times.map((t) => t.toFixed(1)).join(', ')}`);
say(`and the usage charts below drawn (ms, not budgeted): ${charts.map((t) => t.toFixed(1)).join(', ')}`);
const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
say(
  `first render of ${COUNT} credentials after status returns, painted: median ${median.toFixed(1)} ms, min ${sorted[0]!.toFixed(1)} ms, max ${sorted[sorted.length - 1]!.toFixed(1)} ms over ${RUNS} page loads (budget ${BUDGET_MS} ms)`,
);
recordGoal({
  bench: 'ui-lit',
  goal: `first render of ${COUNT} credentials ≤ ${BUDGET_MS} ms`,
  samples: times,
  limit: BUDGET_MS,
  unit: ' ms',
});
recordGoal({
  bench: 'ui-lit',
  goal: 'page bundle gzipped ≤ 80 KB',
  samples: [gz / 1024],
  limit: 80,
  unit: ' KB',
});
const ok = median <= BUDGET_MS && gz <= 80 * 1024;
say(ok ? 'within budget' : 'OVER BUDGET');
process.exitCode = ok ? 0 : 1;
