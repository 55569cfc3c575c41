import { execFileSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic, writeFileAtomicSync } from './atomic-write.ts';
import { tempDir } from './testing/helpers.ts';

let dir: { path: string; cleanup: () => Promise<void> };
const at = (name: string) => join(dir.path, name);
const mode = (p: string) => statSync(p).mode & 0o7777;
beforeEach(async () => {
  dir = await tempDir('ctd-atomic-');
});
afterEach(() => dir.cleanup());

for (const [name, write] of [
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', async (...a: Parameters<typeof writeFileAtomicSync>) => writeFileAtomicSync(...a)],
] as const) {
  describe(name, () => {
    it('creates a new file with mode 0600 (or the given mode), leaving no temp file', async () => {
      await write(at('a.json'), '{"a":1}');
      expect(readFileSync(at('a.json'), 'utf8')).toBe('{"a":1}');
      expect(mode(at('a.json'))).toBe(0o600);
      await write(at('b.json'), new Uint8Array([104, 105]), { mode: 0o640 });
      expect(readFileSync(at('b.json'), 'utf8')).toBe('hi');
      expect(mode(at('b.json'))).toBe(0o640);
      expect((await readdir(dir.path)).sort()).toEqual(['a.json', 'b.json']);
    });

    it("replaces a file's content and keeps its mode, unless a mode is given", async () => {
      await writeFile(at('c.json'), 'old');
      await chmod(at('c.json'), 0o644);
      await write(at('c.json'), 'new');
      expect(readFileSync(at('c.json'), 'utf8')).toBe('new');
      expect(mode(at('c.json'))).toBe(0o644);
      await write(at('c.json'), 'newer', { mode: 0o600 });
      expect(mode(at('c.json'))).toBe(0o600);
    });

    it('refuses a symbolic link by default, leaving the link and its target as they were', async () => {
      await writeFile(at('target'), 'theirs');
      await chmod(at('target'), 0o644);
      await symlink(at('target'), at('link'));
      await expect(write(at('link'), 'ours')).rejects.toMatchObject({ code: 'SYMLINK_REFUSED' });
      expect(readFileSync(at('target'), 'utf8')).toBe('theirs');
      expect(await readlink(at('link'))).toBe(at('target'));
      // A dangling link is refused too (never created through).
      await symlink(at('nowhere'), at('dangling'));
      await expect(write(at('dangling'), 'x', { followSymlink: true })).rejects.toMatchObject({
        code: 'SYMLINK_REFUSED',
      });
      expect((await readdir(dir.path)).sort()).toEqual(['dangling', 'link', 'target']);
    });

    it("with followSymlink, writes the user's own target in place, keeping the link and the target's mode", async () => {
      await mkdir(at('real'));
      await writeFile(at('real/file.json'), 'old');
      await chmod(at('real/file.json'), 0o644);
      await symlink(at('real/file.json'), at('link.json'));
      await write(at('link.json'), 'new', { followSymlink: true, mode: 0o600 });
      expect(readFileSync(at('real/file.json'), 'utf8')).toBe('new');
      expect(mode(at('real/file.json'))).toBe(0o644);
      expect(await readlink(at('link.json'))).toBe(at('real/file.json'));
      expect(await readdir(at('real'))).toEqual(['file.json']);
    });

    it.runIf(process.getuid?.() === 0)(
      'keeps the owner of another user’s file when run as root',
      async () => {
        await writeFile(at('theirs.json'), 'old');
        await chown(at('theirs.json'), 1234, 1234);
        await write(at('theirs.json'), 'new');
        expect(statSync(at('theirs.json'))).toMatchObject({ uid: 1234, gid: 1234 });
      },
    );

    it('refuses a directory or a FIFO standing at the path', async () => {
      await mkdir(at('d'));
      await expect(write(at('d'), 'x')).rejects.toMatchObject({ code: 'NOT_A_FILE' });
      execFileSync('mkfifo', [at('f')]);
      await expect(write(at('f'), 'x')).rejects.toMatchObject({ code: 'NOT_A_FILE' });
    });
  });
}
