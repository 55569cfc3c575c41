// Runs `main` in-process with an in-memory terminal, for the tests of this package.
import { PassThrough } from 'node:stream';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

/** The terminal a test run pretends to have. */
export interface FakeTerminal {
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
  stdinTTY?: boolean;
  /** The terminal's width; undefined as on a pipe. */
  columns?: number;
  /** What the user types (stdin is ended after it). */
  answer?: string;
}

/** What a run printed, and its exit code. */
export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ctd <args>` in this process with `env` and a fake terminal. */
export async function runCtd(
  args: string[],
  env: Record<string, string | undefined>,
  term: FakeTerminal = {},
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const stdin = Object.assign(new PassThrough(), { isTTY: term.stdinTTY ?? false });
  if (term.answer !== undefined) stdin.end(term.answer);
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: term.stdoutTTY ?? false, columns: term.columns },
    stderr: { write: (s: string) => (stderr += s), isTTY: term.stderrTTY ?? false },
    stdin,
    env,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
