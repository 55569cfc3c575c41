import { createTempHome, fixtures, type TempHome } from '@ctd/test-utils';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scan, toScanReport } from '../../scan.ts';
import { codexCliAdapter } from './index.ts';

const { CODEX } = fixtures.codex;
let home: TempHome;
beforeEach(async () => {
  home = await createTempHome();
});
afterEach(() => home.cleanup());

const run = (env: Record<string, string> = {}) =>
  scan({ adapters: [codexCliAdapter], env: { ...home.env, ...env } });

describe('codex-cli adapter', () => {
  it('finds an API-key login (fixture A)', async () => {
    const path = await fixtures.codex.writeCodexApiKey(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({
      source: 'codex-cli',
      provider: 'openai',
      kind: 'api_key',
      hasRefreshToken: false,
    });
    expect(c.origin).toEqual({ type: 'file', path, field: 'OPENAI_API_KEY' });
    expect(c.secret.reveal()).toBe(CODEX.apiKey);
    expect(c.keyPage).toBe('https://platform.openai.com/api-keys');
  });

  it('finds a ChatGPT login with account, email, plan and expiry from the JWTs (fixture B)', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const r = await run();
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({ kind: 'oauth', label: 'ChatGPT login', hasRefreshToken: true });
    expect(c.account).toEqual({
      email: CODEX.email,
      plan: 'plus',
      accountId: CODEX.accountId,
      userId: 'user-PLACEHOLDER',
    });
    expect(c.expiresAt).toBe(new Date(CODEX.exp * 1000).toISOString());
    expect(c.refreshSecret?.reveal()).toBe(CODEX.refreshToken);
    expect(c.policy.stance).toBe('allowed');
  });

  it('reads a legacy file without auth_mode and takes the account from the id_token (fixture C)', async () => {
    await fixtures.codex.writeCodexLegacy(home);
    const r = await run();
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]!.account.accountId).toBe(CODEX.accountId);
  });

  it('keeps the same id when the tokens are refreshed', async () => {
    await fixtures.codex.writeCodexChatGpt(home);
    const before = (await run()).credentials[0]!;
    await fixtures.codex.writeCodexChatGpt(home, '.codex', fixtures.codex.codexAccessToken(CODEX.exp + 3600));
    const after = (await run()).credentials[0]!;
    expect(after.hash).not.toBe(before.hash);
    expect(after.id).toBe(before.id);
  });

  it('honours CODEX_HOME', async () => {
    await fixtures.codex.writeCodexApiKey(home, 'elsewhere/codex');
    expect((await run()).credentials).toHaveLength(0);
    expect((await run({ CODEX_HOME: home.resolve('elsewhere/codex') })).credentials).toHaveLength(1);
  });

  it('reports a keyring store as an info issue when there is no auth.json and a keyring is reachable', async () => {
    for (const mode of ['keyring', 'auto']) {
      await fixtures.codex.writeCodexConfig(home, mode);
      const r = await run({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
      expect(r.credentials).toEqual([]);
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ code: 'IN_OS_KEYRING', severity: 'info' });
      expect(r.issues[0]!.message).toContain('stored in the OS keyring');
    }
  });

  it.runIf(process.platform === 'linux')(
    'says a keyring-mode login could not have been stored where no keyring is reachable (Codex 0.171 fails it)',
    async () => {
      await fixtures.codex.writeCodexConfig(home, 'keyring');
      const r = await run();
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]!.message).toContain('could not have stored a login');
      expect(r.issues[0]!.message).not.toContain('stored in the OS keyring');
      // "auto" falls back to auth.json there: no auth.json is simply no login.
      await fixtures.codex.writeCodexConfig(home, 'auto');
      expect((await run()).issues).toEqual([]);
    },
  );

  it('finds a personal access token (`codex login --with-access-token`, no auth_mode)', async () => {
    const path = await fixtures.codex.writeCodexAccessToken(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials).toHaveLength(1);
    expect(r.credentials[0]).toMatchObject({
      provider: 'openai',
      kind: 'token',
      label: 'ChatGPT personal access token',
      hasRefreshToken: false,
      origin: { type: 'file', path, field: 'personal_access_token' },
    });
    expect(r.credentials[0]!.secret.reveal()).toBe(CODEX.accessTokenPat);
    expect(r.locations.find((l) => l.location === path)).toMatchObject({ result: 'found' });
  });

  it('finds an agent identity with the account from its claims, never its private key', async () => {
    await fixtures.codex.writeCodexAgentIdentity(home);
    const r = await run();
    expect(r.credentials).toHaveLength(1);
    const c = r.credentials[0]!;
    expect(c).toMatchObject({ kind: 'token', label: 'Codex agent identity' });
    expect(c.account).toEqual({
      email: CODEX.email,
      plan: 'business',
      accountId: CODEX.accountId,
      userId: 'user-PLACEHOLDER',
    });
    expect(c.expiresAt).toBe(new Date(CODEX.exp * 1000).toISOString());
    expect(JSON.stringify(toScanReport(r, true))).not.toContain('agent-private-key');
  });

  it('reads a 0.171 device login (oauth_provenance, login_owner_id as the user)', async () => {
    await fixtures.codex.writeCodexDeviceLogin(home);
    const r = await run();
    expect(r.issues).toEqual([]);
    expect(r.credentials[0]!.account).toEqual({
      email: CODEX.email,
      plan: 'pro',
      accountId: CODEX.accountId,
      userId: CODEX.loginOwnerId,
    });
  });

  it('reports the encrypted secrets-backend files (0.171 names) as info, never reading them', async () => {
    await home.write('.codex/secrets/codex_auth.age', 'age-encryption.org/v1\nPLACEHOLDER');
    await home.write('.codex/secrets/gateway_oauth.age', 'age-encryption.org/v1\nPLACEHOLDER');
    await fixtures.codex.writeCodexConfig(home, 'keyring');
    const r = await run({ DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(r.credentials).toEqual([]);
    expect(r.issues.map((i) => [i.path.split('/').at(-1), i.code, i.severity])).toEqual([
      ['codex_auth.age', 'IN_OS_KEYRING', 'info'],
      ['gateway_oauth.age', 'IN_OS_KEYRING', 'info'],
    ]);
  });

  it('reads CODEX_API_KEY from the environment', async () => {
    const r = await run({ CODEX_API_KEY: CODEX.envApiKey });
    expect(r.credentials.map((c) => c.origin)).toEqual([{ type: 'env', variable: 'CODEX_API_KEY' }]);
  });
});
