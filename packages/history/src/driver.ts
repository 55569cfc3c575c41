// A history backend is a small driver: it reads the shared state, commits a merge under its own
// exclusion, and clears. Everything else (batching, the merge rules, transactions, notices) is the
// store's, written once in store.ts; a Redis backend would be one more driver.
import type { EntryMap } from './state.ts';
import type { HistoryNotice } from './types.ts';

/** What a driver's `clear` did. */
export interface ClearOutcome {
  /** How many entries were removed, or null when the stored state could not be read (too large). */
  removed: number | null;
  /** Where unreadable storage was moved to, if it was moved aside instead of emptied. */
  movedTo?: string | undefined;
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
   */
  commit(merge: (current: EntryMap) => EntryMap): Promise<EntryMap>;
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
