import { redact } from '@ctd/core';
import { COMMANDS } from './commands/index.ts';
import { type CliIo, ExitCode, UsageError } from './io.ts';

const VERSION = '0.1.0';

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `ctd ${VERSION}: find, check and use the AI-CLI logins you already have.

Usage: ctd <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run \`ctd <command> --help\` for a command's options.
Exit codes: 0 ok, 2 bad usage, 1 internal error.
`;
}

/**
 * Runs the CLI with the given arguments; returns the exit code. Never calls process.exit itself.
 */
export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(mainHelp());
    return name ? ExitCode.ok : ExitCode.badUsage;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return ExitCode.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`ctd: unknown command "${name}"\n\n${mainHelp()}`);
    return ExitCode.badUsage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.help}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(
        `ctd ${command.name}: ${error.message}\nRun \`ctd ${command.name} --help\` for usage.\n`,
      );
      return ExitCode.badUsage;
    }
    // Secrets never reach error messages by design; redact known env secrets anyway as a last guard.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const code = (error as { code?: string } | null)?.code;
    io.stderr.write(
      `ctd ${command.name}: internal error${code ? ` [${code}]` : ''}: ${redact(message, secretLikeEnvValues(io.env))}\n`,
    );
    return ExitCode.internalError;
  }
}

function secretLikeEnvValues(env: CliIo['env']): string[] {
  return Object.entries(env)
    .filter(([k, v]) => v && /KEY|TOKEN|SECRET/i.test(k))
    .map(([, v]) => v as string);
}
