import { type CredentialInfo, hashPrefix, SOURCE_IDS, type SourceId } from '@ctd/core';
import { ALL_ADAPTERS, type ScanResult, scan, toScanReport } from '@ctd/scanners';
import { parseCommandArgs } from '../args.ts';
import { type CliIo, ExitCode, palette, UsageError, useColor } from '../io.ts';
import { renderTable } from '../table.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd scan [options]

Find the logins of AI coding CLIs on this machine (Codex, Gemini CLI, Qwen Code,
Kimi CLI, Kimi Code, Claude Code, opencode) and API keys in the environment.
Secrets are never printed: each credential shows a masked preview and a hash prefix.

Options:
  --json            print the report as JSON ({"version":1,"scannedAt",...,"credentials","issues"})
  --explain         also list every location checked, and why each was skipped
  --offline         make no network calls (the scan itself never does; validation is not run)
  --source <id>     scan only this source (repeatable): ${SOURCE_IDS.join(', ')}
  -h, --help        show this help

Environment: HOME, CODEX_HOME, GEMINI_CLI_HOME, KIMI_SHARE_DIR, KIMI_CODE_HOME,
CLAUDE_CONFIG_DIR, XDG_DATA_HOME and each provider's key variables are honoured.

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

/** Renders the human-readable scan output. */
export function renderScan(result: ScanResult, io: CliIo, explain: boolean): string {
  const c = palette(useColor(io));
  const now = new Date(result.scannedAt);
  const lines: string[] = [];
  if (result.credentials.length > 0) {
    const rows = result.credentials.map((cred) => [
      cred.source,
      cred.provider,
      cred.label,
      account(cred),
      cred.preview,
      hashPrefix(cred.hash),
      expiry(cred, now),
      cred.policy.stance === 'allowed'
        ? ''
        : cred.policy.stance === 'forbidden'
          ? c.red('forbidden')
          : c.yellow('warn'),
    ]);
    lines.push(
      c.bold(`Found ${result.credentials.length} credential${result.credentials.length === 1 ? '' : 's'}:`),
      renderTable(['SOURCE', 'PROVIDER', 'WHAT', 'ACCOUNT', 'PREVIEW', 'HASH', 'EXPIRES', 'POLICY'], rows),
    );
    const notes = new Map<string, string>();
    for (const cred of result.credentials) {
      if (cred.policy.stance !== 'allowed') notes.set(`${cred.source}/${cred.provider}`, cred.policy.note);
    }
    for (const [who, note] of notes)
      lines.push(
        c.yellow(
          `  ! ${who}: ${note} (as of ${result.credentials.find((x) => `${x.source}/${x.provider}` === who)?.policy.asOf})`,
        ),
      );
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
      source: { type: 'string', multiple: true },
    });
    const sources = values.source as string[] | undefined;
    for (const s of sources ?? []) {
      if (!(SOURCE_IDS as readonly string[]).includes(s))
        throw new UsageError(`unknown source "${s}"; one of: ${SOURCE_IDS.join(', ')}`);
    }
    const result = await scan({ env: io.env, ...(sources ? { sources: sources as SourceId[] } : {}) });
    if (values.json) {
      io.stdout.write(`${JSON.stringify(toScanReport(result, Boolean(values.explain)), null, 2)}\n`);
    } else {
      io.stdout.write(renderScan(result, io, Boolean(values.explain)));
    }
    return ExitCode.ok;
  },
};
