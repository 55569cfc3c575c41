import { isAbsolute } from 'node:path';
import { ExitCode, escapeControlChars, exitCodeForError, redact, toCtdError } from '@ctd/core';
import pkg from '../package.json' with { type: 'json' };
import { COMMANDS } from './commands/index.ts';
import type { Command } from './commands/types.ts';
import { type CliIo, usageError } from './io.ts';
import { didYouMean } from './suggest.ts';
import { formatHelp } from './text.ts';

/** The version of this command, from its package.json. */
export const VERSION: string = pkg.version;

const EXIT_CODES = `Exit codes: 0 ok, 1 failure (e.g. an unusable history file), 2 bad usage or an unknown id,
3 \`ctd scan --check\` found a credential that is not valid.`;

async function mainHelp(): Promise<string> {
  const commands = await Promise.all(COMMANDS.map((c) => c.load()));
  const width = Math.max(...commands.map((c) => c.name.length));
  return `ctd ${VERSION}: find, check and use the AI-CLI logins you already have.

Usage: ctd <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help     show this help; \`ctd help <command>\` shows a command's
  -V, --version  print the version

${EXIT_CODES}
`;
}

function findCommand(name: string): Promise<Command> {
  const command = COMMANDS.find((c) => c.name === name);
  if (command) return command.load();
  const guess = didYouMean(
    name,
    COMMANDS.map((c) => c.name),
  );
  throw usageError(
    `unknown command "${name}"${guess ? `. Did you mean "${guess}"?` : ''}; one of: ${COMMANDS.map((c) => c.name).join(', ')}`,
  );
}

/** `--help` or `-h` among a command's arguments (before a `--`, after which everything is an operand). */
function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * `HOME` set to an empty or relative path would make every default location relative to the
 * working directory: a scan would read the CLIs' stores under `./` and the history would be
 * written to `./.openclaw`. That is a broken environment, not a home: refuse it.
 */
function checkEnvironment(env: CliIo['env']): void {
  const home = env.HOME;
  if (home !== undefined && !isAbsolute(home)) {
    throw usageError(
      `HOME is ${home === '' ? 'empty' : `a relative path ("${home}")`}: set it to your home directory (an absolute path)`,
    );
  }
}

/**
 * Runs the CLI with the given arguments; returns the exit code. Never calls process.exit itself.
 * Every error ends here, as a `CtdError` whose code picks the exit code (`exitCodeForError`).
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  let command: Command | undefined;
  try {
    if (name === undefined || name === '-h' || name === '--help') {
      io.stdout.write(`${formatHelp((await mainHelp()).trimEnd())}\n`);
      return ExitCode.OK;
    }
    if (name === '-V' || name === '--version') {
      io.stdout.write(`${VERSION}\n`);
      return ExitCode.OK;
    }
    if (name === 'help') {
      const [topic, extra] = rest;
      if (extra !== undefined) throw usageError(`unexpected argument "${extra}"`);
      io.stdout.write(
        `${formatHelp((topic === undefined ? await mainHelp() : (await findCommand(topic)).help).trimEnd())}\n`,
      );
      return ExitCode.OK;
    }
    if (name.startsWith('-')) throw usageError(`unknown option "${name}" (a command comes first)`);
    command = await findCommand(name);
    if (wantsHelp(rest)) {
      io.stdout.write(`${formatHelp(command.help)}\n`);
      return ExitCode.OK;
    }
    checkEnvironment(io.env);
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, command, io);
  }
}

/** Prints an error as one line (redacted, control characters escaped) and returns its exit code. */
export function reportError(error: unknown, command: Command | undefined, io: CliIo): number {
  const e = toCtdError(error);
  const who = command ? `ctd ${command.name}` : 'ctd';
  // Secrets never reach error messages by design; redact known env secrets anyway as a last guard.
  const clean = (text: string) => escapeControlChars(redact(text, secretLikeEnvValues(io.env)));
  if (e.code === 'BAD_USAGE') {
    const help = command ? `ctd help ${command.name}` : 'ctd help';
    io.stderr.write(`${who}: ${clean(e.message)}\nRun \`${help}\` for usage.\n`);
  } else if (e.code === 'INTERNAL') {
    const cause = e.cause instanceof Error ? `${e.cause.name}: ` : '';
    io.stderr.write(`${who}: internal error: ${clean(cause + e.message)}\n`);
  } else {
    io.stderr.write(`${who}: ${clean(e.message)} [${e.code}]\n`);
  }
  return exitCodeForError(e);
}

function secretLikeEnvValues(env: CliIo['env']): string[] {
  return Object.entries(env)
    .filter(([k, v]) => v && v.length >= 8 && /KEY|TOKEN|SECRET|PASSWORD/i.test(k))
    .map(([, v]) => v as string);
}
