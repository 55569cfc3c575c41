import { fromHistoryFile } from './codec.ts';
import { MemoryDriver } from './driver.ts';
import type { HistoryFile } from './schema.ts';
import { DriverHistoryStore } from './store.ts';

/** Options of {@link createMemoryHistoryStore}. */
export interface MemoryHistoryStoreOptions {
  /** Start from an exported history (e.g. `store.exportJson()` of another store). */
  initial?: HistoryFile | undefined;
  /**
   * The clock, in epoch ms.
   * @default Date.now
   */
  clock?: (() => number) | undefined;
}

/**
 * A history store held in memory only: for tests, benchmarks, and tools that keep no history.
 * It is the same store as the file's over a memory driver, so code written against it behaves the
 * same on a file.
 */
export class MemoryHistoryStore extends DriverHistoryStore {
  /** Use {@link createMemoryHistoryStore}. */
  constructor(options: MemoryHistoryStoreOptions = {}) {
    const initial = options.initial ? fromHistoryFile(options.initial) : new Map();
    super(new MemoryDriver(initial), {
      ...(options.clock ? { clock: options.clock } : {}),
      flushOnExit: false,
      maxPendingEvents: Number.POSITIVE_INFINITY,
    });
    // Nothing to read first: the store is usable as soon as it is constructed.
    this.startWith(initial);
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
