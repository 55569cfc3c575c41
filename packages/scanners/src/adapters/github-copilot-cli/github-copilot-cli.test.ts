import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from '../../scan.ts';
import { parseSimpleYaml, stripJsonComments } from './formats.ts';
import { githubCopilotCliAdapter } from './index.ts';

const { COPILOT } = fixtures.copilot;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [githubCopilotCliAdapter], env: { ...home.env, ...env } });

describe('github-copilot-cli adapter', () => {
  it('finds the login of config.json (JSONC header, the token under two keys) once, with its account', async () => {
    const path = await fixtures.copilot.writeCopilotConfig(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      source: 'github-copilot-cli',
      provider: 'github-copilot',
      kind: 'token',
      label: 'GitHub Copilot login',
      account: { userId: COPILOT.login },
      origin: { type: 'file', path, field: `authTokens.https://github.com:${COPILOT.login}:github.token` },
      keyPage: 'https://github.com/settings/personal-access-tokens/new',
      hasRefreshToken: false,
    });
    expect(r.credentials[0]!.policy).toMatchObject({ stance: 'warn', requiresOptIn: true });
    expect(r.credentials[0]!.policy.note).toContain('@github/copilot 1.0.102');
    expect(r.credentials[0]!.refreshMethods.map((m) => m.type)).toContain('cli-login');
  });

  it('keeps the id when the token of the same account changes', async () => {
    await fixtures.copilot.writeCopilotConfig(home);
    const before = (await run()).credentials[0]!.id;
    await fixtures.copilot.writeCopilotConfig(home, 'gho_test_PLACEHOLDER_copilot_cli_111111111111');
    expect((await run()).credentials[0]!.id).toBe(before);
  });

  it('takes a fine-grained token as a key, and honours COPILOT_HOME', async () => {
    await fixtures.copilot.writeCopilotConfig(home, COPILOT.patToken, 'elsewhere');
    const r = await run({ COPILOT_HOME: home.resolve('elsewhere') });
    expect(r.credentials.map((c) => [c.kind, c.label])).toEqual([['api_key', 'GitHub fine-grained token']]);
  });

  it('says a login whose token is in the OS keyring is there, as info', async () => {
    await fixtures.copilot.writeCopilotConfigKeyring(home);
    const r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toMatchObject([{ code: 'IN_OS_KEYRING', severity: 'info' }]);
  });

  it('reads COPILOT_GITHUB_TOKEN, GH_TOKEN and GITHUB_TOKEN', async () => {
    const r = await run({
      COPILOT_GITHUB_TOKEN: COPILOT.envToken,
      GH_TOKEN: 'gho_test_PLACEHOLDER_gh_token_env_00000000',
      GITHUB_TOKEN: 'ghp_test_PLACEHOLDER_classic_0000000000000',
    });
    expect(r.credentials.map((c) => [c.origin, c.kind])).toEqual([
      [{ type: 'env', variable: 'COPILOT_GITHUB_TOKEN' }, 'api_key'],
      [{ type: 'env', variable: 'GH_TOKEN' }, 'token'],
      [{ type: 'env', variable: 'GITHUB_TOKEN' }, 'api_key'],
    ]);
    expect(r.credentials[2]!.label).toContain('Copilot does not accept it');
  });

  it("reads the GitHub CLI's hosts.yml, and says when gh keeps its token in the keyring", async () => {
    const path = await fixtures.copilot.writeGhHosts(home);
    let r = await run();
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'github-copilot',
      account: { userId: COPILOT.login },
      origin: { type: 'file', path, field: 'github.com.oauth_token' },
    });
    await fixtures.copilot.writeGhHosts(home, null);
    r = await run();
    expect(r.credentials).toEqual([]);
    expect(r.issues).toMatchObject([{ path, code: 'IN_OS_KEYRING', severity: 'info' }]);
    await fixtures.copilot.writeGhHosts(home);
    r = await run({ GH_CONFIG_DIR: home.resolve('nowhere') });
    expect(r.credentials).toEqual([]);
  });

  it('never serializes a token', async () => {
    await fixtures.copilot.writeCopilotConfig(home);
    await fixtures.copilot.writeGhHosts(home);
    const r = await run({ COPILOT_GITHUB_TOKEN: COPILOT.envToken });
    const json = JSON.stringify(toScanReport(r, true));
    for (const t of [COPILOT.oauthToken, COPILOT.ghToken, COPILOT.envToken]) expect(json).not.toContain(t);
  });

  it('recognizes pasted tokens by prefix', () => {
    expect(githubCopilotCliAdapter.recognizePasted?.(COPILOT.patToken)).toEqual([
      { provider: 'github-copilot', kind: 'api_key', label: 'GitHub fine-grained token (pasted)' },
    ]);
    expect(githubCopilotCliAdapter.recognizePasted?.(COPILOT.oauthToken)?.[0]?.kind).toBe('token');
  });
});

describe('formats', () => {
  it('strips JSONC comments and trailing commas but never inside strings', () => {
    const text = '// header\n{ "a": "x // not a comment", /* block */ "b": [1, 2,], }\n';
    expect(JSON.parse(stripJsonComments(text))).toEqual({ a: 'x // not a comment', b: [1, 2] });
  });

  it('parses the YAML subset of gh hosts.yml', () => {
    expect(
      parseSimpleYaml('github.com:\n  user: "octocat"\n  users:\n    octocat:\n  git_protocol: https # c\n'),
    ).toEqual({
      'github.com': { user: 'octocat', users: { octocat: {} }, git_protocol: 'https' },
    });
    expect(parseSimpleYaml('not yaml at all')).toBeUndefined();
  });
});
