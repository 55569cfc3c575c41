import { ExitCode, escapeControlCharsDeep, hashPrefix } from '@ctd/core';
import type { StatusOutput } from '@ctd/service';
import { parseCommandArgs } from '../args.ts';
import { outputWidth, type Palette, palette, toJson, useColor } from '../io.ts';
import { openService } from '../service.ts';
import { type Column, renderTable } from '../table.ts';
import { wrap } from '../text.ts';
import { ago, span } from './history.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd status [options]

Every credential known on this machine, without a network call: what an offline scan finds now,
merged with the usage history (credentials seen before but gone now are listed too). For each:
its last check and status, uses and success rate, last use and any cooldown. Run \`ctd scan\` to
check the credentials with their providers.

Options:
  --json            print the status as JSON (the service's status: credentials, sources, issues)
  --file <path>     the history file (see \`ctd help history\`)
  --wide            show every column in full (by default the table fits the terminal)
  --check           exit with code 3 when any credential on this machine is expired, expiring
                    (inside \`expiryWarningHours\`, 24 h by default, for tokens nothing renews),
                    invalid or needs a new login (for scripts and monitoring; no network call)
  -h, --help        show this help

Exit codes: 0 ok, 1 the history file could not be used, 2 bad usage, 3 with --check: a
credential needs attention.`;

/** The expiry states and statuses that fail \`ctd status --check\`. */
const CHECK_FAILS = new Set(['expired', 'expiring', 'invalid', 'needs_login', 'no_access']);

/** The credentials on this machine that need attention (\`--check\`): expired, expiring, invalid or needing a login. */
export function needingAttention(status: StatusOutput): StatusOutput['credentials'] {
  return status.credentials.filter(
    (r) => r.inLastScan && (CHECK_FAILS.has(r.status) || (r.expiry !== undefined && r.expiry.state !== 'ok')),
  );
}

type Row = StatusOutput['credentials'][number];

const TONE: Readonly<Record<string, keyof Palette>> = {
  valid: 'green',
  refreshable: 'yellow',
  rate_limited: 'yellow',
  quota_exhausted: 'yellow',
  invalid: 'red',
  expired: 'red',
  no_access: 'red',
  needs_login: 'red',
  unknown: 'dim',
  unchecked: 'dim',
};

// On a narrow terminal the usage columns stay longest: they are what status is for.
const COLUMNS: Column[] = [
  { header: 'SOURCE' },
  { header: 'PROVIDER', min: 6 },
  { header: 'WHAT', min: 6, dropOrder: 4 },
  { header: 'ACCOUNT', min: 6, dropOrder: 3 },
  { header: 'HASH', dropOrder: 1 },
  { header: 'STATUS' },
  { header: 'CHECKED', dropOrder: 2 },
  { header: 'SEEN' },
  { header: 'USES' },
  { header: 'SUCCESS', dropOrder: 6 },
  { header: 'LAST USED', dropOrder: 5 },
  { header: 'COOLDOWN', min: 6 },
];

const rate = (r: Row) =>
  r.usage.successes + r.usage.failures === 0
    ? '-'
    : `${Math.round((100 * r.usage.successes) / (r.usage.successes + r.usage.failures))}%`;

const at = (iso: string | null | undefined) => (iso ? Date.parse(iso) : null);

/** Renders `ctd status` for a person. Every string of `status` must already be escaped. */
export function renderStatus(
  status: StatusOutput,
  c: Palette,
  width: number | undefined,
  now: number,
): string {
  const rows = status.credentials.map((r) => [
    r.source,
    r.provider,
    r.label ?? '-',
    [r.account?.email ?? r.account?.accountId ?? r.account?.userId, r.account?.plan]
      .filter(Boolean)
      .join(' · ') || '-',
    hashPrefix(r.hash),
    { text: r.status, style: c[TONE[r.status] ?? 'dim'] },
    ago(at(r.lastCheck?.checkedAt), now),
    r.inLastScan ? 'now' : ago(at(r.lastSeen), now),
    String(r.usage.count),
    rate(r),
    ago(at(r.usage.lastUsed), now),
    r.cooldownUntil
      ? {
          text: `${span(Date.parse(r.cooldownUntil) - now)}${r.cooldownCause ? ` (${r.cooldownCause.replace('_', ' ')})` : ''}`,
          style: c.yellow,
        }
      : '-',
  ]);
  const found = status.credentials.filter((r) => r.inLastScan).length;
  const title =
    `${status.credentials.length} credential${status.credentials.length === 1 ? '' : 's'} known` +
    ` (${found} on this machine now, ${status.credentials.length - found} from the history only);` +
    (status.historyFile ? ` history: ${status.historyFile}` : ' no history yet');
  const lines = [
    ...wrap(title, width ?? Number.POSITIVE_INFINITY).map(c.bold),
    renderTable(COLUMNS, rows, width),
  ];
  const attention = needingAttention(status);
  if (attention.length) {
    lines.push(
      '',
      c.yellow(
        c.bold(`${attention.length} credential${attention.length === 1 ? ' needs' : 's need'} attention:`),
      ),
    );
    for (const r of attention) {
      const state = r.expiry && r.expiry.state !== 'ok' ? r.expiry.state : r.status;
      const why = r.expiry && r.expiry.state !== 'ok' ? r.expiry.reason : (r.lastCheck?.reason ?? r.status);
      lines.push(
        ...wrap(
          `${r.source} ${r.label ?? r.provider} ${hashPrefix(r.hash)}: ${state.replace('_', ' ')} (${why}); \`ctd refresh ${r.source}\` says how to renew it`,
          width ?? Number.POSITIVE_INFINITY,
          `  ${c.yellow('!')} `,
          '    ',
        ),
      );
    }
  }
  const errors = status.issues.filter((i) => i.severity === 'error');
  if (errors.length) {
    lines.push(
      '',
      c.red(c.bold(`${errors.length} problem${errors.length === 1 ? '' : 's'} reading the stores:`)),
    );
    for (const i of errors)
      lines.push(
        ...wrap(
          `[${i.source}] ${i.path ? `${i.path}: ` : ''}${i.message} (${i.code})`,
          width ?? Number.POSITIVE_INFINITY,
          `  ${c.red('✗')} `,
          '    ',
        ),
      );
  }
  return `${lines.join('\n')}\n`;
}

/** `ctd status`. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'every known credential: last check, usage, cooldown (offline)',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      file: { type: 'string' },
      wide: { type: 'boolean' },
      check: { type: 'boolean' },
    });
    const opened = await openService(io, 'status', { history: 'read', file: values.file });
    let status: StatusOutput;
    try {
      status = await opened.service.status();
    } finally {
      await opened.close();
    }
    const verdict = values.check && needingAttention(status).length > 0 ? ExitCode.CHECK_FAILED : ExitCode.OK;
    if (values.json) {
      io.stdout.write(toJson(status));
      return verdict;
    }
    if (status.credentials.length === 0) {
      io.stdout.write(
        `No credentials on this machine, and none in the history (${escapeControlCharsDeep(opened.historyPath)}). Run \`ctd scan\` to look and check.\n`,
      );
      return ExitCode.OK;
    }
    io.stdout.write(
      renderStatus(
        escapeControlCharsDeep(status),
        palette(useColor(io)),
        outputWidth(io, Boolean(values.wide)),
        Date.now(),
      ),
    );
    return verdict;
  },
};
