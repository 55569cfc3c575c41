import { parseArgs } from 'node:util';
import { usageError } from './io.ts';

type OptionSpec = { type: 'boolean' | 'string'; short?: string; multiple?: boolean };

/**
 * Parses a command's arguments strictly: an unknown option, or more positional arguments than
 * `maxPositionals`, is a usage error (exit 2), so that `ctd scan foo` does not silently scan.
 */
export function parseCommandArgs<T extends Record<string, OptionSpec>>(
  args: string[],
  options: T,
  maxPositionals = 0,
) {
  let parsed: ReturnType<
    typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
  >;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw usageError(
      error instanceof Error ? error.message.replace(/\. To specify a positional.*$/s, '') : String(error),
    );
  }
  const extra = parsed.positionals[maxPositionals];
  if (extra !== undefined) throw usageError(`unexpected argument "${extra}"`);
  return parsed;
}
