import { CtdError } from '@ctd/core';

/** Where a command writes, and what it knows about its terminal. Tests pass their own. */
export interface CliIo {
  readonly stdout: {
    write(chunk: string): unknown;
    isTTY?: boolean | undefined;
    columns?: number | undefined;
  };
  readonly stderr: { write(chunk: string): unknown; isTTY?: boolean | undefined };
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean | undefined };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A usage error (exit code 2): the message says what was wrong, and the command's help is named. */
export function usageError(message: string, details?: Record<string, unknown>): CtdError {
  return new CtdError('BAD_USAGE', message, details ? { details } : {});
}

/** Whether to use colour: only on a terminal, and never when NO_COLOR is set. */
export function useColor(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
}

/**
 * The width human output is laid out for: the terminal's, else `$COLUMNS`, else 80 (also when the
 * output goes to a pipe or a file, so that what a script sees is what a person sees);
 * `undefined` (no limit) with `--wide`.
 */
export function outputWidth(io: CliIo, wide: boolean): number | undefined {
  if (wide) return undefined;
  const columns = io.stdout.columns;
  if (columns !== undefined && Number.isInteger(columns) && columns > 0) return Math.max(40, columns);
  const fromEnv = Number(io.env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return Math.max(40, fromEnv);
  return 80;
}

/** ANSI styling that turns itself off when colour is off. */
export function palette(enabled: boolean) {
  const wrap = (open: number, close: number) => (s: string) =>
    enabled ? `\u001b[${open}m${s}\u001b[${close}m` : s;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    green: wrap(32, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
  };
}

/** The styling functions of {@link palette}. */
export type Palette = ReturnType<typeof palette>;

// JSON.stringify escapes C0 controls but leaves DEL, the C1 controls (U+009B is a CSI on many
// terminals), the line separators and the bidi overrides raw; `ctd … --json | less` would show them.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON for stdout: 2-space indent, and every character that acts on a terminal \u-escaped (still valid JSON). */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}
