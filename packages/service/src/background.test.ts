// The background work of a service on real files: a store changed on disk is rescanned and
// re-imported by the watcher, and a token nothing renews raises one expiry alert.
import type { ValidationResult } from '@ctd/core';
import { createMemoryHistoryStore } from '@ctd/history';
import { ALL_ADAPTERS } from '@ctd/scanners';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_PROVIDER, demoCliAdapter, writeDemoLogin } from '../../refresher/src/test-support/demo-cli.ts';
import { type BackgroundEvent, startBackground } from './background.ts';
import type { ImportAction } from './import-plan.ts';
import { type CredentialImporter, createTokenDiscoveryService } from './service.ts';

class RecordingImporter implements CredentialImporter {
  readonly applied: { action: ImportAction; secret: string }[] = [];
  async hostFacts() {
    return { availableProviders: new Set([DEMO_PROVIDER, 'anthropic']) };
  }
  async apply(action: ImportAction, secret: string) {
    this.applied.push({ action, secret });
    return 'imported' as const;
  }
}

let home: TempHome;
let importer: RecordingImporter;

beforeEach(async () => {
  home = await createTempHome();
  importer = new RecordingImporter();
});

afterEach(async () => {
  await home.cleanup();
});

const valid = async (creds: readonly { id: string }[]): Promise<ValidationResult[]> =>
  creds.map((c) => ({
    credentialId: c.id,
    status: 'valid',
    reason: 'accepted by the stand-in',
    checkedAt: new Date().toISOString(),
    latencyMs: 0,
  }));

function makeService(config: Record<string, unknown> = {}) {
  const adapters = [...ALL_ADAPTERS, demoCliAdapter({ requiresOptIn: false })];
  const service = createTokenDiscoveryService({
    adapters,
    env: home.env,
    history: createMemoryHistoryStore(),
    importer,
    validate: valid,
    config,
  });
  return { service, adapters };
}

function nextEvent(
  events: BackgroundEvent[],
  pred: (e: BackgroundEvent) => boolean,
): Promise<BackgroundEvent> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const hit = events.find(pred);
      if (hit) {
        clearInterval(poll);
        resolve(hit);
      }
    }, 5);
  });
}

describe('startBackground', () => {
  it('re-imports a login changed on disk, by itself, well under a second', async () => {
    await writeDemoLogin(home.path, {
      access: 'test-access-bg-old-000',
      refresh: 'test-refresh-bg-old-000',
      expiresAt: Date.now() + 3_600_000,
    });
    const { service, adapters } = makeService({ autoRefresh: false });
    const events: BackgroundEvent[] = [];
    const bg = await startBackground(service, {
      env: home.env,
      adapters,
      debounceMs: 20,
      onEvent: (e) => events.push(e),
    });
    expect(bg.watching).toBe(true);
    await service.scan();
    expect(importer.applied.at(-1)?.secret).toBe('test-access-bg-old-000');
    // The CLI logs in again (or refreshes itself): a new store, written atomically.
    await writeDemoLogin(home.path, {
      access: 'test-access-bg-new-000',
      refresh: 'test-refresh-bg-new-000',
      expiresAt: Date.now() + 7_200_000,
    });
    const event = await nextEvent(events, (e) => e.type === 'reimported' && e.source === 'demo-cli');
    expect(event).toMatchObject({ type: 'reimported', found: 1, imported: 1 });
    expect(event.type === 'reimported' && event.latencyMs).toBeLessThan(1_000);
    expect(importer.applied.at(-1)?.secret).toBe('test-access-bg-new-000');
    // The merged picture keeps the other sources' credentials and has the new one.
    const status = await service.status();
    expect(status.credentials.filter((c) => c.source === 'demo-cli')).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain('test-access-bg-new-000');
    await bg.stop();
    await service.close();
  });

  it('alerts once when a token nothing renews is inside the warning threshold, and status shows it', async () => {
    // A Claude login without a refresh token, ending in 2 hours (the threshold is 24 h).
    await home.writeJson('.claude/.credentials.json', {
      claudeAiOauth: { accessToken: 'sk-ant-oat01-test-expiring-000', expiresAt: Date.now() + 2 * 3_600_000 },
    });
    const { service, adapters } = makeService({ watch: false, autoRefresh: false });
    const events: BackgroundEvent[] = [];
    const bg = await startBackground(service, { env: home.env, adapters, onEvent: (e) => events.push(e) });
    await service.scan();
    await service.scan();
    const alerts = events.filter((e) => e.type === 'expiry');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ alert: { source: 'claude-code', state: 'expiring' } });
    const status = await service.status();
    const row = status.credentials.find((c) => c.source === 'claude-code');
    expect(row?.expiry).toMatchObject({ state: 'expiring' });
    expect(bg.expiry().find((a) => a.source === 'claude-code')?.state).toBe('expiring');
    await bg.stop();
    await service.close();
  });
});

describe('rescan and scan', () => {
  it('a scan asked for while a rescan runs is a whole scan, not the rescan’s part', async () => {
    await writeDemoLogin(home.path, {
      access: 'test-access-bg-part-000',
      refresh: 'test-refresh-bg-part-000',
      expiresAt: Date.now() + 3_600_000,
    });
    await home.writeJson('.claude/.credentials.json', {
      claudeAiOauth: { accessToken: 'sk-ant-oat01-test-part-0000', expiresAt: Date.now() + 48 * 3_600_000 },
    });
    const { service } = makeService({ autoRefresh: false, watch: false });
    const partial = service.rescan(['demo-cli']);
    const whole = await service.scan();
    expect((await partial).credentials.map((c) => c.source)).toEqual(['demo-cli']);
    expect(whole.credentials.map((c) => c.source).sort()).toEqual(['claude-code', 'demo-cli']);
    await service.close();
  });
});

describe('the refresh token’s end of life', () => {
  it('a login whose refresh token ends inside the threshold is expiring, though its access token renews', async () => {
    await home.writeJson('.claude/.credentials.json', {
      claudeAiOauth: {
        accessToken: 'sk-ant-oat01-test-eol-0000',
        refreshToken: 'sk-ant-ort01-test-eol-0000',
        expiresAt: Date.now() - 60_000,
        refreshTokenExpiresAt: Date.now() + 2 * 3_600_000,
      },
    });
    const { service } = makeService({ watch: false, autoRefresh: false });
    const row = (await service.status()).credentials.find((c) => c.source === 'claude-code');
    expect(row?.hasRefreshToken).toBe(true);
    expect(row?.refreshExpiresAt).toBeDefined();
    expect(row?.expiry).toMatchObject({ state: 'expiring', reason: 'its refresh token expires in 2 h' });
    await service.close();
  });
});
