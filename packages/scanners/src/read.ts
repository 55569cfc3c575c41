import { constants, type Stats } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { CtdErrorCode, useEnglishZodMessages } from '@ctd/core';
import { parse as parseToml } from 'smol-toml';
import * as z from 'zod/mini';

// zod's English messages, for every schema of this package: each adapter imports this module (the
// reasons below also read them: "… received undefined"). zod words an issue when it parses.
useEnglishZodMessages();

/** The outcome of reading one store file. Errors carry a code and a content-free reason. */
export type ReadResult<T> =
  | { readonly status: 'missing' }
  | { readonly status: 'ok'; readonly value: T }
  | { readonly status: 'error'; readonly code: CtdErrorCode; readonly reason: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Maps a file-system error to a read result (missing, or an error with a code and a reason).
 * Exported for tests: some errors (EACCES) cannot be produced when tests run as root.
 *
 * @param error - what opening, `fstat` or reading threw
 */
export function errnoResult(error: unknown): ReadResult<never> {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return { status: 'missing' };
    case 'ENOTDIR':
      return {
        status: 'error',
        code: CtdErrorCode.NOT_A_FILE,
        reason: 'a parent of this path is not a directory',
      };
    case 'EISDIR':
      return { status: 'error', code: CtdErrorCode.NOT_A_FILE, reason: 'is a directory, expected a file' };
    case 'EACCES':
    case 'EPERM':
      return { status: 'error', code: CtdErrorCode.FILE_UNREADABLE, reason: 'permission denied' };
    case 'ELOOP':
      return { status: 'error', code: CtdErrorCode.SYMLINK_LOOP, reason: 'symbolic link loop' };
    case 'ENXIO':
    case 'ENODEV':
    case 'EOPNOTSUPP':
      // What opening a socket or a device without a driver gives.
      return { status: 'error', code: CtdErrorCode.NOT_A_FILE, reason: 'is not a regular file' };
    default:
      return {
        status: 'error',
        code: CtdErrorCode.FILE_UNREADABLE,
        reason: `could not be read (${code ?? 'unknown error'})`,
      };
  }
}

/** Bytes asked for per read: a multiple of 8, as some `/proc` files refuse unaligned reads. */
const READ_CHUNK = 64 * 1024;

/** The flags every store file is opened with: never block on a FIFO, never become its terminal. */
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

function tooLarge(maxBytes: number, size?: number): ReadResult<never> {
  return {
    status: 'error',
    code: CtdErrorCode.FILE_TOO_LARGE,
    reason:
      size !== undefined
        ? `is ${size} bytes, over the ${maxBytes}-byte cap for credential files`
        : `is larger than the ${maxBytes}-byte cap for credential files`,
  };
}

/**
 * Reads at most `maxBytes` + 1 bytes (rounded up to whole chunks of 8) from an open file: the size
 * `stat` gives is not trusted (`/proc` files say 0 and never end; a file may grow meanwhile).
 *
 * @returns the bytes, or undefined when there were more than `maxBytes`
 */
async function readCapped(handle: FileHandle, maxBytes: number): Promise<Buffer | undefined> {
  const limit = Math.ceil((maxBytes + 1) / 8) * 8;
  const buffer = Buffer.allocUnsafe(Math.min(limit, READ_CHUNK));
  const chunks: Buffer[] = [];
  let total = 0;
  while (total <= maxBytes) {
    const want = Math.min(buffer.length, limit - total);
    const { bytesRead } = await handle.read(buffer, 0, want, null);
    if (bytesRead === 0) return Buffer.concat(chunks, total);
    chunks.push(Buffer.from(buffer.subarray(0, bytesRead)));
    total += bytesRead;
  }
  return undefined;
}

/**
 * Reads a text file with the checks every store file gets: it must be a regular file under the
 * size cap, hold no NUL bytes and be valid UTF-8. A UTF-8 byte-order mark is dropped.
 *
 * The file is opened once (without blocking, so a FIFO cannot hang the scan), the opened
 * descriptor's type is checked (so a path swapped after a check cannot change what is read), and
 * at most the cap + 1 bytes are read, whatever size the file claims.
 *
 * @param path - the file
 * @param maxBytes - the size cap
 */
export async function readTextFile(path: string, maxBytes: number): Promise<ReadResult<string>> {
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS);
  } catch (error) {
    return errnoResult(error);
  }
  let bytes: Buffer | undefined;
  try {
    const info = await handle.stat();
    if (info.isDirectory()) return errnoResult({ code: 'EISDIR' });
    if (!info.isFile()) {
      return {
        status: 'error',
        code: CtdErrorCode.NOT_A_FILE,
        reason: `is ${kindOf(info)}, not a regular file`,
      };
    }
    if (info.size > maxBytes) return tooLarge(maxBytes, info.size);
    bytes = await readCapped(handle, maxBytes);
  } catch (error) {
    return errnoResult(error);
  } finally {
    await handle.close().catch(() => {});
  }
  if (bytes === undefined) return tooLarge(maxBytes);
  if (bytes.includes(0)) {
    return {
      status: 'error',
      code: CtdErrorCode.NOT_TEXT,
      reason: 'holds binary data (NUL bytes), expected text',
    };
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { status: 'error', code: CtdErrorCode.NOT_TEXT, reason: 'is not valid UTF-8 text' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { status: 'ok', value: text };
}

/** What a non-regular file is, for a reason. */
function kindOf(info: Stats): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Parses JSON text. The reason never quotes the text (engine messages do, so they are not used).
 *
 * @param text - the file's text
 */
export function parseJsonText(text: string): ReadResult<unknown> {
  if (text.trim() === '')
    return { status: 'error', code: CtdErrorCode.INVALID_JSON, reason: 'is empty, expected JSON' };
  try {
    return { status: 'ok', value: JSON.parse(text) };
  } catch (error) {
    const msg = error instanceof Error ? error.message : '';
    const position = /position (\d+)/.exec(msg)?.[1];
    // Engines word it differently ("Unexpected end of JSON input", or an error at the last byte).
    const truncated =
      /end of (JSON )?input|Unterminated/i.test(msg) ||
      (position !== undefined && Number(position) >= text.trimEnd().length);
    return {
      status: 'error',
      code: CtdErrorCode.INVALID_JSON,
      reason: truncated
        ? 'is not valid JSON (it ends early: truncated?)'
        : `is not valid JSON${position ? ` (at character ${position})` : ''}`,
    };
  }
}

/**
 * Parses TOML text. The reason gives the line and column, never the text.
 *
 * @param text - the file's text
 */
export function parseTomlText(text: string): ReadResult<Record<string, unknown>> {
  try {
    return { status: 'ok', value: parseToml(text) as Record<string, unknown> };
  } catch (error) {
    const e = error as { line?: number; column?: number };
    const where = typeof e.line === 'number' ? ` (line ${e.line}, column ${e.column ?? '?'})` : '';
    return { status: 'error', code: CtdErrorCode.INVALID_TOML, reason: `is not valid TOML${where}` };
  }
}

/**
 * Parses a `.env` file the way dotenv-style loaders do: `KEY=value`, optional `export `, quotes,
 * `#` comments, CRLF line ends.
 *
 * @param text - the file's text
 * @returns the variables it sets
 */
export function parseDotEnv(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const rawLine of text.split(/\r?\n|\r/)) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) continue;
    const key = m[1] as string;
    let value = (m[2] as string).trim();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && value.length >= 2) {
      const end = value.indexOf(quote, 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
      if (quote === '"') value = value.replace(/\\n/g, '\n');
    } else {
      const hash = value.indexOf(' #');
      if (hash >= 0) value = value.slice(0, hash).trim();
    }
    vars.set(key, value);
  }
  return vars;
}

/**
 * Describes zod issues as a content-free reason: field paths and expected types, never values.
 *
 * @param error - the zod error
 */
export function describeShapeError(error: { readonly issues: readonly z.core.$ZodIssue[] }): string {
  const parts = error.issues.slice(0, 3).map((issue) => {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(top level)';
    const i = issue as { code: string; expected?: unknown };
    if (i.code === 'invalid_type') {
      const isMissing = issue.message.includes('received undefined');
      return isMissing ? `missing field \`${field}\`` : `field \`${field}\` should be ${String(i.expected)}`;
    }
    return `field \`${field}\` is not valid (${i.code})`;
  });
  const more = error.issues.length > 3 ? ` and ${error.issues.length - 3} more` : '';
  return `has an unexpected shape: ${parts.join('; ')}${more}`;
}

/**
 * Checks a parsed value against a schema, turning a failure into a content-free reason.
 *
 * @param schema - the expected shape
 * @param value - parsed file content
 */
export function checkShape<T>(schema: z.core.$ZodType<T>, value: unknown): ReadResult<T> {
  const r = z.safeParse(schema, value);
  if (r.success) return { status: 'ok', value: r.data };
  return { status: 'error', code: CtdErrorCode.INVALID_SHAPE, reason: describeShapeError(r.error) };
}
