// A history backend is a small driver: it reads the shared state, commits a merge under its own
// exclusion, and clears. Everything else (batching, the merge rules, transactions, notices) is the
// store's, written once in store.ts; a Redis backend would be one more driver.
import type { Delta, EntryMap } from './state.ts';
import type { HistoryNotice } from './types.ts';

/** What a driver's `clear` did. */
export interface ClearOutcome {
  /** How many entries were removed, or null when the stored state could not be read (too large). */
  removed: number | null;
  /** Where unreadable storage was moved to, if it was moved aside instead of emptied. */
  movedTo?: string | undefined;
}

/** One shared rotation step, decided by the backend (see {@link HistoryDriver.pick}). */
export interface SharedPickRequest {
  /** The rotation group (provider, and tier for priority): a global cursor per group. */
  readonly group: string;
  /** `turn`: the next ready credential by the group's global cursor; `least-used`: the fewest uses. */
  readonly mode: 'turn' | 'least-used';
  /** Credentials whose cooldown ended, in order: the first whose probe lease can be taken is picked. */
  readonly probes: readonly string[];
  /** Ready credentials, in the rotator's order. */
  readonly ready: readonly string[];
  /** Where ties start (differs between processes). */
  readonly offset: number;
  /** The model asked for: its cooldowns count too. */
  readonly model?: string | undefined;
  /** How long a probe lease lasts unless a result releases it (ms). */
  readonly probeTtlMs: number;
  /** Now (epoch ms): the use is recorded at this time. */
  readonly at: number;
}

/** What the backend decided: `id` null when every candidate turned out to be cooling or probed. */
export interface SharedPickResult {
  readonly id: string | null;
  /** Whether this is the one probe of a credential whose cooldown ended. */
  readonly probe: boolean;
}

/** Whether a backend is reachable; a degraded store keeps working from its last known state. */
export interface BackendHealth {
  readonly state: 'ok' | 'degraded';
  /** Since when it is degraded (epoch ms), or null. */
  readonly since: number | null;
  /** Why, in a sentence without secrets, or null. */
  readonly reason: string | null;
}

/**
 * The storage of a history store. `read` and `commit` resolve with the whole state as stored; a
 * driver may hand back the same map object it returned before when nothing changed.
 */
export interface HistoryDriver {
  /** Where the state is kept (a file path, or a description). */
  readonly location: string;
  /** Called once before use: checks and first read (may report notices, may throw). */
  open?(report: (notice: Omit<HistoryNotice, 'at'>) => void): Promise<EntryMap>;
  /** The current shared state, without exclusion (other writers' changes picked up); null when unchanged. */
  read(): Promise<EntryMap | null>;
  /**
   * Under the driver's exclusion: reads the freshest state, calls `merge` with it, stores what
   * `merge` returns and resolves with it. Nothing is stored when `merge` throws.
   *
   * `changes`, when given, holds (once `merge` has returned) every delta that `merge` applied to
   * the entries it kept: a shared backend writes those as server-side increments instead of the
   * merged values, and deletes the entries `merge` dropped.
   */
  commit(merge: (current: EntryMap) => EntryMap, changes?: ReadonlyMap<string, Delta>): Promise<EntryMap>;
  /**
   * Optional: applies a batch of deltas on the server, atomically, without a client-side read
   * (counters as increments), and resolves with the freshest state. A driver that has it gets plain
   * flushes this way; `commit` is then only used for transactions and clears.
   */
  apply?(batch: ReadonlyMap<string, Delta>): Promise<EntryMap>;
  /**
   * Optional: decides one shared rotation step on the server in one atomic operation (a global
   * round-robin cursor, the globally least-used credential, a lease per probe) and records the use
   * there. See {@link SharedPickRequest}.
   */
  pick?(request: SharedPickRequest): Promise<SharedPickResult>;
  /** Optional: whether the backend is reachable now (a shared backend may run degraded). */
  health?(): BackendHealth;
  /** Removes every entry without needing to read the stored state (it may be unreadable). */
  clear(): Promise<ClearOutcome>;
  /**
   * A last commit at process exit, synchronous (no promise settles any more). `mergeFor` is told
   * whether a commit that was interrupted by the exit had already reached storage.
   */
  commitAtExit?(mergeFor: (interruptedLanded: boolean) => (current: EntryMap) => EntryMap): void;
  /** Releases what the driver holds. */
  close?(): Promise<void>;
}

/**
 * A driver that keeps the state in this process only (tests, tools that keep no history). Several
 * stores may share one, as processes share a file.
 */
export class MemoryDriver implements HistoryDriver {
  readonly location = 'memory';
  #state: EntryMap;

  constructor(initial: EntryMap = new Map()) {
    this.#state = initial;
  }

  async open(): Promise<EntryMap> {
    return this.#state;
  }

  async read(): Promise<EntryMap | null> {
    return this.#state; // several stores may share this driver: each picks up the others' commits
  }

  async commit(merge: (current: EntryMap) => EntryMap): Promise<EntryMap> {
    this.#state = merge(this.#state);
    return this.#state;
  }

  async clear(): Promise<ClearOutcome> {
    const removed = this.#state.size;
    this.#state = new Map();
    return { removed };
  }
}
