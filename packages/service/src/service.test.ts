import { mkdir } from 'node:fs/promises';
import { CtdError } from '@ctd/core';
import { createMemoryHistoryStore } from '@ctd/history';
import {
  createTempHome,
  type FakeProvider,
  fixtures,
  startFakeGemini,
  startFakeOpenAI,
  startFakeOpenAIOAuth,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import type { ImportAction } from './import-plan.ts';
import { type CredentialImporter, createTokenDiscoveryService } from './service.ts';

const OPENAI_KEY = fixtures.codex.CODEX.apiKey;
const GEMINI_KEY = 'AIzaSy-test-PLACEHOLDER-service-000000000';
const BAD_KEY = 'sk-test-PLACEHOLDER-revoked-0000000000000';

/** A gateway stand-in that keeps profiles in memory, idempotent like the real importer must be. */
class MemoryImporter implements CredentialImporter {
  readonly profiles = new Map<string, { action: ImportAction; secret: string }>();
  writes = 0;
  setOrder?: (provider: string, ids: readonly string[]) => Promise<void>;
  async hostFacts() {
    return { availableProviders: new Set(['openai', 'google', 'anthropic']) };
  }
  async apply(action: ImportAction, secret: string) {
    const existing = this.profiles.get(action.profileId);
    if (existing && existing.secret === secret && existing.action.mode === action.mode)
      return 'unchanged' as const;
    this.profiles.set(action.profileId, { action, secret });
    this.writes++;
    return 'imported' as const;
  }
}

let home: TempHome;
let openai: FakeProvider;
let gemini: FakeProvider;
let importer: MemoryImporter;
beforeEach(async () => {
  home = await createTempHome();
  openai = await startFakeOpenAI({ keys: { [OPENAI_KEY]: 'valid', [BAD_KEY]: 'revoked' } });
  gemini = await startFakeGemini({ keys: { [GEMINI_KEY]: 'valid' } });
  importer = new MemoryImporter();
});
afterEach(async () => {
  await Promise.all([openai.close(), gemini.close(), home.cleanup()]);
});

const makeService = (config: unknown = {}, extraEnv: Record<string, string> = {}) =>
  createTokenDiscoveryService({
    config,
    env: {
      ...home.env,
      CTD_OPENAI_BASE_URL: openai.baseUrl,
      CTD_GOOGLE_BASE_URL: gemini.baseUrl,
      ...extraEnv,
    },
    history: createMemoryHistoryStore(),
    importer,
    timeoutMs: 2000,
  });

describe('TokenDiscoveryService.scan', () => {
  it('detects, validates, imports valid credentials and records them; a second scan changes nothing', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    await home.write('.gemini/.env', `GEMINI_API_KEY=${GEMINI_KEY}\n`);
    const service = makeService();
    const first = await service.scan();
    expect(first.summary).toMatchObject({ found: 2, valid: 2, imported: 2, skipped: 0 });
    expect([...importer.profiles.keys()].sort()).toEqual([
      expect.stringMatching(/^google:ctd-gemini-cli-key-/),
      expect.stringMatching(/^openai:ctd-codex-cli-key-/),
    ]);
    const second = await service.scan();
    expect(second.summary).toMatchObject({ imported: 0, unchanged: 2 });
    expect(importer.writes).toBe(2);
    const history = await service.getHistory();
    expect(history.records).toHaveLength(2);
    const json = JSON.stringify([first, second, history]);
    expect(json).not.toContain(OPENAI_KEY);
    expect(json).not.toContain(GEMINI_KEY);
  });

  it('does not import a credential its provider rejects, and says why', async () => {
    await home.writeJson('.codex/auth.json', { auth_mode: 'apikey', OPENAI_API_KEY: BAD_KEY });
    const out = await makeService().scan();
    expect(out.credentials[0]?.validation?.status).toBe('invalid');
    expect(out.credentials[0]?.import).toMatchObject({ status: 'skipped', code: 'not-valid' });
    expect(importer.profiles.size).toBe(0);
  });

  it('imports nothing when autoImport is off, and scans only enabled sources', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    await home.write('.gemini/.env', `GEMINI_API_KEY=${GEMINI_KEY}\n`);
    const out = await makeService({ autoImport: false, cliSources: { gemini: { enabled: false } } }).scan();
    expect(out.credentials.map((c) => c.source)).toEqual(['codex-cli']);
    expect(out.credentials[0]?.import.status).toBe('off');
    expect(importer.profiles.size).toBe(0);
  });

  it('rejects bad params with a BAD_USAGE error naming the field', async () => {
    const service = makeService();
    await expect(service.scan({ validate: 'yes' })).rejects.toMatchObject({ code: 'BAD_USAGE' });
    await expect(service.scan({ sources: ['nope'] })).rejects.toThrow(/sources/);
    await expect(service.scan({ extra: 1 })).rejects.toBeInstanceOf(CtdError);
  });
});

describe('TokenDiscoveryService other operations', () => {
  it('importManual validates with the CLI’s provider, imports, records, and never echoes the token', async () => {
    const service = makeService();
    const ok = await service.importManual({ cli: 'codex', token: OPENAI_KEY });
    expect(ok.credential).toMatchObject({
      provider: 'openai',
      kind: 'api_key',
      import: { status: 'imported' },
    });
    expect(ok.credential.validation?.status).toBe('valid');
    const bad = await service.importManual({ cli: 'codex', token: BAD_KEY });
    expect(bad.credential.import).toMatchObject({ status: 'skipped', code: 'not-valid' });
    expect(JSON.stringify([ok, bad])).not.toContain(OPENAI_KEY);
    expect(JSON.stringify([ok, bad])).not.toContain(BAD_KEY);
    expect((await service.getHistory()).records).toHaveLength(2);
    await expect(service.importManual({ cli: 'codex', token: 'short' })).rejects.toMatchObject({
      code: 'BAD_USAGE',
    });
    await expect(service.importManual({ cli: 'nope', token: OPENAI_KEY })).rejects.toThrow(/cli/);
  });

  it('refreshToken lists the methods that apply to a CLI or a credential', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    // The fixture's login is due, so refreshToken refreshes it: against a loopback token endpoint.
    const oauth = await startFakeOpenAIOAuth({ refreshTokens: [fixtures.codex.CODEX.refreshToken] });
    onTestFinished(() => oauth.close());
    const service = makeService({}, { CTD_OPENAI_OAUTH_URL: oauth.origin });
    const byCli = await service.refreshToken({ target: 'codex' });
    expect(byCli.outcomes?.map((o) => o.status)).toEqual(['refreshed']);
    expect(byCli.credentials).toHaveLength(1);
    expect(byCli.methods.map((m) => m.type)).toEqual(expect.arrayContaining(['cli-login', 'key-page']));
    expect(JSON.stringify(byCli)).toContain('codex login');
    const id = byCli.credentials[0]!.id;
    expect((await service.refreshToken({ target: id })).credentials[0]?.id).toBe(id);
    const none = await service.refreshToken({ target: 'kimi' });
    expect(none.credentials).toEqual([]);
    expect(none.methods.length).toBeGreaterThan(0);
    await expect(service.refreshToken({ target: 'nonexistent' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('status summarizes per source and provider; clearHistory removes one or all', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    await home.write('.gemini/.env', `GEMINI_API_KEY=${GEMINI_KEY}\n`);
    const service = makeService();
    expect((await service.status()).lastScan).toBeNull();
    const out = await service.scan();
    const status = await service.status();
    expect(status.lastScan?.found).toBe(2);
    expect(status.sources).toContainEqual(
      expect.objectContaining({
        source: 'codex-cli',
        provider: 'openai',
        credentials: 1,
        byStatus: { valid: 1 },
        imported: 1,
      }),
    );
    const id = out.credentials[0]!.id;
    expect(await service.clearHistory({ id })).toEqual({ removed: 1 });
    await expect(service.getHistory({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await service.clearHistory({})).toEqual({ removed: 1 });
  });
});

describe('TokenDiscoveryService.status', () => {
  it('lists every known credential from the stores and the history, without a network call or a write', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    const history = createMemoryHistoryStore();
    const options = {
      env: { ...home.env, CTD_OPENAI_BASE_URL: openai.baseUrl },
      history,
      importer,
      timeoutMs: 2000,
    };
    // A first process scans (one check, one import) and an agent uses the key twice.
    const first = createTokenDiscoveryService(options);
    const scanned = await first.scan();
    const id = scanned.credentials[0]!.id;
    history.recordUse(id, Date.parse('2026-11-30T10:00:00Z'));
    history.recordResult(id, { ok: true, at: Date.parse('2026-11-30T10:00:01Z') });
    history.recordUse(id, Date.parse('2026-11-30T11:00:00Z'));
    history.recordResult(id, { ok: false, at: Date.parse('2026-11-30T11:00:01Z') });
    // A credential seen once, whose store is gone now.
    history.ensure({
      id: 'environment:openai:key-gone',
      hash: 'f'.repeat(64),
      source: 'environment',
      provider: 'openai',
    });
    const checksBefore = openai.tokens().length;
    const writesBefore = importer.writes;

    const status = await createTokenDiscoveryService(options).status();
    expect(openai.tokens().length).toBe(checksBefore);
    expect(importer.writes).toBe(writesBefore);
    expect(status.lastScan).toBeNull();
    const row = status.credentials.find((c) => c.id === id);
    expect(row).toMatchObject({
      source: 'codex-cli',
      provider: 'openai',
      kind: 'api_key',
      inLastScan: true,
      status: 'valid',
      lastCheck: { status: 'valid' },
      usage: {
        count: 2,
        successes: 1,
        failures: 1,
        consecutiveFailures: 1,
        lastUsed: '2026-11-30T11:00:00.000Z',
      },
      policy: expect.objectContaining({ stance: 'allowed' }),
    });
    expect(row?.preview).toBe(scanned.credentials[0]!.preview);
    expect(row?.refreshMethods?.length).toBeGreaterThan(0);
    expect(status.credentials.find((c) => c.id === 'environment:openai:key-gone')).toMatchObject({
      inLastScan: false,
      status: 'unchecked',
      usage: { count: 0 },
    });
    expect(status.sources).toEqual([
      expect.objectContaining({
        source: 'codex-cli',
        provider: 'openai',
        credentials: 1,
        byStatus: { valid: 1 },
      }),
    ]);
    expect(JSON.stringify(status)).not.toContain(OPENAI_KEY);
  });

  it('carries the import of the last scan in this process', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    const service = makeService();
    await service.scan();
    const [row] = (await service.status()).credentials;
    expect(row?.import).toMatchObject({
      status: 'imported',
      profileId: expect.stringMatching(/^openai:ctd-codex-cli-/),
    });
  });
});

describe('TokenDiscoveryService and a history that cannot be written', () => {
  it('still answers the scan, with the failure as an issue naming the file', async () => {
    await fixtures.codex.writeCodexApiKey(home);
    const file = home.resolve('.openclaw/cli-token-history.json');
    // A directory where the lock file should be: the lock cannot be taken, and must not hang.
    await mkdir(`${file}.lock`, { recursive: true });
    const service = createTokenDiscoveryService({
      env: { ...home.env, CTD_OPENAI_BASE_URL: openai.baseUrl },
      historyFile: file,
      importer,
      timeoutMs: 2000,
    });
    const out = await service.scan();
    expect(out.summary).toMatchObject({ found: 1, valid: 1, imported: 1 });
    expect(out.issues).toContainEqual(
      expect.objectContaining({ source: 'history', path: file, severity: 'error', code: expect.any(String) }),
    );
    await service.close().catch(() => {});
  });

  it('shows the status a usage report left in the history when no check was recorded', async () => {
    const history = createMemoryHistoryStore();
    history.ensure({
      id: 'environment:openai:key-x',
      hash: 'e'.repeat(64),
      source: 'environment',
      provider: 'openai',
    });
    history.setStatus('environment:openai:key-x', 'revoked', 'the provider said so', Date.now());
    const status = await createTokenDiscoveryService({ env: home.env, history }).status();
    expect(status.credentials.find((c) => c.id === 'environment:openai:key-x')?.status).toBe('invalid');
  });
});

describe('TokenDiscoveryService.rotator', () => {
  it("hands out the last scan's working credentials with the configured strategy and priorities", async () => {
    await fixtures.codex.writeCodexApiKey(home);
    const other = 'sk-test-PLACEHOLDER-env-openai-rotator-00';
    openai.script(other, 'valid');
    const service = makeService(
      { rotationStrategy: 'priority', cliSources: { environment: { priority: 0 } } },
      { OPENAI_API_KEY: other, GEMINI_API_KEY: 'AIzaSy-test-PLACEHOLDER-unknown-0000000000' },
    );
    await service.scan();
    const rotator = await service.rotator();
    const lease = rotator.acquire({ provider: 'openai' });
    expect(lease.ok && lease.credential.source).toBe('environment');
    // A credential its provider rejected is never handed out.
    expect(rotator.acquire({ provider: 'google' }).ok).toBe(false);
  });
});

describe('rotation strategy priority', () => {
  it('orders imported profiles of a provider by their CLI priority', async () => {
    const orders: [string, readonly string[]][] = [];
    importer.setOrder = async (provider: string, ids: readonly string[]) => {
      orders.push([provider, ids]);
    };
    await fixtures.codex.writeCodexApiKey(home);
    const other = 'sk-test-PLACEHOLDER-env-openai-priority-000';
    openai.script(other, 'valid');
    const service = makeService(
      { rotationStrategy: 'priority', cliSources: { env: { priority: 0 } } },
      { OPENAI_API_KEY: other },
    );
    await service.scan();
    expect(orders).toHaveLength(1);
    expect(orders[0]?.[0]).toBe('openai');
    expect(orders[0]?.[1]).toEqual([
      expect.stringMatching(/^openai:ctd-environment-/),
      expect.stringMatching(/^openai:ctd-codex-cli-/),
    ]);
    await makeService({}, { OPENAI_API_KEY: other }).scan();
    expect(orders).toHaveLength(1);
  });
});
