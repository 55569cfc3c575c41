import type { CliIo } from '../io.ts';

/** A `ctd` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full help text (`ctd <name> --help`). */
  readonly help: string;
  /** Runs the command; returns the exit code. Throws UsageError for bad usage. */
  run(args: string[], io: CliIo): Promise<number>;
}
