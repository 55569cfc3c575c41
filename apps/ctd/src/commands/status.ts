import type { HistoryEntry } from '@ctd/history';
import { parseCommandArgs } from '../args.ts';
import { ExitCode, palette, useColor } from '../io.ts';
import { renderTable } from '../table.ts';
import { ago, openForCommand, span } from './history.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd status [options]

A summary of the usage history per source and provider: how many credentials, how many are
active, cooling down, in need of a refresh or re-validation, or expired/invalid/revoked; total
uses and success rate. Reads the history only (run \`ctd scan\` to record what is on this machine).

Options:
  --json            print the summary as JSON
  --file <path>     the history file (see \`ctd history --help\`)
  -h, --help        show this help

Exit codes: 0 ok, 2 bad usage, 1 the history file could not be used.`;

/** One source × provider line of the summary. */
export interface StatusGroup {
  source: string;
  provider: string;
  credentials: number;
  active: number;
  coolingDown: number;
  needsRefresh: number;
  needsRevalidation: number;
  expired: number;
  invalid: number;
  revoked: number;
  uses: number;
  successes: number;
  failures: number;
  /** When the earliest cooling credential of the group is free again (ISO 8601). */
  nextFreeAt: string | null;
  lastUsed: string | null;
}

/** Summarizes history entries per source and provider, sorted by source then provider. */
export function summarize(entries: readonly HistoryEntry[], now: number): StatusGroup[] {
  const groups = new Map<string, StatusGroup & { nextFree: number | null; last: number | null }>();
  for (const e of entries) {
    const key = `${e.source}\u0000${e.provider}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        source: e.source,
        provider: e.provider,
        credentials: 0,
        active: 0,
        coolingDown: 0,
        needsRefresh: 0,
        needsRevalidation: 0,
        expired: 0,
        invalid: 0,
        revoked: 0,
        uses: 0,
        successes: 0,
        failures: 0,
        nextFreeAt: null,
        lastUsed: null,
        nextFree: null,
        last: null,
      };
      groups.set(key, g);
    }
    g.credentials++;
    if (e.status === 'active') g.active++;
    else g[e.status]++;
    if (e.status === 'active' && e.cooldownUntil !== null && e.cooldownUntil > now) {
      g.coolingDown++;
      if (g.nextFree === null || e.cooldownUntil < g.nextFree) g.nextFree = e.cooldownUntil;
    }
    if (e.needs === 'refresh') g.needsRefresh++;
    if (e.needs === 'revalidation') g.needsRevalidation++;
    g.uses += e.usageCount;
    g.successes += e.successes;
    g.failures += e.failures;
    if (e.lastUsed !== null && (g.last === null || e.lastUsed > g.last)) g.last = e.lastUsed;
  }
  return [...groups.values()]
    .sort((a, b) => a.source.localeCompare(b.source) || a.provider.localeCompare(b.provider))
    .map(({ nextFree, last, ...g }) => ({
      ...g,
      nextFreeAt: nextFree === null ? null : new Date(nextFree).toISOString(),
      lastUsed: last === null ? null : new Date(last).toISOString(),
    }));
}

const rate = (g: StatusGroup) =>
  g.successes + g.failures === 0 ? '-' : `${Math.round((100 * g.successes) / (g.successes + g.failures))}%`;

/** `ctd status`. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'a summary per source and provider: active, cooling down, needing attention, usage',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' }, file: { type: 'string' } });
    const opened = await openForCommand(io, 'status', values.file as string | undefined);
    if (typeof opened === 'number') return opened;
    const { store, path } = opened;
    const now = Date.now();
    const entries = store ? store.list() : [];
    await store?.close();
    const groups = summarize(entries, now);
    if (values.json) {
      const report = { version: 1, generatedAt: new Date(now).toISOString(), historyFile: path, groups };
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      return ExitCode.ok;
    }
    if (groups.length === 0) {
      io.stdout.write(`No credentials in the history yet (${path}). Run \`ctd scan\` to record them.\n`);
      return ExitCode.ok;
    }
    const c = palette(useColor(io));
    const rows = groups.map((g) => [
      g.source,
      g.provider,
      String(g.credentials),
      g.active ? c.green(String(g.active)) : '0',
      g.coolingDown
        ? c.yellow(`${g.coolingDown} (free in ${span(Date.parse(g.nextFreeAt ?? '') - now)})`)
        : '0',
      g.needsRefresh + g.needsRevalidation ? c.yellow(String(g.needsRefresh + g.needsRevalidation)) : '0',
      g.expired + g.invalid + g.revoked ? c.red(String(g.expired + g.invalid + g.revoked)) : '0',
      String(g.uses),
      rate(g),
      ago(g.lastUsed === null ? null : Date.parse(g.lastUsed), now),
    ]);
    io.stdout.write(
      `${c.bold('Credentials by source and provider')}${c.dim(` (${path}):`)}\n${renderTable(
        [
          'SOURCE',
          'PROVIDER',
          'CREDS',
          'ACTIVE',
          'COOLING',
          'ATTENTION',
          'INACTIVE',
          'USES',
          'SUCCESS',
          'LAST USED',
        ],
        rows,
      )}\n`,
    );
    return ExitCode.ok;
  },
};
