// The Redis history on real redis-servers: a clear error at start, ACL users and TLS, the data
// model (cooldowns as keys with a TTL), degraded mode while Redis is down, and no secret in Redis.
import { createHash, randomUUID } from 'node:crypto';
import { createRotator } from '@ctd/rotator';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deltaOp } from './driver.ts';
import { APPLY } from './scripts.ts';
import { openRedisHistoryStore } from './store.ts';
import { freePort, startRedis, type TestRedis } from './testing/redis-server.ts';

const PASSWORD = 'pw-test-4f1c9a'; // a placeholder ACL password: must never be printed
const servers: TestRedis[] = [];
const closers: (() => Promise<unknown>)[] = [];
let plain: TestRedis;

beforeAll(async () => {
  plain = await startRedis();
  servers.push(plain);
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});
afterAll(async () => {
  for (const s of servers) await s.dispose();
});

const prefix = () => `t:{${randomUUID()}}:`;
const ref = (id: string, hash = '1'.padStart(64, '0')) => ({
  id,
  hash,
  source: 'environment',
  provider: 'openai',
});

async function open(url: string, options: Parameters<typeof openRedisHistoryStore>[0] | object = {}) {
  const store = await openRedisHistoryStore({ url, keyPrefix: prefix(), flushIntervalMs: 0, ...options });
  closers.push(() => store.close());
  return store;
}

function raw(url: string): Redis {
  const r = new Redis(url);
  closers.push(() => r.quit());
  return r;
}

describe('at start', () => {
  it('fails with BACKEND_UNAVAILABLE naming the URL without its password', async () => {
    const port = await freePort();
    const error = await openRedisHistoryStore({
      url: `redis://ctd:${PASSWORD}@127.0.0.1:${port}/2`,
      connectTimeoutMs: 2000,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    const message = (error as Error).message;
    expect(message).toContain(`redis://ctd@127.0.0.1:${port}/2`);
    expect(message).not.toContain(PASSWORD);
    expect(JSON.stringify(error)).not.toContain(PASSWORD);
  });

  it('rejects a URL that is not redis:// or rediss://', async () => {
    await expect(openRedisHistoryStore({ url: 'http://127.0.0.1:6379' })).rejects.toMatchObject({
      code: 'BAD_USAGE',
    });
  });
});

describe('ACL users and TLS', () => {
  let acl: TestRedis;
  let tls: TestRedis;
  beforeAll(async () => {
    acl = await startRedis({ user: { name: 'ctd', password: PASSWORD } });
    tls = await startRedis({ tls: true });
    servers.push(acl, tls);
  });

  it('connects as an ACL user (password in the URL or given apart); location never shows it', async () => {
    const inUrl = await open(`redis://ctd:${PASSWORD}@127.0.0.1:${acl.port}/0`);
    inUrl.ensure(ref('x'));
    await inUrl.flush();
    expect(inUrl.location).toContain(`redis://ctd@127.0.0.1:${acl.port}/0`);
    expect(inUrl.location).not.toContain(PASSWORD);
    const apart = await open(`redis://ctd@127.0.0.1:${acl.port}/0`, { password: PASSWORD });
    expect(apart.location).not.toContain(PASSWORD);
  });

  it('works for a user limited to the prefix with the rights docs/redis.md lists', async () => {
    const admin = raw(`redis://ctd:${PASSWORD}@127.0.0.1:${acl.port}/0`);
    const rights = ['+@read', '+@write', '+@scripting', '+@connection', '+info', '+client|setname'];
    await admin.call('ACL', 'SETUSER', 'gw', 'on', `>${PASSWORD}`, '~ctd:{history}:*', ...rights);
    const store = await open(`redis://gw:${PASSWORD}@127.0.0.1:${acl.port}/0`, {
      keyPrefix: 'ctd:{history}:',
    });
    const rotator = createRotator({ store, strategy: 'least-used' });
    rotator.setCredentials([ref('c1')]);
    await store.flush();
    const lease = await rotator.acquireShared({ provider: 'openai' });
    if (lease.ok) rotator.report(lease, { type: 'rate_limited' });
    await store.flush();
    expect(store.get('c1')).toMatchObject({ usageCount: 1, cooldownCause: 'rate_limited' });
    await expect(store.transaction(() => store.get('c1')?.usageCount)).resolves.toBe(1);
    await expect(store.clear()).resolves.toBe(1);
  });

  it('a wrong password fails at start without printing either password', async () => {
    const error = await openRedisHistoryStore({
      url: `redis://ctd:wrong-${PASSWORD}@127.0.0.1:${acl.port}/0`,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect((error as Error).message).toMatch(/WRONGPASS|NOAUTH|invalid/i);
    expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain(
      PASSWORD,
    );
  });

  it('speaks TLS with rediss:// (the server certificate checked against the given CA)', async () => {
    const store = await open(tls.url, { tls: { ca: tls.certificate as string } });
    store.ensure(ref('x'));
    store.recordUse('x', 1);
    await store.flush();
    expect(store.get('x')?.usageCount).toBe(1);
    expect(store.location.startsWith('rediss://')).toBe(true);
    // Without trusting the self-signed certificate, the connection is refused.
    await expect(openRedisHistoryStore({ url: tls.url, connectTimeoutMs: 2000 })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
    });
  });
});

describe('the data model', () => {
  it('counts with increments and keeps a cooldown as a key that expires when it ends', async () => {
    const keyPrefix = prefix();
    const store = await open(plain.url, { keyPrefix });
    const r = raw(plain.url);
    const now = Date.now();
    store.ensure(ref('c1'), now);
    store.recordUse('c1', now);
    store.recordUse('c1', now + 1);
    store.setCooldown('c1', { until: now + 30_000, cause: 'rate_limited', at: now });
    store.setCooldown('c1', { until: now + 20_000, cause: 'rate_limited', at: now, model: 'm1' });
    await store.flush();
    expect(await r.hget(`${keyPrefix}e:c1`, 'usageCount')).toBe('2');
    expect(await r.smembers(`${keyPrefix}ids`)).toEqual(['c1']);
    expect(await r.get(`${keyPrefix}cd:c1`)).toBe('rate_limited');
    const ttl = await r.pttl(`${keyPrefix}cd:c1`);
    expect(ttl).toBeGreaterThan(25_000);
    expect(ttl).toBeLessThanOrEqual(30_000);
    expect(await r.pttl(`${keyPrefix}cdm:c1|m1`)).toBeGreaterThan(15_000);
    // A success clears the cooldown: its key goes too.
    store.setCooldown('c1', { until: null, cause: null, at: now + 2 });
    await store.flush();
    expect(await r.exists(`${keyPrefix}cd:c1`)).toBe(0);
    expect(await r.hget(`${keyPrefix}e:c1`, 'cooldownSetAt')).toBe(String(now + 2));
  });

  it('a probe is leased on the server: another gateway does not probe the same credential', async () => {
    const keyPrefix = prefix();
    const a = await open(plain.url, { keyPrefix });
    const b = await open(plain.url, { keyPrefix });
    const r = raw(plain.url);
    const creds = [ref('c1'), ref('c2', '2'.padStart(64, '0'))];
    const ra = createRotator({ store: a, instanceId: 'a' });
    const rb = createRotator({ store: b, instanceId: 'b' });
    ra.setCredentials(creds);
    rb.setCredentials(creds);
    const past = Date.now() - 1000;
    a.setCooldown('c1', { until: past, cause: 'server_error', at: past - 5000 });
    await a.flush();
    await b.flush();
    const probe = await ra.acquireShared({ provider: 'openai' });
    expect(probe).toMatchObject({ ok: true, id: 'c1', probe: true });
    expect(await r.pttl(`${keyPrefix}probe:c1`)).toBeGreaterThan(50_000);
    const other = await rb.acquireShared({ provider: 'openai' });
    expect(other).toMatchObject({ ok: true, id: 'c2', probe: false });
    // The probe's result releases the lease (and a success ends the cooldown).
    if (probe.ok) ra.report(probe, { type: 'success', latencyMs: 5 });
    await a.flush();
    expect(await r.exists(`${keyPrefix}probe:c1`)).toBe(0);
  });
});

describe('a write whose answer is lost', () => {
  it('is applied once however often it is sent (the batch id)', async () => {
    const keyPrefix = prefix();
    const r = raw(plain.url);
    const op = deltaOp('x', {
      ref: ref('x'),
      refAt: null,
      expiresAt: null,
      firstSeen: 1,
      lastSeen: null,
      uses: 3,
      lastUsed: 5,
      successes: 0,
      failures: 0,
      streakReset: false,
      streakAdd: 0,
      lastSuccessAt: null,
      lastFailureAt: null,
      latencySum: 0,
      latencyCount: 0,
      status: null,
      cooldown: null,
      models: null,
      needs: null,
      validation: null,
      events: 3,
    });
    for (let i = 0; i < 3; i++)
      await r.eval(APPLY, 1, `${keyPrefix}ids`, keyPrefix, Date.now(), 'batch-1', '', op);
    expect(await r.hget(`${keyPrefix}e:x`, 'usageCount')).toBe('3');
  });

  it('is sent again when the connection is cut while it waits, and counted once', async () => {
    const keyPrefix = prefix();
    const store = await open(plain.url, { keyPrefix });
    const admin = raw(plain.url);
    store.ensure(ref('x'));
    await store.flush();
    for (let i = 0; i < 5; i++) store.recordUse('x', i);
    await admin.call('CLIENT', 'PAUSE', '2000', 'WRITE'); // the flush's script waits on the server
    const flushed = store.flush();
    await new Promise((r) => setTimeout(r, 100));
    await admin.call('CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'); // its answer never comes
    await admin.call('CLIENT', 'UNPAUSE');
    await flushed; // counted as written: the driver sends it again once connected
    await expect.poll(async () => admin.hget(`${keyPrefix}e:x`, 'usageCount'), { timeout: 10_000 }).toBe('5');
    await store.flush();
    expect(await admin.hget(`${keyPrefix}e:x`, 'usageCount')).toBe('5');
  });
});

describe('while Redis is down', () => {
  it('rotation goes on from the last known state, usage waits in memory, status says degraded', async () => {
    const server = await startRedis({ aof: true });
    servers.push(server);
    const keyPrefix = prefix();
    const store = await open(server.url, { keyPrefix });
    const rotator = createRotator({ store, strategy: 'least-used' });
    rotator.setCredentials([ref('c1'), ref('c2', '2'.padStart(64, '0'))]);
    await store.flush();
    for (let i = 0; i < 10; i++) {
      const lease = await rotator.acquireShared({ provider: 'openai' });
      if (lease.ok) rotator.report(lease, { type: 'success' });
    }
    await store.flush();
    expect(store.health.state).toBe('ok');

    await server.stop();
    for (let i = 0; i < 10; i++) {
      const lease = await rotator.acquireShared({ provider: 'openai' });
      expect(lease.ok).toBe(true);
      if (lease.ok) rotator.report(lease, { type: 'success' });
    }
    expect(store.health).toMatchObject({ state: 'degraded' });
    expect(store.health.reason).toMatch(/last known state/);
    await expect(store.flush()).rejects.toMatchObject({ code: 'BACKEND_UNAVAILABLE' });
    expect(store.pendingEvents).toBeGreaterThan(0);
    expect(store.list().reduce((s, e) => s + e.usageCount, 0)).toBe(20);

    await server.start();
    await expect.poll(() => store.health.state, { timeout: 10_000 }).toBe('ok');
    await store.flush();
    expect(store.pendingEvents).toBe(0);
    const r = raw(server.url);
    const uses = await Promise.all(['c1', 'c2'].map((id) => r.hget(`${keyPrefix}e:${id}`, 'usageCount')));
    expect(uses.map(Number).reduce((s, u) => s + u, 0)).toBe(20);
    const ok = await Promise.all(['c1', 'c2'].map((id) => r.hget(`${keyPrefix}e:${id}`, 'successes')));
    expect(ok.map(Number).reduce((s, u) => s + u, 0)).toBe(20);
  });
});

describe('secrets never enter Redis', () => {
  it('no key or value matches a canary secret after a full run', async () => {
    const canary = `sk-test-CANARY-${randomUUID()}`;
    const hash = createHash('sha256').update(canary).digest('hex');
    const keyPrefix = prefix();
    const store = await open(plain.url, { keyPrefix });
    const rotator = createRotator({ store, strategy: 'round-robin' });
    const cred = { ...ref('environment:openai:OPENAI_API_KEY', hash), secret: canary };
    rotator.setCredentials([cred, { ...ref('c2', '2'.padStart(64, '0')), secret: `${canary}-2` }]);
    const now = Date.now();
    store.observe(cred, { at: now, expiresAt: now + 3_600_000 });
    store.recordValidation(cred.id, {
      status: 'valid',
      reason: 'accepted',
      checkedAt: new Date(now).toISOString(),
    });
    for (let i = 0; i < 20; i++) {
      const lease = await rotator.acquireShared({ provider: 'openai', model: 'm1' });
      if (!lease.ok) continue;
      rotator.report(lease, i % 5 === 0 ? { type: 'rate_limited', retryAfterMs: 1000 } : { type: 'success' });
    }
    await store.flush();
    const r = raw(plain.url);
    let scanned = 0;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 500);
      cursor = next;
      for (const key of keys) {
        scanned++;
        expect(key).not.toContain(canary);
        const type = await r.type(key);
        const value =
          type === 'string'
            ? await r.get(key)
            : type === 'hash'
              ? JSON.stringify(await r.hgetall(key))
              : type === 'set'
                ? JSON.stringify(await r.smembers(key))
                : `(${type})`;
        expect(value).not.toContain(canary);
        expect(value).not.toContain('CANARY');
      }
    } while (cursor !== '0');
    expect(scanned).toBeGreaterThan(3);
    // The hash is there (that is how a credential is recognised), never the secret.
    expect(await r.hget(`${keyPrefix}e:${cred.id}`, 'hash')).toBe(hash);
  });
});
