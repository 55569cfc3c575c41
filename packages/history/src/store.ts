// The one implementation of a history store: the merge rules (state.ts), batching, background
// flushes, transactions, clearing and notices. Where the state lives is a driver's business
// (driver.ts): the file driver, the memory driver, and later a shared one.
import { CtdError, toCtdError } from '@ctd/core';
import { toHistoryFile } from './codec.ts';
import type { BackendHealth, HistoryDriver, SharedPickRequest, SharedPickResult } from './driver.ts';
import { registerExitFlush } from './exit-flush.ts';
import type { CredentialNeed, CredentialStatus, HistoryFile, ValidationSummary } from './schema.ts';
import { type Delta, type EntryMap, foldDelta, HistoryState, mergeBatch } from './state.ts';
import type {
  CooldownChange,
  CredentialRef,
  HistoryEntry,
  HistoryNotice,
  HistoryStore,
  Sighting,
  UsageResult,
} from './types.ts';

/** Options of {@link createHistoryStore}. */
export interface HistoryStoreOptions {
  /**
   * How often pending changes are flushed (and other writers' changes picked up), in ms; 0 turns
   * the timer off (then call `flush()` yourself).
   * @default 0
   */
  flushIntervalMs?: number | undefined;
  /**
   * A flush starts as soon as this many changes are pending, without waiting for the timer.
   * @default 1000
   */
  maxPendingEvents?: number | undefined;
  /**
   * Flush pending changes when the process exits normally (including `process.exit()`), when the
   * driver can commit synchronously (the file driver can).
   * @default true
   */
  flushOnExit?: boolean | undefined;
  /**
   * The clock, in epoch ms (tests inject one).
   * @default Date.now
   */
  clock?: (() => number) | undefined;
  /** Called with every notice (a corrupt file moved aside, permissions tightened, a failed background flush). */
  onNotice?: ((notice: HistoryNotice) => void) | undefined;
  /** Refuse every change (a command that only reads): record methods throw `BAD_USAGE`. */
  readOnly?: boolean | undefined;
}

const MAX_NOTICES = 50;

/**
 * A history store over a driver. Records are synchronous and in memory; each flush hands the
 * pending deltas to the driver's `commit`, which merges them into the freshest shared state under
 * the driver's exclusion. Create it with {@link createHistoryStore} (or `openHistoryStore` for the
 * file, `createMemoryHistoryStore` for memory).
 */
export class DriverHistoryStore implements HistoryStore {
  readonly location: string;
  /** @internal */
  protected readonly driver: HistoryDriver;
  readonly #state = new HistoryState();
  readonly #clock: () => number;
  readonly #maxPending: number;
  readonly #onNotice: ((notice: HistoryNotice) => void) | undefined;
  readonly #notices: HistoryNotice[] = [];
  readonly #readOnly: boolean;
  readonly #options: HistoryStoreOptions;
  #chain: Promise<unknown> = Promise.resolve();
  #busy = false;
  #scheduled = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #unregisterExit: (() => void) | null = null;
  /** The batch handed to a commit that has not settled yet. */
  #inFlight: Map<string, Delta> | null = null;

  /** Use {@link createHistoryStore}. */
  constructor(driver: HistoryDriver, options: HistoryStoreOptions = {}) {
    this.driver = driver;
    this.location = driver.location;
    this.#options = options;
    this.#clock = options.clock ?? Date.now;
    this.#maxPending = options.maxPendingEvents ?? 1000;
    this.#onNotice = options.onNotice;
    this.#readOnly = options.readOnly ?? false;
  }

  /** Changes whenever entries are added or removed. */
  get revision(): number {
    return this.#state.revision;
  }

  /** Changes whenever any entry changes, including merges of other writers' changes. */
  get changes(): number {
    return this.#state.changes;
  }

  /** Problems met and dealt with. */
  get notices(): readonly HistoryNotice[] {
    return this.#notices;
  }

  /** Changes recorded but not yet durable. */
  get pendingEvents(): number {
    return this.#state.pendingEvents;
  }

  /** @internal Opens the driver, reads the state for the first time, starts background work. */
  async start(): Promise<this> {
    const initial = this.driver.open
      ? await this.driver.open((n) => this.#notice(n))
      : ((await this.driver.read()) ?? new Map());
    this.startWith(initial);
    const interval = this.#options.flushIntervalMs ?? 0;
    if (interval > 0 && !this.#readOnly) {
      this.#timer = setInterval(() => this.#tick(), interval);
      this.#timer.unref();
    }
    if ((this.#options.flushOnExit ?? true) && this.driver.commitAtExit && !this.#readOnly) {
      this.#unregisterExit = registerExitFlush(() => this.#flushAtExit());
    }
    return this;
  }

  /** @internal Starts from a state already known, synchronously (a driver with nothing to read first). */
  protected startWith(initial: EntryMap): void {
    this.#state.rebase(initial);
  }

  // --- reads ---

  get(id: string): HistoryEntry | undefined {
    return this.#state.get(id);
  }

  list(): HistoryEntry[] {
    return this.#state.list();
  }

  exportJson(): HistoryFile {
    return toHistoryFile(this.#state.snapshot(), this.#clock());
  }

  // --- records (synchronous, batched) ---

  ensure(ref: CredentialRef, at: number = this.#clock()): HistoryEntry {
    this.#open();
    const existing = this.#state.get(ref.id);
    if (existing) return existing;
    this.#writable();
    const e = this.#state.ensure(ref, at);
    this.#touched();
    return e;
  }

  recordUse(id: string, at: number): void {
    this.#writable();
    this.#state.recordUse(id, at);
    this.#touched();
  }

  recordResult(id: string, result: UsageResult): void {
    this.#writable();
    this.#state.recordResult(id, result);
    this.#touched();
  }

  setCooldown(id: string, change: CooldownChange): void {
    this.#writable();
    this.#state.setCooldown(id, change);
    this.#touched();
  }

  setStatus(id: string, status: CredentialStatus, reason: string | null, at: number): void {
    this.#writable();
    this.#state.setStatus(id, status, reason, at);
    this.#touched();
  }

  setNeeds(id: string, needs: CredentialNeed | null, reason: string | null, at: number): void {
    this.#writable();
    this.#state.setNeeds(id, needs, reason, at);
    this.#touched();
  }

  recordValidation(id: string, validation: ValidationSummary): void {
    this.#writable();
    this.#state.recordValidation(id, validation);
    this.#touched();
  }

  observe(ref: CredentialRef, sighting: Sighting): void {
    this.#writable();
    this.#state.observe(ref, sighting);
    this.#touched();
  }

  // --- shared rotation (a driver that decides on the server) ---

  /** Whether the driver decides shared rotation steps on the server (`pickShared`). */
  get sharesPicks(): boolean {
    return typeof this.driver.pick === 'function';
  }

  /** Whether the backend is reachable now: a degraded store works from its last known state. */
  get health(): BackendHealth {
    return this.driver.health?.() ?? { state: 'ok', since: null, reason: null };
  }

  /**
   * Has the driver decide one rotation step on the server and record the use there (it is then
   * counted in this store's view, with nothing pending). Rejects when the driver cannot decide
   * (no `pick`, or the backend is unreachable): the caller then decides locally.
   *
   * @param request - the candidates and how to choose among them
   */
  async pickShared(request: SharedPickRequest): Promise<SharedPickResult> {
    this.#writable();
    if (!this.driver.pick)
      throw new CtdError('BAD_USAGE', `history store ${this.location} cannot pick on the server`);
    const result = await this.driver.pick(request);
    if (result.id !== null) this.#state.recordDurableUse(result.id, request.at);
    return result;
  }

  // --- durable operations (serialized within the process, excluded across processes by the driver) ---

  flush(): Promise<void> {
    return this.#enqueue(() => this.#sync(undefined)) as Promise<void>;
  }

  transaction<T>(fn: () => T): Promise<T> {
    this.#writable();
    return this.#enqueue(() => this.#sync(fn)) as Promise<T>;
  }

  clear(id?: string): Promise<number> {
    this.#writable();
    return this.#enqueue(() => this.#clear(id));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    try {
      // Only what is pending is written: closing reads nothing more.
      await this.#enqueue(async () => {
        if (this.#state.dirty) await this.#sync(undefined);
      });
    } finally {
      this.#closed = true;
      this.#unregisterExit?.();
      this.#unregisterExit = null;
      await this.driver.close?.();
    }
  }

  // --- internals ---

  #open(): void {
    if (this.#closed) throw new CtdError('BAD_USAGE', `history store ${this.location} is closed`);
  }

  #writable(): void {
    this.#open();
    if (this.#readOnly) {
      throw new CtdError('BAD_USAGE', `history store ${this.location} was opened read-only`);
    }
  }

  #touched(): void {
    if (this.#scheduled || this.#state.pendingEvents < this.#maxPending) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (!this.#closed) this.flush().catch((error) => this.#report(error));
    });
  }

  #tick(): void {
    if (this.#busy || this.#closed) return;
    this.flush().catch((error) => this.#report(error));
  }

  #notice(notice: Omit<HistoryNotice, 'at'>): void {
    const full: HistoryNotice = { ...notice, at: this.#clock() };
    this.#notices.push(full);
    if (this.#notices.length > MAX_NOTICES) this.#notices.shift();
    this.#onNotice?.(full);
  }

  #report(error: unknown): void {
    const e = toCtdError(error);
    this.#notice({ code: e.code, message: `background flush failed: ${e.message}`, path: this.location });
  }

  #enqueue<T>(job: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(async () => {
      this.#busy = true;
      try {
        return await job();
      } finally {
        this.#busy = false;
      }
    });
    this.#chain = run.catch(() => {});
    return run;
  }

  async #sync<T>(fn: (() => T) | undefined): Promise<T | undefined> {
    if (!fn && !this.#state.dirty) {
      const fresh = await this.driver.read();
      if (fresh) this.#state.rebase(fresh);
      return undefined;
    }
    const batch = this.#state.takePending();
    this.#inFlight = batch;
    let current: EntryMap | null = null;
    let result: T | undefined;
    try {
      // A driver that applies deltas on the server gets plain flushes that way (no client read).
      const stored =
        !fn && this.driver.apply
          ? await this.driver.apply(batch)
          : await this.driver.commit((fresh) => {
              current = fresh;
              let merged = mergeBatch(fresh, batch);
              if (fn) {
                // The transaction runs on the freshest state; what it records is committed with it.
                this.#state.rebase(merged);
                result = fn();
                const more = this.#state.takePending();
                merged = mergeBatch(merged, more);
                for (const [id, d] of more) {
                  const older = batch.get(id);
                  batch.set(id, older ? foldDelta(older, d) : d);
                }
              }
              return merged;
            }, batch);
      this.#inFlight = null;
      this.#state.rebase(stored);
      return result;
    } catch (error) {
      if (this.#inFlight === batch) {
        this.#inFlight = null;
        this.#state.requeue(batch);
      }
      if (current) this.#state.rebase(current);
      throw error;
    }
  }

  async #clear(id: string | undefined): Promise<number> {
    const batch = this.#state.takePending();
    let removed = 0;
    try {
      const stored = await this.driver.commit((current) => {
        if (id === undefined) {
          removed = new Set([...current.keys(), ...batch.keys()]).size;
          return new Map();
        }
        removed = current.has(id) || batch.has(id) ? 1 : 0;
        batch.delete(id);
        const next = mergeBatch(current, batch);
        next.delete(id);
        return next;
      }, batch);
      this.#state.rebase(stored);
      return removed;
    } catch (error) {
      this.#state.requeue(batch);
      throw error;
    }
  }

  /** Synchronous last flush at process exit (no promise can settle any more). */
  #flushAtExit(): void {
    if (this.#closed || (!this.#state.dirty && !this.#inFlight)) return;
    const pending = this.#state.takePending();
    const interrupted = this.#inFlight;
    try {
      this.driver.commitAtExit?.((interruptedLanded) => {
        let batch = pending;
        if (interrupted && !interruptedLanded) {
          // The interrupted commit did not reach storage: its batch goes with this one.
          batch = interrupted;
          for (const [id, d] of pending) {
            const older = batch.get(id);
            batch.set(id, older ? foldDelta(older, d) : d);
          }
        }
        return (current) => mergeBatch(current, batch);
      });
    } catch {
      // Nothing can report an error at exit; the unflushed window is lost, storage stays intact.
    }
  }
}

/**
 * Creates a history store over a driver (e.g. a shared backend) and reads its state.
 *
 * @param driver - where the state lives
 * @param options - batching, clock, notices
 * @example
 * const store = await createHistoryStore(myRedisDriver, { flushIntervalMs: 1000 });
 */
export function createHistoryStore(
  driver: HistoryDriver,
  options: HistoryStoreOptions = {},
): Promise<DriverHistoryStore> {
  return new DriverHistoryStore(driver, options).start();
}
