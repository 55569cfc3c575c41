import type { CredentialInfo } from '@ctd/core';
import type { Refresher } from './refresher.ts';
import type { RefreshOutcome } from './types.ts';

/** Options of a {@link RefreshScheduler}. */
export interface RefreshSchedulerOptions {
  /** Refresh this long before the CLI's own moment (ms). @default 0 */
  readonly aheadMs?: number | undefined;
  /** Never fire sooner than this after the previous run of the same credential (ms), against hot loops. @default 5000 */
  readonly minIntervalMs?: number | undefined;
  /** First wait after a failed refresh (ms); doubled for each failure in a row. @default 60000 */
  readonly failureBackoffMs?: number | undefined;
  /** Longest wait after failures (ms). @default 1800000 (30 min) */
  readonly maxBackoffMs?: number | undefined;
  /** Called with every outcome of a scheduled refresh, once the scheduler has planned what follows. */
  readonly onOutcome?: ((outcome: RefreshOutcome) => void) | undefined;
  /** The clock. @default Date.now */
  readonly now?: (() => number) | undefined;
}

interface Slot {
  credential: CredentialInfo;
  timer: NodeJS.Timeout | undefined;
  /** When the timer fires (ms), or null when the credential is parked. */
  at: number | null;
  failures: number;
  lastRunAt: number | null;
  running: boolean;
  /** Why it is not scheduled, when parked. */
  parked: string | null;
}

/** setTimeout takes at most 2^31−1 ms; a longer wait is re-armed when it ends. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the scheduler plans for one credential. */
export interface ScheduledRefresh {
  readonly credentialId: string;
  /** When it will be refreshed (ISO 8601), or null when it is not scheduled. */
  readonly at: string | null;
  /** Why it is not scheduled (needs a login, not refreshable, no opt-in), when so. */
  readonly parked: string | null;
  /** Failed refreshes in a row. */
  readonly failures: number;
}

/**
 * Refreshes a set of credentials, each at the moment its CLI would (`refreshAt`, minus `aheadMs`),
 * idle ones included, with one unref'd timer per credential (it never keeps the process alive).
 * A transient failure is retried with exponential backoff; a login that needs a new login, cannot
 * be refreshed or lacks the user's opt-in is parked until {@link RefreshScheduler.set} brings a
 * different secret for it. Every refresh goes through the {@link Refresher}, so scheduled and
 * on-demand refreshes of one credential share one flight.
 */
export class RefreshScheduler {
  readonly #refresher: Refresher;
  readonly #slots = new Map<string, Slot>();
  readonly #aheadMs: number;
  readonly #minIntervalMs: number;
  readonly #failureBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #onOutcome: ((outcome: RefreshOutcome) => void) | undefined;
  readonly #now: () => number;
  #stopped = false;

  /**
   * @param refresher - the refresher that does the work (and emits the events)
   * @param options - lead time, backoff, clock
   */
  constructor(refresher: Refresher, options: RefreshSchedulerOptions = {}) {
    this.#refresher = refresher;
    this.#aheadMs = Math.max(0, options.aheadMs ?? 0);
    this.#minIntervalMs = Math.max(0, options.minIntervalMs ?? 5_000);
    this.#failureBackoffMs = Math.max(1, options.failureBackoffMs ?? 60_000);
    this.#maxBackoffMs = Math.max(this.#failureBackoffMs, options.maxBackoffMs ?? 30 * 60_000);
    this.#onOutcome = options.onOutcome;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Sets the credentials to keep alive (e.g. after each scan). A credential already scheduled with
   * the same secret keeps its plan (and its parking); a new secret is planned afresh; credentials
   * no longer listed are dropped.
   *
   * @param credentials - credentials from a scan (with their secrets, so the refresher can tell
   *   another process's refresh by the refresh token too)
   */
  set(credentials: readonly CredentialInfo[]): void {
    if (this.#stopped) return;
    const ids = new Set(credentials.map((c) => c.id));
    for (const [id, slot] of this.#slots) {
      if (!ids.has(id)) {
        clearTimeout(slot.timer);
        this.#slots.delete(id);
      }
    }
    for (const credential of credentials) {
      const slot = this.#slots.get(credential.id);
      if (slot && slot.credential.hash === credential.hash) continue;
      if (slot) clearTimeout(slot.timer);
      const fresh: Slot = {
        credential,
        timer: undefined,
        at: null,
        failures: 0,
        lastRunAt: slot?.lastRunAt ?? null,
        running: false,
        parked: null,
      };
      this.#slots.set(credential.id, fresh);
      // While the old one runs, its end plans the new one (one flight per credential).
      if (!slot?.running) this.#plan(fresh);
    }
  }

  /** What is planned for each credential. */
  list(): ScheduledRefresh[] {
    return [...this.#slots.values()].map((s) => ({
      credentialId: s.credential.id,
      at: s.at === null ? null : new Date(s.at).toISOString(),
      parked: s.parked,
      failures: s.failures,
    }));
  }

  /** Stops every timer; refreshes already running finish, nothing new starts. */
  stop(): void {
    this.#stopped = true;
    for (const slot of this.#slots.values()) clearTimeout(slot.timer);
    this.#slots.clear();
  }

  /** When the credential should be refreshed next (ms), or null when it cannot be. */
  #dueAt(slot: Slot): number | null {
    const due = this.#refresher.refreshAt(slot.credential);
    if (due === null) return null;
    // The lead never exceeds half the token's remaining life: a lead longer than a token's
    // lifetime would otherwise refresh it again as soon as it was refreshed.
    const expiry = slot.credential.expiresAt ? Date.parse(slot.credential.expiresAt) : Number.NaN;
    const life = Number.isFinite(expiry) ? Math.max(0, (expiry - this.#now()) / 2) : this.#aheadMs;
    return due - Math.min(this.#aheadMs, life);
  }

  #plan(slot: Slot): void {
    const at = this.#dueAt(slot);
    if (at === null) {
      slot.at = null;
      slot.parked = 'the CLI would not refresh it (no refresh token, not refreshable, or no known expiry)';
      return;
    }
    this.#arm(slot, Math.max(at, (slot.lastRunAt ?? -Infinity) + this.#minIntervalMs));
  }

  #backoff(slot: Slot): void {
    slot.failures += 1;
    const backoff = Math.min(this.#maxBackoffMs, this.#failureBackoffMs * 2 ** (slot.failures - 1));
    this.#arm(slot, this.#now() + backoff);
  }

  #arm(slot: Slot, at: number): void {
    clearTimeout(slot.timer);
    slot.at = at;
    slot.parked = null;
    const wait = Math.max(0, at - this.#now());
    slot.timer = setTimeout(
      () => {
        if (wait > MAX_TIMER_MS) this.#arm(slot, at);
        else void this.#fire(slot);
      },
      Math.min(wait, MAX_TIMER_MS),
    );
    slot.timer.unref();
  }

  async #fire(slot: Slot): Promise<void> {
    if (this.#stopped || this.#slots.get(slot.credential.id) !== slot) return;
    slot.running = true;
    slot.timer = undefined;
    slot.lastRunAt = this.#now();
    let outcome: RefreshOutcome;
    try {
      // Due by the scheduler's clock (which may run ahead of the CLI's by `aheadMs`): forced.
      const result = await this.#refresher.refreshWithCredential(slot.credential, {
        force: this.#aheadMs > 0,
      });
      outcome = result.outcome;
      if (result.credential) slot.credential = result.credential;
    } catch (error) {
      // The refresher turns failures into outcomes; this is a bug, kept from killing the timer chain.
      outcome = {
        credentialId: slot.credential.id,
        source: slot.credential.source,
        status: 'failed',
        expiresAt: slot.credential.expiresAt,
        reason: error instanceof Error ? error.name : 'unexpected error',
        code: 'INTERNAL',
        calls: 0,
      };
    } finally {
      slot.running = false;
    }
    try {
      this.#settle(slot, outcome);
    } finally {
      this.#onOutcome?.(outcome);
    }
  }

  /** Plans what follows a run: the next refresh, a backoff, or parking. */
  #settle(slot: Slot, outcome: RefreshOutcome): void {
    if (this.#stopped) return;
    const current = this.#slots.get(outcome.credentialId);
    if (current !== slot) {
      // set() replaced it while it ran: plan the replacement.
      if (current && !current.running && current.at === null && current.parked === null) this.#plan(current);
      return;
    }
    switch (outcome.status) {
      case 'refreshed':
      case 'refreshed-by-other':
      case 'not-due': {
        const at = this.#dueAt(slot);
        if (outcome.status === 'refreshed' && at !== null && at <= this.#now()) {
          // An ineffective refresh (the new token is due at once): back off instead of looping.
          this.#backoff(slot);
          return;
        }
        slot.failures = 0;
        this.#plan(slot);
        return;
      }
      case 'failed':
        this.#backoff(slot);
        return;
      default:
        // needs_login, not-refreshable, opt-in-required: retrying would change nothing (and
        // must never spend a dead token again). A new secret from set() plans it again.
        clearTimeout(slot.timer);
        slot.at = null;
        slot.parked = outcome.reason;
    }
  }
}
