import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  type Stats,
  writeSync,
} from 'node:fs';
import { chmod, mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CtdError, toCtdError } from '@ctd/core';
import { FileLock, type FileLockOptions, processAlive } from './lock.ts';
import { type HistoryPathOptions, resolveHistoryPath } from './paths.ts';
import type { CredentialNeed, CredentialStatus, HistoryFile, ValidationSummary } from './schema.ts';
import { HISTORY_SCHEMA_VERSION, HistoryFileSchema } from './schema.ts';
import {
  combineDeltas,
  type Delta,
  type EntryMap,
  fromHistoryFile,
  HistoryState,
  mergeBatch,
  toHistoryFile,
} from './state.ts';
import type {
  CooldownChange,
  CredentialRef,
  HistoryEntry,
  HistoryNotice,
  HistoryStore,
  Sighting,
  UsageResult,
} from './types.ts';

/** Options of {@link openHistoryStore}. */
export interface FileHistoryStoreOptions extends HistoryPathOptions {
  /**
   * How often pending changes are flushed (and other writers' changes picked up), in ms; 0 turns
   * the timer off (then call `flush()` yourself).
   * @default 1000
   */
  flushIntervalMs?: number;
  /**
   * A flush starts as soon as this many changes are pending, without waiting for the timer.
   * @default 1000
   */
  maxPendingEvents?: number;
  /**
   * Flush pending changes when the process exits normally (including `process.exit()`).
   * @default true
   */
  flushOnExit?: boolean;
  /** Lock timing (stale bound and wait timeout). */
  lock?: FileLockOptions;
  /**
   * The clock, in epoch ms (tests inject one).
   * @default Date.now
   */
  clock?: () => number;
  /** Called with every notice (a corrupt file moved aside, permissions tightened, a failed background flush). */
  onNotice?: (notice: HistoryNotice) => void;
}

/** The result of reading a history file's text. */
export type ParsedHistory =
  | { kind: 'ok'; state: EntryMap; writeId: string | undefined }
  | { kind: 'newer'; version: number }
  | { kind: 'corrupt'; code: 'INVALID_JSON' | 'INVALID_SHAPE'; message: string };

/**
 * Parses the text of a history file without throwing: a usable state, a newer schema version
 * (which must not be overwritten), or the reason the file is corrupt.
 *
 * @param text - the file's content
 */
export function parseHistoryText(text: string): ParsedHistory {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return {
      kind: 'corrupt',
      code: 'INVALID_JSON',
      message: 'the file is not valid JSON (truncated or damaged)',
    };
  }
  const version = (json as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version > HISTORY_SCHEMA_VERSION) return { kind: 'newer', version };
  const parsed = HistoryFileSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? ` at ${first.path.join('.')}` : '';
    return { kind: 'corrupt', code: 'INVALID_SHAPE', message: `the file is not a history file${where}` };
  }
  return { kind: 'ok', state: fromHistoryFile(parsed.data), writeId: parsed.data.writeId };
}

/**
 * The write id from a history file's head (it is written before the records), read without
 * parsing the whole file. Inode, size and mtime cannot tell files apart: inodes are reused after a
 * rename and file times are coarser than a flush.
 */
function headWriteId(text: string): string | undefined {
  const end = text.indexOf('"records"');
  return /"writeId":\s*"([^"\\]+)"/.exec(end < 0 ? text.slice(0, 400) : text.slice(0, end))?.[1];
}
const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const MAX_NOTICES = 50;

// Every live store that flushes at exit; one process listener serves them all.
const exitFlushes = new Set<() => void>();
function onProcessExit(): void {
  for (const flush of exitFlushes) flush();
}
function registerExitFlush(flush: () => void): () => void {
  if (exitFlushes.size === 0) process.on('exit', onProcessExit);
  exitFlushes.add(flush);
  return () => {
    exitFlushes.delete(flush);
    if (exitFlushes.size === 0) process.off('exit', onProcessExit);
  };
}

function newerVersionError(path: string, version: number): CtdError {
  return new CtdError(
    'UNSUPPORTED_VERSION',
    `${path} was written by a newer version (schema ${version}; this version reads ${HISTORY_SCHEMA_VERSION}). ` +
      'It was left untouched: upgrade, or use another history file.',
    { details: { path, version } },
  );
}

/**
 * The default history store: one JSON file (mode 0600, in a 0700 directory) shared by every process
 * on the host. Changes are recorded in memory and flushed in batches; each flush takes a
 * cross-process lock, re-reads the file, merges this process's changes into it (so no other
 * writer's update is lost) and replaces the file atomically (temp file, fsync, rename).
 * Create it with {@link openHistoryStore}.
 */
export class FileHistoryStore implements HistoryStore {
  /** The history file's path. */
  readonly location: string;
  readonly #state = new HistoryState();
  readonly #lock: FileLock;
  readonly #clock: () => number;
  readonly #maxPending: number;
  readonly #onNotice: ((notice: HistoryNotice) => void) | undefined;
  readonly #notices: HistoryNotice[] = [];
  /** Write id of the file `#state.base` was read from or written as (null: unknown). */
  #known: string | null = null;
  #chain: Promise<unknown> = Promise.resolve();
  #busy = false;
  #scheduled = false;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #unregisterExit: (() => void) | null = null;
  #writes = 0;
  /** The batch of an async flush that has not yet been committed (renamed into place). */
  #inFlight: { batch: Map<string, Delta>; writeId: string } | null = null;

  /** Use {@link openHistoryStore}. */
  constructor(path: string, options: FileHistoryStoreOptions = {}) {
    this.location = path;
    this.#lock = new FileLock(`${path}.lock`, options.lock);
    this.#clock = options.clock ?? Date.now;
    this.#maxPending = options.maxPendingEvents ?? 1000;
    this.#onNotice = options.onNotice;
  }

  /** Changes whenever entries are added or removed. */
  get revision(): number {
    return this.#state.revision;
  }

  /** Problems met and dealt with. */
  get notices(): readonly HistoryNotice[] {
    return this.#notices;
  }

  /** Changes recorded but not yet durable. */
  get pendingEvents(): number {
    return this.#state.pendingEvents;
  }

  /** How many times this store has replaced the file (each a locked merge and an atomic write). */
  get writes(): number {
    return this.#writes;
  }

  /** @internal Checks the directory, reads the file for the first time, starts background work. */
  async start(options: FileHistoryStoreOptions, dir: { created: boolean; tighten: boolean }): Promise<void> {
    await this.#checkDirectory(dir.created || dir.tighten);
    await this.#load();
    await this.#removeDeadTempFiles();
    const interval = options.flushIntervalMs ?? 1000;
    if (interval > 0) {
      this.#timer = setInterval(() => this.#tick(), interval);
      this.#timer.unref();
    }
    if (options.flushOnExit ?? true) this.#unregisterExit = registerExitFlush(() => this.#flushAtExit());
  }

  async #checkDirectory(tighten: boolean): Promise<void> {
    const dir = dirname(this.location);
    const st = await stat(dir);
    if ((st.mode & 0o077) === 0) return;
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    if (tighten) {
      await chmod(dir, 0o700).catch(() => {});
      this.#notice({
        code: 'INSECURE_PERMISSIONS',
        message: `history directory had mode ${mode}; set to 0700`,
        path: dir,
      });
    } else {
      this.#notice({
        code: 'INSECURE_PERMISSIONS',
        message: `history directory has mode ${mode}; 0700 is recommended`,
        path: dir,
      });
    }
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
    const e = this.#state.ensure(ref, at);
    this.#touched();
    return e;
  }

  recordUse(id: string, at: number): void {
    this.#open();
    this.#state.recordUse(id, at);
    this.#touched();
  }

  recordResult(id: string, result: UsageResult): void {
    this.#open();
    this.#state.recordResult(id, result);
    this.#touched();
  }

  setCooldown(id: string, change: CooldownChange): void {
    this.#open();
    this.#state.setCooldown(id, change);
    this.#touched();
  }

  setStatus(id: string, status: CredentialStatus, reason: string | null, at: number): void {
    this.#open();
    this.#state.setStatus(id, status, reason, at);
    this.#touched();
  }

  setNeeds(id: string, needs: CredentialNeed | null, reason: string | null, at: number): void {
    this.#open();
    this.#state.setNeeds(id, needs, reason, at);
    this.#touched();
  }

  recordValidation(id: string, validation: ValidationSummary): void {
    this.#open();
    this.#state.recordValidation(id, validation);
    this.#touched();
  }

  observe(ref: CredentialRef, sighting: Sighting): void {
    this.#open();
    this.#state.observe(ref, sighting);
    this.#touched();
  }

  // --- durable operations (serialized within the process, locked across processes) ---

  flush(): Promise<void> {
    return this.#enqueue(() => this.#sync(undefined));
  }

  transaction<T>(fn: () => T): Promise<T> {
    this.#open();
    return this.#enqueue(() => this.#sync(fn)) as Promise<T>;
  }

  clear(id?: string): Promise<number> {
    this.#open();
    return this.#enqueue(() => this.#clear(id));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    try {
      await this.flush();
    } finally {
      this.#closed = true;
      this.#unregisterExit?.();
      this.#unregisterExit = null;
    }
  }

  // --- internals ---

  #open(): void {
    if (this.#closed) throw new CtdError('BAD_USAGE', `history store ${this.location} is closed`);
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

  async #load(): Promise<void> {
    let st: Stats;
    try {
      st = await stat(this.location);
    } catch (error) {
      if (errno(error) === 'ENOENT') return;
      throw this.#unreadable(error);
    }
    if (!st.isFile()) {
      throw new CtdError('NOT_A_FILE', `${this.location} is not a regular file`, {
        details: { path: this.location },
      });
    }
    if ((st.mode & 0o777) !== 0o600) {
      await chmod(this.location, 0o600).catch((error) => {
        throw this.#unreadable(error);
      });
      this.#notice({
        code: 'INSECURE_PERMISSIONS',
        message: `history file had mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; set to 0600`,
        path: this.location,
      });
    }
    const text = await readFile(this.location, 'utf8').catch((error) => {
      throw this.#unreadable(error);
    });
    const parsed = parseHistoryText(text);
    if (parsed.kind === 'newer') throw newerVersionError(this.location, parsed.version);
    if (parsed.kind === 'ok') {
      this.#known = parsed.writeId ?? null;
      this.#state.rebase(parsed.state);
      return;
    }
    // Corrupt: look again under the lock (another process may be replacing it), then move it aside.
    await this.#lock.acquire();
    try {
      const current = await this.#readLocked();
      this.#state.rebase(current);
    } finally {
      await this.#lock.release();
    }
  }

  #unreadable(error: unknown): CtdError {
    return new CtdError(
      'FILE_UNREADABLE',
      `cannot read or fix ${this.location} (${errno(error) ?? 'error'})`,
      {
        cause: error,
        details: { path: this.location },
      },
    );
  }

  /** Whether `text` is the very file the base was read from or written as. */
  #isKnown(text: string): boolean {
    return this.#known !== null && headWriteId(text) === this.#known && text.trimEnd().endsWith('}');
  }

  /** Reads the file under the lock: our base when unchanged, else the parsed file; a corrupt file is moved aside. */
  async #readLocked(): Promise<EntryMap> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw this.#unreadable(error);
      this.#known = null;
      return new Map();
    }
    if (this.#isKnown(text)) return this.#state.base;
    const parsed = parseHistoryText(text);
    if (parsed.kind === 'ok') {
      this.#known = parsed.writeId ?? null;
      return parsed.state;
    }
    if (parsed.kind === 'newer') throw newerVersionError(this.location, parsed.version);
    const movedTo = this.#corruptName();
    await rename(this.location, movedTo);
    this.#afterMovedAside(parsed, movedTo);
    return this.#state.base;
  }

  #readLockedSync(): EntryMap {
    let text: string;
    try {
      text = readFileSync(this.location, 'utf8');
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw this.#unreadable(error);
      this.#known = null;
      return new Map();
    }
    if (this.#isKnown(text)) return this.#state.base;
    const parsed = parseHistoryText(text);
    if (parsed.kind === 'ok') {
      this.#known = parsed.writeId ?? null;
      return parsed.state;
    }
    if (parsed.kind === 'newer') throw newerVersionError(this.location, parsed.version);
    const movedTo = this.#corruptName();
    renameSync(this.location, movedTo);
    this.#afterMovedAside(parsed, movedTo);
    return this.#state.base;
  }

  #corruptName(): string {
    const stamp = new Date(this.#clock()).toISOString().replace(/[:.]/g, '-');
    let name = `${this.location}.corrupt-${stamp}`;
    for (let i = 1; existsSync(name); i++) name = `${this.location}.corrupt-${stamp}-${i}`;
    return name;
  }

  #afterMovedAside(parsed: Extract<ParsedHistory, { kind: 'corrupt' }>, movedTo: string): void {
    this.#known = null;
    this.#notice({
      code: parsed.code,
      message: `${parsed.message}; moved aside to ${basename(movedTo)} and started a fresh history`,
      path: this.location,
      movedTo,
    });
  }

  async #write(state: EntryMap, writeId: string): Promise<void> {
    const text = `${JSON.stringify(toHistoryFile(state, this.#clock(), writeId), null, 2)}\n`;
    const tmp = `${this.location}.tmp-${process.pid}-${writeId.slice(0, 8)}`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.location);
    } catch (error) {
      await unlink(tmp).catch(() => {});
      throw error;
    }
    this.#inFlight = null; // committed: from here on the batch must not be put back
    this.#known = writeId;
    this.#writes++;
    await fsyncDirectory(dirname(this.location));
  }

  #writeSync(state: EntryMap, writeId: string): void {
    const text = `${JSON.stringify(toHistoryFile(state, this.#clock(), writeId), null, 2)}\n`;
    const tmp = `${this.location}.tmp-${process.pid}-${writeId.slice(0, 8)}`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.location);
    this.#inFlight = null;
    this.#known = writeId;
    try {
      const dfd = openSync(dirname(this.location), 'r');
      try {
        fsyncSync(dfd);
      } finally {
        closeSync(dfd);
      }
    } catch {
      // some platforms cannot fsync a directory
    }
  }

  async #sync<T>(fn: (() => T) | undefined): Promise<T | undefined> {
    if (!fn && !this.#state.dirty) {
      await this.#refresh();
      return undefined;
    }
    await this.#lock.acquire();
    let current: EntryMap | null = null;
    this.#inFlight = { batch: this.#state.takePending(), writeId: randomUUID() };
    const inFlight = this.#inFlight;
    try {
      current = await this.#readLocked();
      let merged = mergeBatch(current, inFlight.batch);
      let result: T | undefined;
      if (fn) {
        this.#state.rebase(merged);
        result = fn();
        const more = this.#state.takePending();
        merged = mergeBatch(merged, more);
        for (const [id, d] of more) {
          const older = inFlight.batch.get(id);
          inFlight.batch.set(id, older ? combineDeltas(older, d) : d);
        }
      }
      await this.#write(merged, inFlight.writeId);
      this.#state.rebase(merged);
      return result;
    } catch (error) {
      if (this.#inFlight === inFlight) {
        this.#inFlight = null;
        this.#state.requeue(inFlight.batch);
      }
      // The base may no longer match the file: read it again next time.
      this.#known = null;
      if (current) this.#state.rebase(current);
      throw error;
    } finally {
      await this.#lock.release();
    }
  }

  /** Picks up other writers' changes without the lock (files are replaced atomically). */
  async #refresh(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.location, 'utf8');
    } catch (error) {
      if (errno(error) !== 'ENOENT') throw this.#unreadable(error);
      if (this.#known !== null) {
        this.#known = null;
        this.#state.rebase(new Map());
      }
      return;
    }
    if (this.#isKnown(text)) return;
    const parsed = parseHistoryText(text);
    if (parsed.kind === 'newer') throw newerVersionError(this.location, parsed.version);
    if (parsed.kind !== 'ok') return; // dealt with under the lock at the next flush
    this.#known = parsed.writeId ?? null;
    this.#state.rebase(parsed.state);
  }

  async #clear(id: string | undefined): Promise<number> {
    await this.#lock.acquire();
    try {
      const current = await this.#readLocked();
      const batch = this.#state.takePending();
      let removed: number;
      let next: EntryMap;
      if (id === undefined) {
        removed = new Set([...current.keys(), ...batch.keys()]).size;
        next = new Map();
      } else {
        const had = current.has(id) || batch.has(id);
        batch.delete(id);
        next = mergeBatch(current, batch);
        next.delete(id);
        removed = had ? 1 : 0;
      }
      try {
        await this.#write(next, randomUUID());
      } catch (error) {
        this.#state.requeue(batch);
        this.#known = null;
        throw error;
      }
      this.#state.rebase(next);
      return removed;
    } finally {
      await this.#lock.release();
    }
  }

  /** Synchronous last flush at process exit (no promise can settle any more). */
  #flushAtExit(): void {
    if (this.#closed || (!this.#state.dirty && !this.#inFlight)) return;
    try {
      const ownLock = this.#lock.held; // an async flush was interrupted while holding it
      if (!ownLock) this.#lock.acquireSync();
      try {
        let batch = this.#state.takePending();
        const interrupted = this.#inFlight;
        const current = this.#readLockedSync();
        if (interrupted) {
          // Its rename may or may not have happened: the file's write id tells.
          let landed = false;
          try {
            const parsed = parseHistoryText(readFileSync(this.location, 'utf8'));
            landed = parsed.kind === 'ok' && parsed.writeId === interrupted.writeId;
          } catch {
            // no file: it did not land
          }
          if (!landed) {
            for (const [id, d] of batch) {
              const older = interrupted.batch.get(id);
              interrupted.batch.set(id, older ? combineDeltas(older, d) : d);
            }
            batch = interrupted.batch;
          }
        }
        this.#writeSync(mergeBatch(current, batch), randomUUID());
      } finally {
        this.#lock.releaseSync();
      }
    } catch {
      // Nothing can report an error at exit; the unflushed window is lost, the file stays intact.
    }
  }

  /** Removes temp files left by writers that were killed (their process is gone). */
  async #removeDeadTempFiles(): Promise<void> {
    const dir = dirname(this.location);
    const base = basename(this.location);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    const pattern = /^(?:\.lock)?\.tmp-(\d+)-[0-9a-f]{8}$/;
    for (const name of names) {
      if (!name.startsWith(`${base}.`)) continue;
      const m = pattern.exec(name.slice(base.length));
      if (m && !processAlive(Number(m[1]))) await unlink(join(dir, name)).catch(() => {});
    }
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // some platforms cannot fsync a directory
  }
}

/**
 * Opens (or prepares) the history file and returns its store. The directory is created with mode
 * 0700 and the file is written with mode 0600; looser permissions are tightened and reported in
 * `store.notices`. A corrupt file is moved aside (`…corrupt-<time>`) and reported, and a fresh
 * history starts. A file written by a newer schema version is never overwritten.
 *
 * @param options - path, batching, clock and lock options
 * @returns the store; call `close()` when done (a normal process exit also flushes)
 * @throws CtdError `UNSUPPORTED_VERSION` for a newer file, `FILE_UNREADABLE` or `NOT_A_FILE`
 * @example
 * const store = await openHistoryStore({ env: process.env });
 * store.ensure({ id: 'codex-cli:openai:acct', hash, source: 'codex-cli', provider: 'openai' });
 * store.recordUse('codex-cli:openai:acct', Date.now());
 * await store.close();
 */
export async function openHistoryStore(options: FileHistoryStoreOptions = {}): Promise<FileHistoryStore> {
  const path = resolveHistoryPath(options);
  const dir = dirname(path);
  const created = !existsSync(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const store = new FileHistoryStore(path, options);
  // Tighten only a directory we created or the default one (OpenClaw's state directory, which holds
  // secrets anyway); a directory the caller chose (say /tmp) is theirs to manage, so it is reported.
  const tighten = !options.file && !(options.env ?? process.env).CTD_HISTORY_FILE;
  await store.start(options, { created, tighten });
  return store;
}
