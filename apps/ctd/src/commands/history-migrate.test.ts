// `ctd history migrate` against a real redis-server: the file history into Redis and back,
// idempotent both ways; CTD_HISTORY_URL makes `ctd history` read the shared history; the password
// is never printed.
import { randomUUID } from 'node:crypto';
import { openHistoryStore } from '@ctd/history';
import { startRedis, type TestRedis } from '@ctd/history-redis/testing';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCtd } from '../test-support.ts';

const PASSWORD = 'pw-test-migrate-5e7a'; // placeholder ACL password
let redis: TestRedis;
let home: TempHome;
beforeAll(async () => {
  redis = await startRedis({ user: { name: 'ctd', password: PASSWORD } });
});
afterAll(async () => {
  await redis?.dispose();
});
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const hash = (n: number) => n.toString(16).padStart(64, '0');

async function writeFileHistory(file: string) {
  const store = await openHistoryStore({ file, flushIntervalMs: 0, flushOnExit: false });
  store.ensure({ id: 'env:openai', hash: hash(1), source: 'environment', provider: 'openai' }, 1000);
  store.ensure({ id: 'env:anthropic', hash: hash(2), source: 'environment', provider: 'anthropic' }, 1000);
  for (let i = 0; i < 7; i++) store.recordUse('env:openai', 2000 + i);
  store.recordResult('env:openai', { ok: true, at: 3000, latencyMs: 120 });
  store.setCooldown('env:anthropic', { until: Date.now() + 600_000, cause: 'quota_exhausted', at: 4000 });
  await store.close();
}

describe('ctd history migrate', () => {
  it('copies the file into Redis and back, idempotently, never printing the password', async () => {
    const file = home.resolve('.openclaw/cli-token-history.json');
    await writeFileHistory(file);
    const keyPrefix = `cli:{${randomUUID()}}:`;
    const url = `redis://ctd@127.0.0.1:${redis.port}/0`;
    const env = { ...home.env, CTD_REDIS_PASSWORD: PASSWORD, CTD_HISTORY_KEY_PREFIX: keyPrefix };

    const first = await runCtd(['history', 'migrate', '--to', url], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^Copied 2 credentials to redis:\/\/ctd@127\.0\.0\.1:\d+\/0/);
    const again = await runCtd(['history', 'migrate', '--to', url], env);
    expect(again.stdout).toMatch(/Copied 0 credentials .*\(2 credentials already there\)/);

    // CTD_HISTORY_URL: `ctd history` reads the shared history.
    const shown = await runCtd(['history', '--json'], { ...env, CTD_HISTORY_URL: url });
    expect(shown.code).toBe(0);
    const records = JSON.parse(shown.stdout).records;
    expect(records['env:openai']).toMatchObject({ usageCount: 7, successes: 1, latencyMs: 120 });
    expect(records['env:anthropic']).toMatchObject({ cooldownCause: 'quota_exhausted' });

    // And back into a new file, twice.
    const back = home.resolve('back/h.json');
    const out = await runCtd(['history', 'migrate', '--from', url, '--to', back], env);
    expect(out.stdout).toMatch(/^Copied 2 credentials to .*back\/h\.json/);
    await runCtd(['history', 'migrate', '--from', url, '--to', back], env);
    const store = await openHistoryStore({ file: back, readOnly: true, flushIntervalMs: 0 });
    expect(store.get('env:openai')).toMatchObject({
      usageCount: 7,
      successes: 1,
      lastUsed: 2006,
      firstSeen: 1000,
    });
    await store.close();
    for (const r of [first, again, shown, out]) expect(r.stdout + r.stderr).not.toContain(PASSWORD);
  });

  it('fails clearly when Redis cannot be reached or the target is missing', async () => {
    const missing = await runCtd(['history', 'migrate'], home.env);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--to redis:\/\//);
    const down = await runCtd(
      ['history', 'migrate', '--to', `redis://ctd:${PASSWORD}@127.0.0.1:1/0`],
      home.env,
    );
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/BACKEND_UNAVAILABLE/);
    expect(down.stderr).toContain('redis://ctd@127.0.0.1:1/0');
    expect(down.stderr).not.toContain(PASSWORD);
  });
});
