import { parseArgs } from 'node:util';
import { UsageError } from './io.ts';

type OptionSpec = { type: 'boolean' | 'string'; short?: string; multiple?: boolean };

/**
 * Parses a command's arguments strictly; unknown options become a UsageError (exit 2).
 */
export function parseCommandArgs<T extends Record<string, OptionSpec>>(args: string[], options: T) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error),
    );
  }
}
