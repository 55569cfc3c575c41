// Acquire-and-report time in-process, per strategy, at 10, 100 and 1,000 credentials, on the
// default file-backed history store (flushes run between batches, as in a gateway). Prints
// numbers; asserts nothing.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openHistoryStore } from '@ctd/history';
import type { Outcome } from '../src/index.ts';
import { createRotator, STRATEGIES } from '../src/index.ts';

const ITERATIONS = 20_000;
const WARMUP = 2_000;
const GOAL_P99_US = 50;
const say = (line: string) => process.stdout.write(`${line}\n`);
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number;
}

// Mostly successes, with the occasional 429 and 5xx, so cooldowns and probes are exercised.
function outcome(i: number): Outcome {
  if (i % 100 === 37) return { type: 'rate_limited', retryAfterMs: 2_000 };
  if (i % 100 === 71) return { type: 'server_error', httpStatus: 503 };
  return { type: 'success', latencyMs: 100 + (i % 50) };
}

const dir = await mkdtemp(join(tmpdir(), 'ctd-rotator-bench-'));
try {
  say(
    `acquire + report, in-process, ${ITERATIONS} iterations each (goal: p99 < ${GOAL_P99_US} µs at 1,000 credentials)`,
  );
  say('strategy       credentials   p50 µs   p99 µs   max µs');
  let worst1000 = 0;
  for (const strategy of STRATEGIES) {
    for (const n of [10, 100, 1000]) {
      const store = await openHistoryStore({ file: join(dir, `${strategy}-${n}.json`), flushOnExit: false });
      const rotator = createRotator({ store, strategy });
      rotator.setCredentials(
        Array.from({ length: n }, (_, i) => ({
          id: `cred-${i}`,
          hash: i.toString(16).padStart(64, '0'),
          source: 'environment',
          provider: 'openai',
        })),
      );
      const times = new Float64Array(ITERATIONS);
      for (let i = -WARMUP; i < ITERATIONS; i++) {
        const t0 = process.hrtime.bigint();
        const lease = rotator.acquire({ provider: 'openai' });
        if (lease.ok) rotator.report(lease, outcome(i + WARMUP));
        const dt = Number(process.hrtime.bigint() - t0) / 1000;
        if (i >= 0) times[i] = dt;
        if (i % 500 === 0) await tick(); // let batched flushes run, outside the timed calls
      }
      await store.close();
      times.sort();
      const p99 = percentile(times, 0.99);
      if (n === 1000) worst1000 = Math.max(worst1000, p99);
      say(
        `${strategy.padEnd(14)} ${String(n).padStart(11)}   ${percentile(times, 0.5).toFixed(1).padStart(6)}   ${p99.toFixed(1).padStart(6)}   ${(times[times.length - 1] as number).toFixed(0).padStart(6)}`,
      );
    }
  }
  say(
    `worst p99 at 1,000 credentials: ${worst1000.toFixed(1)} µs (goal: under ${GOAL_P99_US} µs) ${worst1000 < GOAL_P99_US ? 'met' : 'NOT met'}`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
