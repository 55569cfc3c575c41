// Every validator against its fake provider (real HTTP servers on loopback, reached through the
// CTD_*_BASE_URL overrides), for every status it can return. No mocked fetch.
import type { DiscoveredCredential, ValidationResult } from '@ctd/core';
import {
  createTempHome,
  type FakeBehavior,
  type FakeProvider,
  fakeJwt,
  startFakeAnthropic,
  startFakeChatGpt,
  startFakeDashScope,
  startFakeDeepSeek,
  startFakeGemini,
  startFakeGitHubCopilot,
  startFakeGoogleOAuth,
  startFakeKimi,
  startFakeMoonshot,
  startFakeOpenAI,
  startFakeOpenRouter,
  writeFullHome,
} from '@ctd/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { scan } from '../scan.ts';
import { validateCredentials, validatorFor } from './engine.ts';
import { qwenPortalBase } from './qwen-portal.ts';
import { type Expected, keyTag, pick, secondsAfterNow, TEST_NOW, testCredential } from './test-support.ts';

interface Row {
  name: string;
  credential: DiscoveredCredential;
  expected: Expected;
}

const fakes: FakeProvider[] = [];
afterAll(async () => {
  await Promise.all(fakes.map((f) => f.close()));
});

async function started<T extends FakeProvider>(fake: Promise<T>): Promise<T> {
  const f = await fake;
  fakes.push(f);
  return f;
}

/** Validates every row in one call, then compares each result with its row. */
async function runTable(rows: Row[], env: Record<string, string>): Promise<ValidationResult[]> {
  const results = await validateCredentials(
    rows.map((r) => r.credential),
    { env, timeoutMs: 1000, now: () => TEST_NOW },
  );
  rows.forEach((row, i) => {
    const result = results[i];
    const { reason, ...fields } = row.expected;
    expect(pick(result, row.expected), row.name).toEqual(fields);
    if (reason) expect(result?.reason, row.name).toMatch(reason);
    expect(result?.credentialId).toBe(row.credential.id);
    expect(typeof result?.latencyMs).toBe('number');
    expect(result?.checkedAt).toBe(TEST_NOW.toISOString());
  });
  const text = JSON.stringify(results);
  for (const row of rows) {
    expect(text).not.toContain(row.credential.secret.reveal());
    const refresh = row.credential.refreshSecret?.reveal();
    if (refresh) expect(text).not.toContain(refresh);
  }
  return results;
}

/** Rows for the answers that are never evidence: HTML, broken JSON, a hang, a reset. */
function noEvidenceRows(make: (behavior: FakeBehavior) => DiscoveredCredential): Row[] {
  return [
    {
      name: 'html',
      credential: make('html'),
      expected: { status: 'unknown', httpStatus: 200, reason: /HTML page/ },
    },
    {
      name: 'malformed',
      credential: make('malformed'),
      expected: { status: 'unknown', httpStatus: 200, reason: /not valid JSON/ },
    },
    {
      name: 'hang',
      credential: make('hang'),
      expected: { status: 'unknown', reason: /no answer within 1000 ms/ },
    },
    { name: 'reset', credential: make('reset'), expected: { status: 'unknown', reason: /reset|closed/ } },
  ];
}

function keyFor(provider: string, behavior: string): string {
  return `sk-test-${provider}-${keyTag(behavior)}-PLACEHOLDER-0000`;
}

describe('OpenAI API key', () => {
  it('maps every answer of GET /v1/models', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'revoked',
      'rate_limited',
      'quota_exhausted',
      'no_access',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeOpenAI({ keys: Object.fromEntries(behaviors.map((b) => [keyFor('openai', b), b])) }),
    );
    const make = (b: string) => testCredential({ provider: 'openai', secret: keyFor('openai', b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'revoked',
        credential: make('revoked'),
        expected: { status: 'invalid', httpStatus: 401, providerCode: 'invalid_api_key' },
      },
      {
        name: 'unknown key',
        credential: make('never-issued'),
        expected: { status: 'invalid', httpStatus: 401, providerCode: 'invalid_api_key' },
      },
      {
        name: 'rate limited',
        credential: make('rate_limited'),
        expected: {
          status: 'rate_limited',
          httpStatus: 429,
          providerCode: 'rate_limit_exceeded',
          retryAfter: secondsAfterNow(20),
        },
      },
      {
        name: 'quota',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 429, providerCode: 'insufficient_quota' },
      },
      {
        name: 'region',
        credential: make('no_access'),
        expected: {
          status: 'no_access',
          httpStatus: 403,
          providerCode: 'unsupported_country_region_territory',
        },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 500, reason: /server error/ },
      },
      ...noEvidenceRows(make),
    ];
    const results = await runTable(rows, { CTD_OPENAI_BASE_URL: fake.baseUrl });
    expect(results[0]?.endpoint).toBe(`${fake.baseUrl}/models`);
    expect(fake.requests.every((r) => r.path === '/v1/models' && r.method === 'GET')).toBe(true);
  });

  it('does not send a key whose store points at another host', async () => {
    const fake = await started(startFakeOpenAI());
    const credential = testCredential({
      provider: 'openai',
      secret: keyFor('openai', 'gateway'),
      baseUrl: 'https://llm-gateway.example.com/v1',
    });
    const [result] = await validateCredentials([credential], { env: {} });
    expect(result?.status).toBe('unknown');
    expect(result?.reason).toMatch(/llm-gateway\.example\.com.*not sent|not a OpenAI host/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe('ChatGPT (Codex) login', () => {
  const ACCOUNT = '00000000-0000-4000-8000-000000000000';
  const token = (behavior: string, exp = 1_790_000_000) =>
    fakeJwt({
      exp,
      nonce: `test-${behavior}`,
      'https://api.openai.com/auth': { chatgpt_account_id: ACCOUNT },
    });
  const login = (behavior: string, withRefresh = true, exp?: number) =>
    testCredential({
      source: 'codex-cli',
      provider: 'openai',
      kind: withRefresh ? 'oauth' : 'token',
      label: 'ChatGPT login',
      secret: token(behavior, exp),
      refreshToken: withRefresh ? `rt_test_${keyTag(behavior)}_PLACEHOLDER` : undefined,
      account: { accountId: ACCOUNT },
    });

  it('maps every answer of GET /backend-api/wham/usage and keeps the usage windows', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'weekly_only',
      'quota_exhausted',
      'usage_limit_reached',
      'usage_not_included',
      'revoked',
      'expired',
      'rate_limited',
      'no_access',
      'cloudflare',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeChatGpt({ keys: Object.fromEntries(behaviors.map((b) => [token(b), b])) }),
    );
    fake.script(token('revoked-no-refresh'), 'revoked');
    const rows: Row[] = [
      { name: 'valid', credential: login('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'weekly only',
        credential: login('weekly_only'),
        expected: { status: 'valid', httpStatus: 200 },
      },
      {
        name: 'window full',
        credential: login('quota_exhausted'),
        expected: {
          status: 'quota_exhausted',
          httpStatus: 200,
          retryAfter: new Date(1790003600 * 1000).toISOString(),
        },
      },
      {
        name: 'usage_limit_reached',
        credential: login('usage_limit_reached'),
        expected: {
          status: 'quota_exhausted',
          httpStatus: 429,
          providerCode: 'usage_limit_reached',
          retryAfter: secondsAfterNow(3600),
        },
      },
      {
        name: 'usage_not_included',
        credential: login('usage_not_included'),
        expected: { status: 'no_access', httpStatus: 429, providerCode: 'usage_not_included' },
      },
      { name: 'revoked', credential: login('revoked'), expected: { status: 'refreshable', httpStatus: 401 } },
      {
        name: 'revoked, no refresh token',
        credential: login('revoked-no-refresh', false),
        expected: { status: 'invalid', httpStatus: 401 },
      },
      {
        name: 'expired on the server',
        credential: login('expired'),
        expected: { status: 'refreshable', httpStatus: 401, providerCode: 'token_expired' },
      },
      {
        name: 'rate limited',
        credential: login('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429, retryAfter: secondsAfterNow(30) },
      },
      {
        name: 'no access',
        credential: login('no_access'),
        expected: { status: 'no_access', httpStatus: 403 },
      },
      {
        name: 'cloudflare challenge',
        credential: login('cloudflare'),
        expected: { status: 'unknown', httpStatus: 403, reason: /HTML page/ },
      },
      {
        name: 'server error',
        credential: login('server_error'),
        expected: { status: 'unknown', httpStatus: 503 },
      },
      ...noEvidenceRows((b) => login(b)),
    ];
    const results = await runTable(rows, { CTD_CHATGPT_BASE_URL: fake.baseUrl });
    expect(results[0]?.quota).toMatchObject({
      plan: 'plus',
      limitReached: false,
      windows: [
        { name: '5h', windowSeconds: 18000, usedPercent: 12 },
        { name: 'weekly', windowSeconds: 604800, usedPercent: 30 },
      ],
    });
    // Weekly-only plans put the weekly window in the primary slot: named by length, not slot.
    expect(results[1]?.quota).toMatchObject({ plan: 'free', windows: [{ name: 'weekly', usedPercent: 40 }] });
    const request = fake.requests.find((r) => r.headers.authorization === `Bearer ${token('valid')}`);
    expect(request?.path).toBe('/backend-api/wham/usage');
    expect(request?.headers['chatgpt-account-id']).toBe(ACCOUNT);
  });

  it('reports an expired access token from its JWT without a call', async () => {
    const fake = await started(startFakeChatGpt());
    const past = Math.floor(TEST_NOW.getTime() / 1000) - 60;
    const results = await validateCredentials([login('old', true, past), login('old-no-rt', false, past)], {
      env: { CTD_CHATGPT_BASE_URL: fake.baseUrl },
      now: () => TEST_NOW,
    });
    expect(results.map((r) => r.status)).toEqual(['refreshable', 'expired']);
    expect(results[0]?.httpStatus).toBeUndefined();
    expect(fake.requests).toHaveLength(0);
  });
});

describe('Gemini API key', () => {
  it('maps every answer of GET /v1beta/models (invalid is 400 API_KEY_INVALID)', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'revoked',
      'expired',
      'unauthenticated',
      'region_unavailable',
      'no_access',
      'rate_limited',
      'quota_exhausted',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const key = (b: string) => `AIzaSy-test-${keyTag(b)}-PLACEHOLDER`;
    const fake = await started(
      startFakeGemini({ keys: Object.fromEntries(behaviors.map((b) => [key(b), b])) }),
    );
    const make = (b: string) => testCredential({ provider: 'google', secret: key(b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'invalid',
        credential: make('revoked'),
        expected: { status: 'invalid', httpStatus: 400, providerCode: 'API_KEY_INVALID' },
      },
      {
        name: 'expired',
        credential: make('expired'),
        expected: { status: 'expired', httpStatus: 400, providerCode: 'API_KEY_INVALID' },
      },
      {
        name: '401',
        credential: make('unauthenticated'),
        expected: { status: 'invalid', httpStatus: 401, providerCode: 'UNAUTHENTICATED' },
      },
      {
        name: 'region',
        credential: make('region_unavailable'),
        expected: { status: 'no_access', httpStatus: 400, providerCode: 'FAILED_PRECONDITION' },
      },
      {
        name: 'disabled',
        credential: make('no_access'),
        expected: { status: 'no_access', httpStatus: 403, providerCode: 'SERVICE_DISABLED' },
      },
      {
        name: 'per-minute',
        credential: make('rate_limited'),
        expected: {
          status: 'rate_limited',
          httpStatus: 429,
          providerCode: 'RESOURCE_EXHAUSTED',
          retryAfter: secondsAfterNow(17),
        },
      },
      {
        name: 'per-day',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 429, providerCode: 'RESOURCE_EXHAUSTED' },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 500 },
      },
      ...noEvidenceRows(make),
    ];
    await runTable(rows, { CTD_GOOGLE_BASE_URL: fake.baseUrl });
    // The key travels in a header, never in the URL.
    expect(fake.requests.every((r) => !r.query.has('key') && r.headers['x-goog-api-key'])).toBe(true);
  });
});

describe('Google OAuth (Gemini CLI)', () => {
  it('checks the access token at tokeninfo and never spends the refresh token', async () => {
    const tok = (b: string) => `ya29.test-${keyTag(b)}-PLACEHOLDER`;
    const behaviors: FakeBehavior[] = [
      'valid',
      'revoked',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeGoogleOAuth({ keys: Object.fromEntries(behaviors.map((b) => [tok(b), b])) }),
    );
    fake.script(tok('revoked-no-rt'), 'revoked');
    const make = (b: string, refresh = true) =>
      testCredential({
        source: 'gemini-cli',
        provider: 'google-gemini-cli',
        kind: refresh ? 'oauth' : 'token',
        secret: tok(b),
        refreshToken: refresh ? `1//0g-test-${keyTag(b)}-PLACEHOLDER` : undefined,
        expiresAt: TEST_NOW.getTime() + 3_600_000,
      });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'rejected, refreshable',
        credential: make('revoked'),
        expected: { status: 'refreshable', httpStatus: 400, providerCode: 'invalid_token' },
      },
      {
        name: 'rejected, no refresh token',
        credential: make('revoked-no-rt', false),
        expected: { status: 'invalid', httpStatus: 400, providerCode: 'invalid_token' },
      },
      {
        name: 'expired locally',
        credential: testCredential({
          provider: 'google-gemini-cli',
          kind: 'oauth',
          secret: tok('stale'),
          refreshToken: '1//0g-test-stale-PLACEHOLDER',
          expiresAt: TEST_NOW.getTime() - 1000,
        }),
        expected: { status: 'refreshable', reason: /expired at/ },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 503 },
      },
      ...noEvidenceRows((b) => make(b)),
    ];
    const results = await runTable(rows, { CTD_GOOGLE_GEMINI_CLI_BASE_URL: fake.origin });
    expect(results[0]?.quota).toMatchObject({
      scopes: expect.arrayContaining(['openid']),
      expiresInSeconds: 3599,
    });
    expect(results[0]?.endpoint).toBe(`${fake.origin}/tokeninfo`);
    expect(fake.tokens()).not.toContain('1//0g-test-valid-PLACEHOLDER');
    expect(fake.tokens()).not.toContain(tok('stale'));
  });
});

describe('Model Studio (DashScope) and Coding Plan keys', () => {
  it('maps every answer of GET …/models and falls back to the other region on 401', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'revoked',
      'rate_limited',
      'quota_exhausted',
      'arrearage',
      'no_access',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const cn = await started(
      startFakeDashScope({ keys: Object.fromEntries(behaviors.map((b) => [keyFor('qwen', b), b])) }),
    );
    const intl = await started(startFakeDashScope({ keys: { [keyFor('qwen', 'intl-only')]: 'valid' } }));
    cn.script('sk-sp-test-coding-valid-PLACEHOLDER', 'valid');
    cn.script('sk-sp-test-coding-revoked-PLACEHOLDER', 'revoked');
    const make = (b: string) => testCredential({ provider: 'qwen', secret: keyFor('qwen', b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'rejected everywhere',
        credential: make('revoked'),
        expected: {
          status: 'invalid',
          httpStatus: 401,
          providerCode: 'invalid_api_key',
          reason: /every region/,
        },
      },
      {
        name: 'international key',
        credential: make('intl-only'),
        expected: { status: 'valid', httpStatus: 200, reason: /other region/ },
      },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: {
          status: 'rate_limited',
          httpStatus: 429,
          providerCode: 'Throttling.RateQuota',
          retryAfter: secondsAfterNow(5),
        },
      },
      {
        name: 'quota',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 429, providerCode: 'Throttling.AllocationQuota' },
      },
      {
        name: 'overdue',
        credential: make('arrearage'),
        expected: { status: 'quota_exhausted', httpStatus: 400, providerCode: 'Arrearage' },
      },
      {
        name: 'denied',
        credential: make('no_access'),
        expected: { status: 'no_access', httpStatus: 403, providerCode: 'AccessDenied' },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 500 },
      },
      {
        name: 'coding plan',
        credential: testCredential({ provider: 'qwen', secret: 'sk-sp-test-coding-valid-PLACEHOLDER' }),
        expected: { status: 'valid', httpStatus: 200 },
      },
      {
        name: 'coding plan rejected',
        credential: testCredential({ provider: 'qwen', secret: 'sk-sp-test-coding-revoked-PLACEHOLDER' }),
        expected: { status: 'invalid', httpStatus: 401, reason: /expired Coding Plan subscription/ },
      },
      ...noEvidenceRows(make),
    ];
    await runTable(rows, {
      CTD_QWEN_BASE_URL: cn.baseUrl,
      CTD_QWEN_INTL_BASE_URL: intl.baseUrl,
      CTD_QWEN_CODING_BASE_URL: cn.codingUrl,
      CTD_QWEN_CODING_INTL_BASE_URL: intl.codingUrl,
    });
    const codingRequest = cn.requests.find((r) =>
      r.headers.authorization?.includes('sk-sp-test-coding-valid'),
    );
    expect(codingRequest?.path).toBe('/v1/models');
    // A key valid in the first region is never sent to the second.
    expect(intl.tokens()).not.toContain(keyFor('qwen', 'valid'));
  });

  it('uses the region the store names, and refuses a base URL off Alibaba’s hosts', async () => {
    const cn = await started(startFakeDashScope());
    const intl = await started(startFakeDashScope({ keys: { [keyFor('qwen', 'named-intl')]: 'valid' } }));
    const results = await validateCredentials(
      [
        testCredential({
          provider: 'qwen',
          secret: keyFor('qwen', 'named-intl'),
          baseUrl: 'https://dashscope-intl.aliyuncs.com/compatible-mode/v1',
        }),
        testCredential({
          provider: 'qwen',
          secret: keyFor('qwen', 'proxy'),
          baseUrl: 'https://proxy.example.com/v1',
        }),
      ],
      { env: { CTD_QWEN_BASE_URL: cn.baseUrl, CTD_QWEN_INTL_BASE_URL: intl.baseUrl } },
    );
    expect(results.map((r) => r.status)).toEqual(['valid', 'unknown']);
    expect(results[1]?.reason).toMatch(/proxy\.example\.com/);
    expect(cn.requests).toHaveLength(0);
    expect(intl.tokens()).toEqual([keyFor('qwen', 'named-intl')]);
  });
});

describe('Qwen OAuth login', () => {
  it('checks GET {resource_url}/v1/models', async () => {
    const tok = (b: string) => `test-qwen-oauth-${keyTag(b)}-PLACEHOLDER`;
    const behaviors: FakeBehavior[] = [
      'valid',
      'revoked',
      'rate_limited',
      'quota_exhausted',
      'no_access',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeDashScope({ keys: Object.fromEntries(behaviors.map((b) => [tok(b), b])) }),
    );
    fake.script(tok('revoked-no-rt'), 'revoked');
    const make = (b: string, refresh = true) =>
      testCredential({
        source: 'qwen-cli',
        provider: 'qwen-portal',
        kind: refresh ? 'oauth' : 'token',
        secret: tok(b),
        refreshToken: refresh ? `test-qwen-refresh-${keyTag(b)}-PLACEHOLDER` : undefined,
        baseUrl: 'https://portal.qwen.ai/v1',
      });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'rejected',
        credential: make('revoked'),
        expected: { status: 'refreshable', httpStatus: 401, reason: /free tier ended/ },
      },
      { name: 'rejected, no rt', credential: make('revoked-no-rt', false), expected: { status: 'invalid' } },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429 },
      },
      {
        name: 'quota',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 429 },
      },
      { name: 'denied', credential: make('no_access'), expected: { status: 'no_access', httpStatus: 403 } },
      ...noEvidenceRows((b) => make(b)),
    ];
    await runTable(rows, { CTD_QWEN_PORTAL_BASE_URL: fake.codingUrl });
    expect(fake.requests.every((r) => r.path === '/v1/models')).toBe(true);
  });

  it('derives the base URL from resource_url as Qwen Code does', () => {
    expect(qwenPortalBase('portal.qwen.ai')).toBe('https://portal.qwen.ai/v1');
    expect(qwenPortalBase('https://portal.qwen.ai/v1/')).toBe('https://portal.qwen.ai/v1');
    expect(qwenPortalBase('https://dashscope.aliyuncs.com/compatible-mode')).toBe(
      'https://dashscope.aliyuncs.com/compatible-mode/v1',
    );
  });
});

describe('Kimi Code login or key', () => {
  it('maps every answer of GET /coding/v1/models and reads /usages', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'usage_empty',
      'revoked',
      'no_access',
      'quota_exhausted',
      'agents_only',
      'rate_limited',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeKimi({ keys: Object.fromEntries(behaviors.map((b) => [keyFor('kimi', b), b])) }),
    );
    fake.script('test-kimi-oauth-expired-PLACEHOLDER', 'expired');
    const make = (b: string) => testCredential({ provider: 'kimi', secret: keyFor('kimi', b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'weekly quota at zero',
        credential: make('usage_empty'),
        expected: { status: 'quota_exhausted', retryAfter: '2026-09-10T00:00:00Z' },
      },
      {
        name: 'invalid key',
        credential: make('revoked'),
        expected: { status: 'invalid', httpStatus: 401, providerCode: 'invalid_authentication_error' },
      },
      {
        name: 'expired login',
        credential: testCredential({
          source: 'kimi-cli',
          provider: 'kimi',
          kind: 'oauth',
          secret: 'test-kimi-oauth-expired-PLACEHOLDER',
          refreshToken: 'test-kimi-refresh-PLACEHOLDER',
        }),
        expected: { status: 'refreshable', httpStatus: 401 },
      },
      {
        name: 'membership',
        credential: make('no_access'),
        expected: { status: 'no_access', httpStatus: 402 },
      },
      {
        name: 'billing cycle',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 403 },
      },
      {
        name: 'coding agents only',
        credential: make('agents_only'),
        expected: { status: 'unknown', httpStatus: 403, reason: /coding agents/ },
      },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429, retryAfter: secondsAfterNow(10) },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 503 },
      },
      ...noEvidenceRows(make),
    ];
    const results = await runTable(rows, { CTD_KIMI_BASE_URL: fake.baseUrl });
    expect(results[0]?.quota).toMatchObject({
      membership: 'LEVEL_INTERMEDIATE',
      quotas: [
        { name: 'weekly', limit: 100, remaining: 74 },
        { name: '5h', windowMinutes: 300, remaining: 95 },
      ],
    });
  });
});

describe('Moonshot key', () => {
  it('maps every answer of GET /v1/models, reads the balance, and tries .cn after a 401 on .ai', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'zero_balance',
      'revoked',
      'quota_exhausted',
      'balance_403',
      'no_access',
      'rate_limited',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const global = await started(
      startFakeMoonshot({ keys: Object.fromEntries(behaviors.map((b) => [keyFor('moonshot', b), b])) }),
    );
    const china = await started(startFakeMoonshot({ keys: { [keyFor('moonshot', 'cn-only')]: 'valid' } }));
    const make = (b: string) => testCredential({ provider: 'moonshot', secret: keyFor('moonshot', b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'china key',
        credential: make('cn-only'),
        expected: { status: 'valid', reason: /other platform/ },
      },
      { name: 'zero balance', credential: make('zero_balance'), expected: { status: 'quota_exhausted' } },
      {
        name: 'rejected on both',
        credential: make('revoked'),
        expected: { status: 'invalid', httpStatus: 401, reason: /both platforms/ },
      },
      {
        name: 'suspended',
        credential: make('quota_exhausted'),
        expected: {
          status: 'quota_exhausted',
          httpStatus: 429,
          providerCode: 'exceeded_current_quota_error',
        },
      },
      {
        name: 'balance 403',
        credential: make('balance_403'),
        expected: { status: 'quota_exhausted', httpStatus: 403 },
      },
      { name: 'denied', credential: make('no_access'), expected: { status: 'no_access', httpStatus: 403 } },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429, retryAfter: secondsAfterNow(1) },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 500 },
      },
      ...noEvidenceRows(make),
    ];
    const results = await runTable(rows, {
      CTD_MOONSHOT_BASE_URL: global.baseUrl,
      CTD_MOONSHOT_CN_BASE_URL: china.baseUrl,
    });
    expect(results[0]?.quota).toMatchObject({ availableBalance: 49.5 });
  });

  it('checks a kimi-cli key configured for api.moonshot.cn on the Chinese platform only', async () => {
    const global = await started(startFakeMoonshot());
    const china = await started(startFakeMoonshot({ keys: { [keyFor('kimi', 'moonshot-cn')]: 'valid' } }));
    const [result] = await validateCredentials(
      [
        testCredential({
          provider: 'kimi',
          secret: keyFor('kimi', 'moonshot-cn'),
          baseUrl: 'https://api.moonshot.cn/v1',
        }),
      ],
      { env: { CTD_MOONSHOT_BASE_URL: global.baseUrl, CTD_MOONSHOT_CN_BASE_URL: china.baseUrl } },
    );
    expect(result?.status).toBe('valid');
    expect(global.requests).toHaveLength(0);
  });
});

describe('Anthropic API key', () => {
  it('maps every answer of GET /v1/models with x-api-key', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'revoked',
      'no_access',
      'rate_limited',
      'quota_exhausted',
      'overloaded',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const key = (b: string) => `sk-ant-api03-test-${keyTag(b)}-PLACEHOLDER`;
    const fake = await started(
      startFakeAnthropic({ keys: Object.fromEntries(behaviors.map((b) => [key(b), b])) }),
    );
    const make = (b: string) => testCredential({ provider: 'anthropic', secret: key(b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'invalid',
        credential: make('revoked'),
        expected: { status: 'invalid', httpStatus: 401, providerCode: 'authentication_error' },
      },
      {
        name: 'permission',
        credential: make('no_access'),
        expected: { status: 'no_access', httpStatus: 403, providerCode: 'permission_error' },
      },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: {
          status: 'rate_limited',
          httpStatus: 429,
          providerCode: 'rate_limit_error',
          retryAfter: secondsAfterNow(15),
        },
      },
      {
        name: 'credit balance',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 400, providerCode: 'invalid_request_error' },
      },
      {
        name: 'overloaded',
        credential: make('overloaded'),
        expected: { status: 'unknown', httpStatus: 529, providerCode: 'overloaded_error' },
      },
      ...noEvidenceRows(make),
    ];
    await runTable(rows, { CTD_ANTHROPIC_BASE_URL: fake.origin });
    const sent = fake.requests.find((r) => r.headers['x-api-key'] === key('valid'));
    expect(sent?.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent?.headers.authorization).toBeUndefined();
  });
});

describe('Claude OAuth login', () => {
  it('maps every answer of GET /api/oauth/usage and keeps the utilization windows', async () => {
    const tok = (b: string) => `sk-ant-oat01-test-${keyTag(b)}-PLACEHOLDER`;
    const behaviors: FakeBehavior[] = [
      'valid',
      'quota_exhausted',
      'expired',
      'revoked',
      'scope_missing',
      'no_access',
      'rate_limited',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeAnthropic({ keys: Object.fromEntries(behaviors.map((b) => [tok(b), b])) }),
    );
    const make = (b: string, refresh = true) =>
      testCredential({
        source: 'claude-code',
        provider: 'anthropic',
        kind: refresh ? 'oauth' : 'token',
        secret: tok(b),
        refreshToken: refresh ? `sk-ant-ort01-test-${keyTag(b)}-PLACEHOLDER` : undefined,
      });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: '5h used up',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 200, retryAfter: '2026-09-06T15:00:00Z' },
      },
      {
        name: 'expired',
        credential: make('expired'),
        expected: { status: 'refreshable', httpStatus: 401, providerCode: 'authentication_error' },
      },
      {
        name: 'revoked setup-token',
        credential: make('revoked', false),
        expected: { status: 'invalid', httpStatus: 401 },
      },
      {
        name: 'no profile scope',
        credential: make('scope_missing', false),
        expected: { status: 'valid', httpStatus: 403, reason: /scope/ },
      },
      { name: 'disabled', credential: make('no_access'), expected: { status: 'no_access', httpStatus: 403 } },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429, retryAfter: secondsAfterNow(120) },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 503 },
      },
      ...noEvidenceRows((b) => make(b)),
    ];
    const results = await runTable(rows, { CTD_ANTHROPIC_BASE_URL: fake.origin });
    expect(results[0]?.quota).toMatchObject({
      windows: [
        { name: 'five_hour', utilization: 12 },
        { name: 'seven_day', utilization: 40 },
        { name: 'seven_day_sonnet', utilization: 3 },
      ],
    });
    expect(fake.tokens()).not.toContain('sk-ant-ort01-test-valid-PLACEHOLDER');
  });
});

describe('OpenRouter key', () => {
  it('maps every answer of GET /api/v1/key', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'quota_exhausted',
      'negative_balance',
      'revoked',
      'no_access',
      'rate_limited',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const key = (b: string) => `sk-or-v1-test-${keyTag(b)}-PLACEHOLDER`;
    const fake = await started(
      startFakeOpenRouter({ keys: Object.fromEntries(behaviors.map((b) => [key(b), b])) }),
    );
    const make = (b: string) => testCredential({ provider: 'openrouter', secret: key(b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      {
        name: 'limit used',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 200 },
      },
      {
        name: '402',
        credential: make('negative_balance'),
        expected: { status: 'quota_exhausted', httpStatus: 402 },
      },
      { name: 'invalid', credential: make('revoked'), expected: { status: 'invalid', httpStatus: 401 } },
      { name: 'disabled', credential: make('no_access'), expected: { status: 'no_access', httpStatus: 403 } },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429, retryAfter: secondsAfterNow(10) },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 503 },
      },
      ...noEvidenceRows(make),
    ];
    const results = await runTable(rows, { CTD_OPENROUTER_BASE_URL: fake.baseUrl });
    expect(results[0]?.quota).toMatchObject({ limit: 10, limitRemaining: 8.5 });
  });
});

describe('DeepSeek key', () => {
  it('maps every answer of GET /models and reads the balance', async () => {
    const behaviors: FakeBehavior[] = [
      'valid',
      'zero_balance',
      'quota_exhausted',
      'revoked',
      'no_access',
      'rate_limited',
      'server_error',
      'html',
      'malformed',
      'hang',
      'reset',
    ];
    const fake = await started(
      startFakeDeepSeek({ keys: Object.fromEntries(behaviors.map((b) => [keyFor('deepseek', b), b])) }),
    );
    const make = (b: string) => testCredential({ provider: 'deepseek', secret: keyFor('deepseek', b) });
    const rows: Row[] = [
      { name: 'valid', credential: make('valid'), expected: { status: 'valid', httpStatus: 200 } },
      { name: 'no balance', credential: make('zero_balance'), expected: { status: 'quota_exhausted' } },
      {
        name: '402',
        credential: make('quota_exhausted'),
        expected: { status: 'quota_exhausted', httpStatus: 402 },
      },
      { name: 'invalid', credential: make('revoked'), expected: { status: 'invalid', httpStatus: 401 } },
      { name: 'denied', credential: make('no_access'), expected: { status: 'no_access', httpStatus: 403 } },
      {
        name: 'rate',
        credential: make('rate_limited'),
        expected: { status: 'rate_limited', httpStatus: 429, retryAfter: secondsAfterNow(3) },
      },
      {
        name: 'server error',
        credential: make('server_error'),
        expected: { status: 'unknown', httpStatus: 503 },
      },
      ...noEvidenceRows(make),
    ];
    const results = await runTable(rows, { CTD_DEEPSEEK_BASE_URL: fake.origin });
    expect(results[0]?.quota).toMatchObject({
      isAvailable: true,
      balances: [{ currency: 'CNY', total: 110 }],
    });
  });
});

describe('providers without a check', () => {
  it('are unknown, with no request made', async () => {
    const [result] = await validateCredentials([
      testCredential({
        source: 'opencode',
        provider: 'mistral',
        kind: 'api_key',
        secret: 'test-PLACEHOLDER-mistral-key',
      }),
    ]);
    expect(result).toMatchObject({ status: 'unknown', reason: expect.stringMatching(/no live check/) });
  });
});

describe('every credential of a full home', () => {
  it('gets its provider’s check, and each check reaches only its own fake provider', async () => {
    const home = await createTempHome();
    try {
      const full = await writeFullHome(home);
      const { credentials } = await scan({ env: full.env });
      const keys = Object.fromEntries(full.credentials.map((c) => [c.secret, 'valid' as const]));
      const f = {
        openai: await started(startFakeOpenAI({ keys })),
        chatgpt: await started(startFakeChatGpt({ keys })),
        gemini: await started(startFakeGemini({ keys })),
        google: await started(startFakeGoogleOAuth({ keys })),
        dashscope: await started(startFakeDashScope({ keys })),
        kimi: await started(startFakeKimi({ keys })),
        moonshot: await started(startFakeMoonshot({ keys })),
        moonshotCn: await started(startFakeMoonshot({ keys })),
        anthropic: await started(startFakeAnthropic({ keys })),
        openrouter: await started(startFakeOpenRouter({ keys })),
        deepseek: await started(startFakeDeepSeek({ keys })),
        copilot: await started(startFakeGitHubCopilot({ keys })),
      };
      const results = await validateCredentials(credentials, {
        now: () => TEST_NOW,
        env: {
          CTD_OPENAI_BASE_URL: f.openai.baseUrl,
          CTD_CHATGPT_BASE_URL: f.chatgpt.baseUrl,
          CTD_GOOGLE_BASE_URL: f.gemini.baseUrl,
          CTD_GOOGLE_GEMINI_CLI_BASE_URL: f.google.origin,
          CTD_QWEN_BASE_URL: f.dashscope.baseUrl,
          CTD_QWEN_PORTAL_BASE_URL: f.dashscope.codingUrl,
          CTD_KIMI_BASE_URL: f.kimi.baseUrl,
          CTD_MOONSHOT_BASE_URL: f.moonshot.baseUrl,
          CTD_MOONSHOT_CN_BASE_URL: f.moonshotCn.baseUrl,
          CTD_ANTHROPIC_BASE_URL: f.anthropic.origin,
          CTD_OPENROUTER_BASE_URL: f.openrouter.baseUrl,
          CTD_DEEPSEEK_BASE_URL: f.deepseek.origin,
          CTD_GITHUB_COPILOT_BASE_URL: f.copilot.baseUrl,
        },
      });
      credentials.forEach((c, i) => {
        const expected = validatorFor(c) ? 'valid' : 'unknown';
        expect({ who: `${c.source}/${c.provider}/${c.kind}`, status: results[i]?.status }).toEqual({
          who: `${c.source}/${c.provider}/${c.kind}`,
          status: expected,
        });
      });
      expect(credentials.filter((c) => !validatorFor(c)).map((c) => c.provider)).toEqual([
        'https://example.com',
      ]);
      // Each fake saw only secrets of its own provider.
      const secretsOf = (provider: string) =>
        new Set(credentials.filter((c) => c.provider === provider).map((c) => c.secret.reveal()));
      for (const [fake, provider] of [
        [f.openai, 'openai'],
        [f.chatgpt, 'openai'],
        [f.gemini, 'google'],
        [f.google, 'google-gemini-cli'],
        [f.anthropic, 'anthropic'],
        [f.deepseek, 'deepseek'],
        [f.openrouter, 'openrouter'],
        [f.copilot, 'github-copilot'],
        [f.moonshot, 'moonshot'],
        [f.moonshotCn, 'moonshot'],
      ] as const) {
        const own = secretsOf(provider);
        expect(
          fake.tokens().every((t) => own.has(t)),
          provider,
        ).toBe(true);
      }
      const text = JSON.stringify(results);
      for (const c of full.credentials) expect(text).not.toContain(c.secret);
    } finally {
      await home.cleanup();
    }
  });
});
