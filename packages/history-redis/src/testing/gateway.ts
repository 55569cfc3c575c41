// A gateway-like process for the multi-process tests and the benchmark. Run it with
// `node --conditions=@ctd/source gateway.ts '<json args>'`: it opens the Redis history, runs
// `agents` concurrent agents that each make `decisions` rotation decisions (acquireShared) over
// `credentials` credentials and report a success for each, closes the store (flushing), and
// prints one JSON line: how many leases it got, by credential, and how many were unavailable.
import { createRotator, type Strategy } from '@ctd/rotator';
import { openRedisHistoryStore } from '../store.ts';

interface Args {
  url: string;
  keyPrefix: string;
  strategy: Strategy;
  agents: number;
  decisions: number;
  credentials: number;
  /** Print "progress <n>" every this many decisions (for tests that act mid-run). */
  progressEvery?: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const store = await openRedisHistoryStore({ url: args.url, keyPrefix: args.keyPrefix, flushIntervalMs: 100 });
const rotator = createRotator({ store, strategy: args.strategy });
rotator.setCredentials(
  Array.from({ length: args.credentials }, (_, i) => ({
    id: `c${i + 1}`,
    hash: (i + 1).toString(16).padStart(64, '0'),
    source: 'environment',
    provider: 'openai',
  })),
);
await store.flush();
const byId: Record<string, number> = {};
let unavailable = 0;
let degraded = 0;
let done = 0;
let slowest = 0;
async function agent(): Promise<void> {
  for (let i = 0; i < args.decisions; ) {
    const t0 = performance.now();
    const lease = await rotator.acquireShared({ provider: 'openai' });
    slowest = Math.max(slowest, performance.now() - t0);
    if (!lease.ok) {
      unavailable++;
      await new Promise((r) => setTimeout(r, 1));
      continue;
    }
    if (store.health.state === 'degraded') degraded++;
    byId[lease.id] = (byId[lease.id] ?? 0) + 1;
    rotator.report(lease, { type: 'success', latencyMs: 1 });
    i++;
    done++;
    if (args.progressEvery && done % args.progressEvery === 0) process.stdout.write(`progress ${done}\n`);
    // Let the other agents and the flush timer run (a real agent waits for its provider).
    if (i % 50 === 0) await new Promise((r) => setImmediate(r));
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: args.agents }, agent));
const ms = performance.now() - started;
// A gateway that stops while Redis is down keeps its buffered usage only in memory: wait for Redis.
for (let tries = 0; ; tries++) {
  try {
    await store.flush();
    break;
  } catch (error) {
    if (tries > 300) throw error;
    await new Promise((r) => setTimeout(r, 100));
  }
}
await store.close();
process.stdout.write(`${JSON.stringify({ byId, unavailable, degraded, ms, slowest })}\n`);
