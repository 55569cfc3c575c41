import { ExitCode, escapeControlChars, hashPrefix } from '@ctd/core';
import { type BackgroundEvent, startBackground } from '@ctd/service';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, palette, useColor } from '../io.ts';
import { onInterrupt } from '../lifecycle.ts';
import { openService } from '../service.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd watch [options]

Watches every CLI's credential files and keeps the logins alive until Ctrl-C: when a store
changes (a new login, a refresh by the CLI itself, a file replaced or deleted), that CLI's store is
scanned, checked and recorded again; OAuth logins are refreshed when their CLI would refresh them
(under the CLI's own lock, written back to its store); and a credential that becomes expiring
(inside 24 h for tokens nothing renews), expired, invalid or in need of a login is reported once.

Options:
  --offline         do not check credentials with their providers (and do not refresh)
  --no-refresh      do not refresh OAuth logins (only watch and report)
  --json            one JSON object per line: watching (after the first scan), then each
                    event (reimported, refreshed, needs_login, expiry, error)
  --file <path>     the history file (see \`ctd help history\`)
  -h, --help        show this help

Exit codes: 0 stopped (Ctrl-C or SIGTERM), 1 the history file could not be used, 2 bad usage.`;

/** One event as a line for a person (escaped). */
export function eventLine(e: BackgroundEvent): string {
  const esc = escapeControlChars;
  switch (e.type) {
    case 'reimported':
      return `${esc(e.source)}: store changed, scanned again in ${e.latencyMs} ms (${e.found} found, ${e.imported} imported)`;
    case 'refreshed':
      return `${esc(e.outcome.source)}: ${esc(e.outcome.credentialId)} ${e.outcome.status.replace('-', ' ')}${e.outcome.expiresAt ? `, expires ${e.outcome.expiresAt}` : ''}`;
    case 'needs_login':
      return `${esc(e.outcome.source)}: ${esc(e.outcome.credentialId)} needs a new login (${esc(e.outcome.reason)}); \`ctd refresh ${esc(e.outcome.source)}\` says how`;
    case 'expiry':
      return `${esc(e.alert.source)}: ${esc(e.alert.credentialId)} ${hashPrefix(e.alert.hash)} is ${e.alert.state.replace('_', ' ')}: ${esc(e.alert.reason)}`;
    case 'error':
      return `error [${esc(e.code)}]: ${esc(e.message)}`;
  }
}

/** Runs `ctd watch` until `signal` aborts, Ctrl-C or SIGTERM. For the command and its tests. */
export async function runWatch(
  io: CliIo,
  options: { offline: boolean; refresh: boolean; json: boolean; file?: string | undefined },
  signal: AbortSignal,
): Promise<number> {
  const c = palette(useColor(io));
  const opened = await openService(io, 'watch', { history: 'write', file: options.file });
  const write = (e: BackgroundEvent) => {
    if (options.json) io.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), ...e })}\n`);
    else io.stdout.write(`${c.dim(new Date().toISOString())} ${eventLine(e)}\n`);
  };
  const background = await startBackground(opened.service, {
    env: io.env,
    watch: true,
    autoRefresh: options.refresh && !options.offline,
    // --offline promises no network access: a changed store is not checked either.
    ...(options.offline ? { validate: false } : {}),
    persistent: true,
    onEvent: write,
  });
  try {
    const first = await opened.service.scan({ validate: !options.offline });
    if (options.json) {
      io.stdout.write(
        `${JSON.stringify({ at: new Date().toISOString(), type: 'watching', found: first.summary.found, refreshing: background.refreshing })}\n`,
      );
    } else {
      io.stdout.write(
        `Watching ${first.summary.found} credential${first.summary.found === 1 ? '' : 's'}' stores${background.refreshing ? ', refreshing OAuth logins when due' : ''}. Ctrl-C stops.\n`,
      );
    }
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
      const off = onInterrupt(() => resolve());
      signal.addEventListener('abort', off, { once: true });
    });
    return ExitCode.OK;
  } finally {
    await background.stop();
    await opened.close();
  }
}

/** `ctd watch`. */
export const watchCommand: Command = {
  name: 'watch',
  summary: 'watch the credential files, re-check changed logins, refresh them, report expiry',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      offline: { type: 'boolean' },
      'no-refresh': { type: 'boolean' },
      json: { type: 'boolean' },
      file: { type: 'string' },
    });
    const controller = new AbortController();
    const onTerm = () => controller.abort();
    process.once('SIGTERM', onTerm);
    try {
      return await runWatch(
        io,
        {
          offline: Boolean(values.offline),
          refresh: !values['no-refresh'],
          json: Boolean(values.json),
          file: values.file,
        },
        controller.signal,
      );
    } finally {
      process.off('SIGTERM', onTerm);
    }
  },
};
