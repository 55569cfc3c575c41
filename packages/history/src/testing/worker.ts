// A child process for the multi-process tests and the benchmark. Run it with
// `node --conditions=@ctd/source worker.ts '<json args>'`. Modes:
//   usage:  records `events` uses (spread over `ids`), yielding every `yieldEvery` (or waiting for
//           a durable flush every `flushEvery`), then closes.
//   hammer: records and flushes in a loop until killed (crash test); prints "ready" first.
//   exit:   records `events` uses, then calls process.exit() without flushing (exit-flush test).
//   hold:   takes the file's lock and waits to be killed (stale-lock test); prints "locked".
//   exit-mid-flush: records `events` uses, starts a flush, records as many again and calls
//           process.exit() after `ticks` event-loop turns, while that flush may be in progress.
//   blocked: like `ctd scan` meeting a lock it cannot take: records and flushes twice (printing
//           each error's code and message as a JSON line), then calls process.exit() with the
//           exit flush armed.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ExclusiveLockFile } from '@ctd/core/node';
import { openHistoryStore } from '../file-store.ts';

interface Args {
  mode: 'usage' | 'hammer' | 'exit' | 'hold' | 'exit-mid-flush' | 'blocked';
  lockTimeoutMs?: number;
  ticks?: number;
  file: string;
  ids: string[];
  events?: number;
  yieldEvery?: number;
  flushEvery?: number;
  maxPendingEvents?: number;
  waitForGo?: boolean;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const hash = (i: number) => i.toString(16).padStart(64, '0');
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function waitForGo(): Promise<void> {
  if (!args.waitForGo) return;
  process.send?.({ type: 'ready' });
  await new Promise<void>((resolve) => process.once('message', () => resolve()));
}

if (args.mode === 'hold') {
  mkdirSync(dirname(args.file), { recursive: true, mode: 0o700 });
  const lock = new ExclusiveLockFile(`${args.file}.lock`, {
    timeoutMs: 15_000,
    staleAfterMs: 30_000,
    stale: 'pid',
  });
  await lock.acquire();
  process.stdout.write('locked\n');
  setInterval(() => {}, 1000);
} else {
  const store = await openHistoryStore({
    file: args.file,
    flushIntervalMs: args.mode === 'hammer' ? 0 : 1000,
    maxPendingEvents: args.maxPendingEvents ?? 1000,
    ...(args.lockTimeoutMs ? { lock: { timeoutMs: args.lockTimeoutMs } } : {}),
  });
  args.ids.forEach((id, i) => {
    store.ensure({ id, hash: hash(i + 1), source: 'environment', provider: 'openai' });
  });
  await waitForGo();
  if (args.mode === 'hammer') {
    await store.flush(); // the file exists before the first kill
    process.stdout.write('ready\n');
    for (let n = 0; ; n++) {
      for (let i = 0; i < 50; i++) {
        const id = args.ids[(n + i) % args.ids.length] as string;
        store.recordUse(id, Date.now());
        store.recordResult(id, { ok: i % 7 !== 0, at: Date.now(), latencyMs: i });
      }
      await store.flush();
    }
  }
  if (args.mode === 'blocked') {
    const report = (step: string) => (error: { code?: string; message?: string }) =>
      process.stdout.write(`${JSON.stringify({ step, code: error.code, message: error.message })}\n`);
    store.recordUse(args.ids[0] as string, Date.now());
    await store.flush().catch(report('flush'));
    await store.flush().catch(report('again'));
    process.stdout.write(`${JSON.stringify({ step: 'done' })}\n`);
    process.exit(0);
  }
  if (args.mode === 'exit-mid-flush') {
    const half = args.events ?? 100;
    for (let n = 0; n < half; n++) store.recordUse(args.ids[n % args.ids.length] as string, Date.now());
    void store.flush();
    for (let n = 0; n < half; n++) store.recordUse(args.ids[n % args.ids.length] as string, Date.now());
    for (let t = 0; t < (args.ticks ?? 0); t++) await tick();
    process.exit(0);
  }
  const events = args.events ?? 1000;
  const every = args.yieldEvery ?? 100;
  const started = performance.now();
  for (let n = 0; n < events; n++) {
    store.recordUse(args.ids[n % args.ids.length] as string, Date.now());
    if (args.flushEvery && (n + 1) % args.flushEvery === 0) await store.flush();
    else if ((n + 1) % every === 0) await tick();
  }
  if (args.mode === 'exit') process.exit(0);
  await store.close();
  process.send?.({ type: 'done', ms: performance.now() - started, writes: store.writes });
}
