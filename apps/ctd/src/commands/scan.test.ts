// `ctd scan` with live checks: a temp HOME holding a Codex ChatGPT login and a key in
// CODEX_API_KEY, checked against fake providers through the CTD_*_BASE_URL overrides.
import { PassThrough } from 'node:stream';
import { ScanReportSchema } from '@ctd/core';
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
import { runInterruptHandlers } from '../lifecycle.ts';
import { main } from '../main.ts';

// A ChatGPT access token that expires long after any test run.
const ACCESS_TOKEN = fixtures.codex.codexAccessToken(4_100_000_000);
const API_KEY = 'sk-test-cli-revoked-PLACEHOLDER-000000000000';
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences start with ESC.
const ANSI = /\u001b\[/;

let home: TempHome;
let chatgpt: FakeProvider;
let openai: FakeProvider;
let env: Record<string, string>;

beforeEach(async () => {
  home = await createTempHome();
  await fixtures.codex.writeCodexChatGpt(home, '.codex', ACCESS_TOKEN);
  chatgpt = await startFakeChatGpt({ keys: { [ACCESS_TOKEN]: 'valid' } });
  openai = await startFakeOpenAI({ keys: { [API_KEY]: 'revoked' } });
  env = {
    ...home.env,
    CODEX_API_KEY: API_KEY,
    CTD_CHATGPT_BASE_URL: chatgpt.baseUrl,
    CTD_OPENAI_BASE_URL: openai.baseUrl,
  };
});
afterEach(async () => {
  await Promise.all([chatgpt.close(), openai.close()]);
  await home.cleanup();
});

interface Terminal {
  stdoutTTY?: boolean;
  stderrTTY?: boolean;
}

async function run(args: string[], runEnv: Record<string, string> = env, tty: Terminal = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s), isTTY: tty.stdoutTTY ?? false, columns: 120 },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty.stderrTTY ?? false },
    stdin: new PassThrough(),
    env: runEnv,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

describe('ctd scan (validating)', () => {
  it('checks every credential by default and adds a validation object to each in --json', async () => {
    const r = await run(['scan', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const report = ScanReportSchema.parse(JSON.parse(r.stdout));
    expect(Object.keys(JSON.parse(r.stdout))).toEqual(['version', 'scannedAt', 'credentials', 'issues']);
    const login = report.credentials.find((c) => c.label === 'ChatGPT login');
    const key = report.credentials.find((c) => c.kind === 'api_key');
    expect(login?.validation).toMatchObject({
      credentialId: login?.id,
      status: 'valid',
      httpStatus: 200,
      quota: { plan: 'plus' },
    });
    expect(key?.validation).toMatchObject({
      status: 'invalid',
      httpStatus: 401,
      providerCode: 'invalid_api_key',
    });
    for (const c of report.credentials) {
      expect(typeof c.validation?.latencyMs).toBe('number');
      expect(c.validation?.checkedAt).toMatch(/^\d{4}-/);
    }
    expect(r.stdout).not.toContain(ACCESS_TOKEN);
    expect(r.stdout).not.toContain(API_KEY);
    expect(r.stdout).not.toContain(fixtures.codex.CODEX.refreshToken);
  });

  it('shows a STATUS column and why, without colour when not on a terminal', async () => {
    const r = await run(['scan']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/STATUS/);
    expect(r.stdout).toMatch(/ valid /);
    expect(r.stdout).toMatch(/ invalid /);
    expect(r.stdout).toContain('Checks:');
    expect(r.stdout).toMatch(
      /invalid codex-cli\/openai .*OpenAI rejected the key \(HTTP 401 invalid_api_key/,
    );
    expect(r.stdout).not.toMatch(ANSI);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain(API_KEY);
  });

  it('colours the status on a terminal, and not when NO_COLOR is set', async () => {
    const coloured = await run(['scan'], env, { stdoutTTY: true });
    expect(coloured.stdout).toContain('\u001b[32mvalid\u001b[39m');
    expect(coloured.stdout).toContain('\u001b[31minvalid\u001b[39m');
    const plain = await run(['scan'], { ...env, NO_COLOR: '1' }, { stdoutTTY: true });
    expect(plain.stdout).toMatch(/ valid /);
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it('shows progress on a terminal (stderr), naming the pending checks, and clears it', async () => {
    chatgpt.hold();
    const running = run(['scan'], env, { stdoutTTY: true, stderrTTY: true });
    await chatgpt.waitForInFlight(1);
    chatgpt.release();
    const r = await running;
    expect(r.stderr).toMatch(
      /Checking 2 credentials: 0 done; waiting for openai \(ChatGPT login\), openai \(OpenAI API key\)/,
    );
    expect(r.stderr).toMatch(/1 done; waiting for/);
    expect(r.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(r.stdout).not.toContain('Checking');
  });

  it('clears the progress line on Ctrl-C (the handlers cli.ts runs on SIGINT)', async () => {
    chatgpt.hold();
    let stderr = '';
    const io: CliIo = {
      stdout: { write: () => true, isTTY: true, columns: 120 },
      stderr: { write: (s: string) => (stderr += s), isTTY: true },
      stdin: new PassThrough(),
      env,
    };
    const running = main(['scan'], io);
    await chatgpt.waitForInFlight(1);
    while (!stderr.includes('Checking')) await new Promise((resolve) => setImmediate(resolve));
    runInterruptHandlers();
    expect(stderr.endsWith('\r\u001b[2K')).toBe(true);
    chatgpt.release();
    await running;
  });

  it('prints no progress with --json, even on a terminal', async () => {
    const r = await run(['scan', '--json'], env, { stdoutTTY: true, stderrTTY: true });
    expect(r.stderr).toBe('');
    expect(() => JSON.parse(r.stdout)).not.toThrow();
  });

  it('makes no network call with --offline', async () => {
    const json = await run(['scan', '--json', '--offline']);
    const report = ScanReportSchema.parse(JSON.parse(json.stdout));
    expect(report.credentials.length).toBeGreaterThanOrEqual(2);
    expect(report.credentials.every((c) => c.validation === undefined)).toBe(true);
    const table = await run(['scan', '--offline']);
    expect(table.stdout).not.toContain('STATUS');
    expect(chatgpt.requests).toHaveLength(0);
    expect(openai.requests).toHaveLength(0);
  });

  it('honours --timeout, reporting a check that got no answer as unknown', async () => {
    chatgpt.script(ACCESS_TOKEN, 'hang');
    const r = await run(['scan', '--json', '--timeout', '150']);
    const report = ScanReportSchema.parse(JSON.parse(r.stdout));
    const login = report.credentials.find((c) => c.label === 'ChatGPT login');
    expect(login?.validation).toMatchObject({
      status: 'unknown',
      reason: 'no answer within 150 ms (timeout)',
    });
  });

  it('exits 3 with --check when a credential is not valid, 0 when all are', async () => {
    const mixed = await run(['scan', '--check', '--json']);
    expect(mixed.code).toBe(3);
    expect(ScanReportSchema.parse(JSON.parse(mixed.stdout)).credentials).toHaveLength(2);
    const { CODEX_API_KEY: _key, ...withoutKey } = env;
    const allValid = await run(['scan', '--check'], withoutKey);
    expect(allValid.code).toBe(0);
    expect(allValid.stdout).toMatch(/ valid /);
    const offline = await run(['scan', '--check', '--offline']);
    expect(offline.code).toBe(2);
    expect(offline.stderr).toContain('--check needs the live checks');
  });

  it('rejects a --timeout that is not a positive number of ms', async () => {
    for (const bad of ['abc', '0', '-5', '1.5']) {
      const r = await run(['scan', '--timeout', bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('--timeout');
    }
    expect(chatgpt.requests).toHaveLength(0);
  });
});

// The check through HTTP_PROXY of the built bundle is in bundle.test.ts (one file for every use of dist/).
