// Usage events per second recorded by 4 processes sharing one history file: each records its
// events as fast as it can (batched flushes under the cross-process lock) and closes (a final,
// durable flush). Timed from the start signal until the last process is done. Prints numbers;
// asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHistoryText } from '../src/index.ts';

const PROCESSES = 4;
const GOAL = 10_000;
const WORKER = fileURLToPath(new URL('../src/testing/worker.ts', import.meta.url));
const IDS = Array.from({ length: 20 }, (_, i) => `cred-${i}`);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function run(label: string, events: number, batch: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'ctd-history-bench-'));
  try {
    const file = join(dir, 'cli-token-history.json');
    const args = {
      mode: 'usage',
      file,
      ids: IDS,
      events,
      yieldEvery: batch,
      maxPendingEvents: batch,
      waitForGo: true,
    };
    const workers = Array.from({ length: PROCESSES }, () =>
      spawn(process.execPath, ['--conditions=@ctd/source', '--no-warnings', WORKER, JSON.stringify(args)], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const message = (child: (typeof workers)[number], type: string) =>
      new Promise<void>((resolve, reject) => {
        child.on('message', (m: { type?: string }) => m.type === type && resolve());
        child.once('exit', (code) => code !== 0 && reject(new Error(`worker exited with ${code}`)));
      });
    await Promise.all(workers.map((w) => message(w, 'ready')));
    const done = Promise.all(workers.map((w) => message(w, 'done')));
    const t0 = performance.now();
    for (const w of workers) w.send('go');
    await done;
    const seconds = (performance.now() - t0) / 1000;
    await Promise.all(
      workers.map((w) => (w.exitCode === null ? new Promise((r) => w.once('exit', r)) : null)),
    );
    const parsed = parseHistoryText(await readFile(file, 'utf8'));
    const counted =
      parsed.kind === 'ok'
        ? [...parsed.state.values()].reduce((sum, e) => sum + e.usageCount, 0)
        : Number.NaN;
    const total = PROCESSES * events;
    const rate = total / seconds;
    say(
      `${label}: ${PROCESSES} processes × ${events} events, a flush (lock, merge, fsync, rename) starts once ${batch} are pending`,
    );
    say(`  ${total} events in ${seconds.toFixed(2)} s, ${counted} counted in the file`);
    say(
      `  events per second: ${Math.round(rate)} (goal: over ${GOAL}) ${rate > GOAL && counted === total ? 'met' : 'NOT met'}`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

say(`usage events recorded by ${PROCESSES} processes sharing one history file (${IDS.length} credentials)`);
await run('default batching', 50_000, 1000);
await run('small batches', 10_000, 50);
