import { fnv1a } from '@ctd/core';
import type { CooldownCause, HistoryStore } from '@ctd/history';
import { createRotator, type Lease, type Rotator, STRATEGIES, type Strategy } from '@ctd/rotator';
import {
  type AuthStoreView,
  coolingUntil,
  type HostSeams,
  type PinMoment,
  type ProfileUsageStats,
} from './host-seams.ts';
import { DecisionView, type PoolMember, ProfileIndex } from './pool.ts';

/** Why the last profile of a provider was picked, for status. */
export interface PickExplanation {
  readonly profileId: string;
  /** `session`: a session's auto pin for its next turn; `new-sessions`: the head of the stored order. */
  readonly target: 'session' | 'new-sessions';
  readonly reason: string;
  /** Epoch ms. */
  readonly at: number;
}

/** A failure of a request, by OpenClaw's reason. */
export type FailureKind = 'rate_limit' | 'auth' | 'billing' | 'server' | 'other';

/** What rotation counted for one profile in this process (the history holds the durable counts). */
export interface ProfileTally {
  failuresByKind: Record<FailureKind, number>;
  tokensIn: number;
  tokensOut: number;
  /**
   * Requests OpenClaw sent to the profile while it had it in cooldown when it chose it (should stay
   * 0). A run OpenClaw prepared before a cooldown keeps its frozen candidates, so its request may
   * land after the cooldown began: that is not counted.
   */
  requestsInCooldown: number;
}

/** Options of {@link RotationEngine}. */
export interface RotationEngineOptions {
  seams: HostSeams;
  history: HistoryStore;
  /** The strategy in force (read at each decision, so a config change applies at once). */
  strategy: () => Strategy;
  /** A provider's priority order (`auth.order.<provider>` of the config, earlier first), if any. */
  priorityOrder?: ((provider: string) => readonly string[] | undefined) | undefined;
  clock?: (() => number) | undefined;
  /** Something rotation could not do (logged by the plugin, never thrown into OpenClaw). */
  onProblem?: ((message: string) => void) | undefined;
}

interface RunState {
  provider: string;
  sessionKey: string | undefined;
  candidates: string[];
  index: number;
  lastFailed: boolean;
  touchedAt: number;
  /**
   * The profiles cooling down when OpenClaw prepared the run: it reads its cooldowns from the store
   * it loaded then, for the first profile and for each move to the next one after a failure.
   */
  cooling: ReadonlySet<string> | undefined;
}

interface CallState {
  member: PoolMember;
  run: RunState;
  failuresBefore: Record<string, number>;
}

/** A call that ended, as {@link RotationEngine.callEnded} reports it. */
export interface EndedCall {
  readonly sessionKey: string | undefined;
  readonly provider: string;
  readonly ok: boolean;
  readonly member: PoolMember;
  readonly failuresBefore: Record<string, number>;
}

interface ProviderRotation {
  strategy: Strategy;
  rotator: Rotator<PoolMember>;
  poolKey: string;
}

const RUN_TTL_MS = 30 * 60_000;
/** How long a read of OpenClaw's auth store is reused (see RotationEngine#store). */
const STORE_CACHE_MS = 1000;
/** After a failed call, how long OpenClaw's auth store is read afresh each time. */
const FAILURE_SETTLE_MS = 3000;

const SESSION_TTL_MS = 24 * 60 * 60_000;

/** OpenClaw's cooldown reasons as the history's causes. */
function causeOf(reason: string | undefined): CooldownCause {
  switch (reason) {
    case 'rate_limit':
      return 'rate_limited';
    case 'billing':
      return 'quota_exhausted';
    case 'auth':
    case 'auth_permanent':
      return 'auth_failed';
    default:
      return 'server_error';
  }
}

function kindOf(reason: string): FailureKind {
  switch (reason) {
    case 'rate_limit':
      return 'rate_limit';
    case 'auth':
    case 'auth_permanent':
      return 'auth';
    case 'billing':
      return 'billing';
    case 'overloaded':
    case 'timeout':
    case 'server':
    case 'server_error':
      return 'server';
    default:
      return 'other';
  }
}

const emptyTally = (): ProfileTally => ({
  failuresByKind: { rate_limit: 0, auth: 0, billing: 0, server: 0, other: 0 },
  tokensIn: 0,
  tokensOut: 0,
  requestsInCooldown: 0,
});

/**
 * Rotation inside OpenClaw: records every model call against the profile that served it, and
 * drives the choice of profile with `@ctd/rotator` through the only levers OpenClaw leaves a
 * plugin (a session's auto pin, the stored order; see `host-seams.ts`).
 *
 * Attribution: no hook names the profile, so a call is attributed the way OpenClaw chose it: the
 * first call of a run goes to the session's pin (the first usable profile of OpenClaw's order with
 * the pin first), a call after a failed one in the same run to the next usable profile of that
 * order (OpenClaw's rotation inside a run). Which profiles count as usable for the first call is
 * what they were when the run was prepared ({@link runPrepared}), where OpenClaw froze its
 * candidates, not when the call starts: a cooldown another run set in between (a 429 of a
 * concurrent run) does not move a run OpenClaw had already started on that profile.
 */
export class RotationEngine {
  readonly #seams: HostSeams;
  readonly #history: HistoryStore;
  readonly #decisions: DecisionView;
  readonly #index = new ProfileIndex();
  readonly #strategy: () => Strategy;
  readonly #priorityOrder: (provider: string) => readonly string[] | undefined;
  readonly #clock: () => number;
  readonly #onProblem: (message: string) => void;
  readonly #runs = new Map<string, RunState>();
  /** Runs being prepared: run id → when, and the profiles cooling down then (see runPrepared). */
  readonly #prepared = new Map<string, { at: number; cooling: ReadonlySet<string> }>();
  /** OpenClaw's auth store as last read (see #store). */
  #storeCache: { at: number; store: AuthStoreView } | undefined;
  /** When a call last failed (OpenClaw may be writing a cooldown for it). */
  #lastFailureAt = Number.NEGATIVE_INFINITY;
  readonly #calls = new Map<string, CallState>();
  readonly #rotations = new Map<string, ProviderRotation>();
  /** Decided pins not yet used: session key (or `#head:<provider>`) → the pick's history id. */
  readonly #pending = new Map<string, { id: string; provider: string }>();
  readonly #lastPick = new Map<string, PickExplanation>();
  readonly #tallies = new Map<string, ProfileTally>();
  /** The stored order's head this plugin set, by provider. */
  readonly #heads = new Map<string, string>();
  /** Cooldowns this engine copied from OpenClaw into the history: history id → the end it wrote. */
  readonly #mirrored = new Map<string, number>();
  /** Probes handed out and not yet ended, by history id. */
  readonly #probes = new Map<string, { rotator: Rotator<PoolMember>; lease: Lease<PoolMember> }>();
  /** Sessions whose runs this process has seen, with when (a new one starts on the head). */
  readonly #sessions = new Map<string, number>();
  #lastSweep = 0;
  /** When a provider's head is to be decided again: a cooldown in its pool ends (priority). */
  readonly #headDueAt = new Map<string, number>();
  /** The history's `changes` when {@link overtakenPicks} last looked. */
  #changesSeen = -1;

  constructor(options: RotationEngineOptions) {
    this.#seams = options.seams;
    this.#history = options.history;
    this.#decisions = new DecisionView(options.history);
    this.#strategy = options.strategy;
    this.#priorityOrder = options.priorityOrder ?? (() => undefined);
    this.#clock = options.clock ?? Date.now;
    this.#onProblem = options.onProblem ?? (() => {});
  }

  /** The rotation tally of a profile in this process. */
  tally(profileId: string): ProfileTally {
    let t = this.#tallies.get(profileId);
    if (!t) {
      t = emptyTally();
      this.#tallies.set(profileId, t);
    }
    return t;
  }

  /** The last pick for a provider, with its reason. */
  lastPick(provider: string): PickExplanation | undefined {
    return this.#lastPick.get(provider);
  }

  /** Providers this process has seen calls or picks for. */
  providers(): string[] {
    return [...new Set([...this.#lastPick.keys(), ...this.#rotations.keys()])].sort();
  }

  #priority(provider: string, profileId: string): number {
    const order = this.#priorityOrder(provider);
    const i = order ? order.indexOf(profileId) : -1;
    // Higher first for the rotator: earlier in the configured order is higher; unlisted come last.
    return i >= 0 ? -i : -1_000_000;
  }

  /**
   * OpenClaw's candidate order for a run: with a stored order (rotation writes one for every
   * provider it drives) it is that order, cooling profiles last, the preferred one first, which is
   * OpenClaw's rule for an explicit order, computed here in O(n); without one, OpenClaw's own
   * `resolveAuthProfileOrder` (which costs about 0.3 ms a profile in 2026.9.6: see the bench).
   *
   * @param isCooling - whether a profile was cooling down when OpenClaw froze the run's candidates
   */
  candidates(
    store: AuthStoreView,
    provider: string,
    preferred: string | undefined,
    isCooling: (profileId: string) => boolean,
  ): string[] {
    const stored = store.order?.[provider];
    if (!stored) return this.#seams.resolveOrder(store, provider, preferred);
    const usable: string[] = [];
    const cooling: string[] = [];
    for (const id of stored) {
      if (id === preferred || store.profiles[id]?.provider !== provider) continue;
      (isCooling(id) ? cooling : usable).push(id);
    }
    const head = preferred && store.profiles[preferred]?.provider === provider ? [preferred] : [];
    return [...head, ...usable, ...cooling];
  }

  /** The pool of a provider: every stored profile of it, with its history entry. */
  pool(store: AuthStoreView, provider: string, now: number): PoolMember[] {
    const members: PoolMember[] = [];
    for (const profileId in store.profiles) {
      const profile = store.profiles[profileId];
      if (profile?.provider !== provider) continue;
      const m = this.#index.member(
        this.#history,
        profileId,
        profile,
        this.#priority(provider, profileId),
        now,
      );
      if (m) members.push(m);
    }
    return members;
  }

  /**
   * The order to store with `head` first, then the others by priority (`auth.order`), keeping the
   * stored order's relative order among equals, new profiles last. The rest matters: it is where
   * OpenClaw moves a run whose profile failed (its next usable candidate), and where it looks for
   * a higher-priority profile to move an auto pin back to once it is usable again.
   */
  #orderWith(store: AuthStoreView, provider: string, members: readonly PoolMember[], head: string): string[] {
    const stored = store.order?.[provider]?.filter((id) => store.profiles[id]?.provider === provider) ?? [];
    const seen = new Set(stored);
    const order = [...stored, ...members.map((m) => m.profileId).filter((id) => !seen.has(id))];
    const priority = new Map(members.map((m) => [m.profileId, m.priority]));
    const rank = (id: string) => priority.get(id) ?? this.#priority(provider, id);
    // A stable sort: equal priorities (no `auth.order`) keep the stored order.
    return [head, ...order.filter((id) => id !== head).sort((a, b) => rank(b) - rank(a))];
  }

  /**
   * Copies a change of OpenClaw's cooldown of a profile into the history: a new cooldown is set
   * (unless the history already holds a longer one, e.g. another gateway's), and one OpenClaw
   * ended early is cleared only if the history still holds the one this engine wrote. A cooldown
   * another gateway wrote into a shared history is never cleared here: this gateway's OpenClaw not
   * cooling the profile down says nothing about it.
   */
  #mirror(member: PoolMember, stats: ProfileUsageStats | undefined, now: number): void {
    const until = coolingUntil(stats, now);
    const mine = this.#mirrored.get(member.id);
    if (until === (mine ?? null)) return;
    const entry = this.#history.get(member.id);
    if (!entry) return;
    const held = entry.cooldownUntil !== null && entry.cooldownUntil > now ? entry.cooldownUntil : null;
    if (until === null) {
      this.#mirrored.delete(member.id);
      // Priority: once OpenClaw's own cooldown is over, the profile is first again at once, for every
      // session (OpenClaw's rule for a recovered higher-priority profile does the same), not after
      // one probe: the run-out cooldown this engine copied goes too. Other strategies keep it, so
      // the rotator sends one probe before the profile takes its share again.
      const ranOut =
        this.#strategy() === 'priority' && entry.cooldownUntil !== null && entry.cooldownUntil === mine;
      if ((held !== null && held === mine) || ranOut)
        this.#history.setCooldown(member.id, { until: null, cause: null, at: now });
      return;
    }
    this.#mirrored.set(member.id, until);
    if (held !== null && held >= until) return;
    const reason = stats?.cooldownReason ?? stats?.disabledReason;
    this.#history.setCooldown(member.id, { until, cause: causeOf(reason), at: now });
  }

  /**
   * A request on a profile succeeded: a cooldown of it the history still holds ends, if it has run
   * out (the rotator otherwise keeps the profile to one probe at a time, as after any cooldown, for
   * good) or is the one this engine mirrored (OpenClaw ended it with the success). Another
   * gateway's cooldown still running is left alone.
   */
  #succeeded(member: PoolMember, now: number): void {
    const until = this.#history.get(member.id)?.cooldownUntil ?? null;
    if (until === null) return;
    const mine = this.#mirrored.get(member.id);
    if (until > now && until !== mine) return;
    this.#mirrored.delete(member.id);
    this.#history.setCooldown(member.id, { until: null, cause: null, at: now });
  }

  // ---- usage -------------------------------------------------------------------------------

  /** `model_call_started`: attributes the call to a profile and counts one use of it. */
  callStarted(event: {
    runId: string;
    callId: string;
    sessionKey?: string | undefined;
    provider: string;
  }): void {
    const now = this.#clock();
    this.#sweep(now);
    const store = this.#store(now);
    let run = this.#runs.get(event.runId);
    const firstOfRun = run === undefined;
    // Whether a profile was cooling down where OpenClaw looked when it chose the call's profile: the
    // store it loaded when it prepared the run, else (no `before_model_resolve`) the store now.
    const cooling = run ? run.cooling : this.#prepared.get(event.runId)?.cooling;
    const chosenCooling = cooling
      ? (id: string) => cooling.has(id)
      : (id: string) => coolingUntil(store.usageStats?.[id], now) !== null;
    if (!run) {
      const pin = event.sessionKey ? this.#seams.sessionPin(event.sessionKey) : undefined;
      this.#prepared.delete(event.runId);
      const candidates = this.candidates(store, event.provider, pin?.profileId, chosenCooling);
      let index = candidates.findIndex((id) => !chosenCooling(id));
      if (index < 0) index = 0;
      run = {
        provider: event.provider,
        sessionKey: event.sessionKey,
        candidates,
        index,
        lastFailed: false,
        touchedAt: now,
        cooling,
      };
      this.#runs.set(event.runId, run);
    } else if (run.lastFailed) {
      // OpenClaw moves to the next candidate that is not cooling down (its frozen list).
      let next = -1;
      for (let i = run.index + 1; i < run.candidates.length; i++) {
        if (!chosenCooling(run.candidates[i] as string)) {
          next = i;
          break;
        }
      }
      if (next >= 0) run.index = next;
    }
    run.touchedAt = now;
    run.lastFailed = false;
    const profileId = run.candidates[run.index];
    if (!profileId) return;
    const member = this.#index.member(
      this.#history,
      profileId,
      store.profiles[profileId],
      this.#priority(event.provider, profileId),
      now,
    );
    if (!member) return;
    const stats = store.usageStats?.[profileId];
    if (chosenCooling(profileId)) this.tally(profileId).requestsInCooldown++;
    this.#history.recordUse(member.id, now);
    this.#calls.set(event.callId, { member, run, failuresBefore: { ...stats?.failureCounts } });
    if (firstOfRun) this.#consumed(run.sessionKey, event.provider, now);
  }

  /**
   * A run is being prepared (OpenClaw's `before_model_resolve`, just before it resolves the
   * session's profile and freezes the run's candidates): notes which profiles are cooling down at
   * this moment, for the attribution of the run's first call.
   */
  runPrepared(event: { runId: string }): void {
    const now = this.#clock();
    this.#sweep(now);
    const cooling = new Set<string>();
    const stats = this.#store(now).usageStats ?? {};
    for (const id in stats) if (coolingUntil(stats[id], now) !== null) cooling.add(id);
    this.#prepared.set(event.runId, { at: now, cooling });
  }

  /**
   * OpenClaw's auth store (a few SQLite reads each time in 2026.9.6, and the hooks run on the
   * gateway's one thread, `before_model_resolve` awaited): read again only where it may have
   * changed in a way that matters since the last read. A failed call in the last few seconds
   * (OpenClaw writes its cooldown just after the call's hook), a write of this engine's own, or a
   * second gone by (another process, a profile added). A cooldown ending needs no read: its end is
   * in the store already.
   */
  #store(now: number): AuthStoreView {
    const cached = this.#storeCache;
    if (cached && now - cached.at < STORE_CACHE_MS && now - this.#lastFailureAt > FAILURE_SETTLE_MS)
      return cached.store;
    const store = this.#seams.authStore();
    this.#storeCache = { at: now, store };
    return store;
  }

  /** `model_call_ended`: the outcome of the call (the session's next pick is up to the caller). */
  callEnded(event: { callId: string; outcome: string; durationMs?: number | undefined }): EndedCall | null {
    const call = this.#calls.get(event.callId);
    if (!call) return null;
    this.#calls.delete(event.callId);
    const now = this.#clock();
    const ok = event.outcome === 'completed';
    if (!ok) {
      this.#lastFailureAt = now;
      this.#storeCache = undefined;
    }
    // No latency sample: a model call's duration in a gateway measures the reply's length and the
    // gateway's load more than the key, and health-based would then split traffic unevenly between
    // equally healthy keys.
    this.#history.recordResult(call.member.id, { ok, at: now });
    if (ok) this.#succeeded(call.member, now);
    call.run.lastFailed = !ok;
    call.run.touchedAt = now;
    const probe = this.#probes.get(call.member.id);
    if (probe) {
      // Only releases the probe: results and cooldowns are recorded above and mirrored from OpenClaw.
      this.#probes.delete(call.member.id);
      probe.rotator.report(probe.lease, { type: 'cancelled' });
    }
    return {
      sessionKey: call.run.sessionKey,
      provider: call.run.provider,
      ok,
      member: call.member,
      failuresBefore: call.failuresBefore,
    };
  }

  /**
   * After a failed call: OpenClaw's verdict (failure reason, cooldown) is in its store once it has
   * handled the error. Classifies the failure and mirrors the cooldown.
   */
  settleFailure(ended: EndedCall): void {
    const now = this.#clock();
    const { member, failuresBefore } = ended;
    const stats = this.#store(now).usageStats?.[member.profileId];
    const tally = this.tally(member.profileId);
    let counted = false;
    for (const [reason, n] of Object.entries(stats?.failureCounts ?? {})) {
      if (n > (failuresBefore[reason] ?? 0)) {
        tally.failuresByKind[kindOf(reason)]++;
        counted = true;
        break;
      }
    }
    if (!counted) tally.failuresByKind.other++;
    this.#mirror(member, stats, now);
  }

  /** `llm_output`: tokens in and out of a run, on the profile that served its last call. */
  llmOutput(event: { runId: string; usage?: { input?: number; output?: number } | undefined }): void {
    const run = this.#runs.get(event.runId);
    const profileId = run?.candidates[run.index];
    if (!profileId || !event.usage) return;
    const t = this.tally(profileId);
    t.tokensIn += event.usage.input ?? 0;
    t.tokensOut += event.usage.output ?? 0;
  }

  #sweep(now: number): void {
    if (now - this.#lastSweep < 60_000) return;
    this.#lastSweep = now;
    for (const [id, run] of this.#runs) if (now - run.touchedAt > RUN_TTL_MS) this.#runs.delete(id);
    // A prepared run that never called a model (an error, a run without a model call).
    for (const [id, p] of this.#prepared) if (now - p.at > RUN_TTL_MS) this.#prepared.delete(id);
    for (const [key, at] of this.#sessions) if (now - at > SESSION_TTL_MS) this.#sessions.delete(key);
  }

  // ---- decisions ---------------------------------------------------------------------------

  /**
   * The first call of a run used a pick: the session's own, or, for a session never seen before,
   * the head of the stored order (then a new head is due: see {@link headDue}).
   */
  #consumed(sessionKey: string | undefined, provider: string, now: number): void {
    let key: string | undefined;
    if (sessionKey && this.#pending.has(sessionKey)) key = sessionKey;
    else if (!sessionKey || !this.#sessions.has(sessionKey)) key = `#head:${provider}`;
    if (sessionKey) this.#sessions.set(sessionKey, now);
    const pending = key ? this.#pending.get(key) : undefined;
    if (!key || !pending) return;
    this.#pending.delete(key);
    this.#decisions.addPending(pending.id, -1);
  }

  /** Whether the head of a provider's order was used and needs deciding again. */
  headDue(provider: string): boolean {
    return !this.#pending.has(`#head:${provider}`);
  }

  #rotationFor(provider: string, members: readonly PoolMember[]): ProviderRotation {
    const strategy = this.#strategy();
    let r = this.#rotations.get(provider);
    // Independent of the order (which moves with every head), and cheap: a sum of hashes.
    let sum = 0;
    for (const m of members) sum = (sum + fnv1a(`${m.id}\u0000${m.priority}`)) >>> 0;
    const poolKey = `${members.length}:${sum}`;
    if (!r || r.strategy !== strategy) {
      if (r) {
        // A new strategy starts from the recorded usage, without the old one's pending picks.
        for (const [key, p] of this.#pending)
          if (p.provider === provider) {
            this.#pending.delete(key);
            this.#decisions.addPending(p.id, -1);
          }
      }
      r = {
        strategy,
        rotator: createRotator<PoolMember>({
          store: this.#decisions.store(),
          strategy,
          clock: this.#clock,
          instanceId: `openclaw-gateway:${process.pid}`,
        }),
        poolKey: '',
      };
      this.#rotations.set(provider, r);
    }
    if (r.poolKey !== poolKey) {
      r.rotator.setCredentials(members);
      r.poolKey = poolKey;
    }
    return r;
  }

  /**
   * Picks the next profile of a provider with the strategy in force: never one OpenClaw is cooling
   * down (its cooldowns are mirrored first). In memory; the history batches its writes.
   *
   * @returns the pick and its reason, or undefined when none can be picked (the reason is kept)
   */
  decide(
    provider: string,
    target: PickExplanation['target'],
  ): { member: PoolMember; order: () => string[]; coolingEnds: number } | undefined {
    const now = this.#clock();
    const store = this.#store(now);
    const members = this.pool(store, provider, now);
    if (members.length === 0) return undefined;
    // The soonest end of a cooldown among the pool (OpenClaw's or the history's), for setHead.
    let coolingEnds = Number.POSITIVE_INFINITY;
    for (const m of members) {
      const stats = store.usageStats?.[m.profileId];
      this.#mirror(m, stats, now);
      const local = coolingUntil(stats, now) ?? Number.POSITIVE_INFINITY;
      const shared = this.#history.get(m.id)?.cooldownUntil ?? Number.POSITIVE_INFINITY;
      coolingEnds = Math.min(coolingEnds, local, shared > now ? shared : Number.POSITIVE_INFINITY);
    }
    const { rotator } = this.#rotationFor(provider, members);
    const exclude: string[] = [];
    for (;;) {
      const lease = rotator.acquire({ provider, ...(exclude.length ? { exclude } : {}) });
      if (!lease.ok) {
        this.#lastPick.set(provider, { profileId: '', target, reason: `no pick: ${lease.reason}`, at: now });
        return undefined;
      }
      // The mirror above makes this rare: a cooldown OpenClaw set a moment ago.
      if (coolingUntil(store.usageStats?.[lease.credential.profileId], now) !== null) {
        exclude.push(lease.id);
        continue;
      }
      this.#lastPick.set(provider, {
        profileId: lease.credential.profileId,
        target,
        reason: lease.reason,
        at: now,
      });
      // A probe holds the profile back from other picks until its request ends (see callEnded).
      if (lease.probe) this.#probes.set(lease.id, { rotator, lease });
      const head = lease.credential.profileId;
      return {
        member: lease.credential,
        order: () => this.#orderWith(store, provider, members, head),
        coolingEnds,
      };
    }
  }

  /**
   * A session's turn ended: moves its auto pin to the strategy's pick for its next turn. A session
   * a person pinned is left alone (and costs no decision).
   *
   * @param moment - `turn-end` when called right after the turn (the cheaper write), `later` otherwise
   */
  async pinNextTurn(sessionKey: string, provider: string, moment: PinMoment = 'later'): Promise<void> {
    const pin = this.#seams.sessionPin(sessionKey);
    if (pin && pin.source !== 'auto') return;
    const old = this.#pending.get(sessionKey);
    if (old) {
      this.#pending.delete(sessionKey);
      this.#decisions.addPending(old.id, -1);
    }
    const pick = this.decide(provider, 'session');
    if (!pick) return;
    this.#pending.set(sessionKey, { id: pick.member.id, provider });
    this.#decisions.addPending(pick.member.id, 1);
    // Already there (priority, or a pool of one usable profile): no write. A patch that changes
    // nothing still costs OpenClaw a write transaction on the gateway's thread.
    if (pin?.profileId === pick.member.profileId) return;
    const outcome = await this.#seams.setAutoPin(sessionKey, pick.member.profileId, moment);
    if (outcome !== 'set' && outcome !== 'unchanged') {
      this.#pending.delete(sessionKey);
      this.#decisions.addPending(pick.member.id, -1);
      if (outcome === 'failed') this.#onProblem(`could not move the auto pin of a session (${provider})`);
    }
  }

  /**
   * Puts the strategy's pick at the head of the provider's stored order, where new sessions start.
   * Writes only when the order changes.
   */
  async setHead(provider: string): Promise<void> {
    const old = this.#pending.get(`#head:${provider}`);
    if (old) {
      this.#pending.delete(`#head:${provider}`);
      this.#decisions.addPending(old.id, -1);
    }
    const pick = this.decide(provider, 'new-sessions');
    if (!pick) return;
    const head = pick.member.profileId;
    this.#pending.set(`#head:${provider}`, { id: pick.member.id, provider });
    this.#decisions.addPending(pick.member.id, 1);
    this.#heads.set(provider, head);
    // Priority: the head goes back to a higher-priority profile as soon as its cooldown ends (and with
    // it OpenClaw's own return of auto-pinned sessions to it, which looks at the stored order).
    if (this.#strategy() === 'priority' && pick.coolingEnds !== Number.POSITIVE_INFINITY)
      this.#headDueAt.set(provider, pick.coolingEnds);
    else this.#headDueAt.delete(provider);
    // Priority: a head that is a recovered profile's probe must not hold that profile back from the
    // sessions' pins until a new session comes (or the probe's lease runs out, 60 s): seen in the
    // e2e, where no new session came and every session stayed on the next profile for a minute.
    const probe = this.#probes.get(pick.member.id);
    if (probe && this.#strategy() === 'priority') {
      this.#probes.delete(pick.member.id);
      probe.rotator.report(probe.lease, { type: 'cancelled' });
    }
    const ok = await this.#seams.writeOrder(provider, pick.order());
    this.#storeCache = undefined; // the order just written
    if (!ok) this.#onProblem(`could not write the stored order of ${provider}`);
  }

  /**
   * Picks a cooldown in the history has overtaken since they were made: the stored order's head of
   * a provider, or a session's pin for its next turn, on a profile the history now has cooling down
   * while this gateway's OpenClaw does not (another gateway's cooldown, through a shared history).
   * OpenClaw would send the next new session, or that session's next turn, to it: the caller decides
   * them again ({@link setHead}, {@link pinNextTurn}). Costs a scan of the pending picks only when
   * the history changed since the last call. With the priority strategy, also the head of a
   * provider decided while a profile was cooling down, once that cooldown has ended, and the pins
   * decided for sessions meanwhile.
   */
  overtakenPicks(): { provider: string; sessionKey?: string }[] {
    const now = this.#clock();
    const out: { provider: string; sessionKey?: string }[] = [];
    for (const [provider, at] of this.#headDueAt) {
      if (at > now) continue;
      this.#headDueAt.delete(provider);
      out.push({ provider });
      // And the pins decided for the sessions' next turns while the cooldown ran: they would keep
      // those sessions on the next profile for one more turn each.
      for (const [key, p] of this.#pending)
        if (p.provider === provider && !key.startsWith('#head:')) out.push({ provider, sessionKey: key });
    }
    const changes = this.#history.changes;
    if (changes !== undefined && changes === this.#changesSeen) return out;
    this.#changesSeen = changes ?? -1;
    for (const [key, p] of this.#pending) {
      const until = this.#history.get(p.id)?.cooldownUntil ?? null;
      if (until === null || until <= now) continue;
      const sessionKey = key.startsWith('#head:') ? undefined : key;
      if (out.some((o) => o.provider === p.provider && o.sessionKey === sessionKey)) continue;
      out.push(
        key.startsWith('#head:') ? { provider: p.provider } : { provider: p.provider, sessionKey: key },
      );
    }
    return out;
  }

  /** The head this plugin last put first in a provider's stored order. */
  head(provider: string): string | undefined {
    return this.#heads.get(provider);
  }
}

/** Parses a strategy name; the default for anything else. */
export function toStrategy(value: unknown): Strategy {
  return (STRATEGIES as readonly unknown[]).includes(value) ? (value as Strategy) : 'round-robin';
}
