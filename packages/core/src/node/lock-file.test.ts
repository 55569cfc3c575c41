import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ExclusiveLockFile,
  type ExclusiveLockFileOptions,
  processAlive,
  withExclusiveLockFile,
} from './lock-file.ts';
import { deadPid, exited, printed, spawnHolder, tempDir } from './testing/helpers.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let path: string;
beforeEach(async () => {
  dir = await tempDir('ctd-lock-');
  path = join(dir.path, 'h.json.lock');
});
afterEach(() => dir.cleanup());

const PID: ExclusiveLockFileOptions = { timeoutMs: 15_000, staleAfterMs: 30_000, stale: 'pid' };
const lockAt = (options: Partial<ExclusiveLockFileOptions> = {}) =>
  new ExclusiveLockFile(path, { ...PID, ...options });

/** Runs `rounds` critical sections in each of `n` contenders; returns the most found inside at once. */
async function contend(n: number, rounds: number, options: Partial<ExclusiveLockFileOptions> = {}) {
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      for (let r = 0; r < rounds; r++) {
        await withExclusiveLockFile(path, { ...PID, timeoutMs: 10_000, ...options }, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((resolve) => setImmediate(resolve));
          inside--;
        });
      }
    }),
  );
  return most;
}

describe("ExclusiveLockFile, 'pid' style", () => {
  it('holds a pid and token, and removes the lock file on release', async () => {
    const lock = lockAt();
    await lock.acquire();
    expect(lock.held).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
    expect(existsSync(path)).toBe(false);
  });

  it('lets one holder in at a time', async () => {
    expect(await contend(6, 15)).toBe(1);
  });

  it('breaks a lock whose process is dead, once, even with many waiting', async () => {
    await writeFile(path, JSON.stringify({ pid: await deadPid(), token: 'stale', at: Date.now() }));
    expect(await contend(6, 5)).toBe(1);
  });

  it('breaks a lock older than the bound even if its process lives', async () => {
    await writeFile(path, JSON.stringify({ pid: process.pid, token: 'old', at: Date.now() - 60_000 }));
    const lock = lockAt({ staleAfterMs: 30_000, timeoutMs: 2_000 });
    await lock.acquire();
    expect(JSON.parse(readFileSync(path, 'utf8')).token).not.toBe('old');
    await lock.release();
  });

  it('breaks an unreadable lock file only once it is old', async () => {
    await writeFile(path, 'garbage');
    await expect(lockAt({ staleAfterMs: 60_000, timeoutMs: 50 }).acquire()).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    await withExclusiveLockFile(path, { ...PID, staleAfterMs: 60_000, timeoutMs: 50 }, async () => {});
  });

  it('fails with LOCK_TIMEOUT while a live holder keeps it', async () => {
    const holder = lockAt();
    await holder.acquire();
    const waiter = lockAt({ timeoutMs: 30 });
    await expect(waiter.acquire()).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(() => waiter.acquireSync()).toThrow(expect.objectContaining({ code: 'LOCK_TIMEOUT' }));
    await holder.release();
    waiter.acquireSync();
    expect(waiter.held).toBe(true);
    waiter.releaseSync();
    expect(existsSync(path)).toBe(false);
  });

  it('does not remove a lock that another process took over', async () => {
    const lock = lockAt();
    await lock.acquire();
    await writeFile(path, JSON.stringify({ pid: process.pid, token: 'someone-else', at: Date.now() }));
    await lock.release();
    expect(JSON.parse(readFileSync(path, 'utf8')).token).toBe('someone-else');
  });

  it('tells live processes from dead ones', async () => {
    expect(processAlive(process.pid)).toBe(true);
    expect(processAlive(await deadPid())).toBe(false);
    expect(processAlive(-1)).toBe(false);
  });

  it('waits no longer than its deadline for a live pid claiming a far-future time', async () => {
    const planted = JSON.stringify({
      pid: process.pid,
      token: 'future',
      at: Date.now() + 10 * 365 * 86_400_000,
    });
    await writeFile(path, planted);
    const started = Date.now();
    await expect(lockAt({ timeoutMs: 200 }).acquire()).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(readFileSync(path, 'utf8')).toBe(planted);
    // The claimed time cannot make it younger than its file: once the file is old, it is stale.
    const old = new Date(Date.now() - 120_000);
    await utimes(path, old, old);
    await withExclusiveLockFile(path, { ...PID, timeoutMs: 200 }, async () => {
      expect(JSON.parse(readFileSync(path, 'utf8')).token).not.toBe('future');
    });
  });

  it('is shared with another process: times out while it holds, succeeds after', async () => {
    const child = spawnHolder({ kind: 'pid', path });
    await printed(child, 'locked');
    await expect(lockAt({ timeoutMs: 100 }).acquire()).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    child.stdin?.end();
    await printed(child, 'released');
    await exited(child);
    await withExclusiveLockFile(path, { ...PID, timeoutMs: 2_000 }, async () => {});
  });
});

describe("ExclusiveLockFile, 'mtime' style (Qwen Code's)", () => {
  const MTIME: Partial<ExclusiveLockFileOptions> = { stale: 'mtime', staleAfterMs: 10_000 };

  it('writes a random UUID and removes it on release', async () => {
    await withExclusiveLockFile(path, { ...PID, ...MTIME }, async () => {
      expect(readFileSync(path, 'utf8')).toMatch(/^[0-9a-f-]{36}$/);
    });
    expect(existsSync(path)).toBe(false);
  });

  it('lets one holder in at a time', async () => {
    expect(await contend(4, 10, MTIME)).toBe(1);
  });

  it('leaves a fresh lock alone, and breaks one whose mtime is older than the bound by renaming it', async () => {
    await writeFile(path, 'qwen-lock-uuid');
    await expect(lockAt({ ...MTIME, timeoutMs: 50 }).acquire()).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    expect(readFileSync(path, 'utf8')).toBe('qwen-lock-uuid');
    const old = new Date(Date.now() - 11_000);
    await utimes(path, old, old);
    await withExclusiveLockFile(path, { ...PID, ...MTIME, timeoutMs: 50 }, async () => {
      expect(readFileSync(path, 'utf8')).not.toBe('qwen-lock-uuid');
    });
    expect(await readdir(dir.path)).toEqual([]); // no `.stale.<uuid>` left behind
  });

  it('is shared with another process', async () => {
    const child = spawnHolder({ kind: 'mtime', path });
    await printed(child, 'locked');
    await expect(lockAt({ ...MTIME, timeoutMs: 100 }).acquire()).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    child.stdin?.end();
    await exited(child);
    await withExclusiveLockFile(path, { ...PID, ...MTIME, timeoutMs: 2_000 }, async () => {});
  });
});

describe('a lock path that is not a regular file', () => {
  for (const style of ['pid', 'mtime'] as const) {
    it(`fails at once with LOCK_UNUSABLE, never follows, blocks or spins (${style})`, async () => {
      const options = { ...PID, stale: style, timeoutMs: 60_000 };
      const target = join(dir.path, 'elsewhere');
      // A dangling symbolic link: never created through.
      await symlink(target, path);
      const started = Date.now();
      await expect(withExclusiveLockFile(path, options, async () => {})).rejects.toMatchObject({
        code: 'LOCK_UNUSABLE',
      });
      expect(existsSync(target)).toBe(false);
      // A link to a real file is not taken either.
      await writeFile(target, 'theirs');
      await expect(withExclusiveLockFile(path, options, async () => {})).rejects.toMatchObject({
        code: 'LOCK_UNUSABLE',
      });
      expect(readFileSync(target, 'utf8')).toBe('theirs');
      // A FIFO: never opened for a blocking read.
      const fifo = join(dir.path, 'fifo.lock');
      execFileSync('mkfifo', [fifo]);
      await expect(withExclusiveLockFile(fifo, options, async () => {})).rejects.toMatchObject({
        code: 'LOCK_UNUSABLE',
      });
      // A directory.
      const sub = join(dir.path, 'dir.lock');
      await mkdir(sub);
      await expect(withExclusiveLockFile(sub, options, async () => {})).rejects.toMatchObject({
        code: 'LOCK_UNUSABLE',
      });
      // All of it well inside the 60 s timeout: nothing waited for it.
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(() => new ExclusiveLockFile(fifo, options).acquireSync()).toThrow(
        expect.objectContaining({ code: 'LOCK_UNUSABLE' }),
      );
    });
  }
});
