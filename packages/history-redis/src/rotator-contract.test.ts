// The shared-rotation contract of @ctd/rotator on a real redis-server (the memory and file
// drivers pass the same suite), plus what only a shared backend does: one probe across gateways.
import { randomUUID } from 'node:crypto';
import { runRotatorContract } from '@ctd/rotator/testing';
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

runRotatorContract(
  'redis',
  () => {
    const keyPrefix = `t:{${randomUUID()}}:`;
    return { connect: () => new RedisDriver({ url: redis.url, keyPrefix }) };
  },
  { sharedProbes: true },
);
