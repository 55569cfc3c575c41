import { existsSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { ScanReportSchema } from '@ctd/core';
import { createTempHome, type TempHome, writeFullHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

async function run(args: string[], env: Record<string, string> = home.env) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: false },
    stderr: { write: (s: string) => (stderr += s), isTTY: false },
    stdin: new PassThrough(),
    env,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('ctd', () => {
  it('prints help and exits 0 without a command and with --help', async () => {
    const none = await run([]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('Usage: ctd <command>');
    expect((await run(['--help'])).code).toBe(0);
  });

  it('exits 2 on an unknown command or option, naming it', async () => {
    const cmd = await run(['frobnicate']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('unknown command "frobnicate"');
    expect(cmd.stderr).toContain('Run `ctd help` for usage.');
    const opt = await run(['scan', '--bogus']);
    expect(opt.code).toBe(2);
    expect(opt.stderr).toContain('--bogus');
    const src = await run(['scan', '--offline', '--source', 'nope']);
    expect(src.code).toBe(2);
    expect(src.stderr).toContain('unknown source "nope"');
  });

  it("shows a command's help with `ctd help <command>` as with `<command> --help`", async () => {
    for (const name of ['scan', 'status', 'history', 'refresh', 'import-manual']) {
      const viaHelp = await run(['help', name]);
      expect(viaHelp.code).toBe(0);
      expect(viaHelp.stdout).toContain(`Usage: ctd ${name}`);
      expect((await run([name, '--help'])).stdout).toBe(viaHelp.stdout);
      expect((await run([name, '-h'])).stdout).toBe(viaHelp.stdout);
    }
    const unknown = await run(['help', 'scna']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Did you mean "scan"?');
  });

  it('keeps every help text within 80 columns', async () => {
    for (const args of [
      [],
      ['help', 'scan'],
      ['help', 'status'],
      ['help', 'history'],
      ['help', 'refresh'],
      ['help', 'import-manual'],
    ]) {
      const r = await run(args);
      for (const line of r.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    }
  });

  it('prints the version of its package.json with -V and --version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    for (const flag of ['-V', '--version']) {
      const r = await run([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it('suggests the command meant by a typo', async () => {
    for (const [typo, meant] of [
      ['scna', 'scan'],
      ['stauts', 'status'],
      ['hist', 'history'],
      ['refrsh', 'refresh'],
    ]) {
      const r = await run([typo as string]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`Did you mean "${meant}"?`);
    }
    expect((await run(['xyzzy'])).stderr).not.toContain('Did you mean');
  });

  it('exits 2 on stray arguments, naming them', async () => {
    for (const args of [
      ['scan', 'foo'],
      ['status', 'foo'],
      ['history', 'clear', 'a', 'b'],
      ['refresh', 'a', 'b'],
    ]) {
      const r = await run(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/unexpected argument "(foo|b)"/);
      expect(r.stderr).toContain(`Run \`ctd help ${args[0]}\` for usage.`);
    }
    expect(existsSync(home.resolve('.openclaw'))).toBe(false);
  });

  it('exits 2 when HOME is empty or relative, before reading or writing anything', async () => {
    for (const HOME of ['', 'some/where']) {
      const r = await run(['scan', '--offline'], { HOME });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/HOME is (empty|a relative path \("some\/where"\))/);
    }
  });

  it('documents scan options and exit codes in scan --help', async () => {
    const r = await run(['scan', '--help']);
    expect(r.code).toBe(0);
    for (const word of ['--json', '--explain', '--offline', '--check', '--wide', 'Exit codes'])
      expect(r.stdout).toContain(word);
  });
});

describe('ctd scan --offline', () => {
  it('says what was looked for and how to log in when nothing is found (exit 0)', async () => {
    const r = await run(['scan', '--offline']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No AI-CLI logins or API keys found');
    for (const name of ['Codex CLI', 'Gemini CLI', 'Qwen Code', 'Kimi CLI', 'Claude Code', 'opencode']) {
      expect(r.stdout).toContain(name);
    }
    expect(r.stdout).toContain('codex login');
    expect(r.stdout).toContain(home.resolve('.codex/auth.json'));
  });

  it('prints a JSON report of the full home that matches the schema and holds no secret', async () => {
    const full = await writeFullHome(home);
    const r = await run(['scan', '--json', '--offline'], full.env);
    expect(r.code).toBe(0);
    const report = ScanReportSchema.parse(JSON.parse(r.stdout));
    expect(report.version).toBe(1);
    expect(report.credentials.length).toBeGreaterThanOrEqual(full.credentials.length - 2);
    for (const e of full.credentials) expect(r.stdout).not.toContain(e.secret);
  });

  it('shows a table with previews and hash prefixes but no secret', async () => {
    const full = await writeFullHome(home);
    const r = await run(['scan', '--offline'], full.env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Found \d+ credentials/);
    expect(r.stdout).toContain('codex-cli');
    for (const e of full.credentials) expect(r.stdout).not.toContain(e.secret);
  });

  it('lists every location checked with --explain', async () => {
    const r = await run(['scan', '--offline', '--explain']);
    expect(r.stdout).toContain('Locations checked:');
    expect(r.stdout).toContain(`${home.resolve('.codex/auth.json')}: does not exist`);
    expect(r.stdout).toContain('$CODEX_API_KEY: not set');
  });

  it('reports a broken file with its path and still lists the rest', async () => {
    const full = await writeFullHome(home);
    await home.write('.codex/auth.json', '{"tokens": {');
    const r = await run(['scan', '--json', '--offline'], full.env);
    expect(r.code).toBe(0);
    const report = ScanReportSchema.parse(JSON.parse(r.stdout));
    expect(report.issues).toContainEqual(
      expect.objectContaining({
        source: 'codex-cli',
        path: home.resolve('.codex/auth.json'),
        code: 'INVALID_JSON',
      }),
    );
    expect(report.credentials.some((c) => c.source === 'gemini-cli')).toBe(true);
  });
});

describe('ctd scan and the history', () => {
  it('still prints what it found when the history cannot be written (a lock that is a directory)', async () => {
    await home.writeJson('.codex/auth.json', {
      auth_mode: 'apikey',
      OPENAI_API_KEY: 'sk-test-PLACEHOLDER-history-lock-00000000',
    });
    await home.mkdir('.openclaw/cli-token-history.json.lock');
    const r = await run(['scan', '--offline']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Found 1 credential');
    const said = r.stderr.match(/the usage history was not updated \[LOCK_UNUSABLE\]/g) ?? [];
    expect(said).toHaveLength(1);
    const json = await run(['scan', '--offline', '--json']);
    expect(JSON.parse(json.stdout).credentials).toHaveLength(1);
  });

  it('writes the history after the output: the answer is printed before the file changes', async () => {
    await home.writeJson('.codex/auth.json', {
      auth_mode: 'apikey',
      OPENAI_API_KEY: 'sk-test-PLACEHOLDER-history-order-0000000',
    });
    const file = home.resolve('.openclaw/cli-token-history.json');
    const historyHas = () => existsSync(file) && readFileSync(file, 'utf8').includes('codex-cli');
    const seenWhenPrinted: boolean[] = [];
    const io: CliIo = {
      stdout: {
        write: (s: string) => {
          seenWhenPrinted.push(historyHas());
          return s.length > 0;
        },
        isTTY: false,
      },
      stderr: { write: () => true, isTTY: false },
      stdin: new PassThrough(),
      env: home.env,
    };
    expect(await main(['scan', '--offline', '--json'], io)).toBe(0);
    expect(seenWhenPrinted).toEqual([false]);
    expect(historyHas()).toBe(true);
  });

  it('records what it found (first and last seen), unless --no-history', async () => {
    await home.writeJson('.codex/auth.json', {
      auth_mode: 'apikey',
      OPENAI_API_KEY: 'sk-test-PLACEHOLDER-history-000000000',
    });
    expect((await run(['scan', '--offline', '--no-history'])).code).toBe(0);
    const before = await run(['history', '--json']);
    expect(before.stdout).not.toContain('codex-cli');
    expect((await run(['scan', '--offline'])).code).toBe(0);
    const after = await run(['history', '--json']);
    expect(after.stdout).toContain('codex-cli');
    expect(after.stdout).toContain('firstSeen');
    expect(after.stdout).not.toContain('sk-test-PLACEHOLDER-history-000000000');
  });
});
