import { mkdtemp, rm, stat, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DiscoveredCredential } from '@ctd/core';
import { createMemoryHistoryStore } from '@ctd/history';
import { createScanContext, type SourceAdapter } from '@ctd/scanners';
import type { FakeOAuthServer } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RefreshEvent, Refresher, type RefresherOptions } from './index.ts';
import {
  DEMO_BASE_URL_ENV,
  DEMO_SOURCE,
  demoCliAdapter,
  readDemoStore,
  writeDemoLogin,
} from './test-support/demo-cli.ts';
import { startDemoOAuth } from './test-support/demo-oauth.ts';

const OLD = { access: 'test-access-old-0000', refresh: 'test-refresh-old-0000' };

let home: string;
let server: FakeOAuthServer;
let env: Record<string, string>;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'ctd-refresher-'));
  server = await startDemoOAuth({ refreshTokens: [OLD.refresh] });
  env = { HOME: home, [DEMO_BASE_URL_ENV]: server.origin };
});

afterEach(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

async function scanOne(adapter: SourceAdapter): Promise<DiscoveredCredential> {
  const ctx = createScanContext({ env, adapters: [adapter] });
  const found = (await adapter.scan(ctx)).credentials[0];
  if (!found) throw new Error('no login in the store');
  return found;
}

function refresher(adapter: SourceAdapter, options: Partial<RefresherOptions> = {}): Refresher {
  return new Refresher({
    adapters: [adapter],
    env,
    stateDir: join(home, 'state'),
    retry: { attempts: 3, baseDelayMs: 5 },
    ...options,
  });
}

/** A login due now: it expires within the CLI's lead time. */
const dueLogin = () => writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 30_000 });

describe('Refresher', () => {
  it('refreshes a due login once, writes it back in the store, and returns no token', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const history = createMemoryHistoryStore();
    const outcome = await refresher(adapter, { history }).refresh(await scanOne(adapter));
    expect(outcome.status).toBe('refreshed');
    expect(outcome.calls).toBe(1);
    expect(server.stats.calls).toBe(1);
    const store = await readDemoStore(home);
    expect(store.oauth.access_token).toBe(server.grants.at(-1)?.accessToken);
    expect(store.oauth.refresh_token).toBe(server.grants.at(-1)?.refreshToken);
    expect(store.settings).toEqual({ theme: 'dark' }); // unknown fields kept
    expect(Date.parse(outcome.expiresAt ?? '')).toBeGreaterThan(Date.now() + 3_000_000);
    const text = JSON.stringify(outcome);
    for (const secret of [
      OLD.access,
      OLD.refresh,
      server.grants.at(-1)?.accessToken,
      server.grants.at(-1)?.refreshToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(server.requests.at(-1)?.headers['content-type']).toBe('application/json');
    expect(server.requests.at(-1)?.headers['x-demo-client']).toBe('demo-cli');
    const entry = history.get(outcome.credentialId);
    expect(entry?.status).toBe('active');
    expect(entry?.hash).toBe(outcome.hash);
  });

  it('leaves a login that is not due alone, unless forced', async () => {
    const adapter = demoCliAdapter();
    await writeDemoLogin(home, { ...OLD, expiresAt: Date.now() + 3_600_000 });
    const credential = await scanOne(adapter);
    const r = refresher(adapter);
    const notDue = await r.refresh(credential);
    expect(notDue.status).toBe('not-due');
    expect(notDue.nextRefreshAt).not.toBeNull();
    expect(server.stats.calls).toBe(0);
    expect((await r.refresh(credential, { force: true })).status).toBe('refreshed');
    expect(server.stats.calls).toBe(1);
  });

  it('shares one refresh among concurrent callers in a process, and between refreshers through the lock', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const credential = await scanOne(adapter);
    const shared = refresher(adapter);
    const separate = Array.from({ length: 5 }, () => refresher(adapter));
    server.delayMs = 50; // let every caller arrive while the first refresh is on the wire
    const outcomes = await Promise.all([
      ...Array.from({ length: 10 }, () => shared.refresh(credential)),
      ...separate.map((r) => r.refresh(credential)),
    ]);
    expect(server.stats.calls).toBe(1);
    expect(server.stats.reuses).toBe(0);
    const statuses = outcomes.map((o) => o.status);
    expect(statuses.every((s) => s === 'refreshed' || s === 'refreshed-by-other')).toBe(true);
    // The ten callers of one refresher share its one flight: one outcome object.
    expect(new Set(outcomes.slice(0, 10)).size).toBe(1);
    expect(outcomes.reduce((n, o) => n + o.calls, 0)).toBe(outcomes[0]?.calls === 1 ? 10 : 1);
    expect((await readDemoStore(home)).oauth.refresh_token).toBe(server.grants.at(-1)?.refreshToken);
  });

  it('uses the store when another refresher wrote newer tokens since the scan (re-read inside the lock)', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const stale = await scanOne(adapter);
    expect((await refresher(adapter).refresh(stale)).status).toBe('refreshed');
    const history = createMemoryHistoryStore();
    const outcome = await refresher(adapter, { history }).refresh(stale, { force: true });
    expect(outcome.status).toBe('refreshed-by-other');
    expect(outcome.calls).toBe(0);
    expect(server.stats.calls).toBe(1);
    expect(outcome.hash).not.toBe(stale.hash);
    expect(history.get(stale.id)?.hash).toBe(outcome.hash); // the history follows the store
  });

  it('marks a login whose refresh token is dead as needs_login, with the re-login methods, and never sends it again', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    server.failNext({ status: 400, json: { error: 'refresh_token_reused' } });
    const history = createMemoryHistoryStore();
    const credential = await scanOne(adapter);
    const needs: RefreshEvent[] = [];
    const r = refresher(adapter, { history });
    r.on('needs_login', (e) => needs.push(e));
    const outcome = await r.refresh(credential);
    expect(outcome).toMatchObject({ status: 'needs_login', code: 'refresh_token_reused', calls: 1 });
    expect(outcome.relogin?.map((m) => m.type)).toEqual(['cli-login', 'key-page', 'paste-key']);
    expect(needs).toHaveLength(1);
    const entry = history.get(credential.id);
    expect(entry?.status).toBe('invalid');
    expect(entry?.statusReason).toContain('needs login (refresh_token_reused)');
    expect(entry?.statusReason).toContain('demo login');
    // Another refresher, another run, even forced: the dead token is not spent again.
    const again = await refresher(adapter).refresh(credential, { force: true });
    expect(again).toMatchObject({ status: 'needs_login', calls: 0 });
    expect(server.stats.calls).toBe(1);
    // A new login (a new refresh token) is refreshed again.
    await writeDemoLogin(home, {
      access: 'test-access-new',
      refresh: 'test-refresh-new',
      expiresAt: Date.now(),
    });
    server.issue('test-refresh-new');
    expect((await refresher(adapter).refresh(await scanOne(adapter))).status).toBe('refreshed');
  });

  it('retries transient failures with backoff, then succeeds', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    server.failNext('server_error', 'reset');
    const outcome = await refresher(adapter).refresh(await scanOne(adapter));
    expect(outcome).toMatchObject({ status: 'refreshed', calls: 3 });
    expect(server.stats.calls).toBe(3);
  });

  it('reports failed when transient failures outlive the retries, and tries again on the next run', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    server.failNext('server_error', { status: 500, json: {} }, 'rate_limited');
    const history = createMemoryHistoryStore();
    const credential = await scanOne(adapter);
    const failed = await refresher(adapter, { history }).refresh(credential);
    expect(failed).toMatchObject({ status: 'failed', code: 'rate_limit_exceeded', calls: 3 });
    expect(history.get(credential.id)?.needs).toBe('refresh');
    expect((await refresher(adapter, { history }).refresh(credential)).status).toBe('refreshed');
    expect(history.get(credential.id)?.needs).toBeNull();
  });

  it('stops at the deadline', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    server.failNext('server_error', 'server_error', 'server_error');
    const outcome = await refresher(adapter, {
      retry: { attempts: 3, baseDelayMs: 10_000 },
      deadlineMs: 2_000,
    }).refresh(await scanOne(adapter));
    expect(outcome).toMatchObject({ status: 'failed', calls: 1 });
  });

  it('stops when cancelled, spending nothing', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const outcome = await refresher(adapter).refresh(await scanOne(adapter), { signal: AbortSignal.abort() });
    expect(outcome).toMatchObject({ status: 'failed', code: 'CANCELLED', calls: 0 });
    expect(server.stats.calls).toBe(0);
  });

  it('refreshes a login whose provider asks for an opt-in only when the user opted in', async () => {
    const adapter = demoCliAdapter({ requiresOptIn: true });
    await dueLogin();
    const credential = await scanOne(adapter);
    const refused = await refresher(adapter).refresh(credential);
    expect(refused.status).toBe('opt-in-required');
    expect(server.stats.calls).toBe(0);
    const optedIn = refresher(adapter, { optedIn: (c) => c.source === DEMO_SOURCE });
    expect((await optedIn.refresh(credential)).status).toBe('refreshed');
  });

  it('says not-refreshable for an API key, a retired provider and an adapter that cannot write back', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const credential = await scanOne(adapter);
    const apiKey = { ...credential, kind: 'api_key' as const, hasRefreshToken: false };
    expect((await refresher(adapter).refresh(apiKey)).status).toBe('not-refreshable');
    const retired: SourceAdapter = {
      ...adapter,
      providers: { 'demo-ai': { ...adapter.providers['demo-ai'], oauthRefresh: false } },
    };
    const r1 = await refresher(retired).refresh(credential);
    expect(r1.status).toBe('not-refreshable');
    expect(r1.reason).toContain('retired');
    const { writeBack: _w, ...readOnly } = adapter;
    expect((await refresher(readOnly as SourceAdapter).refresh(credential)).status).toBe('not-refreshable');
    expect(server.stats.calls).toBe(0);
  });

  it('sends a refresh token only over TLS or to loopback', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    env[DEMO_BASE_URL_ENV] = 'http://auth.demo.example';
    const outcome = await refresher(adapter, { retry: { attempts: 1 } }).refresh(await scanOne(adapter));
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('not https');
    expect(server.stats.calls).toBe(0);
  });

  it('caps the answer it reads', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    server.failNext({ status: 200, json: { access_token: 'x'.repeat(200_000) } });
    const outcome = await refresher(adapter, { retry: { attempts: 1 } }).refresh(await scanOne(adapter));
    expect(outcome.status).toBe('failed');
    expect(outcome.reason).toContain('larger');
  });

  it('reports needs_login when the store no longer holds the login', async () => {
    const adapter = demoCliAdapter();
    const path = await dueLogin();
    const credential = await scanOne(adapter);
    await unlink(path);
    const outcome = await refresher(adapter).refresh(credential);
    expect(outcome).toMatchObject({ status: 'needs_login', code: 'LOGIN_GONE', calls: 0 });
  });

  it('emits refreshed with the new credential, whose secret is the new access token', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const r = refresher(adapter);
    const seen = new Promise<RefreshEvent>((resolve) => r.on('refreshed', resolve));
    await r.refresh(await scanOne(adapter));
    const event = await seen;
    expect(event.outcome.status).toBe('refreshed');
    expect(event.credential?.secret.reveal()).toBe(server.grants.at(-1)?.accessToken);
    expect(JSON.stringify(event.credential)).not.toContain(server.grants.at(-1)?.accessToken);
  });

  it('keeps its journal private (0700 directory) and empty after a clean refresh', async () => {
    const adapter = demoCliAdapter();
    await dueLogin();
    const r = refresher(adapter);
    await r.refresh(await scanOne(adapter));
    expect((await stat(r.stateDir)).mode & 0o777).toBe(0o700);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(r.stateDir)).toEqual([]);
  });
});
