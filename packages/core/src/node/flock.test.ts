import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFlock } from './flock.ts';
import { exited, printed, spawnHolder, tempDir } from './testing/helpers.ts';

let dir: { path: string; cleanup: () => Promise<void> };
let path: string;
beforeEach(async () => {
  dir = await tempDir('ctd-flock-');
  path = join(dir.path, 'kimi-code.lock');
});
afterEach(() => dir.cleanup());

describe('withFlock', () => {
  it('creates the lock file, runs the function, and keeps the file', async () => {
    await expect(withFlock(path, { timeoutMs: 1_000 }, async () => 42)).resolves.toBe(42);
    expect(existsSync(path)).toBe(true);
  });

  it('excludes callers in the same process (each has its own open file description)', async () => {
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 4 }, () =>
        withFlock(path, { timeoutMs: 10_000 }, async () => {
          inside++;
          most = Math.max(most, inside);
          await new Promise((r) => setTimeout(r, 5));
          inside--;
        }),
      ),
    );
    expect(most).toBe(1);
  });

  it('waits for another process, times out while it holds, and gets the lock once it lets go', async () => {
    const child = spawnHolder({ kind: 'flock', path });
    await printed(child, 'locked');
    await expect(withFlock(path, { timeoutMs: 100 }, async () => 'no')).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    await expect(withFlock(path, { timeoutMs: 0 }, async () => 'no')).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
    });
    const waiting = withFlock(path, { timeoutMs: 10_000 }, async () => 'yes');
    child.stdin?.end();
    await expect(waiting).resolves.toBe('yes');
    await exited(child);
  });

  it('holds the lock against the flock command (what kimi-cli’s fcntl.flock sees)', async () => {
    await withFlock(path, { timeoutMs: 1_000 }, async () => {
      const probe = spawn('flock', ['--exclusive', '--nonblock', path, 'true'], { stdio: 'ignore' });
      expect(await exited(probe)).toBe(1);
    });
    const after = spawn('flock', ['--exclusive', '--nonblock', path, 'true'], { stdio: 'ignore' });
    expect(await exited(after)).toBe(0);
  });

  it('reports a lock path that is a link, a FIFO or a directory with LOCK_UNUSABLE, at once', async () => {
    await symlink(join(dir.path, 'nowhere'), path);
    await expect(withFlock(path, { timeoutMs: 60_000 }, async () => {})).rejects.toMatchObject({
      code: 'LOCK_UNUSABLE',
    });
    expect(existsSync(join(dir.path, 'nowhere'))).toBe(false);
    const fifo = join(dir.path, 'fifo.lock');
    execFileSync('mkfifo', [fifo]);
    await expect(withFlock(fifo, { timeoutMs: 60_000 }, async () => {})).rejects.toMatchObject({
      code: 'LOCK_UNUSABLE',
    });
    const sub = join(dir.path, 'dir.lock');
    await mkdir(sub);
    await expect(withFlock(sub, { timeoutMs: 60_000 }, async () => {})).rejects.toMatchObject({
      code: 'LOCK_UNUSABLE',
    });
  });
});
