// An advisory flock(2) lock, as a CLI written in Python takes on its credentials lock file with
// fcntl.flock(LOCK_EX) (see the adapters that use it). Node has no flock API, so the lock is taken by util-linux `flock(1)` on a
// descriptor we share with it: we open the lock file, hand the descriptor to `flock -x -w <s> 3`,
// and the child exits as soon as the lock is granted. A flock lock belongs to the open file
// description, not to the process, so it stays held by our descriptor after the child has exited,
// and is released when we close it (or when this process dies, like any flock holder). No child
// outlives the wait.
//
// Doubts: this needs util-linux `flock` on PATH (Linux distributions ship it; macOS and busybox
// systems may not, and busybox's has no -w/-E): without it the call fails with `LOCK_UNUSABLE`
// and the caller decides (such a CLI itself may go on unlocked when it cannot open its lock). flock
// locks are advisory and, on some network file systems, local to the host. Each acquisition costs
// a process spawn (a few milliseconds).
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import { CtdError } from '../errors.ts';
import { errnoOf, kindOf, O_NOFOLLOW, O_NONBLOCK, pathError } from './fs-util.ts';

/** Options of {@link withFlock}. */
export interface FlockOptions {
  /** How long to wait for the lock before failing with `LOCK_TIMEOUT` (0: one attempt). */
  timeoutMs: number;
}

/** The exit code `flock` is told to use when the lock is busy at the deadline. */
const BUSY_EXIT = 75;
/** Extra time the `flock` child gets beyond its own deadline before it is killed. */
const CHILD_GRACE_MS = 2_000;

function unusable(path: string, what: string, cause?: unknown): CtdError {
  return pathError('LOCK_UNUSABLE', path, `flock on ${path} is not possible: ${what}`, cause);
}

/** Runs `flock` on descriptor 3 of the child (our lock file's); resolves when the lock is granted. */
function lockDescriptor(path: string, fd: number, timeoutMs: number): Promise<void> {
  const wait = timeoutMs <= 0 ? ['--nonblock'] : ['--wait', (timeoutMs / 1000).toFixed(3)];
  return new Promise((resolve, reject) => {
    let stderr = '';
    let settled = false;
    const child = spawn('flock', ['--exclusive', ...wait, '--conflict-exit-code', String(BUSY_EXIT), '3'], {
      stdio: ['ignore', 'ignore', 'pipe', fd],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, timeoutMs) + CHILD_GRACE_MS);
    const done = (error?: CtdError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 500) stderr += chunk.toString();
    });
    child.once('error', (error) => {
      done(
        errnoOf(error) === 'ENOENT'
          ? unusable(path, 'util-linux `flock` was not found on PATH', error)
          : unusable(path, `flock could not be started (${errnoOf(error) ?? 'error'})`, error),
      );
    });
    child.once('close', (code, signal) => {
      if (code === 0) done();
      else if (code === BUSY_EXIT || signal === 'SIGKILL') {
        done(
          new CtdError(
            'LOCK_TIMEOUT',
            `could not flock ${path} within ${timeoutMs} ms (another process holds it)`,
            {
              details: { path },
            },
          ),
        );
      } else {
        const why = stderr.trim().split('\n')[0]?.slice(0, 200) || `exit ${code ?? signal}`;
        done(unusable(path, why));
      }
    });
  });
}

/**
 * Runs `fn` while holding an exclusive advisory `flock` on `path` (created 0600 if missing, never
 * removed: removing a flock file lets two holders in). Interoperates with any process that flocks
 * the same file (Python's `fcntl.flock`, the `flock` command).
 *
 * @param path - the lock file, e.g. `~/.example-cli/credentials/login.lock`
 * @param options - how long to wait
 * @param fn - the critical section
 * @returns what `fn` returns
 * @throws CtdError `LOCK_TIMEOUT` when another holder keeps it past the deadline; `LOCK_UNUSABLE`
 *   at once when the path is not a regular file (a link, a FIFO, a directory) or `flock(1)` is missing
 * @example
 * await withFlock(join(home, '.example-cli/credentials/login.lock'), { timeoutMs: 10_000 }, async () => { ... });
 */
export async function withFlock<T>(path: string, options: FlockOptions, fn: () => Promise<T>): Promise<T> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, fsConstants.O_RDONLY | fsConstants.O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (error) {
    const errno = errnoOf(error);
    if (errno === 'ELOOP') throw unusable(path, 'it is a symbolic link', error);
    if (errno === 'EISDIR') throw unusable(path, 'it is a directory', error);
    throw unusable(path, `it cannot be opened (${errno ?? 'error'})`, error);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw unusable(path, `it is ${kindOf(st)}`);
    await lockDescriptor(path, handle.fd, options.timeoutMs);
    return await fn();
  } finally {
    // Closing the last descriptor of the open file description releases the flock.
    await handle.close();
  }
}
