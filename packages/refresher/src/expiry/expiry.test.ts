import { describe, expect, it } from 'vitest';
import { assessExpiry, type ExpiryAlert, type ExpiryInput, ExpiryMonitor } from './expiry.ts';

const H = 3_600_000;
const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function token(
  id: string,
  expiresAt: number | null,
  extra: Partial<ExpiryInput['credential']> = {},
): ExpiryInput {
  return {
    credential: {
      id,
      source: 'example-cli',
      provider: 'openai',
      hash: 'a'.repeat(64),
      kind: 'token',
      expiresAt: expiresAt === null ? null : iso(expiresAt),
      hasRefreshToken: false,
      ...extra,
    },
  };
}

describe('assessExpiry', () => {
  it('a token without a refresh token is expiring inside 24 h and expired after', () => {
    expect(assessExpiry(token('a', NOW + 25 * H), NOW).state).toBe('ok');
    const expiring = assessExpiry(token('a', NOW + 23 * H), NOW);
    expect(expiring.state).toBe('expiring');
    expect(expiring.reason).toBe('the token expires in 23 h');
    expect(assessExpiry(token('a', NOW - 1), NOW).state).toBe('expired');
    expect(assessExpiry(token('a', null), NOW).state).toBe('ok');
  });

  it('the threshold is configurable', () => {
    expect(assessExpiry(token('a', NOW + 5 * H), NOW, 4 * H).state).toBe('ok');
    expect(assessExpiry(token('a', NOW + 3 * H), NOW, 4 * H).state).toBe('expiring');
  });

  it('a renewable login is judged by its refresh token’s end of life', () => {
    const login = token('a', NOW - H, { hasRefreshToken: true, kind: 'oauth' });
    expect(assessExpiry(login, NOW).state).toBe('ok');
    const ending = token('a', NOW - H, {
      hasRefreshToken: true,
      kind: 'oauth',
      refreshExpiresAt: iso(NOW + 2 * H),
    });
    expect(assessExpiry(ending, NOW)).toMatchObject({
      state: 'expiring',
      refreshExpiresAt: iso(NOW + 2 * H),
    });
    // Not renewed by anyone (auto refresh off and the CLI idle): the access token counts.
    expect(assessExpiry({ ...login, renewable: false }, NOW).state).toBe('expired');
  });

  it('needs a login, or invalid, wins over the clock', () => {
    expect(assessExpiry({ ...token('a', NOW + 100 * H), needsLogin: true }, NOW).state).toBe('needs_login');
    expect(assessExpiry({ ...token('a', NOW + 100 * H), validationStatus: 'invalid' }, NOW).state).toBe(
      'invalid',
    );
  });
});

describe('ExpiryMonitor', () => {
  it('alerts once per credential and state, again for a new secret, and by the clock alone', async () => {
    let now = NOW;
    const alerts: ExpiryAlert[] = [];
    const monitor = new ExpiryMonitor({ onAlert: (a) => alerts.push(a), now: () => now, warningMs: 24 * H });
    monitor.set([token('a', NOW + 2 * H), token('b', NOW + 48 * H)]);
    expect(alerts.map((a) => [a.credentialId, a.state])).toEqual([['a', 'expiring']]);
    // The next scan finds the same: no new alert.
    monitor.set([token('a', NOW + 2 * H), token('b', NOW + 48 * H)]);
    expect(alerts).toHaveLength(1);
    // Expired now.
    now = NOW + 3 * H;
    monitor.set([token('a', NOW + 2 * H), token('b', NOW + 48 * H)]);
    expect(alerts.map((a) => a.state)).toEqual(['expiring', 'expired']);
    // A re-login: a new secret far from its end: no alert; its own end alerts again later.
    monitor.set([token('a', NOW + 100 * H, { hash: 'b'.repeat(64) }), token('b', NOW + 48 * H)]);
    expect(alerts).toHaveLength(2);
    monitor.stop();
  });

  it('a credential crossing the threshold by the clock alone alerts from the timer', async () => {
    const alerts: ExpiryAlert[] = [];
    const monitor = new ExpiryMonitor({ onAlert: (a) => alerts.push(a), warningMs: 24 * H });
    // Real clock: it becomes `expiring` 50 ms from now.
    monitor.set([token('soon', Date.now() + 24 * H + 50)]);
    expect(alerts).toHaveLength(0);
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (alerts.length > 0) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(alerts[0]).toMatchObject({ credentialId: 'soon', state: 'expiring' });
    monitor.stop();
  });
});
