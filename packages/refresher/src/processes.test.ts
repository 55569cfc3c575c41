// Refreshers in separate processes, on real files, against a real loopback token endpoint with
// single-use refresh tokens: the race (one refresh per expiry, no reuse), a refresh done by
// another process first (zero calls), and a SIGKILL between the answer and the write-back.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScanContext } from '@ctd/scanners';
import type { FakeOAuthServer } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Refresher } from './refresher.ts';
import { DEMO_BASE_URL_ENV, demoCliAdapter, readDemoStore, writeDemoLogin } from './test-support/demo-cli.ts';
import { startDemoOAuth } from './test-support/demo-oauth.ts';
import { startChild, startTogether } from './test-support/processes.ts';
import type { RefreshOutcome } from './types.ts';

function countStatuses(outcomes: readonly RefreshOutcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

const OLD = { access: 'test-access-proc-old', refresh: 'test-refresh-proc-old' };

let home: string;
let server: FakeOAuthServer;
let env: Record<string, string>;
let stateDir: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ctd-refresher-proc-'));
  stateDir = join(home, 'state');
  env = { HOME: home };
});

afterEach(async () => {
  await server?.close();
  await rm(home, { recursive: true, force: true });
});

async function serve(rotating = true): Promise<void> {
  server = await startDemoOAuth({ rotating, refreshTokens: [OLD.refresh] });
  env[DEMO_BASE_URL_ENV] = server.origin;
}

async function scanDemo(rotating = true) {
  // The killed child leaves its lock file behind: broken once stale (10 s for the CLI, 1 s here).
  const adapter = demoCliAdapter({ rotating, lockStaleMs: 1_000 });
  const found = (await adapter.scan(createScanContext({ env, adapters: [adapter] }))).credentials[0];
  if (!found) throw new Error('no login');
  return { adapter, credential: found };
}

describe('refreshers in several processes', () => {
  it('3 processes × 10 refreshers on one expiring login: one refresh call, no reuse, newest tokens in the store', async () => {
    await serve();
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 5_000 });
    server.delayMs = 100; // every refresher is waiting on the lock while the one request is out
    const outcomes = await startTogether(3, { adapter: 'demo', refreshers: 10, stateDir }, env);
    expect(outcomes).toHaveLength(30);
    expect(server.stats.calls).toBe(1);
    expect(server.stats.reuses).toBe(0);
    expect(countStatuses(outcomes)).toEqual({ refreshed: 1, 'refreshed-by-other': 29 });
    const store = await readDemoStore(home);
    expect(store.oauth.access_token).toBe(server.grants.at(-1)?.accessToken);
    expect(store.oauth.refresh_token).toBe(server.grants.at(-1)?.refreshToken);
    expect(new Set(outcomes.map((o) => o.hash))).toEqual(new Set([outcomes[0]?.hash]));
  });

  it('spends nothing when another process refreshed since our scan (re-read inside the lock)', async () => {
    await serve();
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 5_000 });
    const { adapter, credential: stale } = await scanDemo();
    const other = await startChild({ adapter: 'demo', refreshers: 1, stateDir }, env).done;
    expect(other[0]?.status).toBe('refreshed');
    expect(server.stats.calls).toBe(1);
    const mine = await new Refresher({ adapters: [adapter], env, stateDir }).refresh(stale);
    expect(mine).toMatchObject({ status: 'refreshed-by-other', calls: 0 });
    expect(server.stats.calls).toBe(1);
  });

  it('a rotating login killed between the answer and the write-back is needs_login on the next run, without a call, and stays so', async () => {
    await serve();
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 5_000 });
    const child = startChild({ adapter: 'demo', refreshers: 1, stallAfterAnswer: true, stateDir }, env);
    await child.line('ANSWERED');
    child.process.kill('SIGKILL');
    await child.done.catch(() => {});
    expect(server.stats.calls).toBe(1);
    // The store still holds the spent token; the lock file was left by the killed process.
    expect((await readDemoStore(home)).oauth.refresh_token).toBe(OLD.refresh);
    const { adapter, credential } = await scanDemo();
    const refresher = new Refresher({ adapters: [adapter], env, stateDir });
    for (let run = 0; run < 3; run++) {
      const outcome = await refresher.refresh(credential, { force: run > 0 });
      expect(outcome).toMatchObject({ status: 'needs_login', code: 'ANSWER_LOST', calls: 0 });
      expect(outcome.relogin?.length).toBeGreaterThan(0);
    }
    expect(server.stats.calls).toBe(1);
  }, 40_000);

  it('a rotating login killed while waiting for the answer gets one more try, and the provider decides', async () => {
    await serve();
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 5_000 });
    server.hold(); // the token is spent on arrival; the answer never comes before the kill
    const child = startChild({ adapter: 'demo', refreshers: 1, stateDir }, env);
    await server.waitForCalls(1);
    child.process.kill('SIGKILL');
    await child.done.catch(() => {});
    server.release();
    const { adapter, credential } = await scanDemo();
    const refresher = new Refresher({ adapters: [adapter], env, stateDir, retry: { attempts: 1 } });
    // The server did spend the token: its answer says so, and the token is never sent again.
    expect(await refresher.refresh(credential)).toMatchObject({ status: 'needs_login', calls: 1 });
    expect(await refresher.refresh(credential, { force: true })).toMatchObject({
      status: 'needs_login',
      calls: 0,
    });
    expect(server.stats.calls).toBe(2);
  }, 40_000);

  it('a login whose refresh token does not rotate is simply refreshed again after such a crash', async () => {
    await serve(false);
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 5_000 });
    const child = startChild(
      { adapter: 'demo', rotating: false, refreshers: 1, stallAfterAnswer: true, stateDir },
      env,
    );
    await child.line('ANSWERED');
    child.process.kill('SIGKILL');
    await child.done.catch(() => {});
    const { adapter, credential } = await scanDemo(false);
    const outcome = await new Refresher({ adapters: [adapter], env, stateDir }).refresh(credential);
    expect(outcome).toMatchObject({ status: 'refreshed', calls: 1 });
    expect((await readDemoStore(home)).oauth.access_token).toBe(server.grants.at(-1)?.accessToken);
  }, 40_000);
});
