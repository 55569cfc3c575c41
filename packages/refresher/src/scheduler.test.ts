import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiscoveredCredential } from '@ctd/core';
import { createScanContext } from '@ctd/scanners';
import type { FakeOAuthServer } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Refresher, RefreshScheduler, type RefreshSchedulerOptions } from './index.ts';
import {
  DEMO_BASE_URL_ENV,
  DEMO_LEAD_MS,
  demoCliAdapter,
  readDemoStore,
  writeDemoLogin,
} from './test-support/demo-cli.ts';
import { startDemoOAuth } from './test-support/demo-oauth.ts';
import type { RefreshOutcome, RefreshStatus } from './types.ts';

const OLD = { access: 'test-access-sched-old', refresh: 'test-refresh-sched-old' };
const adapter = demoCliAdapter();

let home: string;
let server: FakeOAuthServer;
let refresher: Refresher;
let scheduler: RefreshScheduler | undefined;
let waiters: Array<{ status: RefreshStatus; resolve: (o: RefreshOutcome) => void }>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ctd-refresher-sched-'));
  server = await startDemoOAuth({ refreshTokens: [OLD.refresh] });
  refresher = new Refresher({
    adapters: [adapter],
    env: { HOME: home, [DEMO_BASE_URL_ENV]: server.origin },
    stateDir: join(home, 'state'),
    retry: { attempts: 1 },
  });
  waiters = [];
});

/** Scheduler options that report each outcome once the scheduler has planned what follows. */
function watched(options: RefreshSchedulerOptions = {}): RefreshSchedulerOptions {
  return {
    ...options,
    onOutcome: (o) => {
      for (const w of waiters.filter((x) => x.status === o.status)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(o);
      }
    },
  };
}

afterEach(async () => {
  scheduler?.stop();
  scheduler = undefined;
  await server.close();
  await rm(home, { recursive: true, force: true });
});

const next = (status: RefreshStatus) =>
  new Promise<RefreshOutcome>((resolve) => waiters.push({ status, resolve }));

async function scan(): Promise<DiscoveredCredential> {
  const ctx = createScanContext({ env: { HOME: home }, adapters: [adapter] });
  const found = (await adapter.scan(ctx)).credentials[0];
  if (!found) throw new Error('no login');
  return found;
}

describe('RefreshScheduler', () => {
  it('refreshes an idle login at the moment its CLI would, then plans the next one', async () => {
    // Due 200 ms from now: the CLI refreshes DEMO_LEAD_MS before expiry.
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + DEMO_LEAD_MS + 200 });
    scheduler = new RefreshScheduler(refresher, watched({ minIntervalMs: 0 }));
    const refreshed = next('refreshed');
    scheduler.set([await scan()]);
    expect(server.stats.calls).toBe(0);
    expect(scheduler.list()[0]?.at).not.toBeNull();
    await refreshed;
    expect(server.stats.calls).toBe(1);
    expect((await readDemoStore(home)).oauth.access_token).toBe(server.grants.at(-1)?.accessToken);
    const planned = scheduler.list()[0];
    expect(Date.parse(planned?.at ?? '')).toBeGreaterThan(Date.now() + 30 * 60_000);
    expect(planned?.failures).toBe(0);
  });

  it('backs off after a transient failure and then succeeds', async () => {
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() });
    server.failNext('server_error');
    scheduler = new RefreshScheduler(refresher, watched({ minIntervalMs: 0, failureBackoffMs: 50 }));
    const failed = next('failed');
    const refreshed = next('refreshed');
    scheduler.set([await scan()]);
    await failed;
    expect(scheduler.list()[0]?.failures).toBe(1);
    await refreshed;
    expect(server.stats.calls).toBe(2);
    expect(scheduler.list()[0]?.failures).toBe(0);
  });

  it('parks a login that needs a new login (no retry loop), and plans it again when a new login appears', async () => {
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() });
    server.failNext({ status: 400, json: { error: 'refresh_token_reused' } });
    scheduler = new RefreshScheduler(refresher, watched({ minIntervalMs: 0, failureBackoffMs: 10 }));
    const dead = next('needs_login');
    const stale = await scan();
    scheduler.set([stale]);
    await dead;
    expect(scheduler.list()[0]).toMatchObject({ at: null });
    expect(scheduler.list()[0]?.parked).toContain('refresh_token_reused');
    scheduler.set([stale]); // the same login from a later scan stays parked
    expect(scheduler.list()[0]?.at).toBeNull();
    expect(server.stats.calls).toBe(1);
    // The user logs in again: a new secret is planned afresh.
    server.issue('test-refresh-sched-new');
    await writeDemoLogin(home, {
      access: 'test-access-sched-new',
      refresh: 'test-refresh-sched-new',
      expiresAt: Date.now(),
    });
    const refreshed = next('refreshed');
    scheduler.set([await scan()]);
    await refreshed;
    expect(server.stats.calls).toBe(2);
  });

  it('stops: every timer cleared, and nothing is planned afterwards', async () => {
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + DEMO_LEAD_MS + 100 });
    scheduler = new RefreshScheduler(refresher, watched({ minIntervalMs: 0 }));
    const login = await scan();
    scheduler.set([login]);
    expect(scheduler.list()).toHaveLength(1);
    scheduler.stop();
    expect(scheduler.list()).toEqual([]);
    scheduler.set([login]);
    expect(scheduler.list()).toEqual([]);
    expect(server.stats.calls).toBe(0);
  });

  it('drops credentials no longer listed and leaves logins it cannot refresh unplanned', async () => {
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 3_600_000 });
    scheduler = new RefreshScheduler(refresher, watched());
    const login = await scan();
    const apiKey = {
      ...login,
      id: 'demo-cli:demo-ai:key-1',
      kind: 'api_key' as const,
      hasRefreshToken: false,
    };
    scheduler.set([login, apiKey]);
    expect(scheduler.list().find((s) => s.credentialId === apiKey.id)?.at).toBeNull();
    expect(scheduler.list().find((s) => s.credentialId === login.id)?.at).not.toBeNull();
    scheduler.set([apiKey]);
    expect(scheduler.list().map((s) => s.credentialId)).toEqual([apiKey.id]);
  });

  it('never leads by more than half the token’s remaining life (no refresh right after a refresh)', async () => {
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + DEMO_LEAD_MS + 200 });
    scheduler = new RefreshScheduler(refresher, watched({ minIntervalMs: 0, aheadMs: 10 * 3_600_000 }));
    const refreshed = next('refreshed');
    scheduler.set([await scan()]);
    await refreshed;
    // The new token lives an hour: refreshed again about half an hour before its CLI would.
    expect(Date.parse(scheduler.list()[0]?.at ?? '')).toBeGreaterThan(Date.now() + 20 * 60_000);
    expect(server.stats.calls).toBe(1);
  });

  it('backs off after an ineffective refresh (a new token that is due at once) instead of looping', async () => {
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() });
    server.expiresIn = 1; // due again as soon as it is issued
    scheduler = new RefreshScheduler(refresher, watched({ minIntervalMs: 0, failureBackoffMs: 60_000 }));
    const refreshed = next('refreshed');
    scheduler.set([await scan()]);
    await refreshed;
    expect(scheduler.list()[0]?.failures).toBe(1);
    expect(Date.parse(scheduler.list()[0]?.at ?? '')).toBeGreaterThan(Date.now() + 30_000);
    expect(server.stats.calls).toBe(1);
  });
});
