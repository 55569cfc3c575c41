// A cross-process lock file created with O_CREAT|O_EXCL, in the two ways the CLIs we share files
// with break a stale one:
//
// - 'pid' (this project's history): the file holds {pid, token, at}. It is stale when its process
//   is gone or it is older than `staleAfterMs`. It is broken under a short-lived guard file
//   (`<lock>.break`, also O_EXCL), and only if it still holds the token judged stale, so two
//   processes that find the same stale lock cannot both end up holding it.
// - 'mtime' (the OAuth lock file of a CLI that breaks locks by age): the file holds a random UUID.
//   It is stale when its mtime is older than `staleAfterMs` (10 s for the CLI that does this). It is broken by renaming it to
//   `<lock>.stale.<uuid>` and unlinking that; the rename is atomic, so one breaker wins.
//
// Each attempt is synchronous (a few local system calls): the lock is held, or not, the moment an
// attempt returns, with no window where a completed create has not been seen by its caller (which
// matters to a flush interrupted by process exit). Waiting between attempts is asynchronous, and
// every wait has a deadline. A lock path that is not a regular file (a dangling or live symbolic
// link, a FIFO, a directory) can be neither taken nor broken: it fails at once with
// `LOCK_UNUSABLE` and is never opened for reading in a way that could block, nor followed.
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  renameSync,
  type Stats,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { CtdError } from '../errors.ts';
import { errnoOf, kindOf, O_NOFOLLOW, O_NONBLOCK, pathError, sleepSync } from './fs-util.ts';

/** Options of {@link withExclusiveLockFile} and {@link ExclusiveLockFile}. */
export interface ExclusiveLockFileOptions {
  /** How long to wait for the lock before failing with `LOCK_TIMEOUT` (0: one attempt). */
  timeoutMs: number;
  /** A lock older than this is stale (and broken), even when its process still runs. */
  staleAfterMs: number;
  /**
   * How a stale lock is recognised and broken: `'pid'` (content `{pid, token, at}`; stale when the
   * process is gone or the lock is too old; broken under a guard file) or `'mtime'` (content a
   * random UUID; stale by mtime; broken by rename to `<lock>.stale.<uuid>`, as such a CLI does).
   */
  stale: 'mtime' | 'pid';
}

interface PidInfo {
  pid: number;
  token: string;
  at: number;
}

/** What an inspection of the lock path found. */
type Seen =
  | { kind: 'gone' }
  | { kind: 'held'; stale: boolean; identity: string; ino: number; mtimeMs: number };

/** A guard older than this was left by a process killed while breaking a lock. */
const GUARD_STALE_MS = 5_000;
/** Immediate retries in one attempt (after a release or a broken stale lock); bounded, never a busy loop. */
const INNER_TRIES = 4;
/** Lock files are tiny; more than this is not one of ours. */
const MAX_LOCK_BYTES = 4096;

const CREATE_FLAGS = fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY | O_NOFOLLOW;
const READ_FLAGS = fsConstants.O_RDONLY | O_NOFOLLOW | O_NONBLOCK;

/**
 * Whether a process id names a running process on this host.
 *
 * @param pid - the process id
 */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return errnoOf(error) === 'EPERM';
  }
}

function parsePid(text: string): PidInfo | null {
  try {
    const v = JSON.parse(text) as Partial<PidInfo> | null;
    if (typeof v?.pid === 'number' && typeof v.token === 'string' && typeof v.at === 'number') {
      return { pid: v.pid, token: v.token, at: v.at };
    }
  } catch {
    // unreadable content: judged by the file's age instead
  }
  return null;
}

function unusable(path: string, what: string, cause?: unknown): CtdError {
  return pathError(
    'LOCK_UNUSABLE',
    path,
    `lock ${path} is ${what}; it can be neither taken nor broken (remove it if no program uses it)`,
    cause,
  );
}

/** Reads a lock file's small content without following a link or blocking on a FIFO. */
function readLockText(path: string): string | null {
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ENOENT') return null;
    if (errno === 'ELOOP') throw unusable(path, 'a symbolic link', error);
    throw unusable(path, `unreadable (${errno ?? 'error'})`, error);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw unusable(path, kindOf(st));
    const buf = Buffer.alloc(MAX_LOCK_BYTES);
    const n = readSync(fd, buf, 0, MAX_LOCK_BYTES, 0);
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return null;
    throw unusable(path, `not inspectable (${errnoOf(error) ?? 'error'})`, error);
  }
}

// Short waits first (a history flush holds its lock for about a millisecond), growing to 50 ms,
// with jitter so that waiting processes do not retry in lockstep.
function backoff(attempt: number): number {
  const base = Math.min(0.5 * 2 ** attempt, 50);
  return base / 2 + Math.random() * base;
}

/**
 * An exclusive lock file shared by every process on the host that uses the same path and style.
 * Prefer {@link withExclusiveLockFile}; use this class when the lock must be held across calls
 * (e.g. a flush at process exit must know whether an interrupted flush still holds it).
 *
 * @example
 * const lock = new ExclusiveLockFile('/home/me/.example-cli/auth.json.lock', { timeoutMs: 5000, staleAfterMs: 10_000, stale: 'mtime' });
 * await lock.acquire();
 * try { ... } finally { await lock.release(); }
 */
export class ExclusiveLockFile {
  /** The lock file's path. */
  readonly path: string;
  readonly #options: ExclusiveLockFileOptions;
  /** The exact content we wrote: released only while the file still holds it. */
  #content: string | null = null;
  /** The lock we are waiting on and since when (our clock): a lock seen for longer than staleAfterMs is stale, whatever time it claims. */
  #watch: { identity: string; since: number } | null = null;

  constructor(path: string, options: ExclusiveLockFileOptions) {
    if (!(options.timeoutMs >= 0) || !(options.staleAfterMs > 0)) {
      throw new CtdError('BAD_USAGE', 'lock timeoutMs must be >= 0 and staleAfterMs > 0');
    }
    this.path = path;
    this.#options = options;
  }

  /** Whether this object holds the lock. */
  get held(): boolean {
    return this.#content !== null;
  }

  /**
   * One attempt, without waiting: takes the lock if it is free or stale.
   *
   * @returns whether the lock is now held
   * @throws CtdError `LOCK_UNUSABLE` when the lock path is not a regular file
   */
  tryAcquire(): boolean {
    if (this.#content !== null) {
      throw new CtdError('BAD_USAGE', `lock ${this.path} is already held by this object`);
    }
    for (let i = 0; i < INNER_TRIES; i++) {
      if (this.#create()) return true;
      const seen = this.#inspect(Date.now());
      if (seen.kind === 'gone') continue; // released meanwhile: try again at once (bounded)
      if (!seen.stale) return false;
      this.#break(seen);
    }
    return false;
  }

  /**
   * Waits for the lock. Rejects with `LOCK_TIMEOUT` after `timeoutMs`, `LOCK_UNUSABLE` at once.
   *
   * @param options - a `timeoutMs` for this call only (e.g. 0 after a timeout: wait once per command)
   */
  async acquire(options: { timeoutMs?: number } = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.tryAcquire()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw this.#timeout(timeoutMs);
      await delay(Math.min(backoff(attempt), left));
    }
  }

  /** Same as {@link acquire}, blocking the thread (only for a flush at process exit). */
  acquireSync(options: { timeoutMs?: number } = {}): void {
    const timeoutMs = options.timeoutMs ?? this.#options.timeoutMs;
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      if (this.tryAcquire()) return;
      const left = deadline - Date.now();
      if (left <= 0) throw this.#timeout(timeoutMs);
      sleepSync(Math.min(backoff(attempt), left));
    }
  }

  /** Releases the lock, unless another process broke it meanwhile (then its lock is left alone). */
  async release(): Promise<void> {
    this.releaseSync();
  }

  /** Same as {@link release} (it is a read and an unlink: always synchronous). */
  releaseSync(): void {
    const content = this.#content;
    this.#content = null;
    if (content === null) return;
    try {
      if (readLockText(this.path) === content) unlinkSync(this.path);
    } catch {
      // gone, or replaced by something that is not ours: leave it
    }
  }

  #timeout(waitedMs: number): CtdError {
    return new CtdError(
      'LOCK_TIMEOUT',
      `could not lock ${this.path} within ${waitedMs} ms (another process holds it)`,
      { details: { path: this.path } },
    );
  }

  #create(): boolean {
    const token = randomUUID();
    const content =
      this.#options.stale === 'pid'
        ? JSON.stringify({ pid: process.pid, token, at: Date.now() } satisfies PidInfo)
        : token;
    let fd: number;
    try {
      fd = openSync(this.path, CREATE_FLAGS, 0o600);
    } catch (error) {
      const errno = errnoOf(error);
      if (errno === 'EEXIST') return false;
      if (errno === 'EISDIR') throw unusable(this.path, 'a directory', error);
      throw unusable(this.path, `not creatable (${errno ?? 'error'})`, error);
    }
    try {
      writeSync(fd, content);
    } catch (error) {
      // A lock we could not fill (a full disk) is not left behind for others to wait on.
      closeSync(fd);
      try {
        unlinkSync(this.path);
      } catch {
        // already gone
      }
      throw unusable(this.path, `not writable (${errnoOf(error) ?? 'error'})`, error);
    }
    closeSync(fd);
    this.#content = content;
    this.#watch = null;
    return true;
  }

  #inspect(now: number): Seen {
    const st = lstatOrNull(this.path);
    if (st === null) return { kind: 'gone' };
    if (!st.isFile()) throw unusable(this.path, kindOf(st));
    let identity = `${st.ino}:${st.mtimeMs}`;
    let claimedAt = st.mtimeMs;
    let dead = false;
    if (this.#options.stale === 'pid') {
      const text = readLockText(this.path);
      if (text === null) return { kind: 'gone' };
      const info = parsePid(text);
      if (info) {
        identity = `token:${info.token}`;
        // A lock cannot be older than its file: a planted far-future `at` does not keep it alive.
        claimedAt = Math.min(info.at, st.mtimeMs);
        dead = !processAlive(info.pid);
      }
    }
    if (this.#watch?.identity !== identity) this.#watch = { identity, since: now };
    const stale =
      dead ||
      now - claimedAt > this.#options.staleAfterMs ||
      now - this.#watch.since > this.#options.staleAfterMs;
    return { kind: 'held', stale, identity, ino: st.ino, mtimeMs: st.mtimeMs };
  }

  #break(seen: Extract<Seen, { kind: 'held' }>): void {
    if (this.#options.stale === 'mtime') {
      const aside = `${this.path}.stale.${randomUUID()}`;
      try {
        renameSync(this.path, aside);
      } catch (error) {
        if (errnoOf(error) === 'ENOENT') return; // another process broke it first
        throw unusable(this.path, `not removable (${errnoOf(error) ?? 'error'})`, error);
      }
      // Between the look and the rename another process may have broken it and taken a fresh
      // one: then put that one back if the path is still free.
      try {
        const moved = lstatSync(aside);
        if (moved.ino !== seen.ino || moved.mtimeMs !== seen.mtimeMs) linkSync(aside, this.path);
      } catch {
        // the path was taken again meanwhile: nothing to restore
      }
      try {
        unlinkSync(aside);
      } catch {
        // already gone
      }
      return;
    }
    const guard = `${this.path}.break`;
    let fd: number;
    try {
      fd = openSync(guard, CREATE_FLAGS, 0o600);
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw unusable(guard, `not creatable (${errnoOf(error)})`, error);
      const st = lstatOrNull(guard);
      if (st && !st.isFile()) throw unusable(guard, kindOf(st));
      if (st && Date.now() - st.mtimeMs > GUARD_STALE_MS) {
        try {
          unlinkSync(guard);
        } catch {
          // gone meanwhile
        }
      }
      return;
    }
    closeSync(fd);
    try {
      // Re-read under the guard: only the very lock judged stale may be removed.
      const again = this.#inspect(Date.now());
      if (again.kind === 'held' && again.identity === seen.identity) unlinkSync(this.path);
    } catch {
      // changed or gone meanwhile: the next attempt looks again
    } finally {
      try {
        unlinkSync(guard);
      } catch {
        // gone meanwhile
      }
    }
  }
}

/**
 * Runs `fn` while holding an exclusive lock file (created with O_EXCL), breaking a stale lock the
 * way the file's owner does (`stale: 'pid'` or `'mtime'`, see {@link ExclusiveLockFileOptions}).
 * The lock is released when `fn` settles, unless another process broke it meanwhile.
 *
 * @param lockPath - the lock file, e.g. `~/.example-cli/auth.json.lock`
 * @param options - wait timeout, stale bound and style
 * @param fn - the critical section
 * @returns what `fn` returns
 * @throws CtdError `LOCK_TIMEOUT` after `timeoutMs`; `LOCK_UNUSABLE` at once when the lock path is
 *   not a regular file (a dangling link, a FIFO, a directory): the caller decides how to go on
 * @example
 * await withExclusiveLockFile(join(home, '.example-cli/auth.json.lock'),
 *   { timeoutMs: 5000, staleAfterMs: 10_000, stale: 'mtime' }, async () => { ... });
 */
export async function withExclusiveLockFile<T>(
  lockPath: string,
  options: ExclusiveLockFileOptions,
  fn: () => Promise<T>,
): Promise<T> {
  const lock = new ExclusiveLockFile(lockPath, options);
  await lock.acquire();
  try {
    return await fn();
  } finally {
    await lock.release();
  }
}
