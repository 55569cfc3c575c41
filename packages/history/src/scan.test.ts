import { readFileSync } from 'node:fs';
import type { CredentialInfo, ValidationResult } from '@ctd/core';
import { sha256Hex } from '@ctd/core/node';
import { createTempHome } from '@ctd/test-utils';
import { describe, expect, it, onTestFinished } from 'vitest';
import { openHistoryStore } from './file-store.ts';
import { createMemoryHistoryStore } from './memory-store.ts';
import { applyValidationResult, recordScan } from './scan.ts';

const T = Date.parse('2026-05-01T12:00:00.000Z');
const SECRET = 'sk-proj-test-PLACEHOLDER-abcdefghijklmnopqrstuvwxyz0123456789';

function cred(overrides: Partial<CredentialInfo> = {}): CredentialInfo {
  return {
    id: 'codex-cli:openai:acct-1',
    source: 'codex-cli',
    provider: 'openai',
    kind: 'api_key',
    label: 'API key',
    hash: sha256Hex(SECRET),
    preview: 'sk-p…6789',
    expiresAt: null,
    account: {},
    origin: { type: 'file', path: '/home/me/.codex/auth.json', field: 'OPENAI_API_KEY' },
    hasRefreshToken: false,
    policy: { stance: 'allowed', requiresOptIn: false, note: 'ok', asOf: '2026-05-01' },
    refreshMethods: [],
    keyPage: null,
    ...overrides,
  };
}

function check(status: ValidationResult['status'], extra: Partial<ValidationResult> = {}): ValidationResult {
  return {
    credentialId: 'codex-cli:openai:acct-1',
    status,
    reason: `provider said ${status}`,
    checkedAt: new Date(T).toISOString(),
    latencyMs: 80,
    ...extra,
  };
}

describe('recordScan', () => {
  it('records first and last seen, and only the hash, in the history file', async () => {
    const home = await createTempHome();
    onTestFinished(() => home.cleanup());
    const store = await openHistoryStore({ env: home.env, flushIntervalMs: 0, flushOnExit: false });
    onTestFinished(() => store.close());
    const first = await recordScan(store, [cred()], [], T);
    expect(first).toMatchObject({ added: ['codex-cli:openai:acct-1'], seen: [] });
    const second = await recordScan(store, [cred()], [], new Date(T + 60_000));
    expect(second).toMatchObject({ added: [], seen: ['codex-cli:openai:acct-1'] });
    const text = readFileSync(store.location, 'utf8');
    expect(text).not.toContain(SECRET);
    const record = JSON.parse(text).records['codex-cli:openai:acct-1'];
    expect(record).toMatchObject({
      hash: sha256Hex(SECRET),
      source: 'codex-cli',
      provider: 'openai',
      firstSeen: new Date(T).toISOString(),
      lastSeen: new Date(T + 60_000).toISOString(),
      status: 'active',
      usageCount: 0,
    });
  });

  it('marks a token past its expiry as expired, or as needing a refresh when it can be refreshed', async () => {
    const store = createMemoryHistoryStore();
    const past = new Date(T - 1000).toISOString();
    const r = await recordScan(store, [cred({ expiresAt: past, kind: 'token' })], [], T);
    expect(store.get('codex-cli:openai:acct-1')).toMatchObject({ status: 'expired', expiresAt: T - 1000 });
    expect(r.statusChanges).toEqual([
      {
        id: 'codex-cli:openai:acct-1',
        from: 'active',
        to: 'expired',
        reason: `access token expired at ${past}`,
      },
    ]);
    const oauth = cred({ id: 'o', expiresAt: past, kind: 'oauth', hasRefreshToken: true });
    await recordScan(store, [oauth], [], T);
    expect(store.get('o')).toMatchObject({ status: 'active', needs: 'refresh' });
  });

  it('makes a credential active again when a new secret appears (a refresh or a new login)', async () => {
    const store = createMemoryHistoryStore();
    await recordScan(store, [cred()], [check('invalid')], T);
    expect(store.get('codex-cli:openai:acct-1')?.status).toBe('invalid');
    const r = await recordScan(store, [cred({ hash: sha256Hex('another secret value 123') })], [], T + 10);
    expect(r.rotated).toEqual(['codex-cli:openai:acct-1']);
    expect(store.get('codex-cli:openai:acct-1')).toMatchObject({
      status: 'active',
      hash: sha256Hex('another secret value 123'),
    });
  });

  it('applies validation results from the same scan', async () => {
    const store = createMemoryHistoryStore();
    await recordScan(store, [cred()], [check('invalid', { providerCode: 'token_revoked' })], T);
    const e = store.get('codex-cli:openai:acct-1');
    expect(e).toMatchObject({ status: 'revoked', statusReason: 'provider said invalid' });
    expect(e?.lastValidation).toEqual({
      status: 'invalid',
      reason: 'provider said invalid',
      checkedAt: new Date(T).toISOString(),
      providerCode: 'token_revoked',
      latencyMs: 80,
    });
  });
});

describe('applyValidationResult', () => {
  const setup = () => {
    const store = createMemoryHistoryStore();
    store.ensure({
      id: 'codex-cli:openai:acct-1',
      hash: sha256Hex(SECRET),
      source: 'codex-cli',
      provider: 'openai',
    });
    return store;
  };

  it.each([
    ['valid', 'active'],
    ['invalid', 'invalid'],
    ['no_access', 'invalid'],
    ['expired', 'expired'],
    ['refreshable', 'active'],
    ['unknown', 'active'],
  ] as const)('%s → %s', (status, expected) => {
    const store = setup();
    applyValidationResult(store, check(status));
    expect(store.get('codex-cli:openai:acct-1')?.status).toBe(expected);
  });

  it('turns rate_limited into a cooldown until the retry time', () => {
    const store = setup();
    const retryAfter = new Date(T + 90_000).toISOString();
    applyValidationResult(store, check('rate_limited', { retryAfter }));
    expect(store.get('codex-cli:openai:acct-1')).toMatchObject({
      status: 'active',
      cooldownUntil: T + 90_000,
      cooldownCause: 'rate_limited',
    });
  });

  it('clears a re-validation mark and an auth cooldown when valid', () => {
    const store = setup();
    const id = 'codex-cli:openai:acct-1';
    store.setNeeds(id, 'revalidation', '401', T - 10);
    store.setCooldown(id, { until: T + 300_000, cause: 'auth_failed', at: T - 10 });
    applyValidationResult(store, check('valid'));
    expect(store.get(id)).toMatchObject({ needs: null, cooldownUntil: null });
  });

  it('ignores results for credentials it has no entry for', () => {
    expect(applyValidationResult(createMemoryHistoryStore(), check('valid'))).toBeNull();
  });
});
