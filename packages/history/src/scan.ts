import type { CredentialInfo, ValidationResult } from '@ctd/core';
import { type CooldownPolicy, cooldownUntil, DEFAULT_COOLDOWNS } from './cooldown.ts';
import type { CredentialStatus, ValidationSummary } from './schema.ts';
import type { HistoryStore } from './types.ts';

/** What {@link recordScan} changed. */
export interface RecordScanResult {
  /** Credentials seen for the first time. */
  added: string[];
  /** Credentials seen before. */
  seen: string[];
  /** Credentials whose secret changed since the last sighting (a refresh or a new login). */
  rotated: string[];
  /** Status changes, with the reason. */
  statusChanges: { id: string; from: CredentialStatus; to: CredentialStatus; reason: string }[];
}

const toMs = (t: number | Date | undefined): number =>
  t === undefined ? Date.now() : typeof t === 'number' ? t : t.getTime();

/** The secret-free essentials of a validation result, as kept in a history record. */
export function summarizeValidation(result: ValidationResult): ValidationSummary {
  return {
    status: result.status,
    reason: result.reason,
    checkedAt: new Date(Date.parse(result.checkedAt)).toISOString(),
    ...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
    ...(result.providerCode !== undefined ? { providerCode: result.providerCode } : {}),
    ...(Number.isFinite(result.latencyMs) && result.latencyMs >= 0 ? { latencyMs: result.latencyMs } : {}),
  };
}

/**
 * Records a live check in the history and draws its consequences: `valid` makes the credential
 * active (and clears an auth cooldown and any re-validation mark); `invalid`, `no_access` make it
 * invalid (`revoked` when the provider says so); `expired` makes it expired; `refreshable` marks
 * it as needing a refresh; `rate_limited` / `quota_exhausted` start a cooldown until the
 * provider's retry time, by the one cooldown policy the rotator uses too (`cooldownUntil`);
 * `unknown` only records the check. The entry must exist (see `ensure`).
 *
 * @param store - the history store
 * @param result - the check's result (its `credentialId` names the entry)
 * @param cooldowns - the cooldown policy (default `DEFAULT_COOLDOWNS`, the rotator's too)
 * @returns the status change it caused, if any
 */
export function applyValidationResult(
  store: HistoryStore,
  result: ValidationResult,
  cooldowns: Readonly<CooldownPolicy> = DEFAULT_COOLDOWNS,
): { from: CredentialStatus; to: CredentialStatus; reason: string } | null {
  const id = result.credentialId;
  const entry = store.get(id);
  if (!entry) return null;
  const summary = summarizeValidation(result);
  const at = Date.parse(summary.checkedAt);
  store.recordValidation(id, summary);
  const from = entry.status;
  let to: CredentialStatus | null = null;
  let reason = result.reason;
  const retryAt = result.retryAfter ? Date.parse(result.retryAfter) : Number.NaN;
  switch (result.status) {
    case 'valid':
      to = 'active';
      if (entry.needs) store.setNeeds(id, null, null, at);
      if (entry.cooldownCause === 'auth_failed') store.setCooldown(id, { until: null, cause: null, at });
      break;
    case 'invalid': {
      const revoked = /revok|deactivat/i.test(`${result.providerCode ?? ''} ${result.reason}`);
      to = revoked ? 'revoked' : 'invalid';
      break;
    }
    case 'no_access':
      to = 'invalid';
      reason = `no access: ${result.reason}`;
      break;
    case 'expired':
      to = 'expired';
      break;
    case 'refreshable':
      to = 'active';
      store.setNeeds(id, 'refresh', result.reason, at);
      break;
    case 'rate_limited':
    case 'quota_exhausted': {
      const trigger = {
        cause: result.status,
        consecutiveFailures: entry.consecutiveFailures,
        ...(Number.isFinite(retryAt) && retryAt > at ? { resetAt: retryAt } : {}),
      };
      store.setCooldown(id, { until: cooldownUntil(trigger, at, cooldowns), cause: result.status, at });
      break;
    }
    case 'unknown':
      break;
  }
  if (to === null) return null;
  store.setStatus(id, to, reason, at);
  return from === to ? null : { from, to, reason };
}

/**
 * Records what a scan found: each credential's first and last sighting, its current hash and
 * expiry, and its status (expired when past its expiry with no refresh token; marked for refresh
 * when a refresh token exists; back to active when a new secret appears). Validation results, when
 * given, are applied too (see {@link applyValidationResult}). Flushes before resolving.
 *
 * @param store - the history store
 * @param credentials - what the scan found (secret-free views are enough; only hashes are kept)
 * @param validations - live checks from the same scan, matched by `credentialId`
 * @param now - the scan's time
 * @returns what changed
 * @example
 * const result = await scan({ env });
 * await recordScan(store, result.credentials.map(toCredentialInfo));
 */
export async function recordScan(
  store: HistoryStore,
  credentials: readonly CredentialInfo[],
  validations: readonly ValidationResult[] = [],
  now?: number | Date,
): Promise<RecordScanResult> {
  const at = toMs(now);
  const out: RecordScanResult = { added: [], seen: [], rotated: [], statusChanges: [] };
  const byId = new Map(validations.map((v) => [v.credentialId, v]));
  for (const c of credentials) {
    const ref = { id: c.id, hash: c.hash, source: c.source, provider: c.provider };
    const before = store.get(c.id);
    const entry = before ?? store.ensure(ref, at);
    (before ? out.seen : out.added).push(c.id);
    const from = entry.status;
    const rotated = before !== undefined && before.hash !== c.hash;
    const expiresAt = c.expiresAt ? Date.parse(c.expiresAt) : null;
    store.observe(ref, { at, expiresAt: Number.isFinite(expiresAt) ? expiresAt : null });
    let status: { to: CredentialStatus; reason: string } | null = null;
    if (rotated) {
      // A new secret (a refresh or a new login): verdicts about the old one no longer hold.
      out.rotated.push(c.id);
      if (entry.needs) store.setNeeds(c.id, null, null, at);
      if (entry.cooldownCause === 'auth_failed') store.setCooldown(c.id, { until: null, cause: null, at });
      if (entry.status !== 'active') status = { to: 'active', reason: 'a new secret was found' };
    }
    if (expiresAt !== null && expiresAt <= at) {
      if (c.hasRefreshToken) {
        if (entry.needs !== 'refresh')
          store.setNeeds(c.id, 'refresh', 'access token expired; refresh token present', at);
      } else {
        status = { to: 'expired', reason: `access token expired at ${new Date(expiresAt).toISOString()}` };
      }
    } else if (entry.status === 'expired' && !rotated) {
      status = { to: 'active', reason: 'no longer past its expiry' };
    }
    if (status && status.to !== entry.status) store.setStatus(c.id, status.to, status.reason, at);
    const check = byId.get(c.id);
    if (check) applyValidationResult(store, check);
    if (entry.status !== from) {
      out.statusChanges.push({ id: c.id, from, to: entry.status, reason: entry.statusReason ?? '' });
    }
  }
  await store.flush();
  return out;
}
