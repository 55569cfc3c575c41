import { execFileSync } from 'node:child_process';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readFileBounded, readFileBoundedSync } from './read-bounded.ts';
import { tempDir } from './testing/helpers.ts';

let dir: { path: string; cleanup: () => Promise<void> };
const at = (name: string) => join(dir.path, name);
beforeEach(async () => {
  dir = await tempDir('ctd-read-');
});
afterEach(() => dir.cleanup());

for (const [name, read] of [
  ['readFileBounded', readFileBounded],
  ['readFileBoundedSync', async (...a: Parameters<typeof readFileBoundedSync>) => readFileBoundedSync(...a)],
] as const) {
  describe(name, () => {
    it('reads a whole small file, and only the head of a larger one', async () => {
      await writeFile(at('small'), 'hello');
      const small = await read(at('small'), { maxBytes: 10 });
      expect([small.bytes.toString(), small.complete]).toEqual(['hello', true]);
      await writeFile(at('big'), 'x'.repeat(200_000));
      const big = await read(at('big'), { maxBytes: 100_000 });
      expect([big.bytes.length, big.complete]).toEqual([100_000, false]);
      const exact = await read(at('small'), { maxBytes: 5 });
      expect(exact.complete).toBe(true);
    });

    it('is bounded by bytes read, not by stat (a /proc file reports size 0)', async () => {
      const proc = await read('/proc/self/status', { maxBytes: 64 });
      expect(proc.bytes.length).toBe(64);
      expect(proc.complete).toBe(false);
    });

    it('never blocks on a FIFO, and names what stands there', async () => {
      execFileSync('mkfifo', [at('fifo')]);
      await expect(read(at('fifo'), { maxBytes: 10 })).rejects.toMatchObject({ code: 'NOT_A_FILE' });
      await mkdir(at('dir'));
      await expect(read(at('dir'), { maxBytes: 10 })).rejects.toMatchObject({ code: 'NOT_A_FILE' });
      await expect(read(at('none'), { maxBytes: 10 })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    });

    it('follows a link unless told not to', async () => {
      await writeFile(at('t'), 'target');
      await symlink(at('t'), at('l'));
      expect((await read(at('l'), { maxBytes: 10 })).bytes.toString()).toBe('target');
      await expect(read(at('l'), { maxBytes: 10, followSymlinks: false })).rejects.toMatchObject({
        code: 'SYMLINK_REFUSED',
      });
    });
  });
}
