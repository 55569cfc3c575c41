// Your own ioredis client (`openRedisHistoryStore({ client })`): a Redis found through a real
// Sentinel. (A Redis Cluster client goes through the same option; it is not tested here.)
import { randomUUID } from 'node:crypto';
import { createRotator } from '@ctd/rotator';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openRedisHistoryStore } from './store.ts';
import { startRedis, type TestRedis } from './testing/redis-server.ts';

const servers: TestRedis[] = [];
const closers: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});
afterAll(async () => {
  for (const s of servers.reverse()) await s.dispose();
});

const ref = (id: string, n: number) => ({
  id,
  hash: n.toString(16).padStart(64, '0'),
  source: 'environment',
  provider: 'openai',
});

async function exercise(store: Awaited<ReturnType<typeof openRedisHistoryStore>>) {
  const rotator = createRotator({ store, strategy: 'least-used' });
  rotator.setCredentials([ref('c1', 1), ref('c2', 2)]);
  await store.flush();
  for (let i = 0; i < 6; i++) {
    const lease = await rotator.acquireShared({ provider: 'openai' });
    if (lease.ok) rotator.report(lease, { type: 'success', latencyMs: 5 });
  }
  await store.flush();
  expect(store.list().map((e) => e.usageCount)).toEqual([3, 3]);
  expect(store.list().map((e) => e.successes)).toEqual([3, 3]);
}

describe('a client of your own', () => {
  let master: TestRedis;
  let sentinel: TestRedis;
  beforeAll(async () => {
    master = await startRedis();
    servers.push(master);
    sentinel = await startRedis({ sentinelFor: { name: 'pool', port: master.port } });
    servers.push(sentinel);
  });

  it('a Redis found through Sentinel', async () => {
    const client = new Redis({
      sentinels: [{ host: '127.0.0.1', port: sentinel.port }],
      name: 'pool',
      lazyConnect: true,
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
    });
    const store = await openRedisHistoryStore({ client, keyPrefix: `s:{${randomUUID()}}:` });
    closers.push(() => store.close());
    await exercise(store);
  });
});
