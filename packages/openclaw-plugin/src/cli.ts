import {
  escapeControlChars,
  escapeControlCharsDeep,
  exitCodeForError,
  hashPrefix,
  toCtdError,
} from '@ctd/core';
import type { CredentialView, ScanOutput, StatusOutput, TokenDiscoveryService } from '@ctd/service';
import type { CliCommand, PluginApi } from './host-types.ts';
import { CLI_COMMAND } from './manifest.ts';
import { renderRotation } from './rotation/render.ts';

type Out = { write(text: string): void };
type Opts = { json?: boolean; offline?: boolean; method?: string };

function credentialLine(c: CredentialView): string {
  const check = c.validation ? c.validation.status : 'unchecked';
  const imp =
    c.import.status === 'skipped' ? `skipped (${c.import.code}): ${c.import.reason}` : c.import.status;
  return `  ${c.source.padEnd(12)} ${c.provider.padEnd(18)} ${c.preview.padEnd(10)} ${hashPrefix(c.hash)}  ${check.padEnd(15)} ${imp}${c.import.profileId ? ` → ${c.import.profileId}` : ''}`;
}

function renderScan(out: ScanOutput): string {
  const s = out.summary;
  const lines = [
    `Found ${s.found} credential(s) in ${out.durationMs} ms: ${s.valid} valid, ${s.imported} imported, ${s.unchanged} already imported, ${s.skipped} skipped, ${s.failed} failed.`,
    ...out.credentials.map(credentialLine),
  ];
  const errors = out.issues.filter((i) => i.severity === 'error');
  if (errors.length)
    lines.push('Problems:', ...errors.map((i) => `  [${i.source}] ${i.path}: ${i.message} (${i.code})`));
  for (const c of out.credentials)
    if (c.import.whatToDo && c.import.status === 'skipped') lines.push(`  → ${c.id}: ${c.import.whatToDo}`);
  return `${lines.join('\n')}\n`;
}

function renderStatus(s: StatusOutput): string {
  const lines = [
    s.lastScan
      ? `Scanned ${s.lastScan.scannedAt}: ${s.lastScan.found} found${s.lastScan.importRan ? `, ${s.lastScan.imported} imported` : ''}`
      : 'No scan yet in this process: the stores were read offline.',
    `History: ${s.historyFile || '(none)'}`,
    `Rotation: ${s.rotationStrategy}; import ${s.importEnabled ? 'on' : 'off'}`,
    ...s.credentials.map(
      (c) =>
        `  ${c.source.padEnd(12)} ${c.provider.padEnd(18)} ${(c.preview ?? '').padEnd(10)} ${hashPrefix(c.hash)}  ${c.status.padEnd(15)} used ${c.usage.count}x${c.cooldownUntil ? `, cooling down until ${c.cooldownUntil}` : ''}${c.inLastScan ? '' : ' (history only)'}`,
    ),
    // Expiry alerts: what needs the user (expiring, expired, invalid, a new login).
    ...s.credentials
      .filter((c) => c.inLastScan && c.expiry && c.expiry.state !== 'ok')
      .map(
        (c) =>
          `  ! ${c.source} ${hashPrefix(c.hash)}: ${c.expiry?.state.replace('_', ' ')} (${c.expiry?.reason})`,
      ),
    ...renderRotation(s.rotation),
  ];
  return `${lines.join('\n')}\n`;
}

async function readStdin(): Promise<string> {
  let raw = '';
  for await (const chunk of process.stdin) raw += String(chunk);
  return raw.trim();
}

/**
 * Registers `openclaw token-discovery scan | status | history | refresh <cli> | import-manual <cli> <token|->`.
 * The commands run the service in the CLI process (no gateway needed); imports go through the SDK.
 */
export function registerCliCommands(
  api: PluginApi,
  service: () => TokenDiscoveryService | Promise<TokenDiscoveryService>,
  out: Out = process.stdout,
): void {
  api.registerCli(
    // Async: the adapters (for the help texts) load when OpenClaw builds the commands, in a CLI
    // process, not when the gateway loads the plugin (OpenClaw awaits a registrar).
    async ({ program }) => {
      const { ALL_ADAPTERS } = await import('./runtime.ts');
      const root = program
        .command(CLI_COMMAND)
        .description('Find, check and import the AI-CLI logins on this machine');
      const run =
        (fn: (opts: Opts, ...args: string[]) => Promise<string | object>) =>
        async (...args: unknown[]) => {
          const positional = args.filter((a): a is string => typeof a === 'string');
          const opts = (args.find((a) => a && typeof a === 'object' && !Array.isArray(a)) ?? {}) as Opts;
          try {
            const result = await fn(opts, ...positional);
            out.write(typeof result === 'string' ? result : `${JSON.stringify(result, null, 2)}\n`);
          } catch (error) {
            const { code, message } = toCtdError(error);
            process.stderr.write(`${CLI_COMMAND}: ${escapeControlChars(message)} [${code}]\n`);
            process.exitCode = exitCodeForError(error);
          } finally {
            await (await service()).close();
          }
        };
      const sub = (name: string, description: string): CliCommand =>
        root.command(name).description(description).option('--json', 'print JSON');
      sub('scan', 'Scan, check and import (per the plugin config)')
        .option('--offline', 'do not check credentials with their providers (and import nothing)')
        .action(
          run(async (o) => {
            const r = await (await service()).scan(o.offline ? { validate: false, import: false } : {});
            return o.json ? r : renderScan(escapeControlCharsDeep(r));
          }),
        );
      sub(
        'status',
        'Every known credential: the stores read offline plus the history (no checks, no import, no writes)',
      ).action(
        run(async (o) => {
          const r = await (await service()).status();
          return o.json ? r : renderStatus(escapeControlCharsDeep(r));
        }),
      );
      sub('history', 'Show the usage history (hashes, counts, statuses)').action(
        run(async (o) => {
          const r = await (await service()).getHistory();
          return o.json ? r : `${JSON.stringify(r, null, 2)}\n`;
        }),
      );
      sub('refresh', 'Refresh a CLI login, or renew it with a method (browser or CLI login, key page)')
        .argument('<cli>', `a source (${ALL_ADAPTERS.map((a) => a.id).join(', ')}) or a credential id`)
        .option(
          '--method <method>',
          'oauth-refresh, browser-login, cli-login or key-page (the page to open is printed, never opened here)',
        )
        .action(
          run(async (o, target) => {
            // A login command runs here, its output on stderr; its page is printed for the operator to open.
            const answer = await (await service()).refreshToken(
              { target, ...(o.method ? { method: o.method } : {}) },
              {
                wait: true,
                terminal: Boolean(process.stdin.isTTY),
                onProgress: (p) => {
                  // Output lines come escaped already; the rest is escaped here.
                  const line =
                    p.type === 'output'
                      ? `  | ${p.line}`
                      : escapeControlChars(
                          p.type === 'open-url'
                            ? `Open ${p.url} in a browser${p.code ? ` and enter the code ${p.code}` : ''}.`
                            : p.message,
                        );
                  process.stderr.write(`${line}\n`);
                },
              },
            );
            if (o.json) return answer;
            // Human output: text from stores and providers is shown escaped (no terminal control).
            const r = escapeControlCharsDeep(answer);
            const run = r.run
              ? [`${r.run.method}: ${r.run.status}${r.run.reason ? ` (${r.run.reason})` : ''}`]
              : [];
            const outcomes = (r.outcomes ?? []).map((x) => `  ${x.credentialId}: ${x.status} (${x.reason})`);
            return `${[r.note, ...run, ...outcomes, ...r.methods.map((m) => `  - ${m.description}${'command' in m ? ` \`${m.command}\`` : ''}${'url' in m && m.url ? ` ${m.url}` : ''}`)].join('\n')}\n`;
          }),
        );
      sub('import-manual', 'Check a pasted key or token with the CLI’s provider and import it')
        .argument(
          '<cli>',
          `the CLI the key is for: ${ALL_ADAPTERS.filter((a) => a.recognizePasted)
            .map((a) => a.id)
            .join(', ')}`,
        )
        .argument('<token>', 'the key or token, or - to read it from standard input')
        .action(
          run(async (o, cli, token) => {
            const value = token === '-' ? await readStdin() : token;
            const answer = await (await service()).importManual({ cli, token: value });
            if (o.json) return answer;
            const r = escapeControlCharsDeep(answer);
            const c = r.credential;
            return `${c.label} ${c.preview} (${hashPrefix(c.hash)}): ${c.validation?.status ?? 'unchecked'}; import ${c.import.status}${c.import.profileId ? ` → ${c.import.profileId}` : ''}${c.import.reason ? ` (${c.import.reason})` : ''}\n`;
          }),
        );
    },
    {
      descriptors: [
        { name: CLI_COMMAND, description: 'Find, check and import AI-CLI logins', hasSubcommands: true },
      ],
    },
  );
}
