import { CtdError } from '@ctd/core';
import type { CredentialNeed, CredentialStatus, HistoryFile, ValidationSummary } from './schema.ts';
import { fromHistoryFile, HistoryState, mergeBatch, toHistoryFile } from './state.ts';
import type {
  CooldownChange,
  CredentialRef,
  HistoryEntry,
  HistoryNotice,
  HistoryStore,
  Sighting,
  UsageResult,
} from './types.ts';

/** Options of {@link createMemoryHistoryStore}. */
export interface MemoryHistoryStoreOptions {
  /** Start from an exported history (e.g. `store.exportJson()` of another store). */
  initial?: HistoryFile;
  /**
   * The clock, in epoch ms.
   * @default Date.now
   */
  clock?: () => number;
}

/**
 * A history store held in memory only: for tests, benchmarks, and tools that keep no history.
 * It merges exactly like the file store, so code written against it behaves the same on a file.
 */
export class MemoryHistoryStore implements HistoryStore {
  readonly location = 'memory';
  readonly notices: readonly HistoryNotice[] = [];
  readonly #state = new HistoryState();
  readonly #clock: () => number;
  #closed = false;

  /** Use {@link createMemoryHistoryStore}. */
  constructor(options: MemoryHistoryStoreOptions = {}) {
    this.#clock = options.clock ?? Date.now;
    if (options.initial) this.#state.rebase(fromHistoryFile(options.initial));
  }

  /** Changes whenever entries are added or removed. */
  get revision(): number {
    return this.#state.revision;
  }

  /** Changes recorded since the last flush. */
  get pendingEvents(): number {
    return this.#state.pendingEvents;
  }

  get(id: string): HistoryEntry | undefined {
    return this.#state.get(id);
  }

  list(): HistoryEntry[] {
    return this.#state.list();
  }

  exportJson(): HistoryFile {
    return toHistoryFile(this.#state.snapshot(), this.#clock());
  }

  ensure(ref: CredentialRef, at: number = this.#clock()): HistoryEntry {
    this.#open();
    return this.#state.ensure(ref, at);
  }

  recordUse(id: string, at: number): void {
    this.#open();
    this.#state.recordUse(id, at);
  }

  recordResult(id: string, result: UsageResult): void {
    this.#open();
    this.#state.recordResult(id, result);
  }

  setCooldown(id: string, change: CooldownChange): void {
    this.#open();
    this.#state.setCooldown(id, change);
  }

  setStatus(id: string, status: CredentialStatus, reason: string | null, at: number): void {
    this.#open();
    this.#state.setStatus(id, status, reason, at);
  }

  setNeeds(id: string, needs: CredentialNeed | null, reason: string | null, at: number): void {
    this.#open();
    this.#state.setNeeds(id, needs, reason, at);
  }

  recordValidation(id: string, validation: ValidationSummary): void {
    this.#open();
    this.#state.recordValidation(id, validation);
  }

  observe(ref: CredentialRef, sighting: Sighting): void {
    this.#open();
    this.#state.observe(ref, sighting);
  }

  async flush(): Promise<void> {
    if (this.#state.dirty) this.#state.rebase(mergeBatch(this.#state.base, this.#state.takePending()));
  }

  async transaction<T>(fn: () => T): Promise<T> {
    this.#open();
    const result = fn();
    await this.flush();
    return result;
  }

  async clear(id?: string): Promise<number> {
    this.#open();
    await this.flush();
    const next = new Map(this.#state.base);
    let removed: number;
    if (id === undefined) {
      removed = next.size;
      next.clear();
    } else {
      removed = next.delete(id) ? 1 : 0;
    }
    this.#state.rebase(next);
    return removed;
  }

  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new CtdError('BAD_USAGE', 'history store is closed');
  }
}

/**
 * Creates a history store held in memory only.
 *
 * @param options - an initial history and a clock
 * @example
 * const store = createMemoryHistoryStore();
 * store.ensure({ id: 'env:openai', hash, source: 'environment', provider: 'openai' });
 */
export function createMemoryHistoryStore(options: MemoryHistoryStoreOptions = {}): MemoryHistoryStore {
  return new MemoryHistoryStore(options);
}
