// The history's file driver: one JSON file shared by every process on the host. Reads are bounded
// by bytes; writes are atomic (temp file, fsync, rename, fsync of the directory) under a 'pid'
// lock file beside the history, both from @ctd/core/node. It also keeps the rules that protect
// other programs' files: nothing is chmodded through a link or in a directory we did not create
// (OpenClaw's own ~/.openclaw excepted), only a file that is recognisably a history is ever moved
// aside, and a read-only driver changes nothing at all.
import { randomUUID } from 'node:crypto';
import { existsSync, constants as fsConstants, lstatSync, renameSync, type Stats } from 'node:fs';
import { chmod, lstat, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CtdError } from '@ctd/core';
import {
  ExclusiveLockFile,
  processAlive,
  readFileBounded,
  readFileBoundedSync,
  writeFileAtomic,
  writeFileAtomicSync,
} from '@ctd/core/node';
import {
  encodeHistoryFile,
  HISTORY_FILE_NAME,
  headWriteId,
  isRecognisablyHistory,
  parseHistoryText,
} from './codec.ts';
import type { ClearOutcome, HistoryDriver } from './driver.ts';
import { HISTORY_SCHEMA_VERSION } from './schema.ts';
import type { EntryMap } from './state.ts';
import type { HistoryNotice } from './types.ts';

/** Lock timing of the history file. */
export interface FileLockOptions {
  /**
   * A lock older than this is stale even if its process still runs (a hung or paused writer).
   * @default 30000
   */
  staleMs?: number | undefined;
  /**
   * How long to wait for the lock before failing with `LOCK_TIMEOUT`. A command waits this long
   * at most once: after a timeout, later attempts of the same store try once without waiting.
   * @default 15000
   */
  timeoutMs?: number | undefined;
}

/** Options of a {@link FileDriver}. */
export interface FileDriverOptions {
  lock?: FileLockOptions | undefined;
  /**
   * A history file larger than this is not read (`FILE_TOO_LARGE`); clearing it moves it aside.
   * @default 16 MiB
   */
  maxBytes?: number | undefined;
  /** Never write, rename, chmod or lock: for commands that only read. */
  readOnly?: boolean | undefined;
  /** Whether the directory may be tightened to 0700 (we created it, or it is OpenClaw's default). */
  tightenDirectory?: boolean | undefined;
  clock?: (() => number) | undefined;
}

/** The default cap on a history file's size. */
export const DEFAULT_HISTORY_MAX_BYTES = 16 * 1024 * 1024;

type Report = (notice: Omit<HistoryNotice, 'at'>) => void;

/** What one read of the file found. */
type FileRead =
  | { kind: 'missing' }
  | { kind: 'unchanged' }
  | { kind: 'ok'; state: EntryMap; writeId: string | undefined }
  | { kind: 'newer'; version: number }
  | { kind: 'corrupt'; code: 'INVALID_JSON' | 'INVALID_SHAPE'; message: string }
  | { kind: 'foreign'; message: string }
  | { kind: 'too-large'; ours: boolean };

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;
const octal = (mode: number) => (mode & 0o7777).toString(8).padStart(4, '0');
const uid = (): number | undefined => process.getuid?.();
const mib = (bytes: number) =>
  bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`
    : bytes >= 1024
      ? `${Math.round((bytes / 1024) * 10) / 10} KiB`
      : `${bytes} bytes`;

function newerVersionError(path: string, version: number): CtdError {
  return new CtdError(
    'UNSUPPORTED_VERSION',
    `${path} was written by a newer version (schema ${version}; this version reads ${HISTORY_SCHEMA_VERSION}). ` +
      'It was left untouched: upgrade, or use another history file.',
    { details: { path, version } },
  );
}

function foreignError(path: string, why: string): CtdError {
  return new CtdError(
    'FOREIGN_FILE',
    `${path} is not a history file (${why}); it was left untouched. Use another history file.`,
    { details: { path } },
  );
}

/** The file driver of the history (see the module comment). */
export class FileDriver implements HistoryDriver {
  readonly location: string;
  readonly #lock: ExclusiveLockFile;
  readonly #lockTimeoutMs: number;
  readonly #maxBytes: number;
  readonly #readOnly: boolean;
  readonly #tighten: boolean;
  readonly #clock: () => number;
  #report: Report = () => {};
  /** A lock wait already timed out in this process: later attempts try once (one timeout per command). */
  #lockTimedOut = false;
  /** Write id of the file `#cached` was read from or written as (null: unknown). */
  #known: string | null = null;
  #cached: EntryMap = new Map();
  /** This driver has read or written a valid history at this path: a bad body there is ours. */
  #ours = false;
  /** Write id of an async write whose rename may have happened (for the exit flush). */
  #writing: string | null = null;
  /** A corrupt file was already reported by this read-only driver. */
  #reportedCorrupt = false;
  #writes = 0;

  constructor(path: string, options: FileDriverOptions = {}) {
    this.location = path;
    this.#lockTimeoutMs = options.lock?.timeoutMs ?? 15_000;
    this.#lock = new ExclusiveLockFile(`${path}.lock`, {
      timeoutMs: this.#lockTimeoutMs,
      staleAfterMs: options.lock?.staleMs ?? 30_000,
      stale: 'pid',
    });
    this.#maxBytes = options.maxBytes ?? DEFAULT_HISTORY_MAX_BYTES;
    this.#readOnly = options.readOnly ?? false;
    this.#tighten = options.tightenDirectory ?? false;
    this.#clock = options.clock ?? Date.now;
  }

  /** How many times this driver has replaced the file. */
  get writes(): number {
    return this.#writes;
  }

  async open(report: Report): Promise<EntryMap> {
    this.#report = report;
    await this.#checkDirectory();
    const got = await this.#read();
    switch (got.kind) {
      case 'missing':
      case 'unchanged':
        break;
      case 'ok':
        this.#adopt(got.state, got.writeId, true);
        await this.#checkFileMode();
        break;
      case 'corrupt':
        if (this.#readOnly) this.#reportCorruptInPlace(got);
        else await this.#withLock(() => this.#readLocked()); // look again under the lock, then move aside
        break;
      default:
        throw this.#unusable(got);
    }
    if (!this.#readOnly) await this.#removeDeadTempFiles();
    return this.#cached;
  }

  async read(): Promise<EntryMap | null> {
    const got = await this.#read();
    switch (got.kind) {
      case 'unchanged':
        return null;
      case 'missing':
        if (this.#known === null && this.#cached.size === 0) return null;
        this.#adopt(new Map(), undefined);
        return this.#cached;
      case 'ok':
        this.#adopt(got.state, got.writeId, true);
        return this.#cached;
      case 'corrupt':
        // Dealt with under the lock at the next commit (never here: reads change nothing).
        if (this.#readOnly) this.#reportCorruptInPlace(got);
        return null;
      default:
        throw this.#unusable(got);
    }
  }

  async commit(merge: (current: EntryMap) => EntryMap): Promise<EntryMap> {
    this.#refuseReadOnly();
    return this.#withLock(async () => {
      try {
        const current = await this.#readLocked();
        const next = merge(current);
        await this.#write(next);
        return next;
      } catch (error) {
        this.#known = null; // the cache may no longer match the file: read it again next time
        throw error;
      }
    });
  }

  async clear(): Promise<ClearOutcome> {
    this.#refuseReadOnly();
    return this.#withLock(async () => {
      const got = await this.#read();
      switch (got.kind) {
        case 'missing':
          this.#adopt(new Map(), undefined);
          return { removed: 0 };
        case 'too-large': {
          if (!got.ours) throw foreignError(this.location, 'too large, and not recognisably a history file');
          const movedTo = await this.#moveAside('too-large');
          this.#report({
            code: 'FILE_TOO_LARGE',
            message: `the history file was larger than ${mib(this.#maxBytes)}, too large to read; moved aside to ${basename(movedTo)} and started a fresh history`,
            path: this.location,
            movedTo,
          });
          this.#adopt(new Map(), undefined);
          return { removed: null, movedTo };
        }
        case 'corrupt': {
          const movedTo = await this.#moveAside('corrupt');
          this.#reportMovedAside(got, movedTo);
          this.#adopt(new Map(), undefined);
          return { removed: null, movedTo };
        }
        case 'ok':
        case 'unchanged': {
          const removed = got.kind === 'ok' ? got.state.size : this.#cached.size;
          await this.#write(new Map());
          return { removed };
        }
        default:
          throw this.#unusable(got);
      }
    });
  }

  commitAtExit(mergeFor: (interruptedLanded: boolean) => (current: EntryMap) => EntryMap): void {
    if (this.#readOnly) return;
    const interrupted = this.#writing;
    // An async commit interrupted by the exit may hold our lock: it is ours to use.
    const ownLock = this.#lock.held;
    if (!ownLock) this.#lock.acquireSync(this.#lockTimedOut ? { timeoutMs: 0 } : {});
    try {
      let current: EntryMap;
      let landed = false;
      const got = this.#readSync();
      switch (got.kind) {
        case 'missing':
          current = new Map();
          break;
        case 'unchanged':
          current = this.#cached;
          break;
        case 'ok':
          landed = interrupted !== null && got.writeId === interrupted;
          current = got.state;
          break;
        case 'corrupt':
          renameSync(this.location, this.#asideName('corrupt'));
          current = this.#cached;
          break;
        default:
          throw this.#unusable(got);
      }
      const next = mergeFor(landed)(current);
      const text = encodeHistoryFile(next, this.#clock(), randomUUID());
      writeFileAtomicSync(this.location, text, this.#isLink() ? { followSymlink: true } : { mode: 0o600 });
    } finally {
      this.#lock.releaseSync();
    }
  }

  // --- internals ---

  #refuseReadOnly(): void {
    if (this.#readOnly) {
      throw new CtdError('BAD_USAGE', `history file ${this.location} was opened read-only`);
    }
  }

  /** Makes `state` what the file is known to hold; `valid`: it was read or written as a history. */
  #adopt(state: EntryMap, writeId: string | undefined, valid = false): void {
    this.#cached = state;
    this.#known = writeId ?? null;
    if (valid) this.#ours = true;
  }

  #unusable(got: FileRead): CtdError {
    if (got.kind === 'newer') return newerVersionError(this.location, got.version);
    if (got.kind === 'foreign') return foreignError(this.location, got.message);
    if (got.kind === 'too-large') {
      return got.ours
        ? new CtdError(
            'FILE_TOO_LARGE',
            `${this.location} is larger than ${mib(this.#maxBytes)}, too large to read as a history. ` +
              'Clearing it (`ctd history clear --yes`, or clearHistoryFile()) moves it aside and starts afresh.',
            { details: { path: this.location, maxBytes: this.#maxBytes } },
          )
        : foreignError(
            this.location,
            `larger than ${mib(this.#maxBytes)}, and not recognisably a history file`,
          );
    }
    return new CtdError('INTERNAL', `unexpected history read: ${got.kind}`);
  }

  #fileError(error: unknown): CtdError {
    if (error instanceof CtdError && error.code === 'NOT_A_FILE') {
      return new CtdError('NOT_A_FILE', `${this.location} is not a regular file`, {
        cause: error,
        details: { path: this.location },
      });
    }
    const code = error instanceof CtdError ? (error.details?.errno as string | undefined) : errno(error);
    return new CtdError('FILE_UNREADABLE', `cannot read or fix ${this.location} (${code ?? 'error'})`, {
      cause: error,
      details: { path: this.location },
    });
  }

  /** Classifies the bytes read from the file (shared by the async and the exit reads). */
  #classify(bytes: Buffer, complete: boolean): FileRead {
    const name = basename(this.location);
    if (!complete) return { kind: 'too-large', ours: isRecognisablyHistory(bytes.toString('utf8'), name) };
    const text = bytes.toString('utf8');
    if (this.#known !== null && headWriteId(text) === this.#known && text.trimEnd().endsWith('}')) {
      return { kind: 'unchanged' };
    }
    const parsed = parseHistoryText(text);
    if (parsed.kind === 'ok') return { kind: 'ok', state: parsed.state, writeId: parsed.writeId };
    if (parsed.kind === 'newer') return parsed;
    if (this.#ours || isRecognisablyHistory(text, name)) return parsed;
    return { kind: 'foreign', message: parsed.message };
  }

  async #read(): Promise<FileRead> {
    try {
      const { bytes, complete } = await readFileBounded(this.location, { maxBytes: this.#maxBytes });
      return this.#classify(bytes, complete);
    } catch (error) {
      if (error instanceof CtdError && error.code === 'FILE_NOT_FOUND') return { kind: 'missing' };
      if (
        error instanceof CtdError &&
        error.details?.errno === 'EACCES' &&
        (await this.#repairUnreadable())
      ) {
        return this.#read();
      }
      throw this.#fileError(error);
    }
  }

  #readSync(): FileRead {
    try {
      const { bytes, complete } = readFileBoundedSync(this.location, { maxBytes: this.#maxBytes });
      return this.#classify(bytes, complete);
    } catch (error) {
      if (error instanceof CtdError && error.code === 'FILE_NOT_FOUND') return { kind: 'missing' };
      throw this.#fileError(error);
    }
  }

  /** Reads the file under the lock: a corrupt file that is ours is moved aside (keeping what we knew). */
  async #readLocked(): Promise<EntryMap> {
    const got = await this.#read();
    switch (got.kind) {
      case 'missing':
        this.#known = null;
        return new Map();
      case 'unchanged':
        return this.#cached;
      case 'ok':
        this.#adopt(got.state, got.writeId, true);
        return got.state;
      case 'corrupt': {
        const movedTo = await this.#moveAside('corrupt');
        this.#reportMovedAside(got, movedTo);
        this.#known = null;
        return this.#cached;
      }
      default:
        throw this.#unusable(got);
    }
  }

  async #withLock<T>(fn: () => Promise<T>): Promise<T> {
    try {
      await this.#lock.acquire(this.#lockTimedOut ? { timeoutMs: 0 } : {});
    } catch (error) {
      if (error instanceof CtdError && error.code === 'LOCK_TIMEOUT') {
        const again = this.#lockTimedOut;
        this.#lockTimedOut = true;
        if (again) {
          throw new CtdError(
            'LOCK_TIMEOUT',
            `could not lock ${this.#lock.path}: another process still holds it (already waited ${this.#lockTimeoutMs} ms)`,
            { cause: error, details: { path: this.#lock.path } },
          );
        }
      }
      throw error;
    }
    this.#lockTimedOut = false;
    try {
      return await fn();
    } finally {
      await this.#lock.release();
    }
  }

  #isLink(): boolean {
    try {
      return lstatSync(this.location).isSymbolicLink();
    } catch {
      return false;
    }
  }

  async #write(state: EntryMap): Promise<void> {
    const writeId = randomUUID();
    const text = encodeHistoryFile(state, this.#clock(), writeId);
    // A linked history file is written in place, and its target keeps its mode: never chmod through a link.
    const options = this.#isLink() ? { followSymlink: true } : { mode: 0o600 };
    this.#writing = writeId;
    try {
      await writeFileAtomic(this.location, text, options);
    } finally {
      this.#writing = null;
    }
    this.#adopt(state, writeId, true);
    this.#writes++;
  }

  #asideName(kind: 'corrupt' | 'too-large'): string {
    const stamp = new Date(this.#clock()).toISOString().replace(/[:.]/g, '-');
    let name = `${this.location}.${kind}-${stamp}`;
    for (let i = 1; existsSync(name); i++) name = `${this.location}.${kind}-${stamp}-${i}`;
    return name;
  }

  async #moveAside(kind: 'corrupt' | 'too-large'): Promise<string> {
    const movedTo = this.#asideName(kind);
    await rename(this.location, movedTo);
    return movedTo;
  }

  #reportMovedAside(got: Extract<FileRead, { kind: 'corrupt' }>, movedTo: string): void {
    this.#report({
      code: got.code,
      message: `${got.message}; moved aside to ${basename(movedTo)} and started a fresh history`,
      path: this.location,
      movedTo,
    });
  }

  #reportCorruptInPlace(got: Extract<FileRead, { kind: 'corrupt' }>): void {
    if (this.#reportedCorrupt) return;
    this.#reportedCorrupt = true;
    this.#report({
      code: got.code,
      message: `${got.message}; left in place (this command only reads); the next write moves it aside`,
      path: this.location,
    });
  }

  /** Tightens the directory only when it is ours to tighten; otherwise reports its mode. */
  async #checkDirectory(): Promise<void> {
    const dir = dirname(this.location);
    let st: Stats;
    try {
      st = await lstat(dir);
    } catch {
      return; // no directory (a read-only open): nothing to check
    }
    if (st.isSymbolicLink()) {
      const target = await stat(dir).catch(() => null);
      if (target && (target.mode & 0o077) !== 0) {
        this.#report({
          code: 'INSECURE_PERMISSIONS',
          message: `history directory is a symbolic link to a directory with mode ${octal(target.mode)}; left as is (0700 is recommended)`,
          path: dir,
        });
      }
      return;
    }
    if ((st.mode & 0o077) === 0) return;
    const mode = octal(st.mode & 0o777);
    const owned = uid() === undefined || st.uid === uid();
    // Never a directory we did not create, never a shared one (sticky, like /tmp), never through a link.
    if (this.#tighten && !this.#readOnly && owned && st.isDirectory() && (st.mode & 0o1000) === 0) {
      try {
        const handle = await open(
          dir,
          fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW,
        );
        try {
          await handle.chmod(0o700);
        } finally {
          await handle.close();
        }
        this.#report({
          code: 'INSECURE_PERMISSIONS',
          message: `history directory had mode ${mode}; set to 0700`,
          path: dir,
        });
        return;
      } catch {
        // fall through: report only
      }
    }
    this.#report({
      code: 'INSECURE_PERMISSIONS',
      message: `history directory has mode ${octal(st.mode)}; 0700 is recommended`,
      path: dir,
    });
  }

  /** Tightens a history file we own to 0600 through its own descriptor (never through a link). */
  async #checkFileMode(): Promise<void> {
    const st = await lstat(this.location).catch(() => null);
    if (!st) return;
    if (st.isSymbolicLink()) {
      const target = await stat(this.location).catch(() => null);
      if (target && (target.mode & 0o077) !== 0) {
        this.#report({
          code: 'INSECURE_PERMISSIONS',
          message: `history file is a symbolic link to a file with mode ${octal(target.mode)}; left as is (0600 is recommended)`,
          path: this.location,
        });
      }
      return;
    }
    if ((st.mode & 0o777) === 0o600) return;
    const mode = octal(st.mode & 0o777);
    if (this.#readOnly || (uid() !== undefined && st.uid !== uid())) {
      this.#report({
        code: 'INSECURE_PERMISSIONS',
        message: `history file has mode ${mode}; 0600 is recommended`,
        path: this.location,
      });
      return;
    }
    try {
      const handle = await open(
        this.location,
        fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK,
      );
      try {
        if (!(await handle.stat()).isFile()) return;
        await handle.chmod(0o600);
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw this.#fileError(error);
    }
    this.#report({
      code: 'INSECURE_PERMISSIONS',
      message: `history file had mode ${mode}; set to 0600`,
      path: this.location,
    });
  }

  /**
   * A history file with no read permission (mode 0000) cannot be opened to be fixed through its
   * descriptor: when it is a regular file we own, under our own name, its mode is set by path.
   */
  async #repairUnreadable(): Promise<boolean> {
    if (this.#readOnly || basename(this.location) !== HISTORY_FILE_NAME) return false;
    const st = await lstat(this.location).catch(() => null);
    if (!st?.isFile() || (uid() !== undefined && st.uid !== uid())) return false;
    if ((st.mode & 0o600) === 0o600) return false; // not a mode problem
    await chmod(this.location, 0o600);
    this.#report({
      code: 'INSECURE_PERMISSIONS',
      message: `history file had mode ${octal(st.mode & 0o777)}; set to 0600`,
      path: this.location,
    });
    return true;
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
