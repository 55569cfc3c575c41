/**
 * Stable error codes shared by every `@ctd/*` package. Callers branch on `code`, never on message text.
 */
export const CtdErrorCode = {
  /** A file could not be found where one was expected. */
  FILE_NOT_FOUND: 'FILE_NOT_FOUND',
  /** A file exists but could not be read (permissions, I/O). */
  FILE_UNREADABLE: 'FILE_UNREADABLE',
  /** A directory (or other non-file) stands where a file should be. */
  NOT_A_FILE: 'NOT_A_FILE',
  /** A file is larger than the size cap for credential files. */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  /** A symbolic link loops or points nowhere readable. */
  SYMLINK_LOOP: 'SYMLINK_LOOP',
  /** A file holds binary data or text that is not valid UTF-8. */
  NOT_TEXT: 'NOT_TEXT',
  /** A JSON file does not parse. */
  INVALID_JSON: 'INVALID_JSON',
  /** A TOML file does not parse. */
  INVALID_TOML: 'INVALID_TOML',
  /** A file parses, but fields are missing or of the wrong type. */
  INVALID_SHAPE: 'INVALID_SHAPE',
  /** An encrypted store could not be decrypted (other host or user, or damaged). */
  DECRYPT_FAILED: 'DECRYPT_FAILED',
  /** The credential is kept in the OS keyring, which this tool does not read. */
  IN_OS_KEYRING: 'IN_OS_KEYRING',
  /** A source adapter failed in a way it did not anticipate (a bug). */
  ADAPTER_FAILED: 'ADAPTER_FAILED',
  /** A file was written by a newer version of this tool (a schema version it does not know); it is left untouched. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** A cross-process lock could not be taken in time. */
  LOCK_TIMEOUT: 'LOCK_TIMEOUT',
  /** A lock path is not a regular file (a dangling link, a FIFO, a directory): it can be neither taken nor broken. */
  LOCK_UNUSABLE: 'LOCK_UNUSABLE',
  /** A file that is not ours stands where ours should be; it was left untouched. */
  FOREIGN_FILE: 'FOREIGN_FILE',
  /** A write would have gone through a symbolic link into a file that is not ours; refused. */
  SYMLINK_REFUSED: 'SYMLINK_REFUSED',
  /** A file or directory had looser permissions than it should (reported, then tightened). */
  INSECURE_PERMISSIONS: 'INSECURE_PERMISSIONS',
  /** A named item (e.g. a credential id) does not exist. */
  NOT_FOUND: 'NOT_FOUND',
  /** Caller passed arguments or options that are not valid. */
  BAD_USAGE: 'BAD_USAGE',
  /** A shared backend (e.g. the Redis history) could not be reached or refused the connection. */
  BACKEND_UNAVAILABLE: 'BACKEND_UNAVAILABLE',
  /** An unexpected internal failure. */
  INTERNAL: 'INTERNAL',
} as const;

/** One of the stable error codes in {@link CtdErrorCode}. */
export type CtdErrorCode = (typeof CtdErrorCode)[keyof typeof CtdErrorCode];

/** Options for {@link CtdError}. */
export interface CtdErrorOptions {
  /** The underlying error, kept for debugging. Never a secret. */
  cause?: unknown;
  /** Structured, secret-free facts about the failure (a path, a field name). */
  details?: Record<string, unknown> | undefined;
}

/**
 * The one error type thrown across `@ctd/*` packages. Messages never contain secrets or file content.
 *
 * @example
 * throw new CtdError('BAD_USAGE', 'unknown option --foo');
 */
export class CtdError extends Error {
  override readonly name: string = 'CtdError';
  /** Stable machine-readable code. */
  readonly code: CtdErrorCode;
  /** Structured, secret-free details. */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: CtdErrorCode, message: string, options: CtdErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

/**
 * Normalizes anything thrown into a {@link CtdError} (unknown errors become `INTERNAL`).
 *
 * @param error - the thrown value
 * @returns the same error when it already is a `CtdError`, else a wrapping `INTERNAL` error
 */
export function toCtdError(error: unknown): CtdError {
  if (error instanceof CtdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CtdError('INTERNAL', message, { cause: error });
}

/**
 * Process exit codes of the `@ctd/*` command lines (`ctd` and `openclaw token-discovery`), one
 * table for both. Documented in the README; scripts branch on them.
 */
export const ExitCode = {
  /** The command did what was asked (a scan that found nothing included). */
  OK: 0,
  /** The command failed: an unreadable or newer history file, a lock timeout, an internal error. */
  FAILURE: 1,
  /** Bad usage: an unknown command, option or argument, or a named item that does not exist. */
  USAGE: 2,
  /** `ctd scan --check`: the scan ran, and at least one credential is not valid. */
  CHECK_FAILED: 3,
} as const;

/** One of the exit codes in {@link ExitCode}. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The exit code of each error code: what the caller got wrong exits 2, everything else 1.
 * A `Record` over every code, so a new error code must be given its exit code here.
 */
export const EXIT_CODE_OF_ERROR: Readonly<Record<CtdErrorCode, ExitCode>> = {
  FILE_NOT_FOUND: ExitCode.FAILURE,
  FILE_UNREADABLE: ExitCode.FAILURE,
  NOT_A_FILE: ExitCode.FAILURE,
  FILE_TOO_LARGE: ExitCode.FAILURE,
  SYMLINK_LOOP: ExitCode.FAILURE,
  NOT_TEXT: ExitCode.FAILURE,
  INVALID_JSON: ExitCode.FAILURE,
  INVALID_TOML: ExitCode.FAILURE,
  INVALID_SHAPE: ExitCode.FAILURE,
  DECRYPT_FAILED: ExitCode.FAILURE,
  IN_OS_KEYRING: ExitCode.FAILURE,
  ADAPTER_FAILED: ExitCode.FAILURE,
  UNSUPPORTED_VERSION: ExitCode.FAILURE,
  LOCK_TIMEOUT: ExitCode.FAILURE,
  LOCK_UNUSABLE: ExitCode.FAILURE,
  FOREIGN_FILE: ExitCode.FAILURE,
  SYMLINK_REFUSED: ExitCode.FAILURE,
  INSECURE_PERMISSIONS: ExitCode.FAILURE,
  NOT_FOUND: ExitCode.USAGE,
  BAD_USAGE: ExitCode.USAGE,
  BACKEND_UNAVAILABLE: ExitCode.FAILURE,
  INTERNAL: ExitCode.FAILURE,
};

/**
 * The exit code a command line ends with when this error reaches it, from
 * {@link EXIT_CODE_OF_ERROR} after {@link toCtdError}: `BAD_USAGE` and `NOT_FOUND` give 2,
 * anything else (an unknown error included) 1.
 *
 * @param error - the thrown value
 * @example
 * process.exitCode = exitCodeForError(new CtdError('NOT_FOUND', 'no history for "x"')); // 2
 */
export function exitCodeForError(error: unknown): ExitCode {
  return EXIT_CODE_OF_ERROR[toCtdError(error).code] ?? ExitCode.FAILURE;
}
