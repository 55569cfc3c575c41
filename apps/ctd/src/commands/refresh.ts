import { ExitCode, escapeControlChars, escapeControlCharsDeep, type RefreshMethod } from '@ctd/core';
import { canOpenBrowser, type MethodProgress, openInBrowser } from '@ctd/refresher';
import { ALL_ADAPTERS, sourcesForName } from '@ctd/scanners';
import type { RefreshOutput } from '@ctd/service';
import { parseCommandArgs } from '../args.ts';
import { outputWidth, palette, toJson, usageError, useColor } from '../io.ts';
import { openService } from '../service.ts';
import { wrap } from '../text.ts';
import { importManualCommand } from './import-manual.ts';
import type { Command } from './types.ts';

const METHODS = ['oauth-refresh', 'browser-login', 'cli-login', 'key-page', 'paste-key'] as const;

const HELP = `Usage: ctd refresh <source|id> [--method <method>] [options]

Renews a CLI's login or one credential. <source> is a source id
(${ALL_ADAPTERS.map((a) => a.id).join(', ')}) or its short name
(${ALL_ADAPTERS.flatMap((a) => a.aliases)
  .slice(0, 3)
  .join(', ')}, …); <id> is a credential id from \`ctd scan --json\`.

Without --method, each OAuth login of the target is refreshed when its CLI would refresh it
(under the CLI's own lock, written back to its store), and the other methods are listed with
what each does. With --method, that method runs:

  oauth-refresh   refresh the OAuth login now, due or not
  browser-login   run the CLI's browser or device login; its page is opened in your browser
                  (printed instead over SSH, in CI or without a display), with its code
  cli-login       run the CLI's login command here; its output is shown as it runs
  key-page        open the provider's key page (printed without a display), then paste the key
                  with \`ctd refresh <source> --method paste-key\`
  paste-key       read a key or token from standard input, check it with its provider, keep it

Options:
  --method <m>      run this method (see above)
  --timeout <s>     stop a login command after this many seconds (default 600)
  --json            print the result as JSON
  -h, --help        show this help

Exit codes: 0 ok, 1 the login command failed or timed out, 2 bad usage or an unknown source
or credential, 3 (paste-key) the provider did not accept the key.`;

function methodLine(m: RefreshMethod): string {
  const where = m.type === 'cli-login' ? ` \`${m.command}\`` : 'url' in m && m.url ? ` ${m.url}` : '';
  return `${m.description}${where}`;
}

/** Renders `ctd refresh` for a person. Every string of `out` must already be escaped. */
export function renderRefresh(
  out: RefreshOutput,
  width: number | undefined,
  bold: (s: string) => string,
): string {
  const w = width ?? Number.POSITIVE_INFINITY;
  const lines = [...wrap(out.note, w)];
  for (const o of out.outcomes ?? []) {
    const expiry = o.expiresAt ? `, expires ${o.expiresAt}` : '';
    lines.push(
      ...wrap(`${o.credentialId}: ${o.status.replace('_', ' ')}${expiry} (${o.reason})`, w, '  ', '    '),
    );
  }
  if (out.run) {
    const code =
      out.run.exitCode !== undefined && out.run.exitCode !== null ? ` (exit code ${out.run.exitCode})` : '';
    lines.push(
      ...wrap(`${out.run.method}: ${out.run.status}${code}${out.run.reason ? `: ${out.run.reason}` : ''}`, w),
    );
  }
  for (const c of out.after ?? []) {
    const parts = [
      c.status ?? 'unchecked',
      c.expiresAt ? `expires ${c.expiresAt}` : 'no expiry',
      `import: ${c.import.status}`,
    ];
    lines.push(...wrap(`${c.label} (${c.provider}): ${parts.join(', ')}`, w, '  ', '    '));
  }
  if (!out.run)
    for (const c of out.credentials)
      lines.push(...wrap(`${c.label} (${c.provider}): ${c.id}`, w, '  ', '    '));
  if (out.methods.length && !out.run) {
    lines.push('', bold('What to do:'));
    for (const m of out.methods) lines.push(...wrap(methodLine(m), w, '  - ', '    '));
  }
  return `${lines.join('\n')}\n`;
}

/** `ctd refresh`. */
export const refreshCommand: Command = {
  name: 'refresh',
  summary: 'renew a CLI login or a credential (OAuth refresh, browser or CLI login, key page, paste)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(
      args,
      { json: { type: 'boolean' }, method: { type: 'string' }, timeout: { type: 'string' } },
      1,
    );
    const [target] = positionals;
    if (target === undefined)
      throw usageError(`which CLI or credential? e.g. \`ctd refresh ${ALL_ADAPTERS[0]?.id ?? '<source>'}\``);
    const method = values.method;
    if (method !== undefined && !(METHODS as readonly string[]).includes(method)) {
      throw usageError(`unknown method "${method}"; one of: ${METHODS.join(', ')}`);
    }
    const timeoutS = values.timeout === undefined ? 600 : Number(values.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw usageError('--timeout takes a number of seconds');
    if (method === 'paste-key') {
      // Manual entry: the key is read from standard input (kept out of shell history) and checked.
      const [source] = sourcesForName(target);
      if (!source) throw usageError('paste-key takes a source (the CLI the key is for), not a credential id');
      return importManualCommand.run([source, '-', ...(values.json ? ['--json'] : [])], io);
    }
    const err = palette(useColor({ ...io, stdout: io.stderr }));
    const display = canOpenBrowser(io.env);
    const opened = new Set<string>();
    const progress = (p: MethodProgress) => {
      if (p.type === 'output') io.stderr.write(`  ${err.dim('│')} ${p.line}\n`);
      else if (p.type === 'status') io.stderr.write(`${err.dim(escapeControlChars(p.message))}\n`);
      else {
        const url = escapeControlChars(p.url);
        const code = p.code ? ` and enter the code ${err.bold(escapeControlChars(p.code))}` : '';
        if (opened.has(p.url)) return;
        opened.add(p.url);
        if (display) {
          io.stderr.write(`Opening ${url} in your browser${code}.\n`);
          openInBrowser(p.url, { env: io.env }).catch(() => {
            io.stderr.write(`The browser could not be opened: open ${url} yourself${code}.\n`);
          });
        } else io.stderr.write(`Open ${url} in a browser${code}.\n`);
      }
    };
    const svc = await openService(io, 'refresh', { history: method ? 'write' : 'none' });
    let out: RefreshOutput;
    try {
      out = await svc.service.refreshToken(
        { target, ...(method ? { method } : {}) },
        {
          wait: true,
          terminal: Boolean(io.stdin.isTTY),
          timeoutMs: timeoutS * 1000,
          onProgress: progress,
        },
      );
    } finally {
      await svc.close();
    }
    io.stdout.write(
      values.json
        ? toJson(out)
        : renderRefresh(escapeControlCharsDeep(out), outputWidth(io, false), palette(useColor(io)).bold),
    );
    const status = out.run?.status;
    if (status === 'failed' || status === 'timed-out' || status === 'cancelled') return ExitCode.FAILURE;
    return ExitCode.OK;
  },
};
