// Rewrites a CLI's JSON store the way the CLI itself writes it. A refresh changes three or four
// values; everything else (unknown fields, key order, indentation, separators, float notation,
// the trailing newline, the file mode) must come out as the CLI would have left it, or the CLI's
// next read (or a diff-minded user) sees a file it did not write.
import { CtdError } from '@ctd/core';
import { writeFileAtomic } from '@ctd/core/node';
import { parseJsonText, readTextFile } from '../../read.ts';
import type { ScanContext } from '../../types.ts';

/** How a JSON file is laid out, as far as a rewrite must keep it. */
export interface JsonTextStyle {
  /** The indent of one level (`'  '`, `'\t'`), or `''` for one-line JSON. */
  readonly indent: string;
  /** One-line JSON with Python's `json.dumps` separators (`", "` and `": "`). */
  readonly spacedSeparators: boolean;
  /** The file ends with a newline. */
  readonly trailingNewline: boolean;
  /** Keys whose numbers were written with a decimal point (Python floats: `3600.0`). */
  readonly floatKeys: ReadonlySet<string>;
}

/**
 * Reads the layout of a JSON text: indentation, separators, trailing newline, float keys.
 *
 * @param text - the file's content
 */
export function detectJsonStyle(text: string): JsonTextStyle {
  const body = text.trim();
  const indented = /^[[{]\r?\n([ \t]+)\S/.exec(body);
  const floatKeys = new Set<string>();
  for (const m of body.matchAll(/"((?:[^"\\]|\\.)*)"\s*:\s*-?\d+\.\d+/g)) floatKeys.add(m[1] as string);
  return {
    indent: indented ? (indented[1] as string) : '',
    spacedSeparators: !indented && /"\s*:\s/.test(body),
    trailingNewline: text.endsWith('\n'),
    floatKeys,
  };
}

function formatNumber(value: number, key: string | undefined, style: JsonTextStyle): string {
  const text = JSON.stringify(value);
  // Python reads `3600` back as an int where it wrote a float; keep the point it wrote.
  if (key !== undefined && style.floatKeys.has(key) && Number.isInteger(value) && /^-?\d+$/.test(text))
    return `${text}.0`;
  return text;
}

function format(value: unknown, style: JsonTextStyle, depth: number, key?: string): string {
  if (typeof value === 'number') return formatNumber(value, key, style);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const entries: Array<[string | undefined, unknown]> = Array.isArray(value)
    ? value.map((v) => [undefined, v])
    : Object.entries(value).filter(([, v]) => v !== undefined);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return `${open}${close}`;
  const item = ([k, v]: [string | undefined, unknown]) => {
    const inner = format(v, style, depth + 1, k ?? key);
    if (k === undefined) return inner;
    return `${JSON.stringify(k)}${style.indent || style.spacedSeparators ? ': ' : ':'}${inner}`;
  };
  if (!style.indent) return `${open}${entries.map(item).join(style.spacedSeparators ? ', ' : ',')}${close}`;
  const pad = style.indent.repeat(depth + 1);
  return `${open}\n${entries.map((e) => `${pad}${item(e)}`).join(',\n')}\n${style.indent.repeat(depth)}${close}`;
}

/**
 * Serializes a value in a given layout (the inverse of {@link detectJsonStyle}).
 *
 * @param value - the JSON value
 * @param style - the layout to write it in
 */
export function formatJson(value: unknown, style: JsonTextStyle): string {
  return `${format(value, style, 0)}${style.trailingNewline ? '\n' : ''}`;
}

/**
 * Reads a JSON store whose top level is an object, lets `edit` change it in place (so key order
 * and unknown fields stay), and writes it back atomically in the layout it had, keeping the file
 * mode. `edit` may throw to refuse (the file is then left untouched). Call it inside the
 * adapter's `withLock`.
 *
 * @param ctx - the scan context (for the size cap)
 * @param path - the store file
 * @param what - what the file should hold, for error messages ("a Codex login")
 * @param edit - changes the parsed object in place
 */
export async function rewriteJsonStore(
  ctx: ScanContext,
  path: string,
  what: string,
  edit: (store: Record<string, unknown>) => void,
): Promise<void> {
  const read = await readTextFile(path, ctx.maxFileBytes);
  if (read.status === 'missing')
    throw new CtdError('NOT_FOUND', `${path} no longer exists`, { details: { path } });
  if (read.status === 'error') throw new CtdError(read.code, `${path} ${read.reason}`, { details: { path } });
  const parsed = parseJsonText(read.value);
  const store = parsed.status === 'ok' ? parsed.value : undefined;
  if (!store || typeof store !== 'object' || Array.isArray(store))
    throw new CtdError('INVALID_SHAPE', `${path} does not hold ${what}`, { details: { path } });
  edit(store as Record<string, unknown>);
  await writeFileAtomic(path, formatJson(store, detectJsonStyle(read.value)));
}

/** An object field of a parsed store, or undefined. */
export function objectAt(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The refusal when the store no longer holds the login being refreshed: another login replaced
 * it, or another process refreshed it since it was read. Writing then would undo that.
 *
 * @param path - the store file
 * @param why - `other-login` or `changed`
 */
export function storeMovedOn(path: string, why: 'other-login' | 'changed'): CtdError {
  const message =
    why === 'other-login'
      ? `${path} now holds another login than the one refreshed; it was left untouched`
      : `${path} was refreshed or replaced by another process since it was read; it was left untouched (scan again)`;
  return new CtdError('NOT_FOUND', message, { details: { path, reason: why } });
}
