import type { ValidationResult } from '@ctd/core';
import { describe, expect, it } from 'vitest';
import { cooldownUntil, DEFAULT_COOLDOWNS, resolveCooldownPolicy } from './cooldown.ts';
import { createMemoryHistoryStore } from './memory-store.ts';
import { applyValidationResult } from './scan.ts';
import { ref } from './testing/helpers.ts';

const T = Date.parse('2026-05-01T00:00:00.000Z');

describe('the cooldown policy', () => {
  it('honours a hint up to its cap, and escalates without one', () => {
    const p = DEFAULT_COOLDOWNS;
    expect(cooldownUntil({ cause: 'rate_limited', retryAfterMs: 20_000 }, T)).toBe(T + 20_000);
    expect(cooldownUntil({ cause: 'rate_limited', retryAfterMs: 1e12 }, T)).toBe(T + p.rateLimitHintCapMs);
    expect(cooldownUntil({ cause: 'rate_limited', resetAt: T + 5_000 }, T)).toBe(T + 5_000);
    expect(cooldownUntil({ cause: 'rate_limited', consecutiveFailures: 1 }, T)).toBe(T + 30_000);
    expect(cooldownUntil({ cause: 'rate_limited', consecutiveFailures: 3 }, T)).toBe(T + 120_000);
    expect(cooldownUntil({ cause: 'rate_limited', consecutiveFailures: 30 }, T)).toBe(T + p.rateLimitMaxMs);
    expect(cooldownUntil({ cause: 'quota_exhausted' }, T)).toBe(T + p.quotaDefaultMs);
    expect(cooldownUntil({ cause: 'auth_failed' }, T)).toBe(T + p.authFailureMs);
    expect(cooldownUntil({ cause: 'server_error', consecutiveFailures: 2 }, T)).toBe(T + 10_000);
    const short = resolveCooldownPolicy({ quotaDefaultMs: 1_000 });
    expect(cooldownUntil({ cause: 'quota_exhausted' }, T, short)).toBe(T + 1_000);
  });

  it('is the one the history applies to a live check', () => {
    const store = createMemoryHistoryStore();
    store.ensure(ref('a'), T);
    const check = (status: 'rate_limited' | 'quota_exhausted', retryAfter?: string): ValidationResult =>
      ({
        credentialId: 'a',
        status,
        reason: 'limited',
        checkedAt: new Date(T).toISOString(),
        latencyMs: 1,
        ...(retryAfter ? { retryAfter } : {}),
      }) as ValidationResult;
    applyValidationResult(store, check('rate_limited'));
    expect(store.get('a')?.cooldownUntil).toBe(cooldownUntil({ cause: 'rate_limited' }, T));
    applyValidationResult(store, check('quota_exhausted', new Date(T + 10 * 86_400_000).toISOString()));
    expect(store.get('a')?.cooldownUntil).toBe(T + DEFAULT_COOLDOWNS.quotaHintCapMs);
  });
});
