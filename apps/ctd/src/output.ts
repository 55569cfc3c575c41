import type { CliIo } from './io.ts';

/** Standard output, guarded: see {@link guardOutput}. */
export interface GuardedOutput {
  write(chunk: string): boolean;
  readonly isTTY: boolean | undefined;
  readonly columns: number | undefined;
  /** Whether writing failed for a reason other than a closed pipe (then the exit code is 1). */
  failed(): boolean;
}

const REASONS: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EBADF: 'standard output is closed',
  EFBIG: 'the file is too large',
};

/**
 * Wraps standard output so that a failed write ends the output quietly instead of with a stack
 * trace: when the reader went away (EPIPE, e.g. `ctd scan | head -1`) the rest of the output is
 * dropped without a word, as other command-line tools do; any other failure (ENOSPC on a full
 * disk, …) is said once on stderr and makes the exit code 1. The command itself still finishes
 * (its history is still recorded).
 */
export function guardOutput(
  stream: NodeJS.WriteStream,
  stderr: Pick<CliIo['stderr'], 'write'>,
  onFailure: () => void = () => {},
): GuardedOutput {
  let closed = false;
  let failed = false;
  const onError = (error: NodeJS.ErrnoException) => {
    if (closed) return;
    closed = true;
    if (error.code === 'EPIPE') return;
    failed = true;
    // The error may arrive after the command has returned (writes are flushed asynchronously).
    onFailure();
    const reason = REASONS[error.code ?? ''] ?? error.message;
    stderr.write(`ctd: could not write the output: ${reason}${error.code ? ` [${error.code}]` : ''}\n`);
  };
  stream.on('error', onError);
  return {
    write(chunk) {
      if (closed) return false;
      try {
        return stream.write(chunk);
      } catch (error) {
        onError(error as NodeJS.ErrnoException);
        return false;
      }
    },
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.isTTY ? stream.columns : undefined;
    },
    failed: () => failed,
  };
}
