// A producer of usage events for the benchmark: opens the Redis history, waits for "go" (IPC),
// records `events` events (a use, then its result) spread over `ids`, yielding every 200 so the
// batch flushes run as in a gateway, closes the store (a final flush) and reports "done".
import { openRedisHistoryStore } from '../store.ts';

interface Args {
  url: string;
  keyPrefix: string;
  ids: string[];
  events: number;
}

const args = JSON.parse(process.argv[2] ?? '{}') as Args;
const store = await openRedisHistoryStore({ url: args.url, keyPrefix: args.keyPrefix, flushIntervalMs: 100 });
for (const [i, id] of args.ids.entries()) {
  store.ensure({
    id,
    hash: (i + 1).toString(16).padStart(64, '0'),
    source: 'environment',
    provider: 'openai',
  });
}
await store.flush();
const send = (m: object) => process.send?.(m);
process.on('message', async (m) => {
  if (m !== 'go') return;
  const ids = args.ids;
  for (let i = 0; i < args.events; i += 2) {
    const id = ids[i % ids.length] as string;
    const now = Date.now();
    store.recordUse(id, now);
    store.recordResult(id, { ok: true, at: now, latencyMs: 10 });
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  await store.close();
  send({ type: 'done' });
  process.disconnect?.();
});
send({ type: 'ready' });
