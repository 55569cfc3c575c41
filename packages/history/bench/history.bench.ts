// Usage events per second recorded by 4 processes sharing one history file. Two runs: the default
// batching (a flush starts once 1,000 changes are pending; producers never wait), and a worst case
// where each process waits for a durable flush every 100 events, so the lock, merge, fsync and
// rename are paid for every 100 events. Timed from the start signal until the last process has
// closed its store (a final durable flush). Each is repeated 5 times; the goals (over 10,000
// events/s, every event counted in the file) are judged on the median.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLoad, recordGoal } from '../../../scripts/bench-summary.mjs';
import { parseHistoryText } from '../src/index.ts';

const PROCESSES = 4;
const GOAL = 10_000;
const WORKER = fileURLToPath(new URL('../src/testing/worker.ts', import.meta.url));
const IDS = Array.from({ length: 20 }, (_, i) => `cred-${i}`);
const REPEATS = 5;
const say = (line: string) => process.stdout.write(`${line}\n`);

interface Run {
  label: string;
  events: number;
  maxPendingEvents: number;
  /** Wait for a durable flush every this many events. */
  flushEvery?: number;
}

/** One run: events per second, or 0 when the file did not count every event. */
async function run(r: Run): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'ctd-history-bench-'));
  try {
    const file = join(dir, 'cli-token-history.json');
    const args = {
      mode: 'usage',
      file,
      ids: IDS,
      events: r.events,
      yieldEvery: 200,
      maxPendingEvents: r.maxPendingEvents,
      flushEvery: r.flushEvery,
      waitForGo: true,
    };
    const workers = Array.from({ length: PROCESSES }, () =>
      spawn(process.execPath, ['--conditions=@ctd/source', '--no-warnings', WORKER, JSON.stringify(args)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    let writes = 0;
    const message = (child: (typeof workers)[number], type: string) =>
      new Promise<void>((resolve, reject) => {
        child.on('message', (m: { type?: string; writes?: number }) => {
          if (m.type !== type) return;
          writes += m.writes ?? 0;
          resolve();
        });
        child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      });
    await Promise.all(workers.map((w) => message(w, 'ready')));
    const done = Promise.all(workers.map((w) => message(w, 'done')));
    const t0 = performance.now();
    for (const w of workers) w.send('go');
    await done;
    const seconds = (performance.now() - t0) / 1000;
    await Promise.all(
      workers.map((w) => (w.exitCode === null ? new Promise((res) => w.once('exit', res)) : null)),
    );
    const parsed = parseHistoryText(await readFile(file, 'utf8'));
    const counted =
      parsed.kind === 'ok'
        ? [...parsed.state.values()].reduce((sum, e) => sum + e.usageCount, 0)
        : Number.NaN;
    const total = PROCESSES * r.events;
    const rate = total / seconds;
    say(
      `  ${total} events in ${seconds.toFixed(2)} s (${Math.round(rate)}/s); ${counted} counted in the file; ${writes} locked writes (${Math.round(total / Math.max(1, writes))} events each on average)`,
    );
    return counted === total ? rate : 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

say(machineLoad());
say(`usage events recorded by ${PROCESSES} processes sharing one history file (${IDS.length} credentials)`);
const runs: (Run & { short: string })[] = [
  {
    label: 'default batching (a flush starts once 1,000 changes are pending)',
    short: 'default batching',
    events: 50_000,
    maxPendingEvents: 1000,
  },
  {
    label: 'worst case (each process waits for a durable flush every 100 events)',
    short: 'durable flush every 100 events',
    events: 10_000,
    maxPendingEvents: 100,
    flushEvery: 100,
  },
];
for (const r of runs) {
  say(`${r.label}: ${PROCESSES} processes × ${r.events} events, ${REPEATS} repeats`);
  const rates: number[] = [];
  for (let i = 0; i < REPEATS; i++) rates.push(await run(r));
  recordGoal({
    bench: 'history',
    goal: `events/s, 4 processes, ${r.short} > ${GOAL.toLocaleString('en-US')} (all counted)`,
    samples: rates,
    limit: GOAL,
    kind: 'min',
    unit: '/s',
    digits: 0,
  });
}
