import {
  type CheckedLocation,
  DEFAULT_VALIDATION_TIMEOUT_MS as DEFAULT_TIMEOUT_MS,
  ExitCode,
  escapeControlCharsDeep,
  hashPrefix,
  type ScanReport,
  type ValidationStatus,
} from '@ctd/core';
import { ALL_ADAPTERS } from '@ctd/scanners';
import type { ValidationProgress } from '@ctd/scanners/validate';
import type { CredentialView, ScanOutput, ValidateFn } from '@ctd/service';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, outputWidth, type Palette, palette, toJson, usageError, useColor } from '../io.ts';
import { onInterrupt } from '../lifecycle.ts';
import { openService } from '../service.ts';
import { type Column, renderTable } from '../table.ts';
import { displayWidth, elide, wrap } from '../text.ts';
import type { Command } from './types.ts';

const SOURCE_IDS = ALL_ADAPTERS.map((a) => a.id);
// Every name comes from the adapter list: a new CLI appears here without an edit.
const CLI_NAMES = ALL_ADAPTERS.filter((a) => a.id !== 'environment')
  .map((a) => a.displayName)
  .join(', ');

const HELP = `Usage: ctd scan [options]

Find the logins of AI coding CLIs on this machine (${CLI_NAMES}) and API keys in the
environment, then check each one with a read-only call to its provider (STATUS column: valid,
invalid, expired, refreshable, rate_limited, quota_exhausted, no_access, unknown). Secrets are never
printed: each credential shows a masked preview and a hash prefix.

Options:
  --json            print the report as JSON (version, scannedAt, credentials, issues); each
                    credential gains a "validation" object unless --offline
  --explain         also list every location checked, and why each was skipped
  --offline         make no network calls: find credentials without checking them
  --keychain        also read the OS keychain (Secret Service on Linux, security on macOS),
                    which may ask to unlock it or to allow access
  --cwd <dir>       where to look for the CLIs' project files (.env files and CLI
                    settings, walking up; default: the current directory)
  --check           exit with code 3 when any credential found is not valid
  --timeout <ms>    timeout of each check's request (default ${DEFAULT_TIMEOUT_MS})
  --source <id>     scan only this source (repeatable): ${SOURCE_IDS.join(', ')}
  --no-history      do not record what was found in the usage history
                    (~/.openclaw/cli-token-history.json, or $CTD_HISTORY_FILE)
  --wide            show every column in full (by default the table fits the terminal)
  -h, --help        show this help

Environment: HOME, each CLI's own path overrides (listed in the README) and each
provider's key variables are honoured.
Checks go through HTTPS_PROXY / HTTP_PROXY (except NO_PROXY hosts). Each provider's
endpoint can be pointed elsewhere with CTD_<PROVIDER>_BASE_URL, e.g. CTD_OPENAI_BASE_URL
(the full list is in docs/validation.md).

Exit codes: 0 scanned (also when nothing was found), 1 failure, 2 bad usage,
3 with --check: a credential is not valid (invalid, expired, refreshable, rate_limited,
quota_exhausted, no_access or unknown).`;

function account(c: CredentialView): string {
  const parts = [c.account.email ?? c.account.accountId ?? c.account.userId, c.account.plan].filter(Boolean);
  return parts.join(' · ') || '-';
}

function expiry(c: CredentialView, now: Date): string {
  if (!c.expiresAt) return '-';
  const ms = Date.parse(c.expiresAt) - now.getTime();
  const abs = Math.abs(ms);
  const span =
    abs >= 86_400_000
      ? `${Math.round(abs / 86_400_000)}d`
      : abs >= 3_600_000
        ? `${Math.round(abs / 3_600_000)}h`
        : `${Math.max(1, Math.round(abs / 60_000))}m`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}

const STATUS_TONE: Readonly<Record<ValidationStatus, 'green' | 'yellow' | 'red' | 'dim'>> = {
  valid: 'green',
  refreshable: 'yellow',
  rate_limited: 'yellow',
  quota_exhausted: 'yellow',
  invalid: 'red',
  expired: 'red',
  no_access: 'red',
  unknown: 'dim',
};

// The columns of the scan table, and how each gives way on a narrow terminal: the free-text columns
// are elided; the hash prefix and the expiry are left out when the rest cannot fit otherwise (as at
// 80 columns; both are in --wide and --json), and on narrower terminals the preview, account and
// label too. SOURCE, STATUS and POLICY are short words that are never cut.
const SCAN_COLUMNS = (validated: boolean): Column[] => [
  { header: 'SOURCE' },
  { header: 'PROVIDER', min: 6 },
  { header: 'WHAT', min: 6, dropOrder: 5 },
  { header: 'ACCOUNT', min: 8, dropOrder: 4 },
  { header: 'PREVIEW', min: 8, elide: 'middle', dropOrder: 3 },
  { header: 'HASH', dropOrder: 1 },
  { header: 'EXPIRES', dropOrder: 2 },
  ...(validated ? [{ header: 'STATUS' }] : []),
  { header: 'POLICY' },
];

/**
 * Renders the human-readable scan output. Every string of `output` must already be escaped
 * (escapeControlCharsDeep); `width` is the terminal's (undefined: no limit).
 */
export function renderScan(
  output: ScanOutput,
  c: Palette,
  options: { explain: boolean; validated: boolean; width: number | undefined },
): string {
  const { explain, validated } = options;
  const width = options.width ?? Number.POSITIVE_INFINITY;
  const now = new Date(output.scannedAt);
  const lines: string[] = [];
  const para = (text: string, first: string, rest: string, style: (s: string) => string = (s) => s) => {
    for (const l of wrap(text, width, first, rest)) lines.push(style(l));
  };
  const statusWord = (v: CredentialView) => (v.validation ? v.validation.status : '-');
  const tone = (v: CredentialView) => (s: string) =>
    v.validation ? c[STATUS_TONE[v.validation.status]](s) : s;
  const creds = output.credentials;
  if (creds.length > 0) {
    const rows = creds.map((cred) => [
      cred.source,
      cred.provider,
      cred.label,
      account(cred),
      cred.preview,
      hashPrefix(cred.hash),
      expiry(cred, now),
      ...(validated ? [{ text: statusWord(cred), style: tone(cred) }] : []),
      cred.policy.stance === 'allowed'
        ? ''
        : cred.policy.stance === 'forbidden'
          ? { text: 'forbidden', style: c.red }
          : { text: 'warn', style: c.yellow },
    ]);
    lines.push(
      c.bold(`Found ${creds.length} credential${creds.length === 1 ? '' : 's'}:`),
      renderTable(SCAN_COLUMNS(validated), rows, options.width),
    );
    if (validated) {
      lines.push('', c.bold('Checks:'));
      for (const cred of creds) {
        if (!cred.validation) continue;
        const word = statusWord(cred);
        para(
          `${cred.source}/${cred.provider} ${cred.label}: ${cred.validation.reason}`,
          `  ${tone(cred)(word)} `,
          '    ',
        );
      }
    }
    // One line per policy note, naming every source it applies to (the same provider's note
    // would otherwise repeat for each CLI that holds such a login).
    const notes = new Map<string, { who: string[]; asOf: string }>();
    for (const cred of creds) {
      if (cred.policy.stance === 'allowed') continue;
      const entry = notes.get(cred.policy.note) ?? { who: [], asOf: cred.policy.asOf };
      const who = `${cred.source}/${cred.provider}`;
      if (!entry.who.includes(who)) entry.who.push(who);
      notes.set(cred.policy.note, entry);
    }
    for (const [note, { who, asOf }] of notes)
      para(`${who.join(', ')}: ${note} (as of ${asOf})`, '  ! ', '    ', c.yellow);
  } else {
    lines.push(c.bold('No AI-CLI logins or API keys found.'), '', 'Looked for:');
    const bySource = new Map<string, string[]>();
    for (const loc of output.locations ?? []) {
      const list = bySource.get(loc.source) ?? [];
      if (!loc.location.startsWith('$')) list.push(loc.location);
      bySource.set(loc.source, list);
    }
    for (const adapter of ALL_ADAPTERS.filter((a) => bySource.has(a.id))) {
      const where = bySource.get(adapter.id) ?? [];
      const name = adapter.displayName;
      para(`${name}${where.length ? `: ${where.join(', ')}` : ''}`, '  ', '    ', (l) =>
        l.startsWith(`  ${name}`) ? `  ${c.bold(name)}${l.slice(2 + name.length)}` : l,
      );
      if (adapter.loginHint) para(`to log in: ${adapter.loginHint}`, '    ', '      ');
    }
    lines.push('');
    para(
      'Log in to one of these CLIs (or set a provider key such as OPENAI_API_KEY), then run `ctd scan` again.',
      '',
      '',
    );
  }
  const errors = output.issues.filter((i) => i.severity === 'error');
  const infos = output.issues.filter((i) => i.severity === 'info');
  if (errors.length) {
    lines.push(
      '',
      c.red(
        c.bold(
          `${errors.length} problem${errors.length === 1 ? '' : 's'} (the other sources were still scanned):`,
        ),
      ),
    );
    for (const i of errors)
      para(
        `[${i.source}] ${i.path ? `${i.path}: ` : ''}${i.message} (${i.code})`,
        `  ${c.red('✗')} `,
        '    ',
      );
  }
  if (infos.length) {
    lines.push('', c.bold('Notes:'));
    for (const i of infos) para(`[${i.source}] ${i.message}`, `  ${c.cyan('i')} `, '    ');
  }
  if (explain) {
    lines.push('', c.bold('Locations checked:'));
    for (const loc of output.locations ?? [])
      para(`[${loc.source}] ${loc.location}: ${loc.reason}`, `  ${mark(loc, c)} `, '    ');
  } else if (creds.length > 0) {
    lines.push('', c.dim(elide('Run `ctd scan --explain` to see every location checked.', width)));
  }
  return `${lines.join('\n')}\n`;
}

function mark(loc: CheckedLocation, c: Palette): string {
  if (loc.result === 'found') return c.green('found  ');
  if (loc.result === 'error') return c.red('error  ');
  return c.dim(loc.result.padEnd(7));
}

/** The JSON report of `ctd scan --json`: the scan report format of 0.1 (no import outcome: ctd imports nothing). */
export function toJsonReport(output: ScanOutput, explain: boolean): ScanReport {
  return {
    version: 1,
    scannedAt: output.scannedAt,
    credentials: output.credentials.map(({ import: _import, ...info }) => info),
    issues: output.issues,
    ...(explain ? { locations: output.locations ?? [] } : {}),
  };
}

/** `ctd scan`. */
export const scanCommand: Command = {
  name: 'scan',
  summary: 'find AI-CLI logins and API keys on this machine, and check them',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      explain: { type: 'boolean' },
      offline: { type: 'boolean' },
      keychain: { type: 'boolean' },
      cwd: { type: 'string' },
      check: { type: 'boolean' },
      timeout: { type: 'string' },
      source: { type: 'string', multiple: true },
      'no-history': { type: 'boolean' },
      wide: { type: 'boolean' },
    });
    const timeoutMs = parseTimeout(values.timeout);
    if (values.check && values.offline)
      throw usageError('--check needs the live checks, which --offline turns off');
    const sources = values.source;
    for (const s of sources ?? []) {
      if (!SOURCE_IDS.includes(s))
        throw usageError(`unknown source "${s}"; one of: ${SOURCE_IDS.join(', ')}`);
    }
    // Progress only where a person watches: a terminal, and not when the output is JSON.
    const progress = !values.json && io.stderr.isTTY ? progressLine(io) : undefined;
    const service = await openService(io, 'scan', {
      history: values['no-history'] ? 'none' : 'write',
      // The history is written after the output (service.close() below), not before it.
      writeOnClose: true,
      timeoutMs,
      validate: withProgress(progress, io),
    });
    let output: ScanOutput;
    try {
      output = await service.scan({
        validate: !values.offline,
        import: false,
        explain: true,
        ...(values.keychain ? { keychain: true } : {}),
        cwd: values.cwd ?? process.cwd(),
        ...(sources ? { sources } : {}),
      });
    } catch (error) {
      progress?.clear();
      await service.close();
      throw error;
    }
    progress?.clear();
    // The output goes first; the history (recorded in memory by the scan) is made durable after
    // it, so its lock, write and fsync do not hold the answer back. A failure to write it is told
    // on stderr, as before.
    try {
      const explain = Boolean(values.explain);
      if (values.json) {
        io.stdout.write(toJson(toJsonReport(output, explain)));
      } else {
        io.stdout.write(
          renderScan(escapeControlCharsDeep(output), palette(useColor(io)), {
            explain,
            validated: !values.offline,
            width: outputWidth(io, Boolean(values.wide)),
          }),
        );
      }
    } finally {
      await service.close();
    }
    if (values.check && output.credentials.some((cred) => cred.validation?.status !== 'valid'))
      return ExitCode.CHECK_FAILED;
    return ExitCode.OK;
  },
};

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(ms) || ms <= 0) {
    throw usageError(`--timeout wants a positive number of milliseconds, not "${raw}"`);
  }
  return ms;
}

interface Progress {
  update(e: ValidationProgress): void;
  clear(): void;
}

/** The live check of `@ctd/scanners/validate` (loaded only when checking), reporting to `progress`. */
function withProgress(progress: Progress | undefined, io: CliIo): ValidateFn {
  return async (credentials, options) => {
    const { validateCredentials } = await import('@ctd/scanners/validate');
    return validateCredentials(credentials, {
      ...options,
      ...(progress ? { onProgress: progress.update } : {}),
      // A key sent without TLS (CTD_ALLOW_INSECURE_BASE_URL=1): said on every use, over the progress line.
      onWarning: (w) =>
        io.stderr.write(
          `${progress ? '\r\u001b[2K' : ''}ctd scan: warning: ${escapeControlCharsDeep(w.message)}\n`,
        ),
    });
  };
}

/**
 * A single self-overwriting stderr line: how many checks are done, and which are pending. It is
 * cleared when the checks end, and on Ctrl-C (so the shell prompt does not land behind it).
 */
function progressLine(io: CliIo): Progress {
  const c = palette(!io.env.NO_COLOR && io.env.TERM !== 'dumb');
  const width = Math.max(40, (io.stdout.columns ?? 80) - 1);
  const labels = new Map<string, string>();
  let started = 0;
  let shown = false;
  const clear = () => {
    if (shown) io.stderr.write('\r\u001b[2K');
    shown = false;
  };
  const unregister = onInterrupt(clear);
  return {
    update(e) {
      const { provider, label } = escapeControlCharsDeep({
        provider: e.credential.provider,
        label: e.credential.label,
      });
      labels.set(e.credential.id, `${provider} (${label})`);
      // Every check starts at once: draw when the last has started, then on each result.
      if (e.type === 'start' && ++started < e.total) return;
      const waiting = e.pending.map((id) => labels.get(id) ?? '…').join(', ');
      const line = `Checking ${e.total} credential${e.total === 1 ? '' : 's'}: ${e.done} done${waiting ? `; waiting for ${waiting}` : ''}`;
      io.stderr.write(`\r\u001b[2K${c.dim(displayWidth(line) > width ? elide(line, width) : line)}`);
      shown = true;
    },
    clear() {
      clear();
      unregister();
    },
  };
}
