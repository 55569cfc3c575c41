import { describe, expect, it } from 'vitest';
import { makeCredential } from '../testing/fake-client.ts';
import { badgeOf, needsRefresh, relativeTime, shortDuration } from './format.ts';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('badgeOf', () => {
  it('shows a valid token that expires within a day as expiring, and one past its expiry as expired or refreshable', () => {
    const soon = makeCredential(0, { status: 'valid', expiresAt: '2026-12-01T15:00:00Z' }, NOW);
    expect(badgeOf(soon, NOW)).toBe('expiring');
    const later = makeCredential(0, { status: 'valid', expiresAt: '2026-12-05T15:00:00Z' }, NOW);
    expect(badgeOf(later, NOW)).toBe('valid');
    const past = makeCredential(
      2,
      { status: 'valid', expiresAt: '2026-12-01T11:00:00Z', hasRefreshToken: false },
      NOW,
    );
    expect(badgeOf(past, NOW)).toBe('expired');
    expect(badgeOf({ ...past, hasRefreshToken: true }, NOW)).toBe('refreshable');
  });

  it('keeps the service status otherwise, and offers a refresh for every credential that does not work', () => {
    for (const status of [
      'invalid',
      'rate_limited',
      'quota_exhausted',
      'needs_login',
      'unchecked',
    ] as const) {
      expect(badgeOf(makeCredential(0, { status, expiresAt: null }, NOW), NOW)).toBe(status);
    }
    // A status the panel does not know (also one named like an Object property) is 'unknown'.
    for (const status of ['paused', 'toString', 'constructor']) {
      const c = makeCredential(0, { status: status as never, expiresAt: null }, NOW);
      expect(badgeOf(c, NOW)).toBe('unknown');
    }
    expect(needsRefresh('valid')).toBe(false);
    expect(needsRefresh('expiring')).toBe(false);
    expect(needsRefresh('expired')).toBe(true);
    expect(needsRefresh('needs_login')).toBe(true);
  });
});

describe('times', () => {
  it('formats countdowns and relative times', () => {
    expect(shortDuration(3 * 3600_000 + 12 * 60_000)).toBe('3h 12m');
    expect(shortDuration(65_000)).toBe('1m 05s');
    expect(shortDuration(2 * 86400_000 + 3 * 3600_000)).toBe('2d 3h');
    expect(relativeTime(null, NOW)).toBe('never');
    expect(relativeTime('2026-12-01T11:55:00Z', NOW)).toBe('5 min ago');
    expect(relativeTime('2026-12-01T14:00:00Z', NOW)).toBe('in 2 h');
  });
});
