import { ExitCode, escapeControlCharsDeep, type RefreshMethod } from '@ctd/core';
import { ALL_ADAPTERS } from '@ctd/scanners';
import type { RefreshOutput } from '@ctd/service';
import { parseCommandArgs } from '../args.ts';
import { outputWidth, palette, toJson, usageError, useColor } from '../io.ts';
import { openService } from '../service.ts';
import { wrap } from '../text.ts';
import type { Command } from './types.ts';

const HELP = `Usage: ctd refresh <source|id> [options]

How to renew a CLI's login or one credential: the CLI's login command, the provider's key
page, pasting a new key (\`ctd import-manual\`). <source> is a source id
(${ALL_ADAPTERS.map((a) => a.id).join(', ')}) or its short name
(${ALL_ADAPTERS.flatMap((a) => a.aliases)
  .slice(0, 3)
  .join(', ')}, …); <id> is a credential id from \`ctd scan --json\`. Nothing is changed:
automatic OAuth refresh comes with a later version.

Options:
  --json            print the methods as JSON
  -h, --help        show this help

Exit codes: 0 ok, 2 bad usage or an unknown source or credential.`;

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
  for (const c of out.credentials)
    lines.push(...wrap(`${c.label} (${c.provider}): ${c.id}`, w, '  ', '    '));
  if (out.methods.length) {
    lines.push('', bold('What to do:'));
    for (const m of out.methods) lines.push(...wrap(methodLine(m), w, '  - ', '    '));
  }
  return `${lines.join('\n')}\n`;
}

/** `ctd refresh`. */
export const refreshCommand: Command = {
  name: 'refresh',
  summary: 'how to renew a CLI login or a credential (login command, key page)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } }, 1);
    const [target] = positionals;
    if (target === undefined)
      throw usageError(`which CLI or credential? e.g. \`ctd refresh ${ALL_ADAPTERS[0]?.id ?? '<source>'}\``);
    const opened = await openService(io, 'refresh', { history: 'none' });
    let out: RefreshOutput;
    try {
      out = await opened.service.refreshToken({ target });
    } finally {
      await opened.close();
    }
    io.stdout.write(
      values.json
        ? toJson(out)
        : renderRefresh(escapeControlCharsDeep(out), outputWidth(io, false), palette(useColor(io)).bold),
    );
    return ExitCode.OK;
  },
};
