// Atomic replacement of a file: the new content goes to a temp file in the same directory, is
// fsynced, renamed over the target (a reader sees the old file or the new one, never a mix) and the
// directory is fsynced (so the rename survives a crash).
//
// Symbolic links: by default a link at the target path is refused (`SYMLINK_REFUSED`): following
// it could write into another program's file (e.g. a link planted in a shared directory pointing
// at ~/.bashrc), and replacing it would silently cut the user's link. With `followSymlink: true`
// the write goes to the link's target, but only when that target is a regular file owned by the
// current user; its mode is kept (never chmod through a link).
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  constants as fsConstants,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { currentUid, errnoOf, kindOf, O_DIRECTORY, O_NOFOLLOW, pathError } from './fs-util.ts';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /**
   * The file's mode. Default: the existing file's mode is kept; a new file gets 0600 (these are
   * credential and state files).
   */
  mode?: number | undefined;
  /**
   * Write through a symbolic link at the path to its target, when that target is a regular file
   * owned by the current user (its mode is then always kept). Default: a link is refused.
   * @default false
   */
  followSymlink?: boolean | undefined;
}

/** Temp files are named `<name>.tmp-<pid>-<8 hex>` beside the target, so a dead writer's can be found. */
export const ATOMIC_TEMP_PATTERN = /\.tmp-(\d+)-[0-9a-f]{8}$/;

interface Plan {
  /** The file actually replaced (the link's target when a link is followed). */
  target: string;
  mode: number;
  /** Owner to restore (only when running as root over another user's file). */
  owner: { uid: number; gid: number } | null;
}

const NEW_FILE_MODE = 0o600;

function refuseLink(path: string, why: string) {
  const what = why ? ` ${why}` : '';
  return pathError('SYMLINK_REFUSED', path, `${path} is a symbolic link${what}; it was not written`);
}

function planFor(
  path: string,
  options: WriteFileAtomicOptions,
  st: Stats | null,
  followed: { target: string; st: Stats } | null | 'dangling',
): Plan {
  if (st === null) return { target: path, mode: options.mode ?? NEW_FILE_MODE, owner: null };
  if (st.isSymbolicLink()) {
    if (!options.followSymlink) throw refuseLink(path, '');
    if (followed === 'dangling' || followed === null) throw refuseLink(path, 'that points nowhere');
    if (!followed.st.isFile()) throw refuseLink(path, `to ${kindOf(followed.st)}`);
    const uid = currentUid();
    if (uid !== undefined && followed.st.uid !== uid) throw refuseLink(path, 'to a file of another user');
    return { target: followed.target, mode: followed.st.mode & 0o7777, owner: null };
  }
  if (!st.isFile()) throw pathError('NOT_A_FILE', path, `${path} is ${kindOf(st)}, not a regular file`);
  const uid = currentUid();
  const owner = uid === 0 && (st.uid !== 0 || st.gid !== 0) ? { uid: st.uid, gid: st.gid } : null;
  return { target: path, mode: options.mode ?? st.mode & 0o7777, owner };
}

const tempName = (target: string) =>
  join(dirname(target), `${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);

const TEMP_FLAGS = fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_WRONLY | O_NOFOLLOW;

/**
 * Replaces a file atomically: temp file in the same directory, fsync, rename, fsync of the
 * directory. The existing file's mode is kept unless `mode` is given (a new file gets 0600); when
 * running as root over another user's file, its owner is kept too.
 *
 * @param path - the file to write
 * @param data - the whole new content
 * @param options - mode, and whether a symbolic link at `path` may be written through
 * @throws CtdError `SYMLINK_REFUSED` (a link, unless followed to the user's own regular file),
 *   `NOT_A_FILE` (a directory, FIFO… stands at `path`), or the file system's error
 * @example
 * await writeFileAtomic('/home/me/.example-cli/auth.json', JSON.stringify(creds, null, 2));
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): Promise<void> {
  let st: Stats | null = null;
  try {
    st = await lstat(path);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
  let followed: { target: string; st: Stats } | 'dangling' | null = null;
  if (st?.isSymbolicLink() && options.followSymlink) {
    try {
      const target = await realpath(path);
      followed = { target, st: await stat(target) };
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      followed = 'dangling';
    }
  }
  const plan = planFor(path, options, st, followed);
  const tmp = tempName(plan.target);
  const handle = await open(tmp, TEMP_FLAGS, 0o600);
  try {
    try {
      await handle.writeFile(data);
      await handle.chmod(plan.mode); // exact, whatever the umask
      if (plan.owner) await handle.chown(plan.owner.uid, plan.owner.gid).catch(() => {});
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, plan.target);
  } catch (error) {
    await unlink(tmp).catch(() => {});
    throw error;
  }
  await fsyncDirectory(dirname(plan.target));
}

/** Same as {@link writeFileAtomic}, blocking (for the synchronous flush at process exit). */
export function writeFileAtomicSync(
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions = {},
): void {
  let st: Stats | null = null;
  try {
    st = lstatSync(path);
  } catch (error) {
    if (errnoOf(error) !== 'ENOENT') throw error;
  }
  let followed: { target: string; st: Stats } | 'dangling' | null = null;
  if (st?.isSymbolicLink() && options.followSymlink) {
    try {
      const target = realpathSync(path);
      followed = { target, st: statSync(target) };
    } catch (error) {
      if (errnoOf(error) !== 'ENOENT') throw error;
      followed = 'dangling';
    }
  }
  const plan = planFor(path, options, st, followed);
  const tmp = tempName(plan.target);
  const fd = openSync(tmp, TEMP_FLAGS, 0o600);
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
      fchmodSync(fd, plan.mode);
      if (plan.owner) {
        try {
          fchownSync(fd, plan.owner.uid, plan.owner.gid);
        } catch {
          // keeping the owner is best effort
        }
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, plan.target);
  } catch (error) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw error;
  }
  try {
    const dfd = openSync(dirname(plan.target), fsConstants.O_RDONLY | O_DIRECTORY);
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // some platforms cannot fsync a directory
  }
}

async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, fsConstants.O_RDONLY | O_DIRECTORY);
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // some platforms cannot fsync a directory
  }
}
