import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CtdError } from '@ctd/core';
import {
  type CooldownCause,
  type CooldownPolicy,
  type CredentialNeed,
  type CredentialRef,
  cooldownUntil,
  DEFAULT_COOLDOWNS,
  type HistoryEntry,
  type HistoryStore,
} from '@ctd/history';
import type { Outcome } from './outcome.ts';

// One cooldown policy, shared with the history's live checks: re-exported as this package's own.
export type { CooldownPolicy } from '@ctd/history';
export { DEFAULT_COOLDOWNS } from '@ctd/history';

/** Every rotation strategy. */
export const STRATEGIES = ['round-robin', 'least-used', 'priority', 'health-based'] as const;

/**
 * `round-robin`: each ready credential in turn. `least-used`: the one with the fewest uses (shared
 * between processes through the history). `priority`: the highest priority tier that has a ready
 * credential, in turn within the tier. `health-based`: credentials with recent failures get only
 * probes; the others share traffic in proportion to success rate and speed.
 */
export type Strategy = (typeof STRATEGIES)[number];

/** A credential the rotator may hand out: a `CredentialInfo` from `@ctd/core` fits. */
export interface RotatorCredential extends CredentialRef {
  /** Whether an auth failure can be fixed by an OAuth refresh (else it needs a re-validation). */
  readonly hasRefreshToken?: boolean | undefined;
  /** Priority for the `priority` strategy (higher first); overrides the configured one. */
  readonly priority?: number | undefined;
}

/** Priorities for the `priority` strategy: higher numbers first; unlisted credentials get 0. */
export interface PriorityConfig {
  /** By source id, e.g. `{ 'example-cli': 10, environment: 0 }`. */
  readonly sources?: Readonly<Record<string, number>> | undefined;
  /** By credential id; wins over the source's priority. */
  readonly credentials?: Readonly<Record<string, number>> | undefined;
}

/** Options of {@link createRotator}. */
export interface RotatorOptions {
  /** Where usage, results and cooldowns are kept (and shared with other processes). */
  store: HistoryStore;
  /** @default 'round-robin' */
  strategy?: Strategy | undefined;
  /** Priorities for the `priority` strategy. */
  priorities?: PriorityConfig | undefined;
  /** Cooldown lengths (merged over `DEFAULT_COOLDOWNS`, the policy the history uses for live checks too). */
  cooldowns?: Partial<CooldownPolicy> | undefined;
  /**
   * The clock, in epoch ms (tests inject one).
   * @default Date.now
   */
  clock?: (() => number) | undefined;
  /**
   * Identifies this rotator among processes; it decides the starting point of round-robin and
   * how ties are broken, so that two gateways starting from the same state pick different
   * credentials. @default host, pid and a random part
   */
  instanceId?: string | undefined;
}

/** What an agent asks for. */
export interface AcquireRequest {
  readonly provider: string;
  /** The model the request is for: model-scoped cooldowns then apply. */
  readonly model?: string | undefined;
  /** Credential ids not to hand out (e.g. the one that just failed). */
  readonly exclude?: readonly string[] | undefined;
}

/** How many credentials of the provider were in each state when the choice was made. */
export interface CandidateCounts {
  ready: number;
  /** Cooling down, or waiting for a probe that is in flight. */
  cooling: number;
  /** Not active (expired, invalid, revoked). */
  inactive: number;
  excluded: number;
}

/**
 * A credential handed out to an agent. Report its outcome with `rotator.report(lease, outcome)`.
 * `credential` is the object given to `setCredentials` (with its secret, if it had one).
 */
export interface Lease<C extends RotatorCredential = RotatorCredential> {
  readonly ok: true;
  readonly id: string;
  readonly credential: C;
  readonly provider: string;
  readonly model: string | undefined;
  readonly strategy: Strategy;
  /** True when this request tests a credential whose cooldown just ended. */
  readonly probe: boolean;
  /** Why this credential was picked, in a sentence. */
  readonly reason: string;
  readonly candidates: CandidateCounts;
  readonly acquiredAt: number;
}

/** No credential can be handed out now. */
export interface Unavailable {
  readonly ok: false;
  /**
   * `NO_CREDENTIALS`: none registered for the provider; `ALL_COOLING_DOWN`: all are cooling down
   * (see `retryAt`); `NONE_ACTIVE`: all are expired, invalid or revoked (or excluded).
   */
  readonly code: 'NO_CREDENTIALS' | 'ALL_COOLING_DOWN' | 'NONE_ACTIVE';
  readonly provider: string;
  readonly model: string | undefined;
  /** The earliest time (epoch ms) a credential is free again, or null when none will be by itself. */
  readonly retryAt: number | null;
  /** `retryAt - now`, or null. */
  readonly retryAfterMs: number | null;
  readonly reason: string;
  readonly candidates: CandidateCounts;
}

/** The answer to an acquire. */
export type Acquisition<C extends RotatorCredential = RotatorCredential> = Lease<C> | Unavailable;

/** What a report changed. */
export interface ReportResult {
  /** The new cooldown, if the outcome started one. */
  readonly cooldownUntil: number | null;
  readonly cooldownCause: CooldownCause | null;
  /** `model` when only the lease's model cools down. */
  readonly scope: 'credential' | 'model' | null;
  /** What the credential now needs, if the outcome marked it. */
  readonly needs: CredentialNeed | null;
}

/** One credential's current standing, for status displays. */
export interface CredentialStanding {
  readonly id: string;
  readonly provider: string;
  readonly source: string;
  readonly priority: number;
  /** `ready`, `cooling`, `probe` (next request tests it), `probing` (a test is in flight), `inactive`. */
  readonly state: 'ready' | 'cooling' | 'probe' | 'probing' | 'inactive';
  /** When a cooling or probing credential is free again. */
  readonly until: number | null;
  readonly entry: HistoryEntry;
}

interface Slot<C extends RotatorCredential> {
  cred: C;
  priority: number;
  entry: HistoryEntry;
  /** Smooth weighted round-robin state (health-based). */
  current: number;
}

/** The outcome of a classification pass (see `#classify`). */
interface Classified<C extends RotatorCredential> {
  ok: true;
  group: Group<C>;
  slots: Slot<C>[];
  states: Uint8Array;
  counts: CandidateCounts;
  probeIdx: number;
  probeTier: number;
  topTier: number;
  byPriority: boolean;
  retryAt: number;
}

function probeReason(e: HistoryEntry): string {
  return e.cooldownCause
    ? `probe: its ${e.cooldownCause.replace('_', ' ')} cooldown ended; one request tests it before full traffic`
    : `probe: ${plural(e.consecutiveFailures, 'recent failure')}; one request tests it before full traffic`;
}

interface Group<C extends RotatorCredential> {
  slots: Slot<C>[];
  cursor: number;
  /** Where this instance starts breaking ties (differs between processes). */
  offset: number;
}

// Slot states during a selection pass.
const READY = 0;
const PROBE = 1;
const COOLING = 2;
const INACTIVE = 3;

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Hands out credentials for a provider by strategy, and turns reported outcomes into cooldowns.
 * State lives in a {@link HistoryStore}, so processes that share a store share usage, cooldowns
 * and statuses. Create it with {@link createRotator}.
 */
export class Rotator<C extends RotatorCredential = RotatorCredential> {
  /** The strategy in use. */
  readonly strategy: Strategy;
  readonly #store: HistoryStore;
  readonly #cooldowns: CooldownPolicy;
  readonly #priorities: PriorityConfig;
  readonly #clock: () => number;
  readonly #seed: number;
  readonly #groups = new Map<string, Group<C>>();
  readonly #slots = new Map<string, Slot<C>>();
  /** Probes in flight in this process: credential id → when the probe expires. */
  readonly #probing = new Map<string, number>();
  readonly #settled = new WeakSet<Lease<C>>();
  #revision = -1;

  /** Use {@link createRotator}. */
  constructor(options: RotatorOptions) {
    this.#store = options.store;
    this.strategy = options.strategy ?? 'round-robin';
    if (!(STRATEGIES as readonly string[]).includes(this.strategy)) {
      throw new CtdError(
        'BAD_USAGE',
        `unknown strategy "${this.strategy}"; one of: ${STRATEGIES.join(', ')}`,
      );
    }
    this.#cooldowns = { ...DEFAULT_COOLDOWNS, ...options.cooldowns };
    this.#priorities = options.priorities ?? {};
    this.#clock = options.clock ?? Date.now;
    this.#seed = fnv1a(options.instanceId ?? `${hostname()}:${process.pid}:${randomUUID()}`);
  }

  /**
   * Sets the credentials to rotate over (replacing any set before). Each gets a history entry if
   * it has none.
   *
   * @param credentials - e.g. the `CredentialInfo`s of a scan
   */
  setCredentials(credentials: readonly C[]): void {
    this.#groups.clear();
    this.#slots.clear();
    const sorted = [...credentials].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    for (const cred of sorted) {
      if (this.#slots.has(cred.id)) continue;
      const priority =
        cred.priority ??
        this.#priorities.credentials?.[cred.id] ??
        this.#priorities.sources?.[cred.source] ??
        0;
      const slot: Slot<C> = { cred, priority, entry: this.#store.ensure(cred), current: 0 };
      this.#slots.set(cred.id, slot);
      let group = this.#groups.get(cred.provider);
      if (!group) {
        group = { slots: [], cursor: 0, offset: 0 };
        this.#groups.set(cred.provider, group);
      }
      group.slots.push(slot);
    }
    for (const [provider, group] of this.#groups) {
      group.offset = fnv1a(`${this.#seed}:${provider}`) % group.slots.length;
      group.cursor = group.offset;
    }
    this.#revision = this.#store.revision;
  }

  /** Re-resolves entries after the store added or removed some (e.g. another process cleared one). */
  #resolve(): void {
    if (this.#revision === this.#store.revision) return;
    for (const slot of this.#slots.values())
      slot.entry = this.#store.get(slot.cred.id) ?? this.#store.ensure(slot.cred);
    this.#revision = this.#store.revision;
  }

  /**
   * Picks a credential for a provider (and model). Synchronous and in memory: usage is recorded in
   * the store, which flushes in batches. The answer explains the choice; when nothing can be handed
   * out it says why and, if credentials are cooling down, the earliest time one is free.
   *
   * @param request - provider, optional model, ids to skip
   * @example
   * const lease = rotator.acquire({ provider: 'openai', model: 'gpt-5' });
   * if (!lease.ok) return retryLater(lease.retryAt);
   */
  acquire(request: AcquireRequest): Acquisition<C> {
    const now = this.#clock();
    const c = this.#classify(request, now);
    if (!c.ok) return c;
    const { group, slots, counts, probeIdx, probeTier, topTier, byPriority } = c;
    const states = c.states;

    // A probe goes first, so a recovered credential returns to traffic (for priority, only a probe
    // in the top tier: a lower tier is used only while the higher ones cannot be).
    let pick = -1;
    let probe = false;
    let why: string;
    if (probeIdx >= 0 && (!byPriority || probeTier >= topTier)) {
      pick = probeIdx;
      probe = true;
      why = probeReason((slots[pick] as Slot<C>).entry);
    } else {
      switch (this.strategy) {
        case 'round-robin':
          pick = this.#nextInTurn(group, states, READY, Number.NEGATIVE_INFINITY);
          why = `round-robin: next in turn among ${plural(counts.ready, 'ready credential')}`;
          break;
        case 'priority':
          pick = this.#nextInTurn(group, states, READY, topTier);
          why = `priority ${topTier}: the highest tier with a ready credential, next in turn`;
          break;
        case 'least-used': {
          pick = this.#leastUsed(group, states);
          const uses = (slots[pick] as Slot<C>).entry.usageCount;
          why = `least-used: ${plural(uses, 'use')}, the fewest among ${plural(counts.ready, 'ready credential')}`;
          break;
        }
        default: {
          const chosen = this.#healthiest(group, states);
          pick = chosen.index;
          why = `health-based: ${Math.round(chosen.rate * 100)}% success${chosen.latency === null ? '' : `, ${Math.round(chosen.latency)} ms`}; share ${Math.round(chosen.share * 100)}% of ${plural(counts.ready, 'ready credential')}`;
        }
      }
    }
    const slot = slots[pick] as Slot<C>;
    this.#store.recordUse(slot.cred.id, now);
    return this.#lease(slot, request, now, probe, why, counts);
  }

  /** The lease for a pick (the use is already counted). */
  #lease(
    slot: Slot<C>,
    request: AcquireRequest,
    now: number,
    probe: boolean,
    why: string,
    counts: CandidateCounts,
  ): Lease<C> {
    if (probe) this.#probing.set(slot.cred.id, now + this.#cooldowns.probeTimeoutMs);
    const skipped =
      counts.cooling + counts.inactive > 0
        ? ` (skipped ${[counts.cooling ? `${counts.cooling} cooling down` : '', counts.inactive ? `${counts.inactive} inactive` : ''].filter(Boolean).join(', ')})`
        : '';
    return {
      ok: true,
      id: slot.cred.id,
      credential: slot.cred,
      provider: request.provider,
      model: request.model,
      strategy: this.strategy,
      probe,
      reason: why + skipped,
      candidates: counts,
      acquiredAt: now,
    };
  }

  /** Every slot's state for a request, or why nothing can be handed out. */
  #classify(request: AcquireRequest, now: number): Classified<C> | Unavailable {
    const { provider, model } = request;
    const counts: CandidateCounts = { ready: 0, cooling: 0, inactive: 0, excluded: 0 };
    const group = this.#groups.get(provider);
    if (!group || group.slots.length === 0) {
      return this.#unavailable(
        'NO_CREDENTIALS',
        request,
        null,
        now,
        counts,
        `no credentials for provider "${provider}"`,
      );
    }
    this.#resolve();
    const slots = group.slots;
    const n = slots.length;
    const exclude = request.exclude && request.exclude.length > 0 ? request.exclude : null;
    const health = this.strategy === 'health-based';
    const byPriority = this.strategy === 'priority';

    // One pass: classify every slot, remember the best probe, the earliest free time and, for
    // priority, the highest tier that has a usable credential.
    let probeIdx = -1;
    let probeTier = Number.NEGATIVE_INFINITY;
    let topTier = Number.NEGATIVE_INFINITY;
    let retryAt = Number.POSITIVE_INFINITY;
    const states = this.#scratch(n);
    for (let i = 0; i < n; i++) {
      const slot = slots[i] as Slot<C>;
      const e = slot.entry;
      if (exclude?.includes(slot.cred.id)) {
        states[i] = INACTIVE;
        counts.excluded++;
        continue;
      }
      if (e.status !== 'active') {
        states[i] = INACTIVE;
        counts.inactive++;
        continue;
      }
      let until = e.cooldownUntil;
      let ended = until !== null && until <= now;
      if (model !== undefined) {
        const mc = e.modelCooldowns[model];
        if (mc) {
          if (mc.until > now) until = until !== null && until > mc.until ? until : mc.until;
          else ended = true;
        }
      }
      if (until !== null && until > now) {
        states[i] = COOLING;
        counts.cooling++;
        if (until < retryAt) retryAt = until;
        continue;
      }
      // A cooldown that ended (or, for health-based, a failure streak) lets one probe through.
      if (ended || (health && e.consecutiveFailures > 0)) {
        const probeUntil = this.#probing.get(slot.cred.id);
        if (probeUntil !== undefined && probeUntil > now) {
          states[i] = COOLING;
          counts.cooling++;
          if (probeUntil < retryAt) retryAt = probeUntil;
          continue;
        }
        states[i] = PROBE;
        counts.ready++;
        if (slot.priority > topTier) topTier = slot.priority;
        if (probeIdx < 0 || (byPriority && slot.priority > probeTier)) {
          probeIdx = i;
          probeTier = slot.priority;
        }
        continue;
      }
      states[i] = READY;
      counts.ready++;
      if (slot.priority > topTier) topTier = slot.priority;
    }

    if (counts.ready === 0) {
      if (counts.cooling > 0) {
        return this.#unavailable(
          'ALL_COOLING_DOWN',
          request,
          retryAt,
          now,
          counts,
          `all ${plural(counts.cooling, 'credential')} for "${provider}"${model ? ` (${model})` : ''} are cooling down; the first is free at ${new Date(retryAt).toISOString()}`,
        );
      }
      return this.#unavailable(
        'NONE_ACTIVE',
        request,
        null,
        now,
        counts,
        `no active credential for "${provider}" (${plural(counts.inactive, 'inactive')}, ${counts.excluded} excluded)`,
      );
    }

    return { ok: true, group, slots, states, counts, probeIdx, probeTier, topTier, byPriority, retryAt };
  }

  /**
   * Like {@link acquire}, but decided on the freshest shared state with other processes held off
   * (a store transaction): two gateways never pick the same least-used credential. Slower (a
   * locked read and write per call); use it when exact spreading across processes matters.
   *
   * @param request - provider, optional model, ids to skip
   */
  async acquireShared(request: AcquireRequest): Promise<Acquisition<C>> {
    const store = this.#store;
    // A shared backend that decides on the server (Redis): one atomic step, no lock.
    if (store.sharesPicks && store.pickShared && this.strategy !== 'health-based') {
      try {
        return await this.#acquireOnServer(request);
      } catch (error) {
        // Unreachable: rotation goes on from the last known state; the use waits in memory.
        if (error instanceof CtdError && error.code === 'BACKEND_UNAVAILABLE') return this.acquire(request);
        throw error;
      }
    }
    let decided: Acquisition<C> | undefined;
    try {
      return await store.transaction(() => {
        decided = this.acquire(request);
        return decided;
      });
    } catch (error) {
      if (!(error instanceof CtdError) || error.code !== 'BACKEND_UNAVAILABLE') throw error;
      // The decision stands when it was made (its use is pending in the store); else decide locally.
      return decided ?? this.acquire(request);
    }
  }

  /** `acquireShared` on a store whose backend picks: the global cursor, the global least-used, a probe lease. */
  async #acquireOnServer(request: AcquireRequest): Promise<Acquisition<C>> {
    const store = this.#store as Required<Pick<HistoryStore, 'pickShared'>> & HistoryStore;
    const now = this.#clock();
    const c = this.#classify(request, now);
    if (!c.ok) return c;
    const { slots, states, counts, topTier, byPriority, group } = c;
    const probes: string[] = [];
    const ready: string[] = [];
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i] as Slot<C>;
      if (byPriority && slot.priority < topTier) continue;
      if (states[i] === PROBE) probes.push(slot.cred.id);
      else if (states[i] === READY) ready.push(slot.cred.id);
    }
    const mode = this.strategy === 'least-used' ? 'least-used' : 'turn';
    const result = await store.pickShared({
      group: byPriority ? `${request.provider}#${topTier}` : request.provider,
      mode,
      probes,
      ready,
      offset: group.offset,
      model: request.model,
      probeTtlMs: this.#cooldowns.probeTimeoutMs,
      at: now,
    });
    const slot = result.id === null ? undefined : this.#slots.get(result.id);
    if (!slot) {
      // Every candidate was cooling down or being probed by another gateway (this one's view was
      // older than the server's): retry shortly, with the fresher state.
      void store.flush().catch(() => {});
      const retryAt = now + 1000;
      return this.#unavailable(
        'ALL_COOLING_DOWN',
        request,
        retryAt,
        now,
        { ...counts, ready: 0, cooling: counts.cooling + counts.ready },
        `all credentials for "${request.provider}" are cooling down or being probed by another gateway`,
      );
    }
    const why = result.probe
      ? probeReason(slot.entry)
      : mode === 'least-used'
        ? `least-used: ${plural(slot.entry.usageCount, 'use')} across every gateway, the fewest among ${plural(counts.ready, 'ready credential')}`
        : byPriority
          ? `priority ${topTier}: the highest tier with a ready credential, next in the shared turn`
          : `round-robin: next in the turn shared by every gateway, among ${plural(counts.ready, 'ready credential')}`;
    return this.#lease(slot, request, now, result.probe, why, counts);
  }

  /**
   * Reports what happened with a lease: success clears cooldowns and the failure streak; a 429
   * cools the credential (or just the model) down for the provider's hint, capped, or an escalating
   * default; an auth failure cools it down and marks it for a refresh (OAuth) or re-validation; a
   * 5xx or network error gives a short, escalating cooldown. Reporting a lease twice has no effect.
   *
   * @param lease - what `acquire` returned
   * @param outcome - what happened (see `classifyResponse`)
   * @returns the cooldown and marks it set
   */
  report(lease: Lease<C>, outcome: Outcome): ReportResult {
    const none: ReportResult = { cooldownUntil: null, cooldownCause: null, scope: null, needs: null };
    if (this.#settled.has(lease)) return none;
    this.#settled.add(lease);
    const now = this.#clock();
    const id = lease.id;
    if (lease.probe) this.#probing.delete(id);
    this.#resolve();
    const store = this.#store;
    const e = store.get(id) ?? store.ensure(lease.credential, now);
    const c = this.#cooldowns;
    const model = lease.model;
    switch (outcome.type) {
      case 'success': {
        store.recordResult(id, { ok: true, at: now, latencyMs: outcome.latencyMs });
        if (e.cooldownUntil !== null) store.setCooldown(id, { until: null, cause: null, at: now });
        if (model !== undefined && e.modelCooldowns[model])
          store.setCooldown(id, { until: null, cause: null, at: now, model });
        if (e.needs === 'revalidation') store.setNeeds(id, null, null, now);
        return none;
      }
      case 'rate_limited':
      case 'quota_exhausted': {
        store.recordResult(id, {
          ok: false,
          at: now,
          latencyMs: outcome.type === 'rate_limited' ? outcome.latencyMs : undefined,
        });
        const until = cooldownUntil(
          {
            cause: outcome.type,
            retryAfterMs: outcome.retryAfterMs,
            resetAt: outcome.resetAt,
            consecutiveFailures: e.consecutiveFailures,
          },
          now,
          c,
        );
        const scopeDefault = outcome.type === 'rate_limited' ? 'model' : 'credential';
        const scope =
          model !== undefined && (outcome.scope ?? scopeDefault) === 'model' ? 'model' : 'credential';
        store.setCooldown(id, {
          until,
          cause: outcome.type,
          at: now,
          ...(scope === 'model' ? { model } : {}),
        });
        return { cooldownUntil: until, cooldownCause: outcome.type, scope, needs: null };
      }
      case 'auth_failed': {
        store.recordResult(id, { ok: false, at: now });
        const until = cooldownUntil({ cause: 'auth_failed' }, now, c);
        const needs: CredentialNeed = lease.credential.hasRefreshToken ? 'refresh' : 'revalidation';
        store.setCooldown(id, { until, cause: 'auth_failed', at: now });
        const detail = [outcome.httpStatus, outcome.reason].filter((x) => x !== undefined).join(' ');
        store.setNeeds(id, needs, `rejected by the provider${detail ? ` (${detail})` : ''}`, now);
        return { cooldownUntil: until, cooldownCause: 'auth_failed', scope: 'credential', needs };
      }
      case 'server_error':
      case 'network_error': {
        store.recordResult(id, { ok: false, at: now });
        const until = cooldownUntil(
          { cause: outcome.type, consecutiveFailures: e.consecutiveFailures },
          now,
          c,
        );
        store.setCooldown(id, { until, cause: outcome.type, at: now });
        return { cooldownUntil: until, cooldownCause: outcome.type, scope: 'credential', needs: null };
      }
      default:
        // client_error and cancelled say nothing about the credential.
        return none;
    }
  }

  /**
   * Each credential's standing for a provider (or all), for status displays.
   *
   * @param provider - limit to one provider
   * @param model - take this model's cooldowns into account
   */
  standings(provider?: string, model?: string): CredentialStanding[] {
    this.#resolve();
    const now = this.#clock();
    const out: CredentialStanding[] = [];
    for (const [p, group] of this.#groups) {
      if (provider !== undefined && p !== provider) continue;
      for (const slot of group.slots) {
        const e = slot.entry;
        let state: CredentialStanding['state'] = 'ready';
        let until: number | null = null;
        const mc = model !== undefined ? e.modelCooldowns[model] : undefined;
        const cooling = Math.max(e.cooldownUntil ?? 0, mc?.until ?? 0);
        const probeUntil = this.#probing.get(slot.cred.id);
        if (e.status !== 'active') state = 'inactive';
        else if (cooling > now) {
          state = 'cooling';
          until = cooling;
        } else if (
          e.cooldownUntil !== null ||
          mc ||
          (this.strategy === 'health-based' && e.consecutiveFailures > 0)
        ) {
          if (probeUntil !== undefined && probeUntil > now) {
            state = 'probing';
            until = probeUntil;
          } else state = 'probe';
        }
        out.push({
          id: slot.cred.id,
          provider: p,
          source: slot.cred.source,
          priority: slot.priority,
          state,
          until,
          entry: e,
        });
      }
    }
    return out;
  }

  #scratchStates: Uint8Array = new Uint8Array(16);
  #scratch(n: number): Uint8Array {
    if (this.#scratchStates.length < n) this.#scratchStates = new Uint8Array(n * 2);
    return this.#scratchStates;
  }

  #nextInTurn(group: Group<C>, states: Uint8Array, wanted: number, tier: number): number {
    const n = group.slots.length;
    for (let k = 0; k < n; k++) {
      const i = (group.cursor + k) % n;
      if (states[i] === wanted && (group.slots[i] as Slot<C>).priority >= tier) {
        group.cursor = (i + 1) % n;
        return i;
      }
    }
    throw new CtdError('INTERNAL', 'round-robin found no ready credential');
  }

  #leastUsed(group: Group<C>, states: Uint8Array): number {
    const n = group.slots.length;
    let best = -1;
    let bestUses = Number.POSITIVE_INFINITY;
    // Ties go to the first in this instance's order, so processes with equal views diverge.
    for (let k = 0; k < n; k++) {
      const i = (group.offset + k) % n;
      if (states[i] !== READY) continue;
      const uses = (group.slots[i] as Slot<C>).entry.usageCount;
      if (uses < bestUses) {
        best = i;
        bestUses = uses;
      }
    }
    return best;
  }

  // Smooth weighted round-robin: each ready credential gains its weight, the leader is picked and
  // pays back the total. Traffic follows the weights closely, without bursts.
  #healthiest(
    group: Group<C>,
    states: Uint8Array,
  ): { index: number; rate: number; latency: number | null; share: number } {
    const slots = group.slots;
    let fastest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < slots.length; i++) {
      const lat = (slots[i] as Slot<C>).entry.latencyMs;
      if (states[i] === READY && lat !== null && lat < fastest) fastest = lat;
    }
    let total = 0;
    let best = -1;
    let bestWeight = 0;
    let bestCurrent = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < slots.length; i++) {
      if (states[i] !== READY) continue;
      const slot = slots[i] as Slot<C>;
      const w = weight(slot.entry, fastest);
      total += w;
      slot.current += w;
      if (slot.current > bestCurrent) {
        bestCurrent = slot.current;
        best = i;
        bestWeight = w;
      }
    }
    const chosen = slots[best] as Slot<C>;
    chosen.current -= total;
    return {
      index: best,
      rate: successRate(chosen.entry),
      latency: chosen.entry.latencyMs,
      share: total > 0 ? bestWeight / total : 1,
    };
  }

  #unavailable(
    code: Unavailable['code'],
    request: AcquireRequest,
    retryAt: number | null,
    now: number,
    candidates: CandidateCounts,
    reason: string,
  ): Unavailable {
    return {
      ok: false,
      code,
      provider: request.provider,
      model: request.model,
      retryAt,
      retryAfterMs: retryAt === null ? null : Math.max(0, retryAt - now),
      reason,
      candidates,
    };
  }
}

// Laplace-smoothed, so a new credential starts at 50% and a few results move it gently.
function successRate(e: HistoryEntry): number {
  return (e.successes + 1) / (e.successes + e.failures + 2);
}

// Success rate times relative speed: half as fast gets half the traffic.
function weight(e: HistoryEntry, fastest: number): number {
  const rate = successRate(e);
  const speed =
    e.latencyMs === null || !Number.isFinite(fastest) ? 1 : fastest / Math.max(e.latencyMs, fastest, 1e-3);
  return Math.max(rate * speed, 1e-6);
}

/**
 * Creates a rotator over a history store.
 *
 * @param options - store, strategy, priorities, cooldowns, clock
 * @example
 * const rotator = createRotator({ store: await openHistoryStore(), strategy: 'least-used' });
 * rotator.setCredentials(scanResult.credentials);
 * const lease = rotator.acquire({ provider: 'openai' });
 * if (lease.ok) rotator.report(lease, classifyResponse(res.status, res.headers));
 */
export function createRotator<C extends RotatorCredential = RotatorCredential>(
  options: RotatorOptions,
): Rotator<C> {
  return new Rotator<C>(options);
}
