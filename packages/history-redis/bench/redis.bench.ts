// The Redis history on a real redis-server over loopback (Debian's package, started here and
// stopped by PID): the time of one shared rotation decision (acquireShared: one Lua script that
// picks by the global cursor or the global least-used and counts the use), and the usage events
// per second that 3 processes record together (batched deltas, applied by a Lua script). Prints
// numbers; asserts nothing.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRotator } from '@ctd/rotator';
import { openRedisHistoryStore } from '../src/index.ts';
import { startRedis } from '../src/testing/redis-server.ts';

const DECISIONS = 20_000;
const WARMUP = 2_000;
const PROCESSES = 3;
const EVENTS_PER_PROCESS = 200_000;
const GOAL_P99_MS = 1;
const GOAL_EVENTS = 20_000;
const EVENTS = fileURLToPath(new URL('../src/testing/events.ts', import.meta.url));
const say = (line: string) => process.stdout.write(`${line}\n`);

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

const redis = await startRedis({ aof: false });
try {
  say(
    `shared rotation decision on Redis over loopback, ${DECISIONS} decisions, 5 credentials (goal: p99 < ${GOAL_P99_MS} ms)`,
  );
  say('strategy       p50 ms   p99 ms   max ms');
  for (const strategy of ['round-robin', 'least-used'] as const) {
    const store = await openRedisHistoryStore({ url: redis.url, keyPrefix: `bench:{${strategy}}:` });
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
    const p99 = percentile(times, 0.99);
    say(
      `${strategy.padEnd(14)} ${percentile(times, 0.5).toFixed(3).padStart(6)}   ${p99.toFixed(3).padStart(6)}   ${(times[times.length - 1] as number).toFixed(3).padStart(6)}${p99 < GOAL_P99_MS ? '' : '   (over the goal)'}`,
    );
  }

  say('');
  say(
    `usage events from ${PROCESSES} processes, ${EVENTS_PER_PROCESS} each, 20 credentials (goal: > ${GOAL_EVENTS}/s)`,
  );
  const keyPrefix = 'bench:{events}:';
  const ids = Array.from({ length: 20 }, (_, i) => `cred-${i}`);
  const args = JSON.stringify({ url: redis.url, keyPrefix, ids, events: EVENTS_PER_PROCESS });
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
  const check = await openRedisHistoryStore({
    url: redis.url,
    keyPrefix,
    flushIntervalMs: 0,
    readOnly: true,
  });
  const counted = check.list().reduce((s, e) => s + e.usageCount + e.successes, 0);
  await check.close();
  const rate = total / seconds;
  say(
    `${Math.round(rate).toLocaleString('en-US')} events/s (${total.toLocaleString('en-US')} events in ${seconds.toFixed(2)} s; ${counted === total ? 'all counted' : `COUNTED ${counted}`})${rate > GOAL_EVENTS ? '' : '   (under the goal)'}`,
  );
} finally {
  await redis.dispose();
}
