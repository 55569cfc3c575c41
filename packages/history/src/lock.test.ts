import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createTempHome, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileLock, processAlive } from './lock.ts';
import { deadPid } from './testing/helpers.ts';

let home: TempHome;
let path: string;
beforeEach(async () => {
  home = await createTempHome('ctd-lock-');
  path = home.resolve('h.json.lock');
});
afterEach(() => home.cleanup());

/** Runs `rounds` critical sections in each of `n` contenders; returns the most found inside at once. */
async function contend(n: number, rounds: number): Promise<number> {
  let inside = 0;
  let most = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      const lock = new FileLock(path, { timeoutMs: 10_000 });
      for (let r = 0; r < rounds; r++) {
        await lock.acquire();
        inside++;
        most = Math.max(most, inside);
        await new Promise((resolve) => setImmediate(resolve));
        inside--;
        await lock.release();
      }
    }),
  );
  return most;
}

describe('FileLock', () => {
  it('holds a pid and token, and removes the lock file on release', async () => {
    const lock = new FileLock(path);
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
    const lock = new FileLock(path, { staleMs: 30_000, timeoutMs: 2_000 });
    await lock.acquire();
    expect(JSON.parse(readFileSync(path, 'utf8')).token).not.toBe('old');
    await lock.release();
  });

  it('breaks an unreadable lock file only once it is old', async () => {
    await writeFile(path, 'garbage');
    const lock = new FileLock(path, { staleMs: 60_000, timeoutMs: 50 });
    await expect(lock.acquire()).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
  });

  it('fails with LOCK_TIMEOUT while a live holder keeps it', async () => {
    const holder = new FileLock(path);
    await holder.acquire();
    const waiter = new FileLock(path, { timeoutMs: 30 });
    await expect(waiter.acquire()).rejects.toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect(() => waiter.acquireSync()).toThrow(expect.objectContaining({ code: 'LOCK_TIMEOUT' }));
    await holder.release();
    waiter.acquireSync();
    expect(waiter.held).toBe(true);
    waiter.releaseSync();
    expect(existsSync(path)).toBe(false);
  });

  it('does not remove a lock that another process took over', async () => {
    const lock = new FileLock(path);
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
});
