// Response bodies are read as they stream and stop at a cap: a provider (or anything posing as one)
// that never stops sending cannot fill memory or hold a check until its timeout.
import { type FakeServer, startFakeOpenAI, startFakeServer } from '@ctd/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { validateCredentials } from './engine.ts';
import { MAX_BODY_BYTES } from './http.ts';
import { testCredential } from './test-support.ts';

const open: FakeServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

const KEY = 'sk-test-http-PLACEHOLDER-0000';

describe('response bodies', () => {
  it('stops reading an endless body at the cap: unknown, long before the timeout', async () => {
    const fake = await startFakeOpenAI({ keys: { [KEY]: 'endless' } });
    open.push(fake);
    const before = process.memoryUsage().rss;
    const [result] = await validateCredentials([testCredential({ provider: 'openai', secret: KEY })], {
      env: { CTD_OPENAI_BASE_URL: fake.baseUrl },
      // Generous: only reading to the end (never) would reach it.
      timeoutMs: 60_000,
    });
    expect(result).toMatchObject({ status: 'unknown' });
    expect(result?.reason).toMatch(/larger than any provider answer we expect/);
    // What was sent is bounded by the cap plus what the sockets buffer, not by time.
    expect(fake.stats.bytesSent).toBeLessThan(MAX_BODY_BYTES + 32 * 1024 * 1024);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * 1024 * 1024);
  });

  it('reads a body just under the cap', async () => {
    const ids = Array.from({ length: 2000 }, (_, i) => ({ id: `model-${i}`, object: 'model' }));
    const server = await startFakeServer(() => ({ status: 200, json: { object: 'list', data: ids } }));
    open.push(server);
    const [result] = await validateCredentials([testCredential({ provider: 'openai', secret: KEY })], {
      env: { CTD_OPENAI_BASE_URL: `${server.origin}/v1` },
    });
    expect(result).toMatchObject({ status: 'valid', quota: { models: 2000 } });
  });
});
