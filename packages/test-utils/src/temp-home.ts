import { chmod, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throwaway home directory with helpers to lay out CLI stores in it. */
export interface TempHome {
  /** Absolute path of the home. */
  readonly path: string;
  /** Environment for a scan of this home: `HOME` set, nothing inherited. */
  readonly env: Record<string, string>;
  /** Writes a file (creating parents) relative to the home; `mode` defaults to 0600. */
  write(relPath: string, content: string | Buffer, mode?: number): Promise<string>;
  /** Writes JSON (2-space indent) relative to the home. */
  writeJson(relPath: string, value: unknown, mode?: number): Promise<string>;
  /** Creates a directory relative to the home. */
  mkdir(relPath: string): Promise<string>;
  /** Creates a symbolic link at `relPath` pointing to `target`. */
  symlink(relPath: string, target: string): Promise<string>;
  /** Absolute path for a home-relative path. */
  resolve(relPath: string): string;
  /** Deletes the home. */
  cleanup(): Promise<void>;
}

/**
 * Creates a temp home. Call `cleanup()` when done (e.g. in `onTestFinished`).
 *
 * @param prefix - name prefix of the temp directory
 */
export async function createTempHome(prefix = 'ctd-home-'): Promise<TempHome> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  const resolve = (rel: string) => join(path, rel);
  const home: TempHome = {
    path,
    env: { HOME: path },
    resolve,
    async write(rel, content, mode = 0o600) {
      const file = resolve(rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
      await chmod(file, mode);
      return file;
    },
    writeJson(rel, value, mode) {
      return home.write(rel, `${JSON.stringify(value, null, 2)}\n`, mode);
    },
    async mkdir(rel) {
      const dir = resolve(rel);
      await mkdir(dir, { recursive: true });
      return dir;
    },
    async symlink(rel, target) {
      const link = resolve(rel);
      await mkdir(dirname(link), { recursive: true });
      await symlink(target, link);
      return link;
    },
    async cleanup() {
      // A CLI a test drove (a TUI in tmux) may still be writing its store while it exits: retry
      // the removal for a short while instead of failing on ENOTEMPTY or EBUSY.
      await rm(path, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
    },
  };
  return home;
}
