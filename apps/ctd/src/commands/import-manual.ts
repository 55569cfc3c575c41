import { DEFAULT_VALIDATION_TIMEOUT_MS, ExitCode, escapeControlCharsDeep, hashPrefix } from '@ctd/core';
import { ALL_ADAPTERS } from '@ctd/scanners';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, palette, toJson, usageError, useColor } from '../io.ts';
import { openService } from '../service.ts';
import type { Command } from './types.ts';

/** The CLIs whose keys can be pasted, from the adapter list. */
const PASTEABLE = ALL_ADAPTERS.filter((a) => a.recognizePasted).map((a) => a.id);

const HELP = `Usage: ctd import-manual <cli> -
       ctd import-manual <cli> <token>

Check a key or token you paste with the provider of that CLI, and record it in the usage
history (hash only). <cli> is a source id or its short name (${PASTEABLE.join(', ')}).

With \`-\` the token is read from standard input, so that it stays out of your shell history
and the process list: \`pbpaste | ctd import-manual ${PASTEABLE[0] ?? '<cli>'} -\`.

Options:
  --json            print the result as JSON (masked preview and hash, never the token)
  --timeout <ms>    timeout of the check (default ${DEFAULT_VALIDATION_TIMEOUT_MS})
  -h, --help        show this help

Exit codes: 0 the check ran (see its status), 1 failure, 2 bad usage,
3 the provider did not accept the token.`;

async function readStdin(stdin: CliIo['stdin']): Promise<string> {
  let raw = '';
  for await (const chunk of stdin) {
    raw += String(chunk);
    if (raw.length > 64 * 1024) throw usageError('standard input holds more than a token (over 64 KiB)');
  }
  return raw.trim();
}

/** `ctd import-manual`. */
export const importManualCommand: Command = {
  name: 'import-manual',
  summary: 'check a pasted key or token with its provider and record it',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' }, timeout: { type: 'string' } },
      2,
    );
    const [cli, tokenArg] = positionals;
    if (cli === undefined || tokenArg === undefined)
      throw usageError('wants a CLI and a token (or - to read it from standard input)');
    const timeoutMs = values.timeout === undefined ? undefined : Number(values.timeout);
    if (timeoutMs !== undefined && (!/^\d+$/.test(values.timeout ?? '') || timeoutMs <= 0))
      throw usageError(`--timeout wants a positive number of milliseconds, not "${values.timeout}"`);
    const token = tokenArg === '-' ? await readStdin(io.stdin) : tokenArg;
    const opened = await openService(io, 'import-manual', {
      history: 'write',
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    let credential: Awaited<ReturnType<typeof opened.service.importManual>>['credential'];
    try {
      ({ credential } = await opened.service.importManual({ cli, token }));
    } finally {
      await opened.close();
    }
    if (values.json) {
      io.stdout.write(toJson({ credential }));
    } else {
      const c = palette(useColor(io));
      const v = escapeControlCharsDeep(credential);
      const status = v.validation?.status ?? 'unchecked';
      io.stdout.write(
        `${v.label} ${v.preview} (${hashPrefix(v.hash)}): ${status === 'valid' ? c.green(status) : c.red(status)}${v.validation ? ` (${v.validation.reason})` : ''}\n`,
      );
    }
    return credential.validation?.status === 'valid' ? ExitCode.OK : ExitCode.CHECK_FAILED;
  },
};
