// Reads bounded by the bytes actually read, never by `stat`: /proc files report size 0, and a file
// can be swapped for a FIFO between a stat and an open. The file is opened once, non-blocking (so a
// FIFO cannot hang the open), the opened descriptor's type is checked, and at most `maxBytes + 1`
// bytes are read from it.
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { errnoOf, kindOf, O_NOFOLLOW, O_NONBLOCK, pathError } from './fs-util.ts';

/** Options of {@link readFileBounded}. */
export interface ReadFileBoundedOptions {
  /** Read at most this many bytes; `complete` is false when the file holds more. */
  maxBytes: number;
  /**
   * Follow a symbolic link at `path` (its target must still be a regular file). When false, a link
   * fails with `SYMLINK_REFUSED`.
   * @default true
   */
  followSymlinks?: boolean | undefined;
}

/** What {@link readFileBounded} read. */
export interface BoundedRead {
  /** At most `maxBytes` bytes from the start of the file. */
  bytes: Buffer;
  /** False when the file holds more than `maxBytes` bytes (then `bytes` is its head). */
  complete: boolean;
  /** The opened file's stats (of the link's target when a link was followed). */
  stats: Stats;
}

const CHUNK = 64 * 1024;

function flags(options: ReadFileBoundedOptions): number {
  return fsConstants.O_RDONLY | O_NONBLOCK | (options.followSymlinks === false ? O_NOFOLLOW : 0);
}

function openError(path: string, error: unknown, options: ReadFileBoundedOptions) {
  const errno = errnoOf(error);
  if (errno === 'ENOENT') return pathError('FILE_NOT_FOUND', path, `${path} does not exist`, error);
  if (errno === 'ELOOP') {
    return options.followSymlinks === false
      ? pathError('SYMLINK_REFUSED', path, `${path} is a symbolic link; it was not followed`, error)
      : pathError('SYMLINK_LOOP', path, `${path} is a symbolic link that loops`, error);
  }
  if (errno === 'EISDIR') return pathError('NOT_A_FILE', path, `${path} is a directory`, error);
  return pathError('FILE_UNREADABLE', path, `cannot read ${path} (${errno ?? 'error'})`, error);
}

function notAFile(path: string, st: Stats) {
  return pathError('NOT_A_FILE', path, `${path} is ${kindOf(st)}, not a regular file`);
}

/**
 * Reads the head of a regular file, at most `maxBytes` bytes, without ever blocking on a FIFO or
 * trusting `stat` for the size.
 *
 * @param path - the file
 * @param options - the byte cap, and whether a symbolic link may be followed
 * @returns the bytes read, whether that was the whole file, and the file's stats
 * @throws CtdError `FILE_NOT_FOUND`, `NOT_A_FILE` (a directory, FIFO, device…), `SYMLINK_LOOP`,
 *   `SYMLINK_REFUSED` (a link when `followSymlinks` is false) or `FILE_UNREADABLE`
 * @example
 * const { bytes, complete } = await readFileBounded('/home/me/.example-cli/auth.json', { maxBytes: 1 << 20 });
 */
export async function readFileBounded(path: string, options: ReadFileBoundedOptions): Promise<BoundedRead> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, flags(options));
  } catch (error) {
    throw openError(path, error, options);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw notAFile(path, stats);
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= options.maxBytes) {
      const want = Math.min(CHUNK, options.maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      let n: number;
      try {
        ({ bytesRead: n } = await handle.read(buf, 0, want, null));
      } catch (error) {
        throw openError(path, error, options);
      }
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    const all = Buffer.concat(chunks, total);
    const complete = total <= options.maxBytes;
    return { bytes: complete ? all : all.subarray(0, options.maxBytes), complete, stats };
  } finally {
    await handle.close();
  }
}

/** Same as {@link readFileBounded}, blocking (for the synchronous flush at process exit). */
export function readFileBoundedSync(path: string, options: ReadFileBoundedOptions): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, flags(options));
  } catch (error) {
    throw openError(path, error, options);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw notAFile(path, stats);
    const chunks: Buffer[] = [];
    let total = 0;
    while (total <= options.maxBytes) {
      const want = Math.min(CHUNK, options.maxBytes + 1 - total);
      const buf = Buffer.allocUnsafe(want);
      let n: number;
      try {
        n = readSync(fd, buf, 0, want, null);
      } catch (error) {
        throw openError(path, error, options);
      }
      if (n === 0) break;
      chunks.push(n === want ? buf : buf.subarray(0, n));
      total += n;
    }
    const all = Buffer.concat(chunks, total);
    const complete = total <= options.maxBytes;
    return { bytes: complete ? all : all.subarray(0, options.maxBytes), complete, stats };
  } finally {
    closeSync(fd);
  }
}
