import { CtdError, ExitCode, escapeControlChars, escapeControlCharsDeep, hashPrefix } from '@ctd/core';
import {
  clearHistoryFile,
  HISTORY_FORMAT,
  HISTORY_SCHEMA_VERSION,
  type HistoryRecord,
  resolveHistoryPath,
} from '@ctd/history';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, outputWidth, type Palette, palette, toJson, usageError, useColor } from '../io.ts';
import { type CtdService, openService, printNotice } from '../service.ts';
import { type Column, renderTable } from '../table.ts';
import { wrap } from '../text.ts';
import { historyMigrateCommand } from './history-migrate.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd history [options]
       ctd history clear [<id>] [--yes]
       ctd history migrate [--to <url|file>] [--from <file|url>]

Show how each credential has been used: one line per credential with a hash prefix, uses,
successes, failures, status and cooldown. Secrets are never stored: the history keeps the
SHA-256 of each secret only.

\`ctd history clear\` deletes all history, or one credential's (by id or a hash prefix of at
least 8 characters). It asks for confirmation on a terminal; pass --yes in scripts.

\`ctd history migrate\` copies the history between the file and Redis, idempotently
(--to defaults to $CTD_HISTORY_URL; --key-prefix to $CTD_HISTORY_KEY_PREFIX). The password goes
in the URL or in $CTD_REDIS_PASSWORD and is never printed. With $CTD_HISTORY_URL set, every
command uses the history in Redis.

Options:
  --json            print the whole history as JSON (hashes, counts, statuses)
  --file <path>     the history file (default: $CTD_HISTORY_FILE, else
                    $OPENCLAW_STATE_DIR/cli-token-history.json, else ~/.openclaw/cli-token-history.json)
  --wide            show every column in full (by default the table fits the terminal)
  -y, --yes         clear without asking
  -h, --help        show this help

Exit codes: 0 ok, 1 the history file could not be used, 2 bad usage or an unknown id.`;

/** A span of time in a short human form: `45s`, `12m`, `3h`, `2d`. */
export function span(ms: number): string {
  const abs = Math.abs(ms);
  if (abs >= 86_400_000) return `${Math.round(abs / 86_400_000)}d`;
  if (abs >= 3_600_000) return `${Math.round(abs / 3_600_000)}h`;
  if (abs >= 60_000) return `${Math.round(abs / 60_000)}m`;
  return `${Math.max(1, Math.round(abs / 1000))}s`;
}

/** `5m ago`, or `-` when never. */
export function ago(at: number | null, now: number): string {
  return at === null || Number.isNaN(at) ? '-' : `${span(now - at)} ago`;
}

const ms = (iso: string | null) => (iso === null ? null : Date.parse(iso));

function statusText(
  r: HistoryRecord,
  now: number,
  c: Palette,
): { text: string; style?: (s: string) => string } {
  const parts: string[] = [r.status];
  const cooling = ms(r.cooldownUntil);
  if (cooling !== null && cooling > now)
    parts.push(`cooling ${span(cooling - now)} (${(r.cooldownCause ?? '').replace('_', ' ')})`);
  const models = Object.values(r.modelCooldowns).filter((m) => Date.parse(m.until) > now);
  if (models.length) parts.push(`${models.length} model${models.length === 1 ? '' : 's'} cooling`);
  if (r.needs) parts.push(`needs ${r.needs}`);
  const attention = r.status !== 'active' ? c.red : parts.length > 1 ? c.yellow : c.green;
  return { text: parts.join(', '), style: attention };
}

const COLUMNS: Column[] = [
  { header: 'ID', min: 16, elide: 'middle' },
  { header: 'HASH', dropOrder: 1 },
  { header: 'USES' },
  { header: 'OK' },
  { header: 'FAIL' },
  { header: 'STATUS', min: 8 },
  { header: 'LAST USED', dropOrder: 3 },
  { header: 'LAST SEEN', dropOrder: 2 },
];

/** Renders `ctd history` for a person. Every string of `records` must already be escaped. */
export function renderHistory(
  records: readonly HistoryRecord[],
  path: string,
  c: Palette,
  width: number | undefined,
  now: number,
): string {
  const rows = records.map((r) => [
    r.id,
    hashPrefix(r.hash),
    String(r.usageCount),
    String(r.successes),
    String(r.failures),
    statusText(r, now, c),
    ago(ms(r.lastUsed), now),
    ago(ms(r.lastSeen), now),
  ]);
  const title = `History of ${records.length} credential${records.length === 1 ? '' : 's'} (${path}):`;
  const lines = [
    ...wrap(title, width ?? Number.POSITIVE_INFINITY).map(c.bold),
    renderTable(COLUMNS, rows, width),
  ];
  for (const r of records.filter((r) => r.status !== 'active' && r.statusReason))
    lines.push(
      ...wrap(`${r.id}: ${r.status}: ${r.statusReason}`, width ?? Number.POSITIVE_INFINITY, '  ', '    ').map(
        c.dim,
      ),
    );
  return `${lines.join('\n')}\n`;
}

/** Finds the record a user named: an exact id, or a unique hash prefix (8+ hex characters). */
function findRecord(records: readonly HistoryRecord[], wanted: string): HistoryRecord {
  const exact = records.find((r) => r.id === wanted);
  if (exact) return exact;
  const prefix = wanted.toLowerCase();
  if (/^[0-9a-f]{8,64}$/.test(prefix)) {
    const matches = records.filter((r) => r.hash.startsWith(prefix));
    if (matches.length === 1) return matches[0] as HistoryRecord;
    if (matches.length > 1) throw usageError(`hash prefix "${wanted}" matches ${matches.length} credentials`);
  }
  throw usageError(`no history for "${wanted}"; run \`ctd history\` to list the ids`);
}

/** Reads one line from stdin (the answer to a question). */
function readAnswer(stdin: CliIo['stdin']): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const done = () => {
      stdin.off('data', onData);
      stdin.off('end', done);
      stdin.pause?.();
      resolve(text.split(/\r?\n/)[0] ?? '');
    };
    const onData = (chunk: Buffer | string) => {
      text += chunk.toString();
      if (text.includes('\n')) done();
    };
    stdin.on('data', onData);
    stdin.once('end', done);
    stdin.resume?.();
  });
}

async function clear(
  io: CliIo,
  target: string | undefined,
  yes: boolean,
  file: string | undefined,
): Promise<number> {
  if (!yes && !io.stdin.isTTY) {
    throw usageError('not on a terminal, so cannot ask for confirmation: pass --yes to clear');
  }
  let opened: CtdService;
  try {
    opened = await openService(io, 'history', { history: 'change', file });
  } catch (error) {
    // A history too large (or too damaged) to read can still be cleared, all of it: the file is
    // moved aside, not read. One credential's history cannot be found in it.
    if (target !== undefined || !(error instanceof CtdError) || error.code !== 'FILE_TOO_LARGE') throw error;
    return clearUnreadable(io, yes, file, error);
  }
  const path = escapeControlCharsDeep(opened.historyPath);
  try {
    if (!opened.store) {
      if (target !== undefined) throw usageError(`no history for "${target}" (there is no history file yet)`);
      io.stdout.write(`No history to clear (${path} does not exist).\n`);
      return ExitCode.OK;
    }
    const { records } = await opened.service.getHistory();
    const record = target === undefined ? undefined : findRecord(records as HistoryRecord[], target);
    const id = record ? escapeControlCharsDeep(record.id) : undefined;
    const what = id ? `the history of ${id}` : `all history (${records.length} credentials)`;
    if (!yes) {
      io.stdout.write(`Clear ${what} from ${path}? [y/N] `);
      const answer = (await readAnswer(io.stdin)).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        io.stdout.write('Nothing cleared.\n');
        return ExitCode.OK;
      }
    }
    const { removed } = await opened.service.clearHistory(record ? { id: record.id } : {});
    io.stdout.write(
      `Cleared ${id ? `the history of ${id}` : `${removed} credential${removed === 1 ? '' : 's'}`}.\n`,
    );
    return ExitCode.OK;
  } finally {
    await opened.close();
  }
}

/** `ctd history clear` of a history file that cannot be read: it is moved aside (after asking). */
async function clearUnreadable(
  io: CliIo,
  yes: boolean,
  file: string | undefined,
  why: CtdError,
): Promise<number> {
  const path = escapeControlChars(resolveHistoryPath({ file, env: io.env }));
  io.stderr.write(`ctd history: ${escapeControlChars(why.message)} [${why.code}]\n`);
  if (!yes) {
    io.stdout.write(`Move ${path} aside and start a fresh history? [y/N] `);
    const answer = (await readAnswer(io.stdin)).trim().toLowerCase();
    if (answer !== 'y' && answer !== 'yes') {
      io.stdout.write('Nothing cleared.\n');
      return ExitCode.OK;
    }
  }
  const result = await clearHistoryFile({ file, env: io.env });
  for (const n of result.notices) printNotice(io, 'history', n);
  io.stdout.write(
    result.movedTo
      ? `Cleared: ${path} could not be read, so it was moved aside to ${escapeControlChars(result.movedTo)}.\n`
      : `Cleared ${result.removed ?? 0} credential${result.removed === 1 ? '' : 's'}.\n`,
  );
  return ExitCode.OK;
}

/** `ctd history` and `ctd history clear`. */
export const historyCommand: Command = {
  name: 'history',
  summary: 'how each credential was used (hashes, counts, statuses); history clear',
  help: HELP,
  async run(args, io) {
    if (args[0] === 'migrate') return historyMigrateCommand.run(args.slice(1), io);
    const { values, positionals } = parseCommandArgs(
      args,
      {
        json: { type: 'boolean' },
        file: { type: 'string' },
        yes: { type: 'boolean', short: 'y' },
        wide: { type: 'boolean' },
      },
      2,
    );
    const [sub, target] = positionals;
    if (sub === 'clear') return clear(io, target, Boolean(values.yes), values.file);
    if (sub !== undefined)
      throw usageError(`unknown subcommand "${sub}"; did you mean \`ctd history clear\`?`);
    if (values.yes) throw usageError('--yes goes with `ctd history clear`');
    const opened = await openService(io, 'history', { history: 'read', file: values.file });
    const path = escapeControlCharsDeep(opened.historyPath);
    let records: HistoryRecord[] = [];
    try {
      if (opened.store) records = (await opened.service.getHistory()).records as HistoryRecord[];
    } finally {
      await opened.close();
    }
    if (values.json) {
      const file = {
        format: HISTORY_FORMAT,
        schemaVersion: HISTORY_SCHEMA_VERSION,
        updatedAt: new Date().toISOString(),
        records: Object.fromEntries(records.map((r) => [r.id, r])),
      };
      io.stdout.write(toJson(file));
    } else if (!opened.store) {
      io.stdout.write(
        `No history yet (${path} does not exist). It is written as credentials are scanned and used.\n`,
      );
    } else {
      io.stdout.write(
        records.length
          ? renderHistory(
              escapeControlCharsDeep(records),
              path,
              palette(useColor(io)),
              outputWidth(io, Boolean(values.wide)),
              Date.now(),
            )
          : `The history in ${path} is empty.\n`,
      );
    }
    return ExitCode.OK;
  },
};
