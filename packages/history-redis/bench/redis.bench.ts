// The Redis history on a real redis-server over loopback (Debian's package, started here and
// stopped by PID): the time of one shared rotation decision (acquireShared: one Lua script that
// picks by the global cursor or the global least-used and counts the use), and the usage events
// per second that 3 processes record together (batched deltas, applied by a Lua script). Prints
// numbers and records the goals (scripts/bench-summary.mjs): decision p99 (median of the repeats'
// worst strategy) under 1 ms, events over 20,000/s.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRotator } from '@ctd/rotator';
import { machineLoad, recordGoal, stats } from '../../../scripts/bench-summary.mjs';
import { openRedisHistoryStore } from '../src/index.ts';
import { startRedis } from '../src/testing/redis-server.ts';

const DECISIONS = 5_000;
const WARMUP = 1_000;
const REPEATS = 5;
const EVENT_REPEATS = 3;
const PROCESSES = 3;
const EVENTS_PER_PROCESS = 200_000;
const GOAL_P99_MS = 1;
const GOAL_EVENTS = 20_000;
const EVENTS = fileURLToPath(new URL('../src/testing/events.ts', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

/** One repeat: `DECISIONS` shared decisions (each reported), their p50, p99 and max in ms. */
async function decisions(url: string, strategy: 'round-robin' | 'least-used', run: number) {
  const store = await openRedisHistoryStore({ url, keyPrefix: `bench:{${strategy}-${run}}:` });
  const rotator = createRotator({ store, strategy });
  rotator.setCredentials(
    Array.from({ length: 5 }, (_, i) => ({
      id: `cred-${i}`,
      hash: i.toString(16).padStart(64, '0'),
      source: 'environment',
      provider: 'openai',
    })),
  );
  await store.flush();
  const times = new Float64Array(DECISIONS);
  for (let i = -WARMUP; i < DECISIONS; i++) {
    const t0 = process.hrtime.bigint();
    const lease = await rotator.acquireShared({ provider: 'openai' });
    const t1 = process.hrtime.bigint();
    if (!lease.ok) throw new Error(lease.reason);
    rotator.report(lease, { type: 'success', latencyMs: 10 });
    if (i >= 0) times[i] = Number(t1 - t0) / 1e6;
  }
  await store.close();
  times.sort();
  return {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    max: times[times.length - 1] as number,
  };
}

/** One repeat: 3 processes record `EVENTS_PER_PROCESS` events each; events per second, all checked. */
async function events(url: string, run: number): Promise<number> {
  const keyPrefix = `bench:{events-${run}}:`;
  const ids = Array.from({ length: 20 }, (_, i) => `cred-${i}`);
  const args = JSON.stringify({ url, keyPrefix, ids, events: EVENTS_PER_PROCESS });
  const workers = Array.from({ length: PROCESSES }, () =>
    spawn(process.execPath, ['--conditions=@ctd/source', '--no-warnings', EVENTS, args], {
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
  const total = PROCESSES * EVENTS_PER_PROCESS;
  const check = await openRedisHistoryStore({ url, keyPrefix, flushIntervalMs: 0, readOnly: true });
  const counted = check.list().reduce((s, e) => s + e.usageCount + e.successes, 0);
  await check.close();
  if (counted !== total) throw new Error(`${total} events recorded, ${counted} counted in Redis`);
  return total / seconds;
}

const redis = await startRedis({ aof: false });
try {
  say(machineLoad());
  say(
    `shared rotation decision (acquireShared) on Redis over loopback, 5 credentials, ${DECISIONS} decisions per repeat, ${REPEATS} repeats; medians over the repeats`,
  );
  say('strategy       p50 ms   p99 ms (range)        max ms');
  const worst = Array.from({ length: REPEATS }, () => 0);
  for (const strategy of ['round-robin', 'least-used'] as const) {
    const runs = [];
    for (let r = 0; r < REPEATS; r++) runs.push(await decisions(redis.url, strategy, r));
    runs.forEach((x, r) => {
      worst[r] = Math.max(worst[r] as number, x.p99);
    });
    const p50 = stats(runs.map((x) => x.p50));
    const p99 = stats(runs.map((x) => x.p99));
    const max = stats(runs.map((x) => x.max));
    say(
      `${strategy.padEnd(14)} ${p50.median.toFixed(3).padStart(6)}   ${p99.median.toFixed(3).padStart(6)} (${p99.min.toFixed(3)}–${p99.max.toFixed(3)})   ${max.median.toFixed(1).padStart(6)}`,
    );
  }
  recordGoal({
    bench: 'history-redis',
    goal: `shared decision p99 on Redis over loopback, worst strategy ≤ ${GOAL_P99_MS} ms`,
    samples: worst,
    limit: GOAL_P99_MS,
    unit: ' ms',
    digits: 3,
  });

  say('');
  say(
    `usage events from ${PROCESSES} processes on one Redis, ${EVENTS_PER_PROCESS} each, 20 credentials, ${EVENT_REPEATS} repeats`,
  );
  const rates = [];
  for (let r = 0; r < EVENT_REPEATS; r++) {
    const rate = await events(redis.url, r);
    rates.push(rate);
    say(`  repeat ${r + 1}: ${Math.round(rate).toLocaleString('en-US')} events/s, all counted`);
  }
  recordGoal({
    bench: 'history-redis',
    goal: `usage events/s from ${PROCESSES} processes on Redis ≥ ${GOAL_EVENTS.toLocaleString('en-US')}`,
    samples: rates,
    limit: GOAL_EVENTS,
    kind: 'min',
    unit: '/s',
    digits: 0,
  });
} finally {
  await redis.dispose();
}
