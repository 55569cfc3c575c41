// Copying a history from one backend to another (a file into Redis, or back), idempotently: what
// the target already holds is never counted twice. Each source entry becomes the delta that brings
// the target entry up to it (counters up to the larger value, times to the latest, settings to the
// later writer), applied under the target's own merge rules, so copying twice changes nothing and a
// target that moved on (gateways kept counting) keeps what it has.
import {
  applyDelta,
  type Delta,
  type EntryMap,
  type HistoryDriver,
  type HistoryEntry,
  type MutableEntry,
  mergeBatch,
} from '@ctd/history';

/** What {@link copyHistory} did. */
export interface CopyResult {
  /** Entries created or brought up to the source in the target. */
  readonly copied: number;
  /** Entries the target already held as they are in the source (or further on). */
  readonly unchanged: number;
}

/**
 * The delta that brings `target` (undefined: no entry yet) up to `source`, or null when it has
 * nothing to add.
 *
 * @param target - the target's entry for this credential, if any
 * @param source - the source's entry
 */
export function absorbDelta(target: HistoryEntry | undefined, source: HistoryEntry): Delta | null {
  const up = (s: number, t: number | undefined) => Math.max(0, s - (t ?? 0));
  const d: Delta = {
    ref: { id: source.id, hash: source.hash, source: source.source, provider: source.provider },
    refAt: source.lastSeen ?? (target ? null : 0),
    expiresAt: source.expiresAt,
    firstSeen: source.firstSeen,
    lastSeen: source.lastSeen,
    uses: up(source.usageCount, target?.usageCount),
    lastUsed: source.lastUsed,
    successes: up(source.successes, target?.successes),
    failures: up(source.failures, target?.failures),
    streakReset: target === undefined,
    // A success the target saw after the source's last failure ended that streak.
    streakAdd:
      target === undefined
        ? source.consecutiveFailures
        : (source.lastFailureAt ?? -1) > (target.lastSuccessAt ?? -1)
          ? up(source.consecutiveFailures, target.consecutiveFailures)
          : 0,
    lastSuccessAt: source.lastSuccessAt,
    lastFailureAt: source.lastFailureAt,
    latencySum: source.latencyMs !== null && (target?.latencyMs ?? null) === null ? source.latencyMs : 0,
    latencyCount: source.latencyMs !== null && (target?.latencyMs ?? null) === null ? 1 : 0,
    status:
      source.statusSetAt !== null
        ? { value: source.status, reason: source.statusReason, at: source.statusSetAt }
        : source.status !== 'active' && target === undefined
          ? { value: source.status, reason: source.statusReason, at: 0 }
          : null,
    cooldown:
      source.cooldownSetAt !== null
        ? { until: source.cooldownUntil, cause: source.cooldownCause, at: source.cooldownSetAt }
        : null,
    models: Object.keys(source.modelCooldowns).length
      ? new Map(
          Object.entries(source.modelCooldowns).map(([m, c]) => [
            m,
            { until: c.until, cause: c.cause, at: c.setAt },
          ]),
        )
      : null,
    needs:
      source.needsSetAt !== null
        ? { value: source.needs, reason: source.needsReason, at: source.needsSetAt }
        : null,
    validation: source.lastValidation,
    events: 1,
  };
  // Nothing to add when applying it would leave the target as it is.
  if (target) {
    const after = applyDelta({ ...(target as MutableEntry) }, d);
    if (JSON.stringify(after) === JSON.stringify(target)) return null;
  }
  return d;
}

/**
 * Copies entries into a target backend, idempotently, in one commit under the target's exclusion
 * (a Redis target writes increments, so gateways using it meanwhile lose nothing).
 *
 * @param entries - the source history (e.g. `store.list()` of a read-only store)
 * @param target - the target's driver, opened
 */
export async function copyHistory(
  entries: readonly HistoryEntry[],
  target: HistoryDriver,
): Promise<CopyResult> {
  const changes = new Map<string, Delta>();
  let copied = 0;
  let unchanged = 0;
  await target.commit((current: EntryMap) => {
    changes.clear();
    copied = 0;
    unchanged = 0;
    for (const e of entries) {
      const d = absorbDelta(current.get(e.id), e);
      if (d) {
        changes.set(e.id, d);
        copied++;
      } else unchanged++;
    }
    return mergeBatch(current, changes);
  }, changes);
  return { copied, unchanged };
}
