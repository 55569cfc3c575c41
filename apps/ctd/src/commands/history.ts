import { existsSync } from 'node:fs';
import { CtdError, hashPrefix } from '@ctd/core';
import {
  type FileHistoryStore,
  type HistoryEntry,
  type HistoryNotice,
  openHistoryStore,
  resolveHistoryPath,
} from '@ctd/history';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, ExitCode, palette, UsageError, useColor } from '../io.ts';
import { renderTable } from '../table.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd history [options]
       ctd history clear [<id>] [--yes]

Show how each credential has been used: one line per credential with a hash prefix, uses,
successes, failures, status and cooldown. Secrets are never stored: the history keeps the
SHA-256 of each secret only.

\`ctd history clear\` deletes all history, or one credential's (by id or a hash prefix of at
least 8 characters). It asks for confirmation on a terminal; pass --yes in scripts.

Options:
  --json            print the whole history as JSON (hashes, counts, statuses)
  --file <path>     the history file (default: $CTD_HISTORY_FILE, else
                    $OPENCLAW_STATE_DIR/cli-token-history.json, else ~/.openclaw/cli-token-history.json)
  -y, --yes         clear without asking
  -h, --help        show this help

Exit codes: 0 ok, 2 bad usage (or an unknown id), 1 the history file could not be used.`;

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
  return at === null ? '-' : `${span(now - at)} ago`;
}

/** Writes the store's notices (a corrupt file moved aside, permissions tightened) to stderr. */
export function printNotices(io: CliIo, command: string, notices: readonly HistoryNotice[]): void {
  const c = palette(useColor({ ...io, stdout: io.stderr }));
  for (const n of notices) io.stderr.write(`${c.yellow(`ctd ${command}:`)} ${n.message} [${n.code}]\n`);
}

/**
 * Opens the history file for a command, or returns null when there is none yet (so that reading
 * commands create nothing). Errors the user can act on (a newer file, an unreadable one) become
 * a message on stderr and exit code 1.
 */
export async function openForCommand(
  io: CliIo,
  command: string,
  file: string | undefined,
): Promise<{ store: FileHistoryStore | null; path: string } | number> {
  const path = resolveHistoryPath({ file, env: io.env });
  if (!existsSync(path)) return { store: null, path };
  try {
    const store = await openHistoryStore({ file, env: io.env, flushIntervalMs: 0 });
    printNotices(io, command, store.notices);
    return { store, path };
  } catch (error) {
    if (!(error instanceof CtdError)) throw error;
    io.stderr.write(`ctd ${command}: ${error.message} [${error.code}]\n`);
    return ExitCode.internalError;
  }
}

function statusText(e: HistoryEntry, now: number, c: ReturnType<typeof palette>): string {
  const parts: string[] = [];
  parts.push(e.status === 'active' ? c.green('active') : c.red(e.status));
  if (e.cooldownUntil !== null && e.cooldownUntil > now) {
    parts.push(
      c.yellow(`cooling ${span(e.cooldownUntil - now)} (${(e.cooldownCause ?? '').replace('_', ' ')})`),
    );
  }
  const models = Object.entries(e.modelCooldowns).filter(([, m]) => m.until > now);
  if (models.length) parts.push(c.yellow(`${models.length} model${models.length === 1 ? '' : 's'} cooling`));
  if (e.needs) parts.push(c.yellow(`needs ${e.needs}`));
  return parts.join(', ');
}

function renderHistory(entries: readonly HistoryEntry[], path: string, io: CliIo, now: number): string {
  const c = palette(useColor(io));
  const rows = entries.map((e) => [
    e.id,
    hashPrefix(e.hash),
    String(e.usageCount),
    String(e.successes),
    String(e.failures),
    statusText(e, now, c),
    ago(e.lastUsed, now),
    ago(e.lastSeen, now),
  ]);
  const lines = [
    c.bold(`History of ${entries.length} credential${entries.length === 1 ? '' : 's'}`) +
      c.dim(` (${path}):`),
    renderTable(['ID', 'HASH', 'USES', 'OK', 'FAIL', 'STATUS', 'LAST USED', 'LAST SEEN'], rows),
  ];
  const reasons = entries.filter((e) => e.status !== 'active' && e.statusReason);
  for (const e of reasons) lines.push(c.dim(`  ${e.id}: ${e.status}: ${e.statusReason}`));
  return `${lines.join('\n')}\n`;
}

/** Finds the entry a user named: an exact id, or a unique hash prefix (8+ hex characters). */
function findEntry(entries: readonly HistoryEntry[], wanted: string): HistoryEntry {
  const exact = entries.find((e) => e.id === wanted);
  if (exact) return exact;
  const prefix = wanted.toLowerCase();
  if (/^[0-9a-f]{8,64}$/.test(prefix)) {
    const matches = entries.filter((e) => e.hash.startsWith(prefix));
    if (matches.length === 1) return matches[0] as HistoryEntry;
    if (matches.length > 1)
      throw new UsageError(`hash prefix "${wanted}" matches ${matches.length} credentials`);
  }
  throw new UsageError(`no history for "${wanted}"; run \`ctd history\` to list the ids`);
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
    throw new UsageError('not on a terminal, so cannot ask for confirmation: pass --yes to clear');
  }
  const opened = await openForCommand(io, 'history', file);
  if (typeof opened === 'number') return opened;
  const { store, path } = opened;
  if (!store) {
    if (target !== undefined)
      throw new UsageError(`no history for "${target}" (there is no history file yet)`);
    io.stdout.write(`No history to clear (${path} does not exist).\n`);
    return ExitCode.ok;
  }
  try {
    const entries = store.list();
    const entry = target === undefined ? undefined : findEntry(entries, target);
    const what = entry ? `the history of ${entry.id}` : `all history (${entries.length} credentials)`;
    if (!yes) {
      io.stdout.write(`Clear ${what} from ${path}? [y/N] `);
      const answer = (await readAnswer(io.stdin)).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        io.stdout.write('Nothing cleared.\n');
        return ExitCode.ok;
      }
    }
    const removed = await store.clear(entry?.id);
    io.stdout.write(
      `Cleared ${entry ? `the history of ${entry.id}` : `${removed} credential${removed === 1 ? '' : 's'}`}.\n`,
    );
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}

/** `ctd history` and `ctd history clear`. */
export const historyCommand: Command = {
  name: 'history',
  summary: 'show (or clear) how each credential has been used: hashes, counts, statuses',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      file: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
    });
    const file = values.file as string | undefined;
    const [sub, target, ...extra] = positionals;
    if (sub === 'clear') {
      if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
      return clear(io, target, Boolean(values.yes), file);
    }
    if (sub !== undefined)
      throw new UsageError(`unknown subcommand "${sub}"; did you mean \`ctd history clear\`?`);
    const opened = await openForCommand(io, 'history', file);
    if (typeof opened === 'number') return opened;
    const { store, path } = opened;
    if (!store) {
      if (values.json) {
        io.stdout.write(
          `${JSON.stringify({ format: 'ctd-cli-token-history', schemaVersion: 1, records: {} }, null, 2)}\n`,
        );
      } else {
        io.stdout.write(
          `No history yet (${path} does not exist). It is written as credentials are scanned and used.\n`,
        );
      }
      return ExitCode.ok;
    }
    try {
      if (values.json) {
        io.stdout.write(`${JSON.stringify(store.exportJson(), null, 2)}\n`);
      } else {
        const entries = store.list();
        io.stdout.write(
          entries.length
            ? renderHistory(entries, path, io, Date.now())
            : `The history in ${path} is empty.\n`,
        );
      }
      return ExitCode.ok;
    } finally {
      await store.close();
    }
  },
};
