// Class 5 of issue 9: text from a credential store, the environment or a provider never reaches the
// terminal raw. Real store files in a temp home carry ESC/OSC sequences, C1 controls and newlines
// in a JWT e-mail, a Kimi provider name, an opencode key name and a directory name; a provider on
// loopback answers with such an error code. Every human output shows them escaped, also when
// stdout is not a terminal; JSON output keeps the exact text, JSON-escaped.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCtd } from './test-support.ts';

// An OSC 8 hyperlink, a screen clear, an OSC title, a C1 CSI, and a newline that forges a line.
const EVIL =
  'evil\u001b]8;;https://attacker.invalid\u0007click\u001b]8;;\u0007\u001b[2J\u001b]0;pwned\u0007\u009b31m\nFORGED LINE';
const FORGED = /^FORGED LINE/m;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for raw control characters.
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;
const KEY = 'sk-test-PLACEHOLDER-escape-000000000000';

let home: TempHome;
let env: Record<string, string>;
let server: Server;
let baseUrl: string;

beforeEach(async () => {
  home = await createTempHome();
  // Codex ChatGPT login whose id_token names an e-mail full of escape sequences.
  await home.writeJson('.codex/auth.json', {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: {
      id_token: fixtures.codex.codexIdToken({
        email: EVIL,
        'https://api.openai.com/profile': { email: EVIL },
      }),
      access_token: fixtures.codex.codexAccessToken(4_100_000_000),
      refresh_token: fixtures.codex.CODEX.refreshToken,
      account_id: fixtures.codex.CODEX.accountId,
    },
  });
  // Kimi CLI config whose provider name holds ESC and a newline (TOML escapes them in a quoted key).
  const tomlEvil = EVIL.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters for TOML.
    /[\u0000-\u001f\u007f-\u009f]/g,
    (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  await home.write(
    '.kimi/config.toml',
    `default_model = "m"\n\n[providers."${tomlEvil}"]\ntype = "kimi"\nbase_url = "https://api.moonshot.ai/v1"\napi_key = "sk-test-PLACEHOLDER-kimi-escape-0000000"\n`,
  );
  // opencode auth.json whose key (a provider id) holds escape sequences.
  await fixtures.opencode.writeOpencodeAuth(home, {
    [EVIL]: { type: 'api', key: 'sk-test-PLACEHOLDER-oc-escape-00000000' },
  });
  // A provider that answers 401 with an error code and message full of escape sequences.
  server = createServer((_req, res) => {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({ error: { message: `bad key ${EVIL}`, type: 'invalid_request_error', code: EVIL } }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  env = {
    ...home.env,
    // A CLI home whose directory name holds a newline and an escape sequence (paths are printed).
    CLAUDE_CONFIG_DIR: home.resolve(`claude\n\u001b[31mdir`),
    OPENAI_API_KEY: KEY,
    CTD_OPENAI_BASE_URL: baseUrl,
  };
  await home.writeJson(`claude\n\u001b[31mdir/.credentials.json`, { not: 'a claude file' });
});
afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  await home.cleanup();
});

function expectSafe(text: string) {
  expect(text).not.toMatch(RAW_CONTROL);
  expect(text).not.toMatch(FORGED);
  expect(text).not.toContain(KEY);
}

describe('foreign text in human output', () => {
  it('is escaped in the scan table, the checks, --explain, status and history (not a terminal)', async () => {
    const scan = await runCtd(['scan', '--offline', '--explain', '--wide'], env);
    expect(scan.code).toBe(0);
    expectSafe(scan.stdout);
    expectSafe(scan.stderr);
    // The text is still there, visibly escaped.
    expect(scan.stdout).toContain('evil\\e]8;;https://attacker.invalid\\x07click');
    expect(scan.stdout).toContain('\\x9b31m\\nFORGED LINE');
    expect(scan.stdout).toContain('claude\\n\\e[31mdir');
    // The provider's error code and message, in the checks (only the key checked on loopback).
    const checked = await runCtd(['scan', '--source', 'environment'], env);
    expect(checked.stdout).toMatch(/invalid environment\/openai OpenAI API key: OpenAI rejected the key/);
    expectSafe(checked.stdout);
    for (const args of [
      ['status', '--wide'],
      ['history', '--wide'],
      ['scan', '--offline'],
    ]) {
      const r = await runCtd(args, env);
      expect(r.code).toBe(0);
      expectSafe(r.stdout);
      expectSafe(r.stderr);
    }
  });

  it('is escaped on a colour terminal too (only our own colour codes are raw)', async () => {
    const r = await runCtd(['scan', '--offline'], env, { stdoutTTY: true, columns: 120 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: SGR colour codes are ours.
    const withoutOurColours = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expectSafe(withoutOurColours);
  });

  it('is escaped in error messages', async () => {
    const refresh = await runCtd(['refresh', `nope${EVIL}`], env);
    expect(refresh.code).toBe(2);
    expectSafe(refresh.stderr);
    expect(refresh.stderr).toContain('nopeevil\\e]8;;');
    const source = await runCtd(['scan', '--source', EVIL], env);
    expect(source.code).toBe(2);
    expectSafe(source.stderr);
    const command = await runCtd([EVIL], env);
    expect(command.code).toBe(2);
    expectSafe(command.stderr);
  });

  it('stays exact in JSON output (JSON-escaped, C1 controls included)', async () => {
    const r = await runCtd(['scan', '--json'], env);
    expect(r.stdout).not.toMatch(RAW_CONTROL);
    expect(r.stdout).toContain('\\u009b31m\\nFORGED LINE');
    const report = JSON.parse(r.stdout);
    const emails = report.credentials.map((c: { account: { email?: string } }) => c.account.email);
    expect(emails).toContain(EVIL);
  });
});
