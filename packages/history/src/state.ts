// The in-memory engine shared by every backend: a base (the state last read from or written to the
// backend), the changes recorded since (one delta per credential), and the view (base + deltas)
// that readers see. Deltas are made of operations that merge without losing anything: counters add,
// times take the max (or min), and settings (status, cooldown, needs, validation) go to the later
// writer by their own timestamps. A backend applies the deltas to the freshest base under its lock.
//
// The merge rules are written once, in `applyDelta` and `foldDelta`: every recorded event is a
// one-event delta, applied to the live entry and folded into the pending delta by the same code
// that later merges the batch into the shared state.
import { CtdError } from '@ctd/core';
import type { CooldownCause, CredentialNeed, CredentialStatus, ValidationSummary } from './schema.ts';
import type { CooldownChange, CredentialRef, HistoryEntry, Sighting, UsageResult } from './types.ts';

/** The writable form of an entry, only inside this package. */
export type MutableEntry = { -readonly [K in keyof HistoryEntry]: HistoryEntry[K] };

/** State keyed by credential id. */
export type EntryMap = Map<string, MutableEntry>;

interface Setting<T> {
  value: T;
  reason: string | null;
  at: number;
}

interface CooldownOp {
  until: number | null;
  cause: CooldownCause | null;
  at: number;
}

/** The changes recorded for one credential since the last flush. */
export interface Delta {
  ref: CredentialRef;
  /** When a scan saw this identity; null when the delta only creates the entry. */
  refAt: number | null;
  expiresAt: number | null;
  firstSeen: number | null;
  lastSeen: number | null;
  uses: number;
  lastUsed: number | null;
  successes: number;
  failures: number;
  /** A success happened: the merged streak restarts from `streakAdd`. */
  streakReset: boolean;
  streakAdd: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  latencySum: number;
  latencyCount: number;
  status: Setting<CredentialStatus> | null;
  cooldown: CooldownOp | null;
  models: Map<string, CooldownOp> | null;
  needs: Setting<CredentialNeed | null> | null;
  validation: ValidationSummary | null;
  /** How many changes the delta holds (for batching). */
  events: number;
}

/** Weight of one latency sample in the moving average. */
const LATENCY_ALPHA = 0.2;

const max = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : a > b ? a : b;
const min = (a: number | null, b: number | null): number | null =>
  a === null ? b : b === null ? a : a < b ? a : b;

function blendLatency(current: number | null, mean: number, samples: number): number {
  if (current === null) return mean;
  const weight = 1 - (1 - LATENCY_ALPHA) ** samples;
  return current + (mean - current) * weight;
}

/** A new, empty, active entry. */
export function emptyEntry(ref: CredentialRef): MutableEntry {
  return {
    id: ref.id,
    hash: ref.hash,
    source: ref.source,
    provider: ref.provider,
    firstSeen: null,
    lastSeen: null,
    lastUsed: null,
    usageCount: 0,
    successes: 0,
    failures: 0,
    consecutiveFailures: 0,
    lastSuccessAt: null,
    lastFailureAt: null,
    latencyMs: null,
    status: 'active',
    statusReason: null,
    statusSetAt: null,
    cooldownUntil: null,
    cooldownCause: null,
    cooldownSetAt: null,
    modelCooldowns: {},
    needs: null,
    needsReason: null,
    needsSetAt: null,
    lastValidation: null,
    expiresAt: null,
  };
}

/** A copy of a credential's identity (a pending delta keeps its own). */
const copyRef = (ref: CredentialRef): CredentialRef => ({
  id: ref.id,
  hash: ref.hash,
  source: ref.source,
  provider: ref.provider,
});

/**
 * Makes `d` an empty delta holding one event of `ref`, which a record then fills in (see
 * `HistoryState.#event`). Every field is set, in one order, so every delta has one shape.
 */
function resetDelta(d: Delta, ref: CredentialRef): Delta {
  d.ref = ref;
  d.refAt = null;
  d.expiresAt = null;
  d.firstSeen = null;
  d.lastSeen = null;
  d.uses = 0;
  d.lastUsed = null;
  d.successes = 0;
  d.failures = 0;
  d.streakReset = false;
  d.streakAdd = 0;
  d.lastSuccessAt = null;
  d.lastFailureAt = null;
  d.latencySum = 0;
  d.latencyCount = 0;
  d.status = null;
  d.cooldown = null;
  d.models = null;
  d.needs = null;
  d.validation = null;
  d.events = 1;
  return d;
}

// Entries share their nested objects (model cooldowns, validation) because those are replaced,
// never changed in place; a shallow copy is a full copy.
export const cloneEntry = (e: MutableEntry): MutableEntry => ({ ...e });

function applyIdentity(e: MutableEntry, ref: CredentialRef, at: number, expiresAt: number | null): void {
  if (e.lastSeen === null || at >= e.lastSeen) {
    e.hash = ref.hash;
    e.source = ref.source;
    e.provider = ref.provider;
    e.expiresAt = expiresAt;
  }
}

function applyCooldown(e: MutableEntry, op: CooldownOp): void {
  if (e.cooldownSetAt === null || op.at >= e.cooldownSetAt) {
    e.cooldownUntil = op.until;
    e.cooldownCause = op.until === null ? null : op.cause;
    e.cooldownSetAt = op.at;
  }
}

function applyModelCooldown(e: MutableEntry, model: string, op: CooldownOp): void {
  const current = e.modelCooldowns[model];
  if (current && op.at < current.setAt) return;
  if (op.until === null || op.cause === null) {
    if (!current) return;
    const { [model]: _dropped, ...rest } = e.modelCooldowns;
    e.modelCooldowns = rest;
  } else {
    e.modelCooldowns = { ...e.modelCooldowns, [model]: { until: op.until, cause: op.cause, setAt: op.at } };
  }
}

function applyStatus(e: MutableEntry, s: Setting<CredentialStatus>): void {
  if (e.statusSetAt === null || s.at >= e.statusSetAt) {
    e.status = s.value;
    e.statusReason = s.reason;
    e.statusSetAt = s.at;
  }
}

function applyNeeds(e: MutableEntry, s: Setting<CredentialNeed | null>): void {
  if (e.needsSetAt === null || s.at >= e.needsSetAt) {
    e.needs = s.value;
    e.needsReason = s.value === null ? null : s.reason;
    e.needsSetAt = s.at;
  }
}

function applyValidation(e: MutableEntry, v: ValidationSummary): void {
  if (e.lastValidation === null || v.checkedAt >= e.lastValidation.checkedAt) e.lastValidation = v;
}

/**
 * Applies a delta to an entry (creating it from the delta's identity when missing) and returns it.
 * This is the merge: it is what makes concurrent writers lose nothing.
 */
export function applyDelta(target: MutableEntry | undefined, d: Delta): MutableEntry {
  const e = target ?? emptyEntry(d.ref);
  if (d.refAt !== null) applyIdentity(e, d.ref, d.refAt, d.expiresAt);
  e.firstSeen = min(e.firstSeen, d.firstSeen);
  e.lastSeen = max(e.lastSeen, d.lastSeen);
  e.usageCount += d.uses;
  e.lastUsed = max(e.lastUsed, d.lastUsed);
  e.successes += d.successes;
  e.failures += d.failures;
  e.consecutiveFailures = d.streakReset ? d.streakAdd : e.consecutiveFailures + d.streakAdd;
  e.lastSuccessAt = max(e.lastSuccessAt, d.lastSuccessAt);
  e.lastFailureAt = max(e.lastFailureAt, d.lastFailureAt);
  if (d.latencyCount > 0)
    e.latencyMs = blendLatency(e.latencyMs, d.latencySum / d.latencyCount, d.latencyCount);
  if (d.status) applyStatus(e, d.status);
  if (d.cooldown) applyCooldown(e, d.cooldown);
  if (d.models) for (const [model, op] of d.models) applyModelCooldown(e, model, op);
  if (d.needs) applyNeeds(e, d.needs);
  if (d.validation) applyValidation(e, d.validation);
  return e;
}

const later = <T extends { at: number }>(a: T | null, b: T | null): T | null =>
  a === null ? b : b === null ? a : b.at >= a.at ? b : a;

/**
 * Folds a newer delta into an older one, in place, and returns it: the pending delta of a
 * credential absorbs each one-event delta, and a batch whose flush failed absorbs what was recorded
 * since. Counters add, times take the max (or min), settings go to the later one.
 */
export function foldDelta(older: Delta, newer: Delta): Delta {
  const out = older;
  if (newer.refAt !== null && (older.refAt === null || newer.refAt >= older.refAt)) {
    out.ref = newer.ref;
    out.refAt = newer.refAt;
    out.expiresAt = newer.expiresAt;
  }
  out.firstSeen = min(older.firstSeen, newer.firstSeen);
  out.lastSeen = max(older.lastSeen, newer.lastSeen);
  out.uses += newer.uses;
  out.lastUsed = max(older.lastUsed, newer.lastUsed);
  out.successes += newer.successes;
  out.failures += newer.failures;
  if (newer.streakReset) {
    out.streakReset = true;
    out.streakAdd = newer.streakAdd;
  } else {
    out.streakAdd += newer.streakAdd;
  }
  out.lastSuccessAt = max(older.lastSuccessAt, newer.lastSuccessAt);
  out.lastFailureAt = max(older.lastFailureAt, newer.lastFailureAt);
  out.latencySum += newer.latencySum;
  out.latencyCount += newer.latencyCount;
  out.status = later(older.status, newer.status);
  out.cooldown = later(older.cooldown, newer.cooldown);
  out.needs = later(older.needs, newer.needs);
  if (newer.models) {
    const models = older.models ?? new Map<string, CooldownOp>();
    for (const [m, op] of newer.models) models.set(m, later(models.get(m) ?? null, op) ?? op);
    out.models = models;
  }
  if (
    newer.validation &&
    (older.validation === null || newer.validation.checkedAt >= older.validation.checkedAt)
  ) {
    out.validation = newer.validation;
  }
  out.events += newer.events;
  return out;
}

/** Folds a newer delta into a copy of an older one (neither is changed). */
export function combineDeltas(older: Delta, newer: Delta): Delta {
  return foldDelta({ ...older, models: older.models ? new Map(older.models) : null }, newer);
}

/** Returns a new map: `base` with every delta of `batch` applied (entries not touched are shared). */
export function mergeBatch(base: EntryMap, batch: Map<string, Delta>): EntryMap {
  const out: EntryMap = new Map(base);
  for (const [id, d] of batch) {
    const current = out.get(id);
    out.set(id, applyDelta(current ? cloneEntry(current) : undefined, d));
  }
  return out;
}

/**
 * The base, the pending deltas and the view of one store. Drivers own the I/O; this class owns
 * the bookkeeping, so every backend merges the same way. Each record method builds a one-event
 * delta and hands it to {@link HistoryState.apply}: the live entry and the pending delta change by
 * the very rules the shared merge uses.
 */
export class HistoryState {
  /** The state last read from or written to the backend. */
  base: EntryMap = new Map();
  readonly #view: EntryMap = new Map();
  #pending = new Map<string, Delta>();
  #pendingEvents = 0;
  // The one-event delta each record fills in. A record usually folds into its credential's pending
  // delta and is then done with, so one object serves them all; it is copied only when it becomes
  // a pending delta itself. A rotator records twice per decision, and building a fresh delta each
  // time was a quarter of what a decision allocated (see the rotator's bench).
  readonly #scratch: Delta = resetDelta({} as Delta, { id: '', hash: '', source: '', provider: '' });
  #revision = 0;
  #changes = 0;

  /** Changes whenever entries are added or removed. */
  get revision(): number {
    return this.#revision;
  }

  /** Changes whenever any entry changes (a record, a merge of other writers' changes, a clear). */
  get changes(): number {
    return this.#changes;
  }

  /** Changes recorded since the last flush. */
  get pendingEvents(): number {
    return this.#pendingEvents;
  }

  /** Whether any change awaits a flush. */
  get dirty(): boolean {
    return this.#pending.size > 0;
  }

  get(id: string): HistoryEntry | undefined {
    return this.#view.get(id);
  }

  list(): HistoryEntry[] {
    return [...this.#view.keys()].sort().map((id) => this.#view.get(id) as HistoryEntry);
  }

  /** A copy of the current view (base plus pending changes). */
  snapshot(): EntryMap {
    const out: EntryMap = new Map();
    for (const [id, e] of this.#view) out.set(id, cloneEntry(e));
    return out;
  }

  #entry(id: string): MutableEntry {
    const e = this.#view.get(id);
    if (!e) throw new CtdError('NOT_FOUND', `no history entry for credential "${id}"; call ensure() first`);
    return e;
  }

  /**
   * The scratch delta, emptied, for one record on entry `e`. Its `ref` is `e` itself until
   * {@link HistoryState.apply} keeps a copy; a record that changes the identity sets a new `ref`.
   */
  #event(e: MutableEntry): Delta {
    return resetDelta(this.#scratch, e);
  }

  /** Applies a one-event delta to the live entry and folds it into the pending changes. */
  apply(e: MutableEntry, d: Delta): void {
    this.#changes++;
    applyDelta(e, d);
    const pending = this.#pending.get(e.id);
    if (pending) foldDelta(pending, d);
    else this.#pending.set(e.id, d === this.#scratch ? { ...d, ref: copyRef(d.ref) } : d);
    this.#pendingEvents += d.events;
  }

  ensure(ref: CredentialRef, at: number): HistoryEntry {
    const existing = this.#view.get(ref.id);
    if (existing) return existing;
    const e = emptyEntry(ref);
    this.#view.set(ref.id, e);
    this.#revision++;
    const d = this.#event(e);
    d.firstSeen = at;
    this.apply(e, d);
    return e;
  }

  recordUse(id: string, at: number): void {
    const e = this.#entry(id);
    const d = this.#event(e);
    d.uses = 1;
    d.lastUsed = at;
    this.apply(e, d);
  }

  recordResult(id: string, r: UsageResult): void {
    const e = this.#entry(id);
    const d = this.#event(e);
    if (r.ok) {
      d.successes = 1;
      d.streakReset = true;
      d.lastSuccessAt = r.at;
    } else {
      d.failures = 1;
      d.streakAdd = 1;
      d.lastFailureAt = r.at;
    }
    if (r.latencyMs !== undefined && Number.isFinite(r.latencyMs) && r.latencyMs >= 0) {
      d.latencySum = r.latencyMs;
      d.latencyCount = 1;
    }
    this.apply(e, d);
  }

  /**
   * Counts a use that a shared backend already made durable (it decided the step and recorded the
   * use on the server): the view changes, nothing is pending. The next read brings the same count.
   */
  recordDurableUse(id: string, at: number): void {
    const e = this.#view.get(id);
    if (!e) return;
    const d = this.#event(e);
    d.uses = 1;
    d.lastUsed = at;
    this.#changes++;
    applyDelta(e, d);
  }

  setCooldown(id: string, c: CooldownChange): void {
    const e = this.#entry(id);
    const d = this.#event(e);
    const op: CooldownOp = { until: c.until, cause: c.until === null ? null : c.cause, at: c.at };
    if (c.model !== undefined) d.models = new Map([[c.model, op]]);
    else d.cooldown = op;
    this.apply(e, d);
  }

  setStatus(id: string, status: CredentialStatus, reason: string | null, at: number): void {
    const e = this.#entry(id);
    const d = this.#event(e);
    d.status = { value: status, reason, at };
    this.apply(e, d);
  }

  setNeeds(id: string, needs: CredentialNeed | null, reason: string | null, at: number): void {
    const e = this.#entry(id);
    const d = this.#event(e);
    d.needs = { value: needs, reason, at };
    this.apply(e, d);
  }

  recordValidation(id: string, v: ValidationSummary): void {
    const e = this.#entry(id);
    const d = this.#event(e);
    d.validation = v;
    this.apply(e, d);
  }

  observe(ref: CredentialRef, s: Sighting): void {
    const e = this.#entry(ref.id);
    const d = this.#event(e);
    d.ref = copyRef(ref);
    d.refAt = s.at;
    d.expiresAt = s.expiresAt;
    d.firstSeen = s.at;
    d.lastSeen = s.at;
    this.apply(e, d);
  }

  /** Takes every pending delta out, for a flush. */
  takePending(): Map<string, Delta> {
    const batch = this.#pending;
    this.#pending = new Map();
    this.#pendingEvents = 0;
    return batch;
  }

  /** Puts back a batch whose flush failed, ahead of what was recorded since. */
  requeue(batch: Map<string, Delta>): void {
    const newer = this.#pending;
    this.#pending = batch;
    this.#pendingEvents = 0;
    for (const d of batch.values()) this.#pendingEvents += d.events;
    for (const [id, d] of newer) {
      const older = this.#pending.get(id);
      this.#pending.set(id, older ? foldDelta(older, d) : d);
      this.#pendingEvents += d.events;
    }
  }

  /** Forgets pending changes of one credential (or all), e.g. after its history was cleared. */
  dropPending(id?: string): void {
    if (id === undefined) {
      this.takePending();
      return;
    }
    const d = this.#pending.get(id);
    if (d) {
      this.#pending.delete(id);
      this.#pendingEvents -= d.events;
    }
  }

  /**
   * Makes `base` the new base and recomputes the view as base + pending, updating view entries in
   * place so that callers holding an entry keep seeing current values.
   */
  rebase(base: EntryMap): void {
    this.base = base;
    this.#changes++;
    for (const [id, view] of this.#view) {
      const b = base.get(id);
      const d = this.#pending.get(id);
      if (!b && !d) {
        this.#view.delete(id);
        this.#revision++;
        continue;
      }
      const next = d ? applyDelta(b ? cloneEntry(b) : undefined, d) : cloneEntry(b as MutableEntry);
      Object.assign(view, next);
    }
    for (const [id, b] of base) {
      if (this.#view.has(id)) continue;
      const d = this.#pending.get(id);
      this.#view.set(id, d ? applyDelta(cloneEntry(b), d) : cloneEntry(b));
      this.#revision++;
    }
  }
}
