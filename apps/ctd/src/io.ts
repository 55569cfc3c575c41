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

/** Exit codes, documented in the README. */
export const ExitCode = {
  ok: 0,
  internalError: 1,
  badUsage: 2,
} as const;

/** A usage error: printed with the command's help, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Whether to use colour: only on a terminal, and never when NO_COLOR is set. */
export function useColor(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) && !io.env.NO_COLOR && io.env.TERM !== 'dumb';
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
