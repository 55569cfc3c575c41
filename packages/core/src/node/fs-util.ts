// Small helpers shared by the Node-only file modules of this folder.
import { constants as fsConstants, type Stats } from 'node:fs';
import { CtdError, type CtdErrorCode } from '../errors.ts';

/** The `code` of a Node system error (`ENOENT`, `EEXIST`, …), if it has one. */
export const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | null)?.code;

/** `O_NOFOLLOW`, or 0 where the platform has none (Windows). */
export const O_NOFOLLOW: number = fsConstants.O_NOFOLLOW ?? 0;
/** `O_NONBLOCK`, or 0 where the platform has none: opening a FIFO with it never blocks. */
export const O_NONBLOCK: number = fsConstants.O_NONBLOCK ?? 0;
/** `O_DIRECTORY`, or 0 where the platform has none. */
export const O_DIRECTORY: number = fsConstants.O_DIRECTORY ?? 0;

/** What kind of file a `Stats` describes, in words (for messages). */
export function kindOf(st: Stats): string {
  if (st.isFile()) return 'a regular file';
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

/** A `CtdError` about a path, with the errno kept as the cause (never file content). */
export function pathError(code: CtdErrorCode, path: string, message: string, cause?: unknown): CtdError {
  const errno = errnoOf(cause);
  return new CtdError(code, message, {
    ...(cause === undefined ? {} : { cause }),
    details: { path, ...(errno ? { errno } : {}) },
  });
}

/** The current user's id, or undefined where the platform has none. */
export const currentUid = (): number | undefined => process.getuid?.();

const sleepCell = new Int32Array(new SharedArrayBuffer(4));
/** Blocks the thread for `ms` milliseconds (only for the synchronous flush at process exit). */
export function sleepSync(ms: number): void {
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}
