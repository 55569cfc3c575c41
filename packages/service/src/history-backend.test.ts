// `history: { backend: 'redis', url, keyPrefix }`: the service keeps its history in a real
// redis-server, status names it (without a password) and says when it runs degraded.
import { randomUUID } from 'node:crypto';
import { startRedis, type TestRedis } from '@ctd/history-redis/testing';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseServiceConfig } from './config.ts';
import { createTokenDiscoveryService, type TokenDiscoveryService } from './service.ts';

const PASSWORD = 'pw-test-service-81d2'; // placeholder ACL password
let redis: TestRedis;
let home: TempHome;
const services: TokenDiscoveryService[] = [];
beforeAll(async () => {
  redis = await startRedis({ user: { name: 'ctd', password: PASSWORD } });
});
afterAll(async () => {
  await redis?.dispose();
});
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.close().catch(() => {});
  await home.cleanup();
});

function service(keyPrefix = `svc:{${randomUUID()}}:`) {
  const s = createTokenDiscoveryService({
    config: { history: { backend: 'redis', url: `redis://ctd@127.0.0.1:${redis.port}/0`, keyPrefix } },
    env: { ...home.env, CTD_REDIS_PASSWORD: PASSWORD },
  });
  services.push(s);
  return s;
}

describe('the history backend setting', () => {
  it('defaults to the file; redis needs a redis:// or rediss:// url', () => {
    const defaults = parseServiceConfig({});
    expect(defaults.ok && defaults.value.history).toEqual({ backend: 'file', keyPrefix: 'ctd:{history}:' });
    const missing = parseServiceConfig({ history: { backend: 'redis' } });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.issues.join('\n')).toMatch(/history\.url/);
    expect(parseServiceConfig({ history: { backend: 'redis', url: 'http://x' } }).ok).toBe(false);
  });

  it('keeps the history in Redis, shared by two services; status names it without the password', async () => {
    const keyPrefix = `svc:{${randomUUID()}}:`;
    const a = service(keyPrefix);
    const b = service(keyPrefix);
    const store = await a.history();
    store?.ensure({ id: 'x', hash: '1'.padStart(64, '0'), source: 'environment', provider: 'openai' });
    store?.recordUse('x', Date.now());
    await store?.flush();
    expect((await b.getHistory()).records).toEqual([expect.objectContaining({ id: 'x', usageCount: 1 })]);
    const status = await a.status();
    expect(status.historyFile).toContain(`redis://ctd@127.0.0.1:${redis.port}/0`);
    expect(JSON.stringify(status)).not.toContain(PASSWORD);
    expect(status.issues.filter((i) => i.code === 'BACKEND_UNAVAILABLE')).toEqual([]);
  });

  it('status shows the degraded mode while Redis is down', async () => {
    const s = service();
    await s.history();
    await redis.stop();
    try {
      const status = await s.status();
      expect(status.issues).toContainEqual(
        expect.objectContaining({
          source: 'history',
          code: 'BACKEND_UNAVAILABLE',
          message: expect.stringMatching(/^degraded: /),
        }),
      );
      expect(JSON.stringify(status)).not.toContain(PASSWORD);
    } finally {
      await redis.start();
    }
  });
});
