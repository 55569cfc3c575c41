// The OS keychains, read only when a scan opts in: a real Secret Service (gnome-keyring-daemon
// in a private D-Bus session, read with secret-tool), and the macOS keychain through a fake
// `security` command on PATH.
import { realpath } from 'node:fs/promises';
import { sha256Hex } from '@ctd/core/node';
import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { hasSecretService, type SecretService, startSecretService } from '@ctd/test-utils/real-clis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from '../../scan.ts';
import { claudeCodeAdapter } from '../claude-code/index.ts';

let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const GEMINI_KEY = 'AIzaSyTEST-PLACEHOLDER-keychain-gemini-0000';
const CODEX_KEY = 'sk-test-PLACEHOLDER-keychain-codex-000000';
const COPILOT_TOKEN = 'gho_test_PLACEHOLDER_keychain_copilot_00000';
const CLAUDE_ACCESS = 'sk-ant-oat01-test-PLACEHOLDER-keychain-claude-00';

// The values as the CLIs store them (checked against Gemini CLI 0.61, Codex 0.171, Copilot 1.0.102).
const geminiValue = JSON.stringify({
  serverName: 'default-api-key',
  token: { accessToken: GEMINI_KEY, tokenType: 'ApiKey' },
  updatedAt: 1796137503098,
});
const codexValue = JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: CODEX_KEY });

async function codexAccount(h: TempHome): Promise<string> {
  return `cli|${sha256Hex(await realpath(h.resolve('.codex'))).slice(0, 16)}`;
}

/** Lays out the files that name keychain logins: Codex in keyring mode, Copilot's user list. */
async function writeKeychainHome(h: TempHome): Promise<void> {
  await fixtures.codex.writeCodexConfig(h, 'keyring');
  await fixtures.copilot.writeCopilotConfigKeyring(h);
  await h.writeJson('.gemini/settings.json', { security: { auth: { selectedType: 'gemini-api-key' } } });
}

const secretService = await hasSecretService();

describe.skipIf(!secretService)('Secret Service (a real gnome-keyring-daemon)', () => {
  let ss: SecretService;
  beforeAll(async () => {
    ss = await startSecretService();
  });
  afterAll(() => ss.close());

  it('finds the keychain logins of Gemini CLI, Codex and Copilot only when the scan opts in', async () => {
    await writeKeychainHome(home);
    await ss.store({ service: 'gemini-cli-api-key', account: 'default-api-key' }, geminiValue);
    await ss.store(
      {
        application: 'rust-keyring',
        service: 'Codex Auth',
        target: 'default',
        username: await codexAccount(home),
      },
      codexValue,
    );
    await ss.store({ service: 'copilot-cli', username: 'https://github.com:octocat' }, COPILOT_TOKEN);
    const env = { HOME: home.path, PATH: process.env.PATH ?? '/usr/bin:/bin', ...ss.env };

    const off = await scan({ env });
    expect(off.credentials).toEqual([]);
    expect(
      off.issues
        .filter((i) => i.code === 'IN_OS_KEYRING')
        .map((i) => i.source)
        .sort(),
    ).toEqual(['codex-cli', 'gemini-cli', 'github-copilot-cli']);

    const on = await scan({ env, scanKeychains: true, platform: 'linux' });
    expect(on.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(on.credentials.map((c) => [c.source, c.provider, c.kind, c.secret.reveal(), c.origin])).toEqual([
      [
        'codex-cli',
        'openai',
        'api_key',
        CODEX_KEY,
        {
          type: 'file',
          path: 'keychain:secret-service/Codex Auth',
          field: `keychain:${await codexAccount(home)}#OPENAI_API_KEY`,
        },
      ],
      [
        'gemini-cli',
        'google',
        'api_key',
        GEMINI_KEY,
        {
          type: 'file',
          path: 'keychain:secret-service/gemini-cli-api-key',
          field: 'default-api-key.token.accessToken',
        },
      ],
      [
        'github-copilot-cli',
        'github-copilot',
        'token',
        COPILOT_TOKEN,
        {
          type: 'file',
          path: 'keychain:secret-service/copilot-cli',
          field: 'keychain:https://github.com:octocat',
        },
      ],
    ]);
    const json = JSON.stringify(toScanReport(on, true));
    for (const secret of [GEMINI_KEY, CODEX_KEY, COPILOT_TOKEN]) expect(json).not.toContain(secret);
  });

  it('says so when there is no D-Bus session, and finds nothing', async () => {
    await writeKeychainHome(home);
    const r = await scan({ env: { HOME: home.path }, scanKeychains: true, platform: 'linux' });
    expect(r.credentials).toEqual([]);
    expect(
      r.locations.some((l) => l.location.startsWith('keychain:') && /no D-Bus session/.test(l.reason)),
    ).toBe(true);
  });
});

describe('macOS keychain (a fake security command on PATH)', () => {
  /** A `security` that answers `find-generic-password -s S -a A -w` from a table, else exit 44. */
  async function fakeSecurity(items: Record<string, string>): Promise<string> {
    const cases = Object.entries(items)
      .map(
        ([key, value]) =>
          `  ${JSON.stringify(key)}) printf '%s\\n' ${JSON.stringify(value).replaceAll('$', '\\$')} ; exit 0 ;;`,
      )
      .join('\n');
    await home.write(
      'bin/security',
      `#!/bin/sh\n# fake macOS security: find-generic-password -s S [-a A] -w\nshift\nS=""; A=""\nwhile [ $# -gt 0 ]; do case "$1" in -s) S="$2"; shift 2;; -a) A="$2"; shift 2;; *) shift;; esac; done\ncase "$S|$A" in\n${cases}\nesac\nexit 44\n`,
      0o755,
    );
    return `${home.resolve('bin')}:/usr/bin:/bin`;
  }

  it('reads Claude Code, Codex and Gemini CLI items with security find-generic-password', async () => {
    await writeKeychainHome(home);
    const claudeValue = JSON.stringify({
      claudeAiOauth: {
        accessToken: CLAUDE_ACCESS,
        refreshToken: 'sk-ant-ort01-test-PLACEHOLDER-kc',
        expiresAt: 1900000000000,
      },
    });
    const PATH = await fakeSecurity({
      'Claude Code-credentials|tester': claudeValue,
      [`Codex Auth|${await codexAccount(home)}`]: codexValue,
      'gemini-cli-api-key|default-api-key': geminiValue,
    });
    const r = await scan({
      env: { HOME: home.path, PATH },
      username: 'tester',
      scanKeychains: true,
      platform: 'darwin',
    });
    expect(
      r.credentials.map((c) => [
        c.source,
        c.kind,
        c.secret.reveal(),
        c.origin.type === 'file' && c.origin.path,
      ]),
    ).toEqual([
      ['codex-cli', 'api_key', CODEX_KEY, 'keychain:macos/Codex Auth'],
      ['gemini-cli', 'api_key', GEMINI_KEY, 'keychain:macos/gemini-cli-api-key'],
      ['claude-code', 'oauth', CLAUDE_ACCESS, 'keychain:macos/Claude Code-credentials'],
    ]);
    // A login read from a keychain is never refreshed here: ctd does not write keychains.
    const claude = r.credentials.find((c) => c.source === 'claude-code');
    expect(claude && claudeCodeAdapter.oauthRefresh?.(claude)).toBeUndefined();
    // Off by default: the fake command is never run.
    const off = await scan({
      env: { HOME: home.path, PATH: '/nonexistent' },
      username: 'tester',
      platform: 'darwin',
    });
    expect(off.credentials).toEqual([]);
  });

  it("names Claude Code's item after CLAUDE_CONFIG_DIR as Claude Code does (sha256 of the raw string)", async () => {
    const dir = '/Users/test/.claude-work';
    const PATH = await fakeSecurity({
      'Claude Code-credentials-03abf0ee|tester': JSON.stringify({
        claudeAiOauth: { accessToken: CLAUDE_ACCESS },
      }),
    });
    const r = await scan({
      env: { HOME: home.path, PATH, CLAUDE_CONFIG_DIR: dir },
      username: 'tester',
      scanKeychains: true,
      platform: 'darwin',
      sources: ['claude-code'],
    });
    expect(r.credentials.map((c) => c.secret.reveal())).toEqual([CLAUDE_ACCESS]);
  });
});
