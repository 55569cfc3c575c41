import type { CliIo } from '../io.ts';

/** A `ctd` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full help text (`ctd help <name>`, `ctd <name> --help`). */
  readonly help: string;
  /** Runs the command; returns the exit code. Throws (a `CtdError`, `BAD_USAGE` for bad usage) on failure. */
  run(args: string[], io: CliIo): Promise<number>;
}
