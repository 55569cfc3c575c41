// refreshToken with the refresher: a demo CLI (test-only adapter) whose token endpoint is a real
// loopback server with single-use refresh tokens, and a gateway stand-in that records what it is given.
import { createMemoryHistoryStore } from '@ctd/history';
import { ALL_ADAPTERS } from '@ctd/scanners';
import { createTempHome, type FakeOAuthServer, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEMO_BASE_URL_ENV,
  DEMO_LEAD_MS,
  DEMO_PROVIDER,
  demoCliAdapter,
  readDemoStore,
  writeDemoLogin,
} from '../../refresher/src/test-support/demo-cli.ts';
import { startDemoOAuth } from '../../refresher/src/test-support/demo-oauth.ts';
import type { ImportAction } from './import-plan.ts';
import { type CredentialImporter, createTokenDiscoveryService } from './service.ts';

const OLD = { access: 'test-access-svc-old-000', refresh: 'test-refresh-svc-old-000' };

class RecordingImporter implements CredentialImporter {
  readonly applied: { action: ImportAction; secret: string }[] = [];
  async hostFacts() {
    return { availableProviders: new Set([DEMO_PROVIDER]) };
  }
  async apply(action: ImportAction, secret: string) {
    this.applied.push({ action, secret });
    return 'imported' as const;
  }
}

let home: TempHome;
let server: FakeOAuthServer;
let importer: RecordingImporter;

beforeEach(async () => {
  home = await createTempHome();
  server = await startDemoOAuth({ refreshTokens: [OLD.refresh] });
  importer = new RecordingImporter();
});
afterEach(async () => {
  await server.close();
  await home.cleanup();
});

function makeService(options: { requiresOptIn?: boolean; config?: unknown } = {}) {
  return createTokenDiscoveryService({
    adapters: [...ALL_ADAPTERS, demoCliAdapter({ requiresOptIn: options.requiresOptIn ?? false })],
    env: { ...home.env, [DEMO_BASE_URL_ENV]: server.origin },
    history: createMemoryHistoryStore(),
    historyFile: home.resolve('state/history.json'),
    importer,
    config: options.config ?? {},
  });
}

describe('TokenDiscoveryService.refreshToken', () => {
  it('refreshes a due login, writes it back, and gives the gateway the new access token only', async () => {
    await writeDemoLogin(home.path, { ...OLD, expiresAt: Date.now() + 10_000 });
    const service = makeService();
    const out = await service.refreshToken({ target: 'demo-cli' });
    expect(out.outcomes).toHaveLength(1);
    const outcome = out.outcomes?.[0];
    expect(outcome).toMatchObject({ status: 'refreshed', calls: 1, import: { status: 'imported' } });
    const store = await readDemoStore(home.path);
    expect(store.oauth.access_token).toBe(server.grants.at(-1)?.accessToken);
    expect(importer.applied).toHaveLength(1);
    const applied = importer.applied[0];
    expect(applied?.secret).toBe(server.grants.at(-1)?.accessToken);
    expect(applied?.action.mode).toBe('token');
    expect(applied?.action.expiresAtMs).toBe(store.oauth.expires_at);
    const text = JSON.stringify(out);
    for (const secret of [
      OLD.access,
      OLD.refresh,
      server.grants.at(-1)?.accessToken,
      server.grants.at(-1)?.refreshToken,
    ]) {
      expect(text).not.toContain(secret);
    }
    // The other methods are listed for when the login dies; the automatic refresh is not one of them.
    expect(out.methods.map((m) => m.type)).toContain('cli-login');
    expect(out.methods.map((m) => m.type)).not.toContain('oauth-refresh');
    await service.close();
  });

  it('refreshes a login that is not due only with method oauth-refresh', async () => {
    await writeDemoLogin(home.path, { ...OLD, expiresAt: Date.now() + 3_600_000 });
    const service = makeService();
    const auto = await service.refreshToken({ target: 'demo-cli' });
    expect(auto.outcomes?.[0]?.status).toBe('not-due');
    expect(server.stats.calls).toBe(0);
    const forced = await service.refreshToken({ target: 'demo-cli', method: 'oauth-refresh' });
    expect(forced.outcomes?.[0]?.status).toBe('refreshed');
    expect(server.stats.calls).toBe(1);
    await service.close();
  });

  it('reports needs_login with the methods that fix it', async () => {
    await writeDemoLogin(home.path, { ...OLD, expiresAt: Date.now() });
    server.failNext({ status: 400, json: { error: 'refresh_token_expired' } });
    const service = makeService();
    const out = await service.refreshToken({ target: 'demo-cli' });
    expect(out.outcomes?.[0]).toMatchObject({ status: 'needs_login', code: 'refresh_token_expired' });
    expect(out.outcomes?.[0]?.relogin?.map((m) => m.type)).toContain('cli-login');
    expect(out.note).toMatch(/new login/);
    expect(importer.applied).toHaveLength(0);
    await service.close();
  });

  it('refreshes a login whose provider asks for an opt-in only with cliSources.<source>.importLogins', async () => {
    await writeDemoLogin(home.path, { ...OLD, expiresAt: Date.now() });
    const refused = await makeService({ requiresOptIn: true }).refreshToken({ target: 'demo-cli' });
    expect(refused.outcomes?.[0]?.status).toBe('opt-in-required');
    expect(server.stats.calls).toBe(0);
    const allowed = makeService({
      requiresOptIn: true,
      config: { cliSources: { 'demo-cli': { importLogins: true } } },
    });
    expect((await allowed.refreshToken({ target: 'demo-cli' })).outcomes?.[0]?.status).toBe('refreshed');
  });

  it('answers BAD_USAGE for a method it does not know, spending nothing', async () => {
    await writeDemoLogin(home.path, { ...OLD, expiresAt: Date.now() });
    const service = makeService();
    await expect(service.refreshToken({ target: 'demo-cli', method: 'telepathy' })).rejects.toMatchObject({
      code: 'BAD_USAGE',
    });
    expect(server.stats.calls).toBe(0);
  });

  it('keepAlive refreshes a scanned login at its CLI’s moment and updates the gateway profile', async () => {
    // Due in about 200 ms: the demo CLI refreshes a minute before expiry.
    await writeDemoLogin(home.path, { ...OLD, expiresAt: Date.now() + DEMO_LEAD_MS + 200 });
    const service = makeService();
    const scheduler = await service.keepAlive({ minIntervalMs: 0 });
    const refreshed = new Promise<void>((resolve) => {
      void service.refresher().then((r) => r.on('refreshed', () => resolve()));
    });
    await service.scan({ sources: ['demo-cli'], validate: false });
    expect(scheduler.list()).toHaveLength(1);
    await refreshed;
    await expect.poll(() => importer.applied.at(-1)?.secret).toBe(server.grants.at(-1)?.accessToken);
    expect((await readDemoStore(home.path)).oauth.access_token).toBe(server.grants.at(-1)?.accessToken);
    await service.close();
    expect(scheduler.list()).toEqual([]);
  });

  it('says a retired provider’s login cannot be refreshed, without a call', async () => {
    await fixtures.qwen.writeQwenOAuth(home);
    const out = await makeService().refreshToken({ target: 'qwen-cli' });
    expect(out.outcomes).toHaveLength(1);
    expect(out.outcomes?.[0]).toMatchObject({ status: 'not-refreshable', calls: 0 });
    expect(out.outcomes?.[0]?.reason).toMatch(/retired/);
    expect(out.methods.map((m) => m.type)).toContain('key-page');
  });
});
