// `ctd refresh --method`, `ctd status --check` and `ctd watch` on real files: a fake `codex` on PATH
// stands in for the CLI's device login (prints a page and a code, then writes the store), and a fake
// browser command (BROWSER) stands in for the browser, at the process boundary.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  createTempHome,
  type FakeProvider,
  fixtures,
  startFakeChatGpt,
  startFakeOpenAI,
  type TempHome,
} from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../io.ts';
import { runCtd } from '../test-support.ts';
import { runWatch } from './watch.ts';

let home: TempHome;
let prepared: TempHome;
let chatgpt: FakeProvider;
let env: Record<string, string>;
const ACCESS = fixtures.codex.codexAccessToken(4_100_000_000);

beforeEach(async () => {
  home = await createTempHome();
  prepared = await createTempHome();
  // The login the fake CLI writes, prepared elsewhere in Codex's own format.
  await fixtures.codex.writeCodexChatGpt(prepared, '.codex', ACCESS);
  chatgpt = await startFakeChatGpt({ keys: { [ACCESS]: 'valid' } });
  const bin = join(home.path, 'bin');
  await mkdir(bin);
  await writeFile(
    join(bin, 'codex'),
    [
      '#!/bin/sh',
      'echo "Welcome to Codex ($*)"',
      'echo "Follow these steps to sign in: open https://auth.openai.example/codex/device"',
      'echo "Enter this one-time code: ABCD-12345"',
      'mkdir -p "$HOME/.codex"',
      `cp "${prepared.resolve('.codex/auth.json')}" "$HOME/.codex/auth.json.tmp"`,
      'mv "$HOME/.codex/auth.json.tmp" "$HOME/.codex/auth.json"',
      'echo "Successfully logged in"',
    ].join('\n'),
  );
  await chmod(join(bin, 'codex'), 0o755);
  await writeFile(
    join(bin, 'fake-browser'),
    `#!/bin/sh\nprintf '%s\\n' "$@" >> "${home.resolve('opened.txt')}"\n`,
  );
  await chmod(join(bin, 'fake-browser'), 0o755);
  env = { ...home.env, PATH: `${bin}:/usr/bin:/bin`, CTD_CHATGPT_BASE_URL: chatgpt.baseUrl };
});

afterEach(async () => {
  await chatgpt.close();
  await home.cleanup();
  await prepared.cleanup();
});

describe('ctd refresh --method', () => {
  it('browser-login without a display: prints the page and code, runs the login, reports the new login', async () => {
    const r = await runCtd(['refresh', 'codex', '--method', 'browser-login'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      'Open https://auth.openai.example/codex/device in a browser and enter the code ABCD-12345',
    );
    expect(r.stderr).toContain('Successfully logged in');
    expect(r.stdout).toContain('browser-login: done (exit code 0)');
    expect(r.stdout).toMatch(/ChatGPT login .*valid/);
    expect(r.stdout + r.stderr).not.toContain(ACCESS);
  });

  it('browser-login on a desktop opens the page with the browser command, never in-process', async () => {
    const r = await runCtd(['refresh', 'codex', '--method', 'browser-login', '--json'], {
      ...env,
      DISPLAY: ':0',
      BROWSER: join(home.path, 'bin', 'fake-browser'),
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      open: { url: 'https://auth.openai.example/codex/device', code: 'ABCD-12345' },
      run: { method: 'browser-login', status: 'done' },
      after: [{ status: 'valid' }],
    });
    await expect
      .poll(async () => readFile(home.resolve('opened.txt'), 'utf8').catch(() => ''))
      .toContain('https://auth.openai.example/codex/device');
  });

  it('over SSH nothing is opened even with a display', async () => {
    const r = await runCtd(['refresh', 'codex', '--method', 'browser-login'], {
      ...env,
      DISPLAY: ':0',
      SSH_CONNECTION: '10.0.0.1 1 10.0.0.2 22',
      BROWSER: join(home.path, 'bin', 'fake-browser'),
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Open https://auth.openai.example/codex/device in a browser');
    await expect(readFile(home.resolve('opened.txt'), 'utf8')).rejects.toThrow();
  });

  it('key-page prints the page; a failing login exits 1; an unknown method exits 2', async () => {
    const page = await runCtd(['refresh', 'codex', '--method', 'key-page'], env);
    expect(page.code).toBe(0);
    expect(page.stderr).toContain('Open https://platform.openai.com/api-keys in a browser');
    await writeFile(join(home.path, 'bin', 'codex'), '#!/bin/sh\necho "network down" >&2\nexit 5\n');
    const failed = await runCtd(['refresh', 'codex', '--method', 'cli-login'], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('the login command exited with code 5');
    expect((await runCtd(['refresh', 'codex', '--method', 'telepathy'], env)).code).toBe(2);
  });
});

describe('ctd refresh --method paste-key', () => {
  it('reads the key from standard input, checks it with its provider, and never prints it', async () => {
    const key = 'sk-test-PLACEHOLDER-paste-method-000000000000';
    const openai = await startFakeOpenAI({ keys: { [key]: 'valid' } });
    try {
      const r = await runCtd(
        ['refresh', 'codex', '--method', 'paste-key'],
        { ...env, CTD_OPENAI_BASE_URL: openai.baseUrl },
        { answer: `${key}\n` },
      );
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/OpenAI API key \(pasted\) .* valid/);
      expect(r.stdout + r.stderr).not.toContain(key);
    } finally {
      await openai.close();
    }
  });
});

describe('ctd status --check', () => {
  it('exits 3 when a token nothing renews expires inside 24 h, 0 when all is well', async () => {
    await fixtures.codex.writeCodexChatGpt(home, '.codex', ACCESS);
    expect((await runCtd(['status', '--check'], env)).code).toBe(0);
    await home.writeJson('.claude/.credentials.json', {
      claudeAiOauth: { accessToken: 'sk-ant-oat01-test-expiring-0000', expiresAt: Date.now() + 3_600_000 },
    });
    const r = await runCtd(['status', '--check'], env);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/1 credential needs attention/);
    expect(r.stdout).toMatch(/claude-code .*expiring/);
    expect((await runCtd(['status'], env)).code).toBe(0);
  });
});

describe('ctd watch', () => {
  it('reports a store changed on disk, scanned again, then stops on the signal', async () => {
    let out = '';
    const io: CliIo = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      stdin: process.stdin,
      env,
    };
    const controller = new AbortController();
    const running = runWatch(io, { offline: true, refresh: false, json: true }, controller.signal);
    // Watching, after the first scan (which found nothing).
    await expect.poll(() => out).toContain('"type":"watching"');
    await fixtures.codex.writeCodexChatGpt(home, '.codex', ACCESS);
    await expect.poll(() => out, { timeout: 5_000 }).toContain('"type":"reimported"');
    controller.abort();
    expect(await running).toBe(0);
    // --offline: the changed store was not checked with its provider.
    expect(chatgpt.tokens()).toEqual([]);
    const event = JSON.parse(out.split('\n').find((l) => l.includes('reimported')) ?? '{}');
    expect(event).toMatchObject({ type: 'reimported', source: 'codex-cli', found: 1 });
    expect(out).not.toContain(ACCESS);
  });
});
