// A cross-process lock file. The lock is taken by hard-linking a fully written temp file to the
// lock path (link fails if it exists), so a lock file never exists half-written. A lock is stale
// when its process is gone or it is older than a bound; breaking a stale lock happens under a
// second, short-lived guard file and only if the lock still holds the same token, so two processes
// that both find the same stale lock cannot both end up holding the lock.
import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { link, open, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { CtdError } from '@ctd/core';

/** Options of a {@link FileLock}. */
export interface FileLockOptions {
  /**
   * A lock older than this is stale even if its process still runs (a hung or paused writer).
   * @default 30000
   */
  staleMs?: number;
  /**
   * How long to wait for the lock before failing with `LOCK_TIMEOUT`.
   * @default 15000
   */
  timeoutMs?: number;
}

interface LockInfo {
  pid: number;
  token: string;
  at: number;
}

/** A guard older than this was left by a process killed while breaking a lock. */
const GUARD_STALE_MS = 5_000;

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo>;
    if (typeof v.pid === 'number' && typeof v.token === 'string' && typeof v.at === 'number') {
      return { pid: v.pid, token: v.token, at: v.at };
    }
  } catch {
    // unreadable content: judged by the file's age instead
  }
  return null;
}

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
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const errno = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleepCell, 0, 0, ms);
}

/**
 * An exclusive lock shared by every process on the host that uses the same path.
 *
 * @example
 * const lock = new FileLock('/home/me/.openclaw/cli-token-history.json.lock');
 * await lock.acquire();
 * try { ... } finally { await lock.release(); }
 */
export class FileLock {
  /** The lock file's path. */
  readonly path: string;
  readonly #staleMs: number;
  readonly #timeoutMs: number;
  #token: string | null = null;
  /** Token of an async acquire in progress: its link may have landed before its callback ran. */
  #attempt: string | null = null;

  constructor(path: string, options: FileLockOptions = {}) {
    this.path = path;
    this.#staleMs = options.staleMs ?? 30_000;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** Whether this object holds the lock. */
  get held(): boolean {
    return this.#token !== null;
  }

  #newLock(): { token: string; tmp: string; content: string } {
    const token = randomUUID();
    return {
      token,
      tmp: `${this.path}.tmp-${process.pid}-${token.slice(0, 8)}`,
      content: JSON.stringify({ pid: process.pid, token, at: Date.now() } satisfies LockInfo),
    };
  }

  #stale(info: LockInfo | null, mtimeMs: number, now: number): boolean {
    if (!info) return now - mtimeMs > this.#staleMs;
    if (now - info.at > this.#staleMs) return true;
    return !processAlive(info.pid);
  }

  #timeout(): CtdError {
    return new CtdError('LOCK_TIMEOUT', `could not lock ${this.path} within ${this.#timeoutMs} ms`, {
      details: { path: this.path },
    });
  }

  /** Waits for the lock. Rejects with `LOCK_TIMEOUT` after the configured time. */
  async acquire(): Promise<void> {
    if (this.#token) throw new CtdError('BAD_USAGE', `lock ${this.path} is already held by this object`);
    const lock = this.#newLock();
    this.#attempt = lock.token;
    await writeFile(lock.tmp, lock.content, { mode: 0o600 });
    const deadline = Date.now() + this.#timeoutMs;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await link(lock.tmp, this.path);
          this.#token = lock.token;
          return;
        } catch (error) {
          if (errno(error) !== 'EEXIST') throw error;
        }
        if (await this.#breakIfStale()) continue;
        if (Date.now() > deadline) throw this.#timeout();
        await delay(backoff(attempt));
      }
    } finally {
      this.#attempt = null;
      await unlink(lock.tmp).catch(() => {});
    }
  }

  /** Same as {@link acquire}, blocking the thread (for the flush at process exit). */
  acquireSync(): void {
    if (this.#token) throw new CtdError('BAD_USAGE', `lock ${this.path} is already held by this object`);
    const lock = this.#newLock();
    writeFileSync(lock.tmp, lock.content, { mode: 0o600 });
    const deadline = Date.now() + this.#timeoutMs;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          linkSync(lock.tmp, this.path);
          this.#token = lock.token;
          return;
        } catch (error) {
          if (errno(error) !== 'EEXIST') throw error;
        }
        if (this.#adoptAttempt()) return;
        if (this.#breakIfStaleSync()) continue;
        if (Date.now() > deadline) throw this.#timeout();
        sleepSync(backoff(attempt));
      }
    } finally {
      try {
        unlinkSync(lock.tmp);
      } catch {
        // already gone
      }
    }
  }

  // At process exit an async acquire may have linked the lock file without its callback having
  // run (so `held` is false): that lock is ours, not another holder's.
  #adoptAttempt(): boolean {
    if (this.#attempt === null) return false;
    try {
      if (parseLock(readFileSync(this.path, 'utf8'))?.token !== this.#attempt) return false;
    } catch {
      return false;
    }
    this.#token = this.#attempt;
    this.#attempt = null;
    return true;
  }

  /** Releases the lock, unless another process broke it meanwhile (then its lock is left alone). */
  async release(): Promise<void> {
    const token = this.#token;
    this.#token = null;
    if (!token) return;
    const text = await readFile(this.path, 'utf8').catch(() => null);
    if (text !== null && parseLock(text)?.token === token) await unlink(this.path).catch(() => {});
  }

  /** Same as {@link release}, blocking. */
  releaseSync(): void {
    const token = this.#token;
    this.#token = null;
    if (!token) return;
    try {
      if (parseLock(readFileSync(this.path, 'utf8'))?.token === token) unlinkSync(this.path);
    } catch {
      // already gone
    }
  }

  async #breakIfStale(): Promise<boolean> {
    let info: LockInfo | null;
    let mtimeMs: number;
    try {
      const [text, st] = await Promise.all([readFile(this.path, 'utf8'), stat(this.path)]);
      info = parseLock(text);
      mtimeMs = st.mtimeMs;
    } catch (error) {
      return errno(error) === 'ENOENT'; // released meanwhile: try again at once
    }
    if (!this.#stale(info, mtimeMs, Date.now())) return false;
    const guard = `${this.path}.break`;
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(guard, 'wx', 0o600);
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error;
      const st = await stat(guard).catch(() => null);
      if (st && Date.now() - st.mtimeMs > GUARD_STALE_MS) await unlink(guard).catch(() => {});
      return false;
    }
    await handle.close();
    try {
      // Re-read under the guard: only the very lock judged stale may be removed.
      const text = await readFile(this.path, 'utf8').catch(() => null);
      if (text === null) return true;
      const again = parseLock(text);
      const same = info && again ? again.token === info.token : !info && !again;
      if (same) await unlink(this.path).catch(() => {});
      return true;
    } finally {
      await unlink(guard).catch(() => {});
    }
  }

  #breakIfStaleSync(): boolean {
    let info: LockInfo | null;
    let mtimeMs: number;
    try {
      info = parseLock(readFileSync(this.path, 'utf8'));
      mtimeMs = statSync(this.path).mtimeMs;
    } catch (error) {
      return errno(error) === 'ENOENT';
    }
    if (!this.#stale(info, mtimeMs, Date.now())) return false;
    const guard = `${this.path}.break`;
    try {
      writeFileSync(guard, '', { flag: 'wx', mode: 0o600 });
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(guard).mtimeMs > GUARD_STALE_MS) unlinkSync(guard);
      } catch {
        // gone meanwhile
      }
      return false;
    }
    try {
      let text: string | null = null;
      try {
        text = readFileSync(this.path, 'utf8');
      } catch {
        return true;
      }
      const again = parseLock(text);
      const same = info && again ? again.token === info.token : !info && !again;
      if (same) unlinkSync(this.path);
      return true;
    } finally {
      try {
        unlinkSync(guard);
      } catch {
        // gone meanwhile
      }
    }
  }
}

// Short waits first (a flush holds the lock for about a millisecond), with jitter so that waiting
// processes do not retry in lockstep.
function backoff(attempt: number): number {
  const base = Math.min(0.5 * 2 ** attempt, 20);
  return base / 2 + Math.random() * base;
}
