// The one cooldown policy: how long a credential cools down after a rate limit, an exhausted
// quota, an auth failure or a server error. The rotator applies it to reported outcomes and the
// history to live checks (`applyValidationResult`), so both agree. Browser-safe.
import type { CooldownCause } from './schema.ts';

/** How long credentials cool down, by cause. All times in milliseconds. */
export interface CooldownPolicy {
  /** 429 without a hint: the first cooldown, doubled per consecutive failure. @default 30000 */
  rateLimitBaseMs: number;
  /** 429 without a hint: the longest cooldown. @default 300000 */
  rateLimitMaxMs: number;
  /** 429 with `Retry-After` or a reset hint: the hint is honoured up to this. @default 3600000 */
  rateLimitHintCapMs: number;
  /** Quota exhausted without a hint. @default 3600000 */
  quotaDefaultMs: number;
  /** Quota exhausted with a reset hint: honoured up to this (then a probe asks again). @default 86400000 */
  quotaHintCapMs: number;
  /** 5xx and network errors: the first cooldown, doubled per consecutive failure. @default 5000 */
  serverErrorBaseMs: number;
  /** 5xx and network errors: the longest cooldown. @default 60000 */
  serverErrorMaxMs: number;
  /** 401/403: cooldown while the credential waits for a re-validation or a refresh. @default 300000 */
  authFailureMs: number;
  /** A probe that is not reported within this time frees its credential for another probe. @default 60000 */
  probeTimeoutMs: number;
}

/** The default {@link CooldownPolicy}. */
export const DEFAULT_COOLDOWNS: Readonly<CooldownPolicy> = Object.freeze({
  rateLimitBaseMs: 30_000,
  rateLimitMaxMs: 300_000,
  rateLimitHintCapMs: 3_600_000,
  quotaDefaultMs: 3_600_000,
  quotaHintCapMs: 86_400_000,
  serverErrorBaseMs: 5_000,
  serverErrorMaxMs: 60_000,
  authFailureMs: 300_000,
  probeTimeoutMs: 60_000,
});

/** What happened, as far as the cooldown is concerned. */
export interface CooldownTrigger {
  readonly cause: CooldownCause;
  /** The provider's delay hint (`Retry-After`), in ms. */
  readonly retryAfterMs?: number | undefined;
  /** The provider's reset time (epoch ms); used when there is no delay hint. */
  readonly resetAt?: number | undefined;
  /** Failures in a row, this one included: hint-less rate limits and server errors escalate with it. */
  readonly consecutiveFailures?: number | undefined;
}

function escalate(base: number, cap: number, consecutiveFailures: number): number {
  const steps = Math.max(0, consecutiveFailures - 1);
  return Math.min(cap, base * 2 ** Math.min(steps, 30));
}

function hintUntil(trigger: CooldownTrigger, now: number): number | null {
  if (trigger.retryAfterMs !== undefined && Number.isFinite(trigger.retryAfterMs)) {
    return now + Math.max(0, trigger.retryAfterMs);
  }
  if (trigger.resetAt !== undefined && Number.isFinite(trigger.resetAt))
    return Math.max(now, trigger.resetAt);
  return null;
}

/**
 * Until when a credential cools down after `trigger`: a provider's hint is honoured up to a cap;
 * without one, rate limits and server errors escalate (doubling per consecutive failure, capped),
 * an exhausted quota waits the default, an auth failure waits for a re-validation or a refresh.
 *
 * @param trigger - the cause, the provider's hint, the failure streak
 * @param now - the current time (epoch ms)
 * @param policy - the lengths (default {@link DEFAULT_COOLDOWNS})
 * @returns the end of the cooldown (epoch ms)
 * @example
 * cooldownUntil({ cause: 'rate_limited', retryAfterMs: 20_000 }, Date.now()); // now + 20 s
 */
export function cooldownUntil(
  trigger: CooldownTrigger,
  now: number,
  policy: Readonly<CooldownPolicy> = DEFAULT_COOLDOWNS,
): number {
  const hint = hintUntil(trigger, now);
  const streak = trigger.consecutiveFailures ?? 1;
  switch (trigger.cause) {
    case 'rate_limited':
      return hint !== null
        ? Math.min(hint, now + policy.rateLimitHintCapMs)
        : now + escalate(policy.rateLimitBaseMs, policy.rateLimitMaxMs, streak);
    case 'quota_exhausted':
      return hint !== null ? Math.min(hint, now + policy.quotaHintCapMs) : now + policy.quotaDefaultMs;
    case 'auth_failed':
      return now + policy.authFailureMs;
    case 'server_error':
    case 'network_error':
      return now + escalate(policy.serverErrorBaseMs, policy.serverErrorMaxMs, streak);
  }
}

/**
 * A full policy from partial overrides.
 *
 * @param overrides - lengths to change
 */
export function resolveCooldownPolicy(overrides: Partial<CooldownPolicy> = {}): CooldownPolicy {
  return { ...DEFAULT_COOLDOWNS, ...overrides };
}
