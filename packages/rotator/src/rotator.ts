import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CtdError, fnv1a } from '@ctd/core';
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
import { IndexHeap, PositionSet } from './index-structures.ts';
import type { Outcome } from './outcome.ts';
import { PickedLease, plural, Why } from './reasons.ts';

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
  /** Position in its group (the group is in id order). */
  index: number;
  /** Position of its priority in the group's tiers (highest first). */
  tier: number;
  // What the group's indexes were last told about this slot (see `#sync`): its state for a
  // request without a model or exclusions, and the keys it is ordered by.
  state: number;
  /** When a COOLING slot is free again (its cooldown's end, or its probe's expiry). */
  until: number;
  uses: number;
  latency: number | null;
  rate: number;
  /** The models it has a cooldown entry for. */
  models: readonly string[];
  /** Health-based: the virtual time of its next turn (stride scheduling). */
  pass: number;
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

interface Group<C extends RotatorCredential> {
  slots: Slot<C>[];
  cursor: number;
  /** Where this instance starts breaking ties (differs between processes). */
  offset: number;
  // Indexes kept in step with the slots' states (see `#sync`), so that a decision is O(log n).
  /** How many slots are in each state (READY, PROBE, COOLING, INACTIVE). */
  count: Int32Array;
  /** READY slots by position (round-robin's turn). */
  ready: PositionSet;
  /** PROBE slots: first by position (priority: highest tier first). */
  probes: IndexHeap;
  /** COOLING slots by the time they are free. */
  cooling: IndexHeap;
  /** READY slots by least-used's order, or by health-based's next turn. */
  order: IndexHeap | null;
  /** Health-based: READY slots with a known latency, fastest first. */
  fastest: IndexHeap | null;
  /** Health-based: Σ rate over READY slots without a latency, Σ rate / latency over the others. */
  sumRate: number;
  sumRatePerMs: number;
  /** Health-based: the virtual time of the last turn. */
  vtime: number;
  /** Distinct priorities, highest first; each tier's members (positions, ascending) and READY ones. */
  tiers: number[];
  tierMembers: number[][];
  tierReady: PositionSet[];
  /** READY or PROBE slots per tier, and the tiers that have any. */
  tierLive: Int32Array;
  liveTiers: PositionSet;
  /** Slots with a cooldown entry for a model, by model. */
  byModel: Map<string, Set<Slot<C>>>;
}

// Slot states during a selection pass.
const READY = 0;
const PROBE = 1;
const COOLING = 2;
const INACTIVE = 3;
/** Only for one request: the request excluded it. */
const EXCLUDED = 4;
/** A slot the indexes have not seen yet. */
const UNSEEN = -1;

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
  /** Health-based: the share of traffic of the last pick (for its reason; saves a result object). */
  #share = 1;
  #revision = -1;
  /** The store's change count the indexes are in step with (see `#refresh`). */
  #seen: number | undefined = -1;
  /** The clock at the last refresh: a clock that goes back re-checks every slot. */
  #lastNow = Number.NEGATIVE_INFINITY;

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
      let group = this.#groups.get(cred.provider);
      if (!group) {
        group = emptyGroup<C>();
        this.#groups.set(cred.provider, group);
      }
      const slot: Slot<C> = {
        cred,
        priority,
        entry: this.#store.ensure(cred),
        index: group.slots.length,
        tier: 0,
        state: UNSEEN,
        until: 0,
        uses: 0,
        latency: null,
        rate: 0,
        models: [],
        pass: 0,
      };
      this.#slots.set(cred.id, slot);
      group.slots.push(slot);
    }
    for (const [provider, group] of this.#groups) {
      group.offset = fnv1a(`${this.#seed}:${provider}`) % group.slots.length;
      group.cursor = group.offset;
      this.#index(group);
    }
    this.#revision = this.#store.revision;
    const now = this.#clock();
    for (const slot of this.#slots.values()) this.#sync(slot, now);
    this.#seen = this.#store.changes;
    this.#lastNow = now;
  }

  /** Builds a group's (empty) indexes; `#sync` then enters each slot. */
  #index(group: Group<C>): void {
    const { slots } = group;
    const n = slots.length;
    const byPriority = this.strategy === 'priority';
    group.count = new Int32Array(4);
    group.ready = new PositionSet(n);
    group.probes = new IndexHeap(n, (a, b) => {
      const sa = slots[a] as Slot<C>;
      const sb = slots[b] as Slot<C>;
      if (byPriority && sa.priority !== sb.priority) return sa.priority > sb.priority;
      return a < b;
    });
    group.cooling = new IndexHeap(n, (a, b) => {
      const ua = (slots[a] as Slot<C>).until;
      const ub = (slots[b] as Slot<C>).until;
      return ua !== ub ? ua < ub : a < b;
    });
    group.order = null;
    group.fastest = null;
    if (this.strategy === 'least-used') {
      // Ties go to the first in this instance's order, so processes with equal views diverge.
      const rank = (i: number) => (i - group.offset + n) % n;
      group.order = new IndexHeap(n, (a, b) => {
        const ua = (slots[a] as Slot<C>).uses;
        const ub = (slots[b] as Slot<C>).uses;
        return ua !== ub ? ua < ub : rank(a) < rank(b);
      });
    } else if (this.strategy === 'health-based') {
      group.order = new IndexHeap(n, (a, b) => {
        const pa = (slots[a] as Slot<C>).pass;
        const pb = (slots[b] as Slot<C>).pass;
        return pa !== pb ? pa < pb : a < b;
      });
      group.fastest = new IndexHeap(n, (a, b) => {
        const la = (slots[a] as Slot<C>).latency as number;
        const lb = (slots[b] as Slot<C>).latency as number;
        return la !== lb ? la < lb : a < b;
      });
    }
    group.sumRate = 0;
    group.sumRatePerMs = 0;
    group.vtime = 0;
    group.tiers = [...new Set(slots.map((s) => s.priority))].sort((a, b) => b - a);
    const tierOf = new Map(group.tiers.map((p, t) => [p, t]));
    group.tierMembers = group.tiers.map(() => []);
    for (const slot of slots) {
      slot.tier = tierOf.get(slot.priority) as number;
      (group.tierMembers[slot.tier] as number[]).push(slot.index);
    }
    group.tierReady = group.tierMembers.map((m) => new PositionSet(m.length));
    group.tierLive = new Int32Array(group.tiers.length);
    group.liveTiers = new PositionSet(group.tiers.length);
    group.byModel = new Map();
  }

  /**
   * Brings the indexes in step before a decision: every slot when entries were added or removed or
   * changed behind the rotator (another process's merge, a record by other code) or the clock went
   * back; then the slots of `group` whose cooldown or probe ended by `now`.
   */
  #refresh(now: number, group: Group<C> | undefined): void {
    const changes = this.#store.changes;
    if (
      this.#revision !== this.#store.revision ||
      changes === undefined ||
      changes !== this.#seen ||
      now < this.#lastNow
    ) {
      this.#resolve();
      for (const slot of this.#slots.values()) this.#sync(slot, now);
      this.#seen = changes;
    }
    this.#lastNow = now;
    if (!group) return;
    const { cooling, slots } = group;
    for (let top = cooling.top(); top >= 0; top = cooling.top()) {
      const slot = slots[top] as Slot<C>;
      if (slot.until > now) break;
      this.#sync(slot, now);
    }
  }

  /** After the rotator's own change to a slot: re-index it, and note the store's change count. */
  #changed(slot: Slot<C> | undefined, now: number): void {
    if (slot) this.#sync(slot, now);
    this.#seen = this.#store.changes;
  }

  /**
   * Re-classifies one slot (for a request without a model or exclusions) and moves it between the
   * group's indexes when its state or keys changed. O(log n).
   */
  #sync(slot: Slot<C>, now: number): void {
    const e = slot.entry;
    let state: number;
    let until = 0;
    if (e.status !== 'active') state = INACTIVE;
    else if (e.cooldownUntil !== null && e.cooldownUntil > now) {
      state = COOLING;
      until = e.cooldownUntil;
    } else if (e.cooldownUntil !== null || (this.strategy === 'health-based' && e.consecutiveFailures > 0)) {
      const probeUntil = this.#probing.get(slot.cred.id);
      if (probeUntil !== undefined && probeUntil > now) {
        state = COOLING;
        until = probeUntil;
      } else state = PROBE;
    } else state = READY;
    const group = this.#groups.get(slot.cred.provider) as Group<C>;
    const i = slot.index;
    const uses = e.usageCount;
    const latency = e.latencyMs;
    const rate = successRate(e);
    const keys = uses !== slot.uses || latency !== slot.latency || rate !== slot.rate;
    if (state !== slot.state || until !== slot.until) {
      this.#leave(group, slot);
      slot.uses = uses;
      slot.latency = latency;
      slot.rate = rate;
      slot.state = state;
      slot.until = until;
      this.#enter(group, slot);
    } else if (keys) {
      if (state === READY && group.fastest) {
        group.sumRate -= slot.latency === null ? slot.rate : 0;
        group.sumRatePerMs -= slot.latency === null ? 0 : slot.rate / Math.max(slot.latency, 1e-3);
        group.sumRate += latency === null ? rate : 0;
        group.sumRatePerMs += latency === null ? 0 : rate / Math.max(latency, 1e-3);
      }
      const hadLatency = slot.latency !== null;
      slot.uses = uses;
      slot.latency = latency;
      slot.rate = rate;
      if (state === READY) {
        if (this.strategy === 'least-used') group.order?.update(i);
        if (group.fastest) {
          if (latency === null) group.fastest.remove(i);
          else if (hadLatency) group.fastest.update(i);
          else group.fastest.push(i);
        }
      }
    }
    // Model cooldowns are looked at per request, only for the slots that have one.
    const mc = e.modelCooldowns;
    let same = true;
    let k = 0;
    for (const m in mc) {
      if (slot.models[k++] !== m) same = false;
    }
    if (!same || k !== slot.models.length) {
      for (const m of slot.models) group.byModel.get(m)?.delete(slot);
      slot.models = Object.keys(mc);
      for (const m of slot.models) {
        let set = group.byModel.get(m);
        if (!set) {
          set = new Set();
          group.byModel.set(m, set);
        }
        set.add(slot);
      }
    }
  }

  #leave(group: Group<C>, slot: Slot<C>): void {
    const i = slot.index;
    switch (slot.state) {
      case UNSEEN:
        return;
      case READY:
        group.ready.set(i, false);
        (group.tierReady[slot.tier] as PositionSet).set(this.#tierPos(group, slot), false);
        group.order?.remove(i);
        if (group.fastest) {
          group.fastest.remove(i);
          if (slot.latency === null) group.sumRate -= slot.rate;
          else group.sumRatePerMs -= slot.rate / Math.max(slot.latency, 1e-3);
        }
        break;
      case PROBE:
        group.probes.remove(i);
        break;
      case COOLING:
        group.cooling.remove(i);
        break;
    }
    (group.count as Int32Array)[slot.state] = (group.count[slot.state] as number) - 1;
    if (slot.state === READY || slot.state === PROBE) {
      const live = (group.tierLive[slot.tier] as number) - 1;
      group.tierLive[slot.tier] = live;
      if (live === 0) group.liveTiers.set(slot.tier, false);
    }
  }

  #enter(group: Group<C>, slot: Slot<C>): void {
    const i = slot.index;
    switch (slot.state) {
      case READY:
        group.ready.set(i, true);
        (group.tierReady[slot.tier] as PositionSet).set(this.#tierPos(group, slot), true);
        if (group.fastest) {
          // Back in traffic: no catching up on the turns missed while out.
          if (slot.pass < group.vtime) slot.pass = group.vtime;
          if (slot.latency === null) group.sumRate += slot.rate;
          else {
            group.sumRatePerMs += slot.rate / Math.max(slot.latency, 1e-3);
            group.fastest.push(i);
          }
        }
        group.order?.push(i);
        break;
      case PROBE:
        group.probes.push(i);
        break;
      case COOLING:
        group.cooling.push(i);
        break;
    }
    group.count[slot.state] = (group.count[slot.state] as number) + 1;
    if (slot.state === READY || slot.state === PROBE) {
      const live = (group.tierLive[slot.tier] as number) + 1;
      group.tierLive[slot.tier] = live;
      if (live === 1) group.liveTiers.set(slot.tier, true);
    }
  }

  /** A slot's position among its tier's members. */
  #tierPos(group: Group<C>, slot: Slot<C>): number {
    return lowerBound(group.tierMembers[slot.tier] as number[], slot.index);
  }

  /** Re-resolves entries after the store added or removed some (e.g. another process cleared one). */
  #resolve(): void {
    if (this.#revision === this.#store.revision) return;
    for (const slot of this.#slots.values())
      slot.entry = this.#store.get(slot.cred.id) ?? this.#store.ensure(slot.cred);
    this.#revision = this.#store.revision;
    this.#seen = Number.NaN; // new entry objects: the indexes re-check every slot
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
    const { provider, model } = request;
    const group = this.#groups.get(provider);
    if (!group || group.slots.length === 0) {
      return this.#unavailable(
        'NO_CREDENTIALS',
        request,
        null,
        now,
        { ready: 0, cooling: 0, inactive: 0, excluded: 0 },
        `no credentials for provider "${provider}"`,
      );
    }
    this.#refresh(now, group);
    const slots = group.slots;
    const byPriority = this.strategy === 'priority';

    // The few slots this request sees differently from the indexes: the ones it excludes, and the
    // ones with a cooldown entry for its model. Everything else is read from the indexes.
    let special: Map<Slot<C>, Judged> | null = null;
    if (request.exclude && request.exclude.length > 0) {
      for (const id of request.exclude) {
        const slot = this.#slots.get(id);
        if (slot?.cred.provider !== provider) continue;
        special ??= new Map();
        special.set(slot, { state: EXCLUDED, until: 0 });
      }
    }
    const withModel = model === undefined ? undefined : group.byModel.get(model);
    if (withModel && withModel.size > 0) {
      for (const slot of withModel) {
        special ??= new Map();
        if (!special.has(slot)) special.set(slot, this.#judge(slot, now, model as string));
      }
    }
    const skip = special ? (i: number) => (special as Map<Slot<C>, Judged>).has(slots[i] as Slot<C>) : null;

    const count = group.count;
    const counts: CandidateCounts = {
      ready: (count[READY] as number) + (count[PROBE] as number),
      cooling: count[COOLING] as number,
      inactive: count[INACTIVE] as number,
      excluded: 0,
    };
    let specialTop = Number.NEGATIVE_INFINITY;
    let specialProbe: Slot<C> | undefined;
    if (special) {
      for (const [slot, judged] of special) {
        tally(counts, slot.state, -1);
        tally(counts, judged.state, 1);
        if (judged.state === PROBE && (!specialProbe || this.#probeFirst(slot, specialProbe)))
          specialProbe = slot;
        if ((judged.state === READY || judged.state === PROBE) && slot.priority > specialTop)
          specialTop = slot.priority;
      }
    }

    if (counts.ready === 0) {
      let retryAt = Number.POSITIVE_INFINITY;
      if (counts.cooling > 0) {
        const first = group.cooling.firstWhere(skip);
        if (first >= 0) retryAt = (slots[first] as Slot<C>).until;
        if (special) {
          for (const judged of special.values())
            if (judged.state === COOLING && judged.until < retryAt) retryAt = judged.until;
        }
      }
      return this.#noneReady(request, counts, retryAt, now);
    }

    // A probe goes first, so a recovered credential returns to traffic (for priority, only a probe
    // in the top tier: a lower tier is used only while the higher ones cannot be).
    const p = group.probes.firstWhere(skip);
    let probeSlot = p >= 0 ? (slots[p] as Slot<C>) : undefined;
    if (specialProbe && (!probeSlot || this.#probeFirst(specialProbe, probeSlot))) probeSlot = specialProbe;
    const topTier = byPriority ? this.#topTier(group, special, specialTop) : Number.NEGATIVE_INFINITY;
    let slot: Slot<C>;
    let probe = false;
    // The reason's sentence and the numbers in it (see reasons.ts).
    let why: Why;
    let cause: string | null = null;
    let a = counts.ready;
    let b = 0;
    let c = 0;
    let d = 0;
    if (probeSlot && (!byPriority || probeSlot.priority >= topTier)) {
      slot = probeSlot;
      probe = true;
      cause = slot.entry.cooldownCause;
      why = cause ? Why.probeCooldown : Why.probeFailures;
      a = slot.entry.consecutiveFailures;
    } else {
      switch (this.strategy) {
        case 'round-robin':
          slot = this.#nextInTurn(group, group.ready, null, skip);
          why = Why.roundRobin;
          break;
        case 'priority': {
          const t = tierIndex(group.tiers, topTier);
          slot = this.#nextInTurn(
            group,
            group.tierReady[t] as PositionSet,
            group.tierMembers[t] as number[],
            skip,
          );
          why = Why.priority;
          a = topTier;
          break;
        }
        case 'least-used': {
          slot = slots[(group.order as IndexHeap).firstWhere(skip)] as Slot<C>;
          why = Why.leastUsed;
          a = slot.entry.usageCount;
          b = counts.ready;
          break;
        }
        default: {
          slot = this.#healthiest(group, special, skip);
          why = Why.healthBased;
          a = Math.round(successRate(slot.entry) * 100);
          b = slot.entry.latencyMs === null ? -1 : Math.round(slot.entry.latencyMs);
          c = Math.round(this.#share * 100);
          d = counts.ready;
        }
      }
    }
    this.#store.recordUse(slot.cred.id, now);
    const lease = this.#handOut(
      new PickedLease(slot.cred, request, this.strategy, probe, counts, now, why, cause, a, b, c, d),
    );
    this.#changed(slot, now);
    return lease;
  }

  /** How one request sees a slot with a cooldown entry for its model (the full rules). */
  #judge(slot: Slot<C>, now: number, model: string): Judged {
    const e = slot.entry;
    if (e.status !== 'active') return { state: INACTIVE, until: 0 };
    let until = e.cooldownUntil;
    let ended = until !== null && until <= now;
    const mc = e.modelCooldowns[model];
    if (mc) {
      if (mc.until > now) until = until !== null && until > mc.until ? until : mc.until;
      else ended = true;
    }
    if (until !== null && until > now) return { state: COOLING, until };
    if (ended || (this.strategy === 'health-based' && e.consecutiveFailures > 0)) {
      const probeUntil = this.#probing.get(slot.cred.id);
      if (probeUntil !== undefined && probeUntil > now) return { state: COOLING, until: probeUntil };
      return { state: PROBE, until: 0 };
    }
    return { state: READY, until: 0 };
  }

  /** Which of two probes goes first: by position (priority: the higher tier first). */
  #probeFirst(a: Slot<C>, b: Slot<C>): boolean {
    if (this.strategy === 'priority' && a.priority !== b.priority) return a.priority > b.priority;
    return a.index < b.index;
  }

  /** The highest priority with a ready or probe-able credential for this request. */
  #topTier(group: Group<C>, special: Map<Slot<C>, Judged> | null, specialTop: number): number {
    let removed: Map<number, number> | null = null;
    if (special) {
      for (const slot of special.keys()) {
        if (slot.state !== READY && slot.state !== PROBE) continue;
        removed ??= new Map();
        removed.set(slot.tier, (removed.get(slot.tier) ?? 0) + 1);
      }
    }
    for (let t = group.liveTiers.nextFrom(0); t >= 0; t = group.liveTiers.nextFrom(t + 1)) {
      const tier = group.tiers[t] as number;
      if (tier <= specialTop) break;
      if ((group.tierLive[t] as number) - (removed?.get(t) ?? 0) > 0) return tier;
    }
    return specialTop;
  }

  /** The next READY slot in turn from the group's cursor (within one tier's members when given). */
  #nextInTurn(
    group: Group<C>,
    ready: PositionSet,
    members: number[] | null,
    skip: ((i: number) => boolean) | null,
  ): Slot<C> {
    const n = group.slots.length;
    const start = members ? lowerBound(members, group.cursor) : group.cursor;
    let pos = ready.nextFrom(start);
    let wrapped = false;
    for (;;) {
      if (pos < 0) {
        if (wrapped) break;
        wrapped = true;
        pos = ready.nextFrom(0);
        continue;
      }
      if (wrapped && pos >= start) break;
      const i = members ? (members[pos] as number) : pos;
      if (!skip?.(i)) {
        group.cursor = (i + 1) % n;
        return group.slots[i] as Slot<C>;
      }
      pos = ready.nextFrom(pos + 1);
    }
    throw new CtdError('INTERNAL', 'round-robin found no ready credential');
  }

  // Stride scheduling: each ready credential's next turn comes 1/weight after its last one, and
  // the earliest turn is picked. Traffic follows the weights closely, without bursts, in O(log n).
  // The pick's share of traffic is left in `#share`.
  #healthiest(
    group: Group<C>,
    special: Map<Slot<C>, Judged> | null,
    skip: ((i: number) => boolean) | null,
  ): Slot<C> {
    const slots = group.slots;
    const order = group.order as IndexHeap;
    const i = order.firstWhere(skip);
    const slot = slots[i] as Slot<C>;
    const f = (group.fastest as IndexHeap).firstWhere(skip);
    const fastest = f >= 0 ? ((slots[f] as Slot<C>).latency as number) : Number.POSITIVE_INFINITY;
    let sumRate = group.sumRate;
    let sumRatePerMs = group.sumRatePerMs;
    if (special) {
      for (const s of special.keys()) {
        if (s.state !== READY) continue;
        if (s.latency === null) sumRate -= s.rate;
        else sumRatePerMs -= s.rate / Math.max(s.latency, 1e-3);
      }
    }
    const total = sumRate + (Number.isFinite(fastest) ? fastest * sumRatePerMs : 0);
    const w = weight(slot.entry, fastest);
    group.vtime = slot.pass;
    slot.pass += 1 / w;
    order.update(i);
    this.#share = total > 0 ? Math.min(1, w / total) : 1;
    return slot;
  }

  /** Hands out the lease for a pick (the use is already counted); a probe is marked in flight. */
  #handOut(lease: PickedLease<C>): Lease<C> {
    if (lease.probe) this.#probing.set(lease.id, lease.acquiredAt + this.#cooldowns.probeTimeoutMs);
    return lease;
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

    if (counts.ready === 0) return this.#noneReady(request, counts, retryAt, now);

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
    const e = slot.entry;
    let why: Why;
    let a: number;
    let b = 0;
    if (result.probe) {
      why = e.cooldownCause ? Why.probeCooldown : Why.probeFailures;
      a = e.consecutiveFailures;
    } else if (mode === 'least-used') {
      why = Why.sharedLeastUsed;
      a = e.usageCount;
      b = counts.ready;
    } else if (byPriority) {
      why = Why.sharedPriority;
      a = topTier;
    } else {
      why = Why.sharedRoundRobin;
      a = counts.ready;
    }
    const cause = result.probe ? e.cooldownCause : null;
    const lease = this.#handOut(
      new PickedLease(slot.cred, request, this.strategy, result.probe, counts, now, why, cause, a, b),
    );
    this.#seen = Number.NaN; // a probe lease and a use counted on the server: re-check every slot
    return lease;
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
    if (this.#settled.has(lease)) return NO_CHANGE;
    this.#settled.add(lease);
    const now = this.#clock();
    this.#refresh(now, undefined);
    if (lease.probe) this.#probing.delete(lease.id);
    const result = this.#record(lease, outcome, now);
    this.#changed(this.#slots.get(lease.id), now);
    return result;
  }

  /** What `report` records in the store. */
  #record(lease: Lease<C>, outcome: Outcome, now: number): ReportResult {
    const none = NO_CHANGE;
    const id = lease.id;
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

  /** The answer when no credential is ready: all cooling down (with the first free time), or none active. */
  #noneReady(request: AcquireRequest, counts: CandidateCounts, retryAt: number, now: number): Unavailable {
    const { provider, model } = request;
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

const NO_CHANGE: ReportResult = Object.freeze({
  cooldownUntil: null,
  cooldownCause: null,
  scope: null,
  needs: null,
});

/** How one request sees a slot. */
interface Judged {
  state: number;
  until: number;
}

function emptyGroup<C extends RotatorCredential>(): Group<C> {
  const none = new PositionSet(0);
  return {
    slots: [],
    cursor: 0,
    offset: 0,
    count: new Int32Array(4),
    ready: none,
    probes: new IndexHeap(0, () => false),
    cooling: new IndexHeap(0, () => false),
    order: null,
    fastest: null,
    sumRate: 0,
    sumRatePerMs: 0,
    vtime: 0,
    tiers: [],
    tierMembers: [],
    tierReady: [],
    tierLive: new Int32Array(0),
    liveTiers: none,
    byModel: new Map(),
  };
}

/** Counts a slot in (`by` 1) or out of (`by` -1) the candidate counts of its state. */
function tally(counts: CandidateCounts, state: number, by: number): void {
  if (state === READY || state === PROBE) counts.ready += by;
  else if (state === COOLING) counts.cooling += by;
  else if (state === INACTIVE) counts.inactive += by;
  else if (state === EXCLUDED) counts.excluded += by;
}

/** The first position in an ascending array whose value is >= x. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The position of a priority in tiers sorted highest first. */
function tierIndex(tiers: readonly number[], priority: number): number {
  let lo = 0;
  let hi = tiers.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tiers[mid] as number) > priority) lo = mid + 1;
    else hi = mid;
  }
  return lo;
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
