import { type FakeBehavior, startFakeGitHubCopilot } from '@ctd/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCredentials, validatorFor } from './engine.ts';
import { keyTag, secondsAfterNow, TEST_NOW, testCredential } from './test-support.ts';

const key = (b: FakeBehavior) => `gho_test_PLACEHOLDER_${keyTag(b)}`;
const behaviors: FakeBehavior[] = ['valid', 'revoked', 'no_access', 'rate_limited', 'server_error', 'html'];
let fake: Awaited<ReturnType<typeof startFakeGitHubCopilot>>;
beforeAll(async () => {
  fake = await startFakeGitHubCopilot({ keys: Object.fromEntries(behaviors.map((b) => [key(b), b])) });
});
afterAll(() => fake.close());

const make = (b: FakeBehavior) =>
  testCredential({ provider: 'github-copilot', kind: 'token', secret: key(b) });

describe('GitHub Copilot validator', () => {
  it('checks with GET /copilot_internal/user and reads plan and premium quota', async () => {
    const credentials = behaviors.map(make);
    expect(validatorFor(credentials[0]!)?.id).toBe('github-copilot');
    const results = await validateCredentials(credentials, {
      env: { CTD_GITHUB_COPILOT_BASE_URL: fake.baseUrl },
      timeoutMs: 1000,
      now: () => TEST_NOW,
    });
    expect(results.map((r) => [r.status, r.httpStatus])).toEqual([
      ['valid', 200],
      ['invalid', 401],
      ['no_access', 404],
      ['rate_limited', 403],
      ['unknown', 503],
      ['unknown', 200],
    ]);
    expect(results[0]?.quota).toEqual({
      plan: 'individual',
      premiumRemaining: 120,
      premiumEntitlement: 300,
      premiumUnlimited: false,
    });
    expect(results[3]?.retryAfter).toBe(secondsAfterNow(60));
    expect(results[0]?.endpoint).toBe(`${fake.baseUrl}/copilot_internal/user`);
    expect(fake.requests.every((r) => r.method === 'GET' && r.path === '/copilot_internal/user')).toBe(true);
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${key('valid')}`);
  });

  it('never sends a token to a host that is not GitHub', async () => {
    const c = testCredential({
      provider: 'github-copilot',
      kind: 'token',
      secret: key('valid'),
      baseUrl: 'https://copilot.example.com',
    });
    const before = fake.requests.length;
    const [r] = await validateCredentials([c], { env: {}, timeoutMs: 1000, now: () => TEST_NOW });
    expect(r?.status).toBe('unknown');
    expect(r?.reason).toContain('not a GitHub Copilot host');
    expect(fake.requests.length).toBe(before);
  });
});
