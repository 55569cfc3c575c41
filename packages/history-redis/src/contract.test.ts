// The history driver contract of @ctd/history, on a real redis-server: the same suite the memory
// and file drivers pass. Each test gets its own key prefix on one server per file.
import { randomUUID } from 'node:crypto';
import { runHistoryDriverContract } from '@ctd/history/testing';
import { afterAll, beforeAll } from 'vitest';
import { RedisDriver } from './driver.ts';
import { startRedis, type TestRedis } from './testing/redis-server.ts';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.dispose();
});

runHistoryDriverContract('redis', () => {
  const keyPrefix = `t:{${randomUUID()}}:`;
  return { connect: () => new RedisDriver({ url: redis.url, keyPrefix }) };
});
