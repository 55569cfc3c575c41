import {
  type CredentialInfo,
  DEFAULT_VALIDATION_TIMEOUT_MS as DEFAULT_TIMEOUT_MS,
  hashPrefix,
  SOURCE_IDS,
  type SourceId,
  toCredentialInfo,
  type ValidationResult,
  type ValidationStatus,
} from '@ctd/core';
import { openHistoryStore, recordScan } from '@ctd/history';
import { ALL_ADAPTERS, type ScanResult, scan, toScanReport } from '@ctd/scanners';
import type { ValidationProgress } from '@ctd/scanners/validate';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, ExitCode, palette, UsageError, useColor } from '../io.ts';
import { renderTable } from '../table.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd scan [options]

Find the logins of AI coding CLIs on this machine (Codex, Gemini CLI, Qwen Code,
Kimi CLI, Kimi Code, Claude Code, opencode) and API keys in the environment, then
check each one with a read-only call to its provider (STATUS column: valid, invalid,
expired, refreshable, rate_limited, quota_exhausted, no_access, unknown).
Secrets are never printed: each credential shows a masked preview and a hash prefix.

Options:
  --json            print the report as JSON ({"version":1,"scannedAt",...,"credentials","issues"});
                    each credential gains a "validation" object unless --offline
  --explain         also list every location checked, and why each was skipped
  --offline         make no network calls: find credentials without checking them
  --timeout <ms>    timeout of each check's request (default ${DEFAULT_TIMEOUT_MS})
  --source <id>     scan only this source (repeatable): ${SOURCE_IDS.join(', ')}
  --no-history      do not record what was found in the usage history
                    (~/.openclaw/cli-token-history.json, or $CTD_HISTORY_FILE)
  -h, --help        show this help

Environment: HOME, CODEX_HOME, GEMINI_CLI_HOME, KIMI_SHARE_DIR, KIMI_CODE_HOME,
CLAUDE_CONFIG_DIR, XDG_DATA_HOME and each provider's key variables are honoured.
Checks go through HTTPS_PROXY / HTTP_PROXY (except NO_PROXY hosts). Each provider's
endpoint can be pointed elsewhere with CTD_<PROVIDER>_BASE_URL, e.g. CTD_OPENAI_BASE_URL
(the full list is in docs/validation.md).

Exit codes: 0 scanned (also when nothing was found), 2 bad usage, 1 internal error.`;

function account(c: CredentialInfo): string {
  const parts = [c.account.email ?? c.account.accountId ?? c.account.userId, c.account.plan].filter(Boolean);
  return parts.join(' · ') || '-';
}

function expiry(c: CredentialInfo, now: Date): string {
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

/**
 * Renders the human-readable scan output; with `validations` (aligned with the credentials), a
 * STATUS column and a line per check saying why.
 */
export function renderScan(
  result: ScanResult,
  io: CliIo,
  explain: boolean,
  validations?: readonly (ValidationResult | undefined)[],
): string {
  const c = palette(useColor(io));
  const now = new Date(result.scannedAt);
  const lines: string[] = [];
  const status = (i: number) => {
    const v = validations?.[i];
    return v ? c[STATUS_TONE[v.status]](v.status) : '-';
  };
  if (result.credentials.length > 0) {
    const rows = result.credentials.map((cred, i) => [
      cred.source,
      cred.provider,
      cred.label,
      account(cred),
      cred.preview,
      hashPrefix(cred.hash),
      expiry(cred, now),
      ...(validations ? [status(i)] : []),
      cred.policy.stance === 'allowed'
        ? ''
        : cred.policy.stance === 'forbidden'
          ? c.red('forbidden')
          : c.yellow('warn'),
    ]);
    lines.push(
      c.bold(`Found ${result.credentials.length} credential${result.credentials.length === 1 ? '' : 's'}:`),
      renderTable(
        [
          'SOURCE',
          'PROVIDER',
          'WHAT',
          'ACCOUNT',
          'PREVIEW',
          'HASH',
          'EXPIRES',
          ...(validations ? ['STATUS'] : []),
          'POLICY',
        ],
        rows,
      ),
    );
    if (validations) {
      lines.push('', c.bold('Checks:'));
      result.credentials.forEach((cred, i) => {
        const v = validations[i];
        if (v) lines.push(`  ${status(i)} ${cred.source}/${cred.provider} ${cred.label}: ${v.reason}`);
      });
    }
    // One line per policy note, naming every source it applies to (the same provider's note
    // would otherwise repeat for each CLI that holds such a login).
    const notes = new Map<string, { who: string[]; asOf: string }>();
    for (const cred of result.credentials) {
      if (cred.policy.stance === 'allowed') continue;
      const entry = notes.get(cred.policy.note) ?? { who: [], asOf: cred.policy.asOf };
      const who = `${cred.source}/${cred.provider}`;
      if (!entry.who.includes(who)) entry.who.push(who);
      notes.set(cred.policy.note, entry);
    }
    for (const [note, { who, asOf }] of notes)
      lines.push(c.yellow(`  ! ${who.join(', ')}: ${note} (as of ${asOf})`));
  } else {
    lines.push(c.bold('No AI-CLI logins or API keys found.'), '', 'Looked for:');
    const bySource = new Map<SourceId, string[]>();
    for (const loc of result.locations) {
      if (loc.location.startsWith('$')) continue;
      const list = bySource.get(loc.source) ?? [];
      list.push(loc.location);
      bySource.set(loc.source, list);
    }
    for (const adapter of ALL_ADAPTERS.filter((a) => result.sources.includes(a.id))) {
      const where = bySource.get(adapter.id) ?? [];
      lines.push(`  ${c.bold(adapter.displayName)}${where.length ? `: ${where.join(', ')}` : ''}`);
      if (adapter.loginHint) lines.push(`    to log in: ${adapter.loginHint}`);
    }
    lines.push(
      '',
      'Log in to one of these CLIs (or set a provider key such as OPENAI_API_KEY), then run `ctd scan` again.',
    );
  }
  const errors = result.issues.filter((i) => i.severity === 'error');
  const infos = result.issues.filter((i) => i.severity === 'info');
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
      lines.push(`  ${c.red('✗')} [${i.source}] ${i.path ? `${i.path}: ` : ''}${i.message} (${i.code})`);
  }
  if (infos.length) {
    lines.push('', c.bold('Notes:'));
    for (const i of infos) lines.push(`  ${c.cyan('i')} [${i.source}] ${i.message}`);
  }
  if (explain) {
    lines.push('', c.bold('Locations checked:'));
    for (const loc of result.locations) {
      const mark =
        loc.result === 'found'
          ? c.green('found  ')
          : loc.result === 'error'
            ? c.red('error  ')
            : c.dim(loc.result.padEnd(7));
      lines.push(`  ${mark} [${loc.source}] ${loc.location}: ${loc.reason}`);
    }
  } else if (result.credentials.length > 0) {
    lines.push('', c.dim('Run `ctd scan --explain` to see every location checked.'));
  }
  return `${lines.join('\n')}\n`;
}

/** `ctd scan`. */
export const scanCommand: Command = {
  name: 'scan',
  summary: 'find AI-CLI logins and API keys on this machine',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      explain: { type: 'boolean' },
      offline: { type: 'boolean' },
      timeout: { type: 'string' },
      source: { type: 'string', multiple: true },
      'no-history': { type: 'boolean' },
    });
    const timeoutMs = parseTimeout(values.timeout as string | undefined);
    const sources = values.source as string[] | undefined;
    for (const s of sources ?? []) {
      if (!(SOURCE_IDS as readonly string[]).includes(s))
        throw new UsageError(`unknown source "${s}"; one of: ${SOURCE_IDS.join(', ')}`);
    }
    const result = await scan({ env: io.env, ...(sources ? { sources: sources as SourceId[] } : {}) });
    let validations: ValidationResult[] | undefined;
    if (!values.offline && result.credentials.length > 0) {
      // Progress only where a person watches: a terminal, and not when the output is JSON.
      const progress = !values.json && io.stderr.isTTY ? progressLine(io) : undefined;
      // Loaded only when checking: an offline scan never loads the network code.
      const { validateCredentials } = await import('@ctd/scanners/validate');
      validations = await validateCredentials(result.credentials, {
        env: io.env,
        timeoutMs,
        ...(progress ? { onProgress: progress.update } : {}),
      });
      progress?.clear();
    }
    if (!values['no-history']) await recordInHistory(result, validations ?? [], io);
    if (values.json) {
      const report = toScanReport(result, Boolean(values.explain));
      if (validations) {
        report.credentials = report.credentials.map((cred, i) => ({ ...cred, validation: validations[i] }));
      }
      io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      io.stdout.write(renderScan(result, io, Boolean(values.explain), validations));
    }
    return ExitCode.ok;
  },
};

/** Records the scan in the usage history; a history problem is reported but never fails the scan. */
async function recordInHistory(
  result: ScanResult,
  validations: ValidationResult[],
  io: CliIo,
): Promise<void> {
  try {
    const store = await openHistoryStore({ env: io.env, flushIntervalMs: 0 });
    try {
      await recordScan(
        store,
        result.credentials.map(toCredentialInfo),
        validations,
        new Date(result.scannedAt),
      );
      for (const notice of store.notices) io.stderr.write(`ctd scan: history: ${notice.message}\n`);
    } finally {
      await store.close();
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`ctd scan: the usage history was not updated${code ? ` [${code}]` : ''}: ${message}\n`);
  }
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(ms) || ms <= 0) {
    throw new UsageError(`--timeout wants a positive number of milliseconds, not "${raw}"`);
  }
  return ms;
}

/** A single self-overwriting stderr line: how many checks are done, and which are pending. */
function progressLine(io: CliIo): { update: (e: ValidationProgress) => void; clear: () => void } {
  const c = palette(!io.env.NO_COLOR && io.env.TERM !== 'dumb');
  const width = Math.max(40, (io.stdout.columns ?? 80) - 1);
  const labels = new Map<string, string>();
  let started = 0;
  let shown = false;
  return {
    update(e) {
      labels.set(e.credential.id, `${e.credential.provider} (${e.credential.label})`);
      // Every check starts at once: draw when the last has started, then on each result.
      if (e.type === 'start' && ++started < e.total) return;
      const waiting = e.pending.map((id) => labels.get(id) ?? id).join(', ');
      let line = `Checking ${e.total} credential${e.total === 1 ? '' : 's'}: ${e.done} done${waiting ? `; waiting for ${waiting}` : ''}`;
      if (line.length > width) line = `${line.slice(0, width - 1)}…`;
      io.stderr.write(`\r\u001b[2K${c.dim(line)}`);
      shown = true;
    },
    clear() {
      if (shown) io.stderr.write('\r\u001b[2K');
    },
  };
}
